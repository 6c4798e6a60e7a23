// Finding the remote platform: provider aws or stratus, the endpoint, and whose account the keys are.
#include "cli/deploy/remote.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

#include "cli/context.hpp"
#include "cli/errors.hpp"
#include "cli/manifest/model.hpp"
#include "emulator/net/http_server.hpp"
#include "emulator/platform/platform.hpp"
#include "tests/support/background_process.hpp"
#include "tests/support/shell.hpp"
#include "tests/support/temp_dir.hpp"

namespace stratus::deploy {
namespace {

// Keys in the environment for one test, as a user's shell would give them.
class EnvKeys {
 public:
  EnvKeys() {
    ::setenv("AWS_ACCESS_KEY_ID", "AKIDREMOTETEST", 1);
    ::setenv("AWS_SECRET_ACCESS_KEY", "remote-secret", 1);
  }
  ~EnvKeys() {
    ::unsetenv("AWS_ACCESS_KEY_ID");
    ::unsetenv("AWS_SECRET_ACCESS_KEY");
  }
};

manifest::Service service(const std::string& provider, const std::string& endpoint = "") {
  manifest::Service s;
  s.name = "svc";
  s.config_file = "/project/serverless.yml";
  s.provider.name = provider;
  s.provider.endpoint = endpoint;
  s.provider.region = "eu-west-1";
  return s;
}

std::string error_of(const manifest::Service& s, const RemoteFlags& flags) {
  try {
    connect_remote(s, GlobalOptions{}, flags);
  } catch (const UserError& e) {
    EXPECT_EQ(e.exit_code(), kExitUsage);
    return e.what();
  }
  return "(no error)";
}

TEST(Remote, ProviderStratusNeedsAnEndpoint) {
  EnvKeys keys;
  EXPECT_EQ(
      error_of(service("stratus"), {}),
      "serverless.yml: provider stratus deploys to a `stratus serve` platform, and no endpoint is given; "
      "set provider.endpoint (e.g. http://127.0.0.1:9000) or pass --endpoint");
  EXPECT_EQ(error_of(service("aws"), {"", "127.0.0.1:9000"}),
            "--endpoint '127.0.0.1:9000' is not a URL; give one such as http://127.0.0.1:9000");
}

TEST(Remote, TheFlagWinsOverTheManifestsEndpoint) {
  EnvKeys keys;
  const Remote r =
      connect_remote(service("stratus", "http://127.0.0.1:1"), GlobalOptions{}, {"", "http://127.0.0.1:2"});
  EXPECT_TRUE(r.is_platform());
  EXPECT_EQ(r.endpoint, "http://127.0.0.1:2");
  EXPECT_EQ(r.client->endpoint("lambda").url, "http://127.0.0.1:2");
  EXPECT_EQ(r.region, "eu-west-1");
  EXPECT_EQ(r.credentials_source, "environment");
  const Remote aws = connect_remote(service("aws"), GlobalOptions{}, {});
  EXPECT_FALSE(aws.is_platform());
  EXPECT_EQ(aws.endpoint, "");
}

TEST(Remote, CallerAccountFromMotosSts) {
  test_support::TempDir dir;
  if (test_support::run_shell("command -v moto_server", dir.path() / "which.err").exit_code != 0)
    GTEST_SKIP() << "moto_server is not installed";
  const int port = test_support::free_port();
  test_support::BackgroundProcess moto({"moto_server", "-H", "127.0.0.1", "-p", std::to_string(port)},
                                       dir.path() / "moto.log");
  ASSERT_TRUE(test_support::wait_for_port(port, std::chrono::seconds(30)));
  EnvKeys keys;
  Remote r =
      connect_remote(service("aws"), GlobalOptions{}, {"", "http://127.0.0.1:" + std::to_string(port)});
  EXPECT_EQ(caller_account(*r.client), "123456789012");
  moto.stop();
}

// A `stratus serve` platform in this process: one account, one key.
struct LocalPlatform {
  explicit LocalPlatform(const test_support::TempDir& dir) {
    platform::PlatformSettings settings;
    settings.data_dir = dir.path() / "data";
    settings.keys = platform::KeyRing({{"AKIDREMOTETEST", "remote-secret-0123456789", "333333333333"}});
    platform = std::make_unique<platform::Platform>(std::move(settings));
    server = std::make_unique<net::HttpServer>(
        "127.0.0.1", 0,
        [this](const net::Request& request, net::Responder responder) {
          platform->handle(request, std::move(responder));
        },
        platform::Platform::server_options());
  }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(server->port()); }
  std::unique_ptr<platform::Platform> platform;
  std::unique_ptr<net::HttpServer> server;
};

TEST(Remote, CallerAccountFromAStratusServePlatform) {
  test_support::TempDir dir;
  LocalPlatform serve(dir);
  ::setenv("AWS_ACCESS_KEY_ID", "AKIDREMOTETEST", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "remote-secret-0123456789", 1);
  Remote r = connect_remote(service("stratus", serve.endpoint()), GlobalOptions{}, {});
  EXPECT_EQ(caller_account(*r.client), "333333333333");

  ::setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret-0123456789", 1);
  Remote wrong = connect_remote(service("stratus", serve.endpoint()), GlobalOptions{}, {});
  try {
    caller_account(*wrong.client);
    ADD_FAILURE() << "no error";
  } catch (const UserError& e) {
    EXPECT_EQ(e.exit_code(), kExitFailure);
    EXPECT_NE(std::string(e.what()).find("cannot tell which account the credentials belong to (STS "
                                         "GetCallerIdentity): SignatureDoesNotMatch: The request signature "
                                         "we calculated does not match"),
              std::string::npos)
        << e.what();
  }
  ::unsetenv("AWS_ACCESS_KEY_ID");
  ::unsetenv("AWS_SECRET_ACCESS_KEY");
}

TEST(Remote, CallerAccountFailsWithTheCallsError) {
  EnvKeys keys;
  aws::ClientOptions o;
  o.retry.max_attempts = 1;
  o.transport = [](const aws::HttpExchange&) {
    aws::HttpOutcome res;
    res.status = 403;
    res.body =
        "<ErrorResponse><Error><Code>InvalidClientTokenId</Code><Message>bad key</Message></Error>"
        "</ErrorResponse>";
    return res;
  };
  Remote r = connect_remote(service("aws"), GlobalOptions{}, {}, o);
  try {
    caller_account(*r.client);
    FAIL() << "no error";
  } catch (const UserError& e) {
    EXPECT_EQ(e.exit_code(), kExitFailure);
    EXPECT_NE(std::string(e.what()).find("cannot tell which account the credentials belong to (STS "
                                         "GetCallerIdentity): InvalidClientTokenId: bad key"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace stratus::deploy
