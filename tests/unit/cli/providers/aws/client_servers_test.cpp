// The AWS client against servers nobody here wrote: moto's (`moto_server`, a local AWS), and a
// throwaway HTTPS server with a self-signed certificate (is verification really on?).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli/providers/aws/client.hpp"
#include "tests/support/background_process.hpp"
#include "tests/support/shell.hpp"
#include "tests/support/temp_dir.hpp"

namespace stratus::aws {
namespace {

using test_support::BackgroundProcess;

bool have(const std::string& program, const std::filesystem::path& scratch) {
  return test_support::run_shell("command -v " + program, scratch / "which.err").exit_code == 0;
}

// The endpoint comes from the environment, as a user's shell would give it.
EnvLookup env_with(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

class AwsClientMoto : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have("moto_server", m_dir.path())) GTEST_SKIP() << "moto_server is not installed";
    m_port = test_support::free_port();
    m_moto = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{"moto_server", "-H", "127.0.0.1", "-p", std::to_string(m_port)},
        m_dir.path() / "moto.log");
    ASSERT_TRUE(test_support::wait_for_port(m_port, std::chrono::seconds(30)))
        << test_support::read_file(m_dir.path() / "moto.log");
  }
  void TearDown() override {
    if (m_moto) m_moto->stop();
  }

  Client client() {
    ClientOptions o;
    o.region = "eu-west-1";
    o.env = env_with({{"AWS_ENDPOINT_URL", "http://127.0.0.1:" + std::to_string(m_port)}});
    o.retry.base_delay = std::chrono::milliseconds(10);
    return Client({"AKIDMOTOTEST", "moto-secret", ""}, o);
  }

  test_support::TempDir m_dir;
  int m_port = 0;
  std::unique_ptr<BackgroundProcess> m_moto;
};

TEST_F(AwsClientMoto, LambdaListFunctions) {
  Client c = client();
  Response r = c.call("lambda", {"GET", "/2015-03-31/functions", {{"MaxItems", "10"}}, {}, ""});
  ASSERT_EQ(r.status, 200) << r.body;
  auto json = nlohmann::json::parse(r.body);
  EXPECT_TRUE(json["Functions"].is_array());
}

TEST_F(AwsClientMoto, LambdaMissingFunctionIsAParsedError) {
  Client c = client();
  Response r = c.call("lambda", {"GET", "/2015-03-31/functions/no-such-function", {}, {}, ""});
  EXPECT_EQ(r.status, 404);
  ASSERT_TRUE(r.error());
  EXPECT_EQ(r.error()->code, "ResourceNotFoundException");
  EXPECT_NE(r.error()->message.find("no-such-function"), std::string::npos) << r.error()->message;
}

TEST_F(AwsClientMoto, IamQueryProtocolCreateAndGetRole) {
  Client c = client();
  const std::string policy = R"({"Version":"2012-10-17","Statement":[]})";
  std::string body = "Action=CreateRole&Version=2010-05-08&RoleName=stratus-test&AssumeRolePolicyDocument=" +
                     auth::uri_encode(policy);
  Headers form = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  Response created = c.call("iam", {"POST", "/", {}, form, body});
  ASSERT_EQ(created.status, 200) << created.body;
  Response got =
      c.call("iam", {"POST", "/", {}, form, "Action=GetRole&Version=2010-05-08&RoleName=stratus-test"});
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_NE(got.body.find("<RoleName>stratus-test</RoleName>"), std::string::npos) << got.body;
  Response missing =
      c.call("iam", {"POST", "/", {}, form, "Action=GetRole&Version=2010-05-08&RoleName=nope"});
  ASSERT_TRUE(missing.error());
  EXPECT_EQ(missing.error()->code, "NoSuchEntity");
}

// ---- TLS ---------------------------------------------------------------------------------------

class AwsClientTls : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have("openssl", m_dir.path()) || !have("python3", m_dir.path())) {
      GTEST_SKIP() << "openssl and python3 are needed";
    }
    // A certificate for "localhost" only (not 127.0.0.1), signed by nobody the system trusts.
    auto gen = test_support::run_shell(
        "cd '" + m_dir.path().string() +
            "' && openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 1 "
            "-subj /CN=localhost -addext subjectAltName=DNS:localhost",
        m_dir.path() / "openssl.err");
    ASSERT_EQ(gen.exit_code, 0) << gen.err;
    m_port = test_support::free_port();
    m_server = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{"python3", STRATUS_SOURCE_DIR "/tests/fixtures/aws_client/tls_server.py",
                                 std::to_string(m_port), (m_dir.path() / "cert.pem").string(),
                                 (m_dir.path() / "key.pem").string()},
        m_dir.path() / "server.log");
    ASSERT_TRUE(test_support::wait_for_port(m_port, std::chrono::seconds(20)))
        << test_support::read_file(m_dir.path() / "server.log");
  }

  Client client(const std::string& host, const std::string& ca_file) {
    ClientOptions o;
    o.env = env_with({});
    o.endpoint_override = "https://" + host + ":" + std::to_string(m_port);
    o.ca_file = ca_file;
    o.retry.max_attempts = 2;
    o.retry.base_delay = std::chrono::milliseconds(1);
    return Client({"AKID", "secret", ""}, o);
  }

  std::string connection_error(Client& c) {
    try {
      c.call("lambda", {});
    } catch (const ConnectionError& e) {
      return e.what();
    }
    return "(no error)";
  }

  test_support::TempDir m_dir;
  int m_port = 0;
  std::unique_ptr<BackgroundProcess> m_server;
};

TEST_F(AwsClientTls, UntrustedCertificateIsRefused) {
  Client c = client("localhost", "");
  EXPECT_EQ(connection_error(c), "cannot reach lambda at https://localhost:" + std::to_string(m_port) +
                                     " (from --endpoint): TLS certificate verification failed: self-signed "
                                     "certificate after 1 attempt");
}

TEST_F(AwsClientTls, TrustedCertificateWorks) {
  Client c = client("localhost", (m_dir.path() / "cert.pem").string());
  Response r = c.call("lambda", {"GET", "/2015-03-31/functions", {}, {}, ""});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"Functions":[]})");
}

TEST_F(AwsClientTls, CertificateForAnotherNameIsRefused) {
  Client c = client("127.0.0.1", (m_dir.path() / "cert.pem").string());
  EXPECT_NE(connection_error(c).find("TLS certificate verification failed: IP address mismatch"),
            std::string::npos);
}

}  // namespace
}  // namespace stratus::aws
