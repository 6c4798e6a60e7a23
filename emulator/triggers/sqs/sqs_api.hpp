#pragma once
// The SQS API (version 2012-11-05) over an SqsStore, in both of AWS's wire protocols (spec 8.1),
// so the aws CLI, boto3 and older SDKs work against the emulator:
//
//   JSON 1.0  POST, X-Amz-Target: AmazonSQS.<Operation>, a JSON body; answers
//             application/x-amz-json-1.0. Errors: 400 {"__type":"com.amazonaws.sqs#<Shape>",
//             "message":...} plus x-amzn-query-error: <legacy code>;Sender, which botocore maps
//             back to the modelled exceptions.
//   Query     Action=<Operation>&Version=2012-11-05&... as a form body (or in the query string),
//             answers text/xml <OperationResponse>; errors as <ErrorResponse>.
//
// Operations: CreateQueue, DeleteQueue, GetQueueUrl, ListQueues, GetQueueAttributes,
// SetQueueAttributes, SendMessage, SendMessageBatch, ReceiveMessage (long polling blocks the
// connection's thread on a condition variable), DeleteMessage, DeleteMessageBatch,
// ChangeMessageVisibility, ChangeMessageVisibilityBatch, PurgeQueue.
//
// Queue URLs are http://<the Host the client used>/000000000000/<name>; a request names its queue by
// the last path segment of QueueUrl (or, in Query, by the URL it was posted to), so URLs from
// another host or port still work.
#include <string>

#include "emulator/net/http_server.hpp"
#include "emulator/triggers/sqs/sqs_store.hpp"

namespace stratus::triggers::sqs {

struct SqsApiOptions {
  std::string default_host = "127.0.0.1:4566";  // in queue URLs when a request carries no Host
};

class SqsApi {
 public:
  explicit SqsApi(SqsStore& store, SqsApiOptions options = {});

  // Answers one request; thread-safe. Never throws for bad input.
  net::Response handle(const net::Request& request) const;

  // Whether a request on a shared AWS endpoint is meant for SQS: X-Amz-Target AmazonSQS.*, or a
  // Query request whose Action is one of the operations above.
  static bool is_sqs_request(const net::Request& request);

 private:
  SqsStore& m_store;
  SqsApiOptions m_options;
};

}  // namespace stratus::triggers::sqs
