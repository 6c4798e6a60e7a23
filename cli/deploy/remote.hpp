#pragma once
// Where `deploy`, `invoke`, `info`, `logs` and `remove` send their calls: AWS itself (provider aws;
// endpoints by the AWS CLI's rules, so AWS_ENDPOINT_URL points them at moto or LocalStack), or a
// `stratus serve` platform (provider stratus with provider.endpoint, or --endpoint with either).
// Credentials and region are found as the AWS CLI finds them (cli/providers/aws/credentials.hpp);
// a platform's access keys are configured the same way.
#include <memory>
#include <string>

#include "cli/providers/aws/client.hpp"

namespace CLI {
class App;
}

namespace stratus {
struct GlobalOptions;
namespace manifest {
struct Service;
}
}  // namespace stratus

namespace stratus::deploy {

struct RemoteFlags {
  std::string aws_profile;  // --aws-profile
  std::string endpoint;     // --endpoint
};

// Adds --aws-profile and --endpoint to a command.
void add_remote_flags(CLI::App& command, RemoteFlags& flags);

struct Remote {
  std::string provider;  // "aws" or "stratus"
  std::string region;
  std::string endpoint;            // the one URL every call goes to; "" = each service's own endpoint
  std::string credentials_source;  // "environment", "/home/u/.aws/credentials [dev]", ...
  std::unique_ptr<aws::Client> client;

  bool is_platform() const { return provider == "stratus"; }
};

// Throws UserError (exit 2) when provider stratus has no endpoint, when the endpoint is not an
// http(s) URL, or when no credentials are found (naming where it looked and the fix).
Remote connect_remote(const manifest::Service& service, const GlobalOptions& options,
                      const RemoteFlags& flags, aws::ClientOptions client_options = {});

// The account the credentials belong to: STS GetCallerIdentity (AWS, moto and `stratus serve` all
// answer it). Throws UserError (exit 1) when the call fails.
std::string caller_account(aws::Client& client);

}  // namespace stratus::deploy
