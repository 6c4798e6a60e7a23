// Our verifier against requests signed by botocore itself (tests/fixtures/sigv4/botocore_sign.py):
// what a real SDK sends is accepted, and any tampering with it is refused.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "emulator/auth/sigv4.hpp"
#include "tests/support/shell.hpp"
#include "tests/support/temp_dir.hpp"

namespace stratus::auth {
namespace {

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct BotoSigned {
  HttpRequestView request;
  std::string body;
};

nlohmann::json lambda_spec() {
  return {
      {"method", "POST"},
      {"url", "http://127.0.0.1:4566/2015-03-31/functions/my%3Afn/invocations?Qualifier=%24LATEST&b=2&a=1"},
      {"headers", {{"Content-Type", "application/json"}, {"X-Amz-Invocation-Type", "Event"}}},
      {"body", R"({"key": "value"})"},
      {"region", "eu-west-1"},
      {"service", "lambda"},
      {"key", "AKIDBOTO"},
      {"secret", "boto/secret+key"},
      {"token", "session-token"}};
}

nlohmann::json s3_spec() {
  nlohmann::json spec = lambda_spec();
  spec["service"] = "s3";
  spec["method"] = "PUT";
  spec["url"] = "http://127.0.0.1:4566/bucket/dir/a%20key.txt";
  spec["headers"] = nlohmann::json::object();
  return spec;
}

nlohmann::json presigned_spec() {
  nlohmann::json spec = s3_spec();
  spec["method"] = "GET";
  spec["body"] = "";
  spec["presign_expires"] = 300;
  return spec;
}

// botocore signs every request the tests need in one run (starting Python is the slow part).
class SigV4Botocore : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    test_support::TempDir dir;
    auto in =
        dir.write("specs.json", nlohmann::json::array({lambda_spec(), s3_spec(), presigned_spec()}).dump());
    auto result = test_support::run_shell(
        "python3 " STRATUS_SOURCE_DIR "/tests/fixtures/sigv4/botocore_sign.py < '" + in.string() + "'",
        dir.path() / "sign.err");
    s_signed_at = now_seconds();
    s_error = result.exit_code == 0 ? "" : result.err;
    if (result.exit_code != 0) return;
    for (const auto& out : nlohmann::json::parse(result.out)) {
      BotoSigned s;
      s.request.method = out["method"];
      s.request.path = out["path"];
      s.request.query = out["query"];
      for (const auto& h : out["headers"]) s.request.headers.emplace_back(h[0], h[1]);
      s.body = out["body"];
      s_signed.push_back(std::move(s));
    }
  }

  void SetUp() override {
    if (s_signed.size() != 3) GTEST_SKIP() << "python3 with botocore is not available: " << s_error;
  }

  static std::optional<std::string> lookup(std::string_view key) {
    if (key == "AKIDBOTO") return std::string("boto/secret+key");
    return std::nullopt;
  }

  static VerifyResult check(BotoSigned& s, std::int64_t now = s_signed_at) {
    s.request.body = s.body;
    return verify(s.request, lookup, now);
  }

  static BotoSigned lambda_request() { return s_signed[0]; }
  static BotoSigned s3_request() { return s_signed[1]; }
  static BotoSigned presigned_request() { return s_signed[2]; }

  static inline std::vector<BotoSigned> s_signed;
  static inline std::int64_t s_signed_at = 0;
  static inline std::string s_error;
};

TEST_F(SigV4Botocore, AcceptsALambdaRequestSignedByBotocore) {
  BotoSigned s = lambda_request();
  VerifyResult r = check(s);
  EXPECT_TRUE(r.ok) << r.detail;
  EXPECT_EQ(r.region, "eu-west-1");
  EXPECT_EQ(r.service, "lambda");
}

TEST_F(SigV4Botocore, AcceptsAnS3RequestSignedByBotocore) {
  BotoSigned s = s3_request();
  VerifyResult r = check(s);
  EXPECT_TRUE(r.ok) << r.detail;
  EXPECT_EQ(r.service, "s3");
}

TEST_F(SigV4Botocore, PresignedUrlIsAcceptedUntilItExpires) {
  BotoSigned s = presigned_request();
  EXPECT_NE(s.request.query.find("X-Amz-Signature="), std::string::npos) << s.request.query;
  VerifyResult r = check(s);
  EXPECT_TRUE(r.ok) << r.detail;
  EXPECT_EQ(check(s, s_signed_at + 301).failure, AuthFailure::expired);
  s.request.query += "&extra=1";
  EXPECT_EQ(check(s).failure, AuthFailure::signature_mismatch);
}

TEST_F(SigV4Botocore, TamperedS3BodyIsABodyHashMismatch) {
  BotoSigned s = s3_request();
  s.body = "something else";
  EXPECT_EQ(check(s).failure, AuthFailure::body_hash_mismatch);
}

TEST_F(SigV4Botocore, TamperedBodyIsRejected) {
  BotoSigned s = lambda_request();
  s.body = R"({"key": "other"})";
  EXPECT_EQ(check(s).failure, AuthFailure::signature_mismatch);
}

TEST_F(SigV4Botocore, TamperedSignedHeaderIsRejected) {
  BotoSigned s = lambda_request();
  for (auto& [name, value] : s.request.headers) {
    if (name == "X-Amz-Invocation-Type") value = "RequestResponse";
  }
  EXPECT_EQ(check(s).failure, AuthFailure::signature_mismatch);
}

TEST_F(SigV4Botocore, TamperedQueryIsRejected) {
  BotoSigned s = lambda_request();
  s.request.query += "&c=3";
  EXPECT_EQ(check(s).failure, AuthFailure::signature_mismatch);
}

TEST_F(SigV4Botocore, TamperedDateIsRejected) {
  BotoSigned s = lambda_request();
  for (auto& [name, value] : s.request.headers) {
    if (name == "X-Amz-Date") value[value.size() - 2] = value[value.size() - 2] == '0' ? '1' : '0';
  }
  EXPECT_EQ(check(s).failure, AuthFailure::signature_mismatch);
}

TEST_F(SigV4Botocore, OldRequestIsSkewed) {
  BotoSigned s = lambda_request();
  EXPECT_EQ(check(s, s_signed_at + 16 * 60).failure, AuthFailure::skewed);
}

}  // namespace
}  // namespace stratus::auth
