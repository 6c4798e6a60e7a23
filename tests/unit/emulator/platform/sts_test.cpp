// STS's GetCallerIdentity and its errors as `stratus serve` writes them.
#include "emulator/platform/sts.hpp"

#include <gtest/gtest.h>

namespace stratus::platform {
namespace {

net::wire::Request form(const std::string& body) {
  net::wire::Request r;
  r.method = "POST";
  r.path = "/";
  r.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  r.body = body;
  return r;
}

TEST(Sts, GetCallerIdentityFromAFormBody) {
  const net::wire::Response res =
      sts_handle(form("Action=GetCallerIdentity&Version=2011-06-15"), "111111111111");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.content_type, "text/xml");
  EXPECT_TRUE(
      res.body.starts_with("<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
                           "  <GetCallerIdentityResult>\n    <Arn>arn:aws:iam::111111111111:root</Arn>\n"
                           "    <UserId>111111111111</UserId>\n    <Account>111111111111</Account>\n"
                           "  </GetCallerIdentityResult>\n  <ResponseMetadata>\n    <RequestId>"))
      << res.body;
  ASSERT_EQ(res.headers.size(), 1u);
  EXPECT_EQ(res.headers[0].first, "X-Amzn-RequestId");
  EXPECT_NE(res.body.find("<RequestId>" + res.headers[0].second + "</RequestId>"), std::string::npos);
}

TEST(Sts, GetCallerIdentityFromTheQueryOfAGet) {
  net::wire::Request r;
  r.method = "GET";
  r.query_params = {{"Action", "GetCallerIdentity"}, {"Version", "2011-06-15"}};
  EXPECT_TRUE(is_query_protocol(r));
  EXPECT_EQ(sts_handle(r, "222222222222").status, 200);
  EXPECT_NE(sts_handle(r, "222222222222").body.find("<Account>222222222222</Account>"), std::string::npos);
}

TEST(Sts, OtherActionsAndNoActionAreSenderErrors) {
  net::wire::Response res = sts_handle(form("Action=AssumeRole&Version=2011-06-15"), "111111111111");
  EXPECT_EQ(res.status, 400);
  EXPECT_NE(
      res.body.find("<Error>\n    <Type>Sender</Type>\n    <Code>InvalidAction</Code>\n"
                    "    <Message>Could not find operation AssumeRole for version 2011-06-15</Message>"),
      std::string::npos)
      << res.body;
  res = sts_handle(form("Version=2011-06-15"), "111111111111");
  EXPECT_EQ(res.status, 400);
  EXPECT_NE(res.body.find("<Code>MissingAction</Code>"), std::string::npos);
  EXPECT_FALSE(is_query_protocol(form("{\"a\":1}")));
}

TEST(Sts, AuthFailuresInStsCodes) {
  auth::VerifyResult v;
  v.failure = auth::AuthFailure::unknown_key;
  net::wire::Response res = sts_auth_error(v);
  EXPECT_EQ(res.status, 403);
  EXPECT_NE(
      res.body.find("<Code>InvalidClientTokenId</Code>\n    <Message>The security token included in the "
                    "request is invalid.</Message>"),
      std::string::npos);
  v.failure = auth::AuthFailure::signature_mismatch;
  EXPECT_NE(sts_auth_error(v).body.find("<Code>SignatureDoesNotMatch</Code>"), std::string::npos);
  v.failure = auth::AuthFailure::missing;
  EXPECT_NE(sts_auth_error(v).body.find("<Code>MissingAuthenticationToken</Code>"), std::string::npos);
  v.failure = auth::AuthFailure::skewed;
  v.detail = "Signature expired: <now>";
  EXPECT_NE(sts_auth_error(v).body.find("<Message>Signature expired: &lt;now&gt;</Message>"),
            std::string::npos);
}

}  // namespace
}  // namespace stratus::platform
