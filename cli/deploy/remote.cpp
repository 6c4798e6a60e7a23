#include "cli/deploy/remote.hpp"

#include <CLI/CLI.hpp>

#include "cli/context.hpp"
#include "cli/errors.hpp"
#include "cli/manifest/model.hpp"
#include "cli/providers/aws/xml.hpp"

namespace stratus::deploy {

void add_remote_flags(CLI::App& command, RemoteFlags& flags) {
  command.add_option("--aws-profile", flags.aws_profile, "The AWS credentials profile to use");
  command.add_option("--endpoint", flags.endpoint,
                     "Send every call to this URL: a `stratus serve` platform, moto or LocalStack");
}

Remote connect_remote(const manifest::Service& service, const GlobalOptions& options,
                      const RemoteFlags& flags, aws::ClientOptions client_options) {
  Remote remote;
  remote.provider = service.provider.name;
  remote.endpoint = !flags.endpoint.empty() ? flags.endpoint : service.provider.endpoint;
  if (remote.is_platform() && remote.endpoint.empty())
    throw UserError(service.config_file.filename().string() +
                    ": provider stratus deploys to a `stratus serve` platform, and no endpoint is given; set "
                    "provider.endpoint (e.g. http://127.0.0.1:9000) or pass --endpoint");
  if (!remote.endpoint.empty() && !remote.endpoint.starts_with("http://") &&
      !remote.endpoint.starts_with("https://"))
    throw UserError((flags.endpoint.empty() ? "provider.endpoint" : "--endpoint") + std::string(" '") +
                    remote.endpoint + "' is not a URL; give one such as http://127.0.0.1:9000");

  aws::CredentialOptions co;
  co.profile_flag = flags.aws_profile;
  co.region_flag = options.region;
  co.manifest_profile = service.provider.profile;
  co.manifest_region = service.provider.region;
  const aws::ResolvedCredentials resolved = aws::resolve_credentials(co);
  remote.region = resolved.region;
  remote.credentials_source = resolved.credentials_source;

  client_options.region = remote.region;
  client_options.endpoint_override = remote.endpoint;
  client_options.verbose = client_options.verbose || options.verbose;
  remote.client = std::make_unique<aws::Client>(resolved.credentials, std::move(client_options));
  return remote;
}

std::string caller_account(aws::Client& client) {
  aws::Request request;
  request.method = "POST";
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  request.body = "Action=GetCallerIdentity&Version=2011-06-15";
  const aws::Response response = client.call("sts", request);
  if (const auto error = response.error())
    throw UserError(
        "cannot tell which account the credentials belong to (STS GetCallerIdentity): " + error->describe(),
        kExitFailure);
  std::string account;
  try {
    const aws::XmlElement root = aws::parse_xml(response.body);
    if (const aws::XmlElement* a = root.find({"GetCallerIdentityResult", "Account"})) account = a->text;
  } catch (const std::runtime_error&) {
  }
  if (account.empty())
    throw UserError(
        "STS GetCallerIdentity answered without an account id (" + client.endpoint("sts").url + ")",
        kExitFailure);
  return account;
}

}  // namespace stratus::deploy
