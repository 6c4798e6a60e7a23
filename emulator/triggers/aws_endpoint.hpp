#pragma once
// One AWS endpoint for every API the emulator serves (DESIGN "Ports and endpoints": --aws-port,
// 4566), so `AWS_ENDPOINT_URL=http://127.0.0.1:4566` points every SDK and the aws CLI at it. A
// request goes to the service its SigV4 credential scope names
// (`Authorization: AWS4-HMAC-SHA256 Credential=KEY/DATE/REGION/SERVICE/aws4_request`, or the
// X-Amz-Credential query parameter of a presigned URL); unsigned requests are told apart by shape:
// the Lambda REST paths, SQS's X-Amz-Target or Query Action, and S3 for the rest.
#include <string>

#include "emulator/net/http_server.hpp"

namespace stratus::triggers {

class InvokeApi;
namespace sqs {
class SqsApi;
}
namespace s3 {
class S3Api;
}

class AwsEndpoint {
 public:
  // Any of the APIs may be absent (nullptr): its requests get a 400 naming the service.
  AwsEndpoint(const InvokeApi* lambda, const sqs::SqsApi* sqs, const s3::S3Api* s3)
      : m_lambda(lambda), m_sqs(sqs), m_s3(s3) {}

  void handle(const net::Request& request, net::Responder responder) const;

  // "lambda", "sqs", "s3" or another service the credential scope names.
  static std::string service_of(const net::Request& request);

  // Wire limits that suit all of them (S3's bodies are the largest).
  static net::ServerOptions server_options();

 private:
  const InvokeApi* m_lambda;
  const sqs::SqsApi* m_sqs;
  const s3::S3Api* m_s3;
};

}  // namespace stratus::triggers
