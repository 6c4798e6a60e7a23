#include "emulator/triggers/aws_endpoint.hpp"

#include <nlohmann/json.hpp>
#include <string_view>

#include "emulator/triggers/invoke_api/invoke_api.hpp"
#include "emulator/triggers/s3/s3_api.hpp"
#include "emulator/triggers/sqs/sqs_api.hpp"

namespace stratus::triggers {

namespace {

// The SERVICE of "KEY/DATE/REGION/SERVICE/aws4_request"; "" when `credential` is not one.
std::string scope_service(std::string_view credential) {
  std::size_t slashes[4];
  std::size_t at = 0;
  for (auto& slash : slashes) {
    at = credential.find('/', at);
    if (at == std::string_view::npos) return "";
    slash = at++;
  }
  return std::string(credential.substr(slashes[2] + 1, slashes[3] - slashes[2] - 1));
}

}  // namespace

std::string AwsEndpoint::service_of(const net::Request& request) {
  const std::string authorization = request.header("Authorization");
  if (auto at = authorization.find("Credential="); at != std::string::npos) {
    std::string_view credential = std::string_view(authorization).substr(at + 11);
    credential = credential.substr(0, credential.find_first_of(", "));
    if (std::string service = scope_service(credential); !service.empty()) return service;
  }
  if (auto credential = request.query_param("X-Amz-Credential")) {
    if (std::string service = scope_service(*credential); !service.empty()) return service;
  }
  if (std::string_view(request.path).starts_with("/2015-03-31/functions")) return "lambda";
  if (sqs::SqsApi::is_sqs_request(request)) return "sqs";
  return "s3";
}

void AwsEndpoint::handle(const net::Request& request, net::Responder responder) const {
  const std::string service = service_of(request);
  if (service == "lambda" && m_lambda) return m_lambda->handle_async(request, std::move(responder));
  if (service == "sqs" && m_sqs) return responder.send(m_sqs->handle(request));
  if (service == "s3" && m_s3) return responder.send(m_s3->handle(request));
  net::Response res;
  res.status = 400;
  res.body = nlohmann::json{{"__type", "UnknownServiceException"},
                            {"message", "stratus does not emulate the service '" + service +
                                            "' on this endpoint (it serves lambda, sqs and s3)"}}
                 .dump();
  res.headers.emplace_back("x-amzn-ErrorType", "UnknownServiceException");
  responder.send(std::move(res));
}

net::ServerOptions AwsEndpoint::server_options() {
  net::ServerOptions options = s3::S3Api::server_options();
  options.port_flag = "--aws-port";
  return options;
}

}  // namespace stratus::triggers
