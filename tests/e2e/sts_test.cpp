// STS GetCallerIdentity on `stratus serve`, asked by the aws CLI (botocore's query protocol and
// XML parser) and by raw requests (GET with the query, unsigned).
#include <nlohmann/json.hpp>

#include "tests/e2e/platform_fixture.hpp"

namespace stratus::e2e {
namespace {

using nlohmann::json;

TEST_F(PlatformTest, StsGetCallerIdentityAnswersEachKeysAccount) {
  RunResult r = aws({"sts", "get-caller-identity"});
  ASSERT_EQ(r.exit_code, 0) << r.err << m_serve->err();
  json id = json::parse(r.out);
  EXPECT_EQ(id.at("Account"), "111111111111");
  EXPECT_EQ(id.at("Arn"), "arn:aws:iam::111111111111:root");
  EXPECT_EQ(id.at("UserId"), "111111111111");

  r = aws({"sts", "get-caller-identity"}, "bob");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out).at("Account"), "222222222222");
}

TEST_F(PlatformTest, StsWrongKeysAndUnsignedCallsAre403InStsXml) {
  RunResult r = run_program(
      m_dir.path(),
      {"aws", "sts", "get-caller-identity", "--endpoint-url", m_endpoint, "--region", "us-east-1"},
      {{"AWS_ACCESS_KEY_ID", kAliceKey},
       {"AWS_SECRET_ACCESS_KEY", "wrong-secret-0123456789"},
       {"AWS_MAX_ATTEMPTS", "1"}});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("An error occurred (SignatureDoesNotMatch) when calling the GetCallerIdentity "
                       "operation: The request signature we calculated does not match"),
            std::string::npos)
      << r.err;

  r = run_program(
      m_dir.path(),
      {"aws", "sts", "get-caller-identity", "--endpoint-url", m_endpoint, "--region", "us-east-1"},
      {{"AWS_ACCESS_KEY_ID", "AKIANOBODY0000000001"},
       {"AWS_SECRET_ACCESS_KEY", kAliceSecret},
       {"AWS_MAX_ATTEMPTS", "1"}});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("(InvalidClientTokenId) when calling the GetCallerIdentity operation: The security "
                       "token included in the request is invalid."),
            std::string::npos)
      << r.err;

  // Unsigned, as a GET with the query: STS's XML error shape, status 403.
  r = run_program(
      m_dir.path(),
      {kPython, "-c",
       "import urllib.request, urllib.error, sys\n"
       "try:\n"
       "    urllib.request.urlopen(sys.argv[1] + '/?Action=GetCallerIdentity&Version=2011-06-15')\n"
       "except urllib.error.HTTPError as e:\n"
       "    print(e.code, e.headers.get('Content-Type'))\n"
       "    print(e.read().decode())\n",
       m_endpoint});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("403 text/xml"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("<Code>MissingAuthenticationToken</Code>"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("<Message>Request is missing Authentication Token</Message>"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("<RequestId>"), std::string::npos) << r.out;
}

TEST_F(PlatformTest, StsSignedGetWithTheQueryAndAnUnknownAction) {
  // botocore's signer on a GET (the query is signed), then an action STS has but serve does not.
  RunResult r = run_program(
      m_dir.path(),
      {kPython, "-c",
       "import sys, urllib.request, urllib.error\n"
       "from botocore.auth import SigV4Auth\n"
       "from botocore.awsrequest import AWSRequest\n"
       "from botocore.credentials import Credentials\n"
       "for action in ['GetCallerIdentity', 'AssumeRole']:\n"
       "    req = AWSRequest(method='GET', url=sys.argv[1] + '/?Action=' + action + '&Version=2011-06-15')\n"
       "    SigV4Auth(Credentials(sys.argv[2], sys.argv[3]), 'sts', 'us-east-1').add_auth(req)\n"
       "    try:\n"
       "        with urllib.request.urlopen(urllib.request.Request(req.url, "
       "headers=dict(req.headers.items()))) as r:\n"
       "            print(r.status, r.read().decode())\n"
       "    except urllib.error.HTTPError as e:\n"
       "        print(e.code, e.read().decode())\n",
       m_endpoint, kBobKey, kBobSecret});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("200 <GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("<Account>222222222222</Account>"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("<ResponseMetadata>\n    <RequestId>"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("400 <ErrorResponse"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("<Code>InvalidAction</Code>"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Could not find operation AssumeRole for version 2011-06-15"), std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace stratus::e2e
