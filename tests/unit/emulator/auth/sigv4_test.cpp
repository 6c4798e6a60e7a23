// SigV4 against the public AWS test suite (tests/fixtures/sigv4/aws-sig-v4-test-suite.json, the
// suite's .req/.creq/.sts/.authz files gathered in one JSON file), plus verification cases.
#include "emulator/auth/sigv4.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "emulator/common/sha256.hpp"

namespace stratus::auth {
namespace {

constexpr std::int64_t kSuiteTime = 1440938160;  // 20150830T123600Z
const Credentials kSuiteCredentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
const Scope kSuiteScope{"us-east-1", "service"};

nlohmann::json load_suite() {
  std::ifstream in(std::string(STRATUS_SOURCE_DIR) + "/tests/fixtures/sigv4/aws-sig-v4-test-suite.json");
  std::stringstream ss;
  ss << in.rdbuf();
  return nlohmann::json::parse(ss.str());
}

// The suite's raw request (`.req`): "METHOD URI HTTP/1.1", header lines, a blank line, the body.
HttpRequestView parse_raw_request(const std::string& raw, std::string& body_storage) {
  HttpRequestView r;
  std::istringstream in(raw);
  std::string line;
  std::getline(in, line);
  r.method = line.substr(0, line.find(' '));
  std::string uri = line.substr(line.find(' ') + 1, line.rfind(' ') - line.find(' ') - 1);
  auto q = uri.find('?');
  r.path = uri.substr(0, q);
  r.query = q == std::string::npos ? "" : uri.substr(q + 1);
  while (std::getline(in, line) && !line.empty()) {
    if ((line[0] == ' ' || line[0] == '\t') && !r.headers.empty()) {
      r.headers.back().second += "," + line;  // a folded (multi-line) value
      continue;
    }
    auto colon = line.find(':');
    r.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  std::stringstream rest;
  rest << in.rdbuf();
  body_storage = rest.str();
  r.body = body_storage;
  return r;
}

// Two cases whose published files disagree with each other (the suite's own inconsistency): the
// .sts is not the hash of the .creq. For post-x-www-form-urlencoded the .sts/.authz are those of
// the request signed without content-length, and both halves are checked that way. For
// post-x-www-form-urlencoded-parameters no request we could build gives that .sts: only its .creq
// is checked (and the verifier case skips it).
TEST(SigV4Suite, EveryVectorMatchesCanonicalRequestStringToSignAndAuthorization) {
  nlohmann::json suite = load_suite();
  int checked = 0;
  for (const auto& test : suite["tests"]["all"]) {
    const std::string name = test["name"];
    SCOPED_TRACE(name);
    std::string body;
    HttpRequestView request = parse_raw_request(test["req"], body);
    Credentials creds = kSuiteCredentials;
    // post-sts-header-before signs the token; -after adds it once signed (it is not covered).
    if (name == "post-sts-header-before") creds.session_token = suite["stsToken"];
    SignResult signed_result = sign(request, creds, kSuiteScope, kSuiteTime);
    EXPECT_EQ(signed_result.canonical_request, test["creq"].get<std::string>());
    if (name == "post-x-www-form-urlencoded-parameters") continue;
    if (name == "post-x-www-form-urlencoded") {
      std::erase_if(request.headers, [](const auto& h) { return h.first == "Content-Length"; });
      signed_result = sign(request, creds, kSuiteScope, kSuiteTime);
    }
    EXPECT_EQ(signed_result.string_to_sign, test["sts"].get<std::string>());
    EXPECT_EQ(signed_result.authorization, test["authz"].get<std::string>());
    ++checked;
  }
  EXPECT_EQ(checked, 27);  // all 28 .creq, 27 .sts/.authz
}

TEST(SigV4Suite, VerifierAcceptsEverySignedVectorAndRejectsItWithAnotherSecret) {
  nlohmann::json suite = load_suite();
  for (const auto& test : suite["tests"]["all"]) {
    const std::string name = test["name"];
    if (name == "post-x-www-form-urlencoded-parameters") continue;
    SCOPED_TRACE(name);
    std::string body;
    HttpRequestView request = parse_raw_request(test["sreq"], body);
    auto good = [](std::string_view key) -> std::optional<std::string> {
      if (key == "AKIDEXAMPLE") return kSuiteCredentials.secret_access_key;
      return std::nullopt;
    };
    VerifyResult ok = verify(request, good, kSuiteTime);
    EXPECT_TRUE(ok.ok) << ok.detail;
    EXPECT_EQ(ok.service, "service");
    auto wrong = [](std::string_view) -> std::optional<std::string> { return std::string("not-the-secret"); };
    EXPECT_EQ(verify(request, wrong, kSuiteTime).failure, AuthFailure::signature_mismatch);
  }
}

TEST(SigV4, UriEncodingKeepsUnreservedAndEncodesTheRestUpperCase) {
  EXPECT_EQ(uri_encode("aZ09-_.~"), "aZ09-_.~");
  EXPECT_EQ(uri_encode("a b/c+d=é"), "a%20b%2Fc%2Bd%3D%C3%A9");
  EXPECT_EQ(uri_encode("/a b/", true), "/a%20b/");
  EXPECT_EQ(percent_decode("a%20b%2fc%zz%4"), "a b/c%zz%4");
}

TEST(SigV4, CanonicalUriDoubleEncodesExceptForS3) {
  EXPECT_EQ(canonical_uri("/2015-03-31/functions/my%3Afn", "lambda"), "/2015-03-31/functions/my%253Afn");
  EXPECT_EQ(canonical_uri("/bucket/a%20b/../c", "s3"), "/bucket/a%20b/../c");
  EXPECT_EQ(canonical_uri("//a/./b/../c//", "lambda"), "/a/c/");
  EXPECT_EQ(canonical_uri("", "lambda"), "/");
}

TEST(SigV4, CanonicalQuerySortsByEncodedNameThenValueAndKeepsEmptyValues) {
  EXPECT_EQ(canonicalize_query("b=2&a=z&a=y&c&d="), "a=y&a=z&b=2&c=&d=");
  EXPECT_EQ(canonicalize_query("x=a%20b&y=a+b"), "x=a%20b&y=a%2Bb");
  EXPECT_EQ(canonical_query_string({{"Marker", "a/b c"}, {"MaxItems", "10"}}),
            "Marker=a%2Fb%20c&MaxItems=10");
}

TEST(SigV4, HeadersAreLowerCasedTrimmedCollapsedAndMultiValuesJoined) {
  HeaderList headers = {{"My-Header", "  a   b\t c  "}, {"my-header", "second"}, {"Host", "h"}};
  EXPECT_EQ(canonical_headers(headers, {"host", "my-header"}), "host:h\nmy-header:a b c,second\n");
}

TEST(SigV4, SignAddsDateTokenAndForS3ThePayloadHash) {
  HttpRequestView r{"PUT", "/bucket/key", "", {{"Host", "s3.amazonaws.com"}}, "", "hello"};
  SignResult s = sign(r, {"AK", "SECRET", "TOKEN"}, {"us-east-1", "s3"}, kSuiteTime);
  ASSERT_EQ(s.headers_to_add.size(), 4u);
  EXPECT_EQ(s.headers_to_add[0], (std::pair<std::string, std::string>{"X-Amz-Date", "20150830T123600Z"}));
  EXPECT_EQ(s.headers_to_add[1].first, "X-Amz-Security-Token");
  EXPECT_EQ(s.headers_to_add[2].second, sha256_hex("hello"));
  EXPECT_EQ(s.headers_to_add[3].first, "Authorization");
  EXPECT_NE(s.authorization.find("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"),
            std::string::npos);
}

// ---- verify: each failure and the AWS error it becomes ------------------------------------------

struct SignedFixture {
  HttpRequestView request;
  std::string body = R"({"FunctionName":"f"})";
};

SignedFixture signed_lambda_request(std::int64_t at) {
  SignedFixture f;
  f.request = {"POST", "/2015-03-31/functions",
               "",     {{"Host", "127.0.0.1:4566"}, {"Content-Type", "application/json"}},
               "",     ""};
  f.request.body = f.body;
  SignResult s = sign(f.request, {"AKID", "SECRET", ""}, {"us-east-1", "lambda"}, at);
  for (auto& h : s.headers_to_add) f.request.headers.push_back(h);
  return f;
}

std::optional<std::string> lookup(std::string_view key) {
  if (key == "AKID") return std::string("SECRET");
  return std::nullopt;
}

TEST(SigV4Verify, AcceptsItsOwnSignature) {
  auto f = signed_lambda_request(kSuiteTime);
  f.request.body = f.body;
  VerifyResult r = verify(f.request, lookup, kSuiteTime + 60);
  EXPECT_TRUE(r.ok) << r.detail;
  EXPECT_EQ(r.access_key_id, "AKID");
  EXPECT_EQ(r.region, "us-east-1");
  EXPECT_EQ(r.service, "lambda");
}

TEST(SigV4Verify, TamperedBodyIsASignatureMismatch) {
  auto f = signed_lambda_request(kSuiteTime);
  std::string other = R"({"FunctionName":"g"})";
  f.request.body = other;
  VerifyResult r = verify(f.request, lookup, kSuiteTime);
  EXPECT_EQ(r.failure, AuthFailure::signature_mismatch);
  AuthError e = to_aws_error(r);
  EXPECT_EQ(e.status, 403);
  EXPECT_EQ(e.code, "InvalidSignatureException");
  EXPECT_EQ(e.message,
            "The request signature we calculated does not match the signature you provided. Check your AWS "
            "Secret Access Key and signing method. Consult the service documentation for details.");
}

TEST(SigV4Verify, UnknownKeyIsUnrecognizedClient) {
  auto f = signed_lambda_request(kSuiteTime);
  f.request.body = f.body;
  auto none = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
  VerifyResult r = verify(f.request, none, kSuiteTime);
  EXPECT_EQ(r.failure, AuthFailure::unknown_key);
  EXPECT_EQ(to_aws_error(r).code, "UnrecognizedClientException");
  EXPECT_EQ(to_aws_error(r).message, "The security token included in the request is invalid.");
}

TEST(SigV4Verify, SkewOverFifteenMinutesIsSignatureExpiredEitherWay) {
  auto f = signed_lambda_request(kSuiteTime);
  f.request.body = f.body;
  EXPECT_TRUE(verify(f.request, lookup, kSuiteTime + 900).ok);
  VerifyResult late = verify(f.request, lookup, kSuiteTime + 901);
  EXPECT_EQ(late.failure, AuthFailure::skewed);
  EXPECT_EQ(to_aws_error(late).code, "InvalidSignatureException");
  EXPECT_EQ(to_aws_error(late).message,
            "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z (20150830T125101Z - 15 "
            "min.)");
  VerifyResult early = verify(f.request, lookup, kSuiteTime - 901);
  EXPECT_EQ(early.failure, AuthFailure::skewed);
  EXPECT_EQ(early.detail,
            "Signature not yet current: 20150830T123600Z is still later than 20150830T123559Z "
            "(20150830T122059Z + 15 min.)");
}

TEST(SigV4Verify, MissingAndMalformedAuthorization) {
  HttpRequestView bare{"GET", "/", "", {{"Host", "h"}}, "", ""};
  VerifyResult missing = verify(bare, lookup, kSuiteTime);
  EXPECT_EQ(missing.failure, AuthFailure::missing);
  EXPECT_EQ(to_aws_error(missing).code, "MissingAuthenticationTokenException");

  auto with_auth = [&](std::string value) {
    HttpRequestView r = bare;
    r.headers.emplace_back("X-Amz-Date", "20150830T123600Z");
    r.headers.emplace_back("Authorization", std::move(value));
    return verify(r, lookup, kSuiteTime);
  };
  EXPECT_EQ(with_auth("Basic abc").detail,
            "Authorization header does not use the AWS4-HMAC-SHA256 algorithm");
  EXPECT_EQ(with_auth("AWS4-HMAC-SHA256 SignedHeaders=host, Signature=00").detail,
            "Authorization header requires 'Credential' parameter");
  EXPECT_EQ(with_auth("AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/lambda, SignedHeaders=host, "
                      "Signature=00")
                .detail,
            "Authorization header has a malformed Credential");
  VerifyResult wrong_day = with_auth(
      "AWS4-HMAC-SHA256 Credential=AKID/20150831/us-east-1/lambda/aws4_request, SignedHeaders=host, "
      "Signature=00");
  EXPECT_EQ(wrong_day.failure, AuthFailure::malformed);
  EXPECT_EQ(to_aws_error(wrong_day).code, "IncompleteSignatureException");
  EXPECT_EQ(wrong_day.detail, "Date in Credential scope does not match YYYYMMDD from X-Amz-Date");
  EXPECT_EQ(with_auth("AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/lambda/aws4_request, "
                      "SignedHeaders=host;x-custom, Signature=00")
                .detail,
            "signed header 'x-custom' is not in the request");
}

TEST(SigV4Verify, ContentSha256HeaderMustMatchTheBody) {
  HttpRequestView r{"PUT", "/bucket/key", "", {{"Host", "127.0.0.1"}}, "", "data"};
  SignResult s = sign(r, {"AKID", "SECRET", ""}, {"us-east-1", "s3"}, kSuiteTime);
  for (auto& h : s.headers_to_add) r.headers.push_back(h);
  EXPECT_TRUE(verify(r, lookup, kSuiteTime).ok);
  r.body = "DATA";
  VerifyResult bad = verify(r, lookup, kSuiteTime);
  EXPECT_EQ(bad.failure, AuthFailure::body_hash_mismatch);
  EXPECT_EQ(to_aws_error(bad).status, 400);
  EXPECT_EQ(to_aws_error(bad).code, "XAmzContentSHA256Mismatch");
}

}  // namespace
}  // namespace stratus::auth
