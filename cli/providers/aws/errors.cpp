#include "cli/providers/aws/errors.hpp"

#include <nlohmann/json.hpp>
#include <string_view>

#include "cli/providers/aws/xml.hpp"
#include "emulator/net/http_wire.hpp"

namespace stratus::aws {

namespace {

using net::wire::iequals;

std::string header(const std::vector<std::pair<std::string, std::string>>& headers, std::string_view name) {
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) return v;
  }
  return {};
}

// "aws.protocoltests#Code", "Code:http://internal/" -> "Code".
std::string clean_code(std::string code) {
  if (auto colon = code.find(':'); colon != std::string::npos) code.resize(colon);
  if (auto hash = code.rfind('#'); hash != std::string::npos) code.erase(0, hash + 1);
  return code;
}

void read_json(const std::string& body, AwsError& error) {
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (!json.is_object()) return;
  auto text = [&](const char* key) -> std::string {
    auto it = json.find(key);
    return it != json.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (error.code.empty()) {
    for (const char* key : {"__type", "code", "Code"}) {
      if (std::string c = text(key); !c.empty()) {
        error.code = clean_code(c);
        break;
      }
    }
  }
  for (const char* key : {"message", "Message", "errorMessage"}) {
    if (std::string m = text(key); !m.empty()) {
      error.message = m;
      break;
    }
  }
}

// <Error> at the root (S3), under <ErrorResponse> (query APIs) or under <Response><Errors> (EC2 style);
// a body that is not well-formed XML says nothing.
void read_xml(const std::string& body, AwsError& error) {
  XmlElement root;
  try {
    root = parse_xml(body);
  } catch (const std::runtime_error&) {
    return;
  }
  const XmlElement* e = root.name == "Error" ? &root : root.child("Error");
  if (e == nullptr) e = root.find({"Errors", "Error"});
  if (e == nullptr) return;
  if (error.code.empty()) error.code = e->child_text("Code");
  error.message = e->child_text("Message");
  if (error.request_id.empty()) {
    error.request_id = root.child_text("RequestId");
    if (error.request_id.empty()) error.request_id = root.child_text("RequestID");
  }
}

}  // namespace

bool AwsError::is_throttling() const {
  for (std::string_view c :
       {"Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException",
        "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
        "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
        "EC2ThrottledException"}) {
    if (code == c) return true;
  }
  return false;
}

std::string AwsError::describe() const {
  std::string out = code;
  if (!message.empty()) out += ": " + message;
  out += " (HTTP " + std::to_string(status);
  if (!request_id.empty()) out += ", request id " + request_id;
  out += ")";
  return out;
}

std::optional<AwsError> parse_aws_error(int status,
                                        const std::vector<std::pair<std::string, std::string>>& headers,
                                        const std::string& body) {
  if (status < 400) return std::nullopt;
  AwsError error;
  error.status = status;
  error.code = clean_code(header(headers, "x-amzn-ErrorType"));
  error.request_id = header(headers, "x-amzn-RequestId");
  if (error.request_id.empty()) error.request_id = header(headers, "x-amz-request-id");
  std::size_t first = body.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && body[first] == '{') read_json(body, error);
  if (first != std::string::npos && body[first] == '<') read_xml(body, error);
  if (error.code.empty()) error.code = std::to_string(status);
  if (error.message.empty() && error.code == std::to_string(status) && !body.empty() && body.size() <= 512 &&
      first != std::string::npos && body[first] != '<' && body[first] != '{') {
    error.message = body;  // a proxy's plain-text answer says more than the status alone
  }
  return error;
}

}  // namespace stratus::aws
