#include "cli/providers/aws/sqs.hpp"

#include <nlohmann/json.hpp>

#include "cli/providers/aws/call.hpp"

namespace stratus::aws {

std::optional<std::string> Sqs::queue_arn(const std::string& queue_name) {
  using nlohmann::json;
  Request get_url{"POST",
                  "/",
                  {},
                  json_target_headers("1.0", "AmazonSQS.GetQueueUrl"),
                  json{{"QueueName", queue_name}}.dump()};
  Response r = m_client.call("sqs", get_url);
  if (!r.ok()) {
    auto error = r.error();
    // JSON SQS says QueueDoesNotExist; its query-compatible header and the query protocol say
    // AWS.SimpleQueueService.NonExistentQueue.
    if (error && (error->code.find("QueueDoesNotExist") != std::string::npos ||
                  error->code.find("NonExistentQueue") != std::string::npos ||
                  r.header("x-amzn-query-error").find("NonExistentQueue") != std::string::npos)) {
      return std::nullopt;
    }
    throw_call_error(r, "find SQS queue " + queue_name);
  }
  json url = json::parse(r.body, nullptr, false);
  std::string queue_url = url.is_object() ? url.value("QueueUrl", "") : "";
  Response attributes = call_checked(m_client, "sqs",
                                     {"POST",
                                      "/",
                                      {},
                                      json_target_headers("1.0", "AmazonSQS.GetQueueAttributes"),
                                      json{{"QueueUrl", queue_url}, {"AttributeNames", {"QueueArn"}}}.dump()},
                                     "read the ARN of SQS queue " + queue_name);
  json answer = json::parse(attributes.body, nullptr, false);
  if (!answer.is_object() || !answer.contains("Attributes") || !answer["Attributes"].contains("QueueArn")) {
    throw UserError("cannot read the ARN of SQS queue " + queue_name + ": the answer has no QueueArn",
                    kExitFailure);
  }
  return answer["Attributes"]["QueueArn"].get<std::string>();
}

}  // namespace stratus::aws
