#pragma once
// What a deploy asks SQS (JSON 1.0, X-Amz-Target AmazonSQS.*): a queue's ARN from its name.
#include <optional>
#include <string>

#include "cli/providers/aws/client.hpp"

namespace stratus::aws {

class Sqs {
 public:
  explicit Sqs(Client& client) : m_client(client) {}

  // The ARN of the queue of that name in the client's region (GetQueueUrl, then GetQueueAttributes
  // QueueArn); nullopt when no such queue exists. Other failures throw CallError.
  std::optional<std::string> queue_arn(const std::string& queue_name);

 private:
  Client& m_client;
};

}  // namespace stratus::aws
