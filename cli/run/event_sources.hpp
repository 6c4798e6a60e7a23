#pragma once
// From the service model to the emulator's event sources: the SQS queues and S3 buckets to create
// (from `sqs`/`s3` events and from `resources`), one poller (event source mapping) per enabled `sqs`
// event, one notification rule per `s3` event, and each function's async destinations.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "emulator/triggers/s3/s3_notifier.hpp"
#include "emulator/triggers/sqs/sqs_poller.hpp"

namespace stratus::manifest {
struct Service;
class Value;
}  // namespace stratus::manifest

namespace stratus::run {

struct QueueSpec {
  std::string name;
  std::map<std::string, std::string>
      attributes;  // SQS attribute names: VisibilityTimeout, RedrivePolicy, ...
};

// Where an asynchronous invocation's record goes: a queue of the service, or a function of it.
struct Destination {
  enum class Kind { none, queue, function };
  Kind kind = Kind::none;
  std::string name;  // the queue's name, or the function's deployed name
};

struct FunctionDestinations {
  Destination on_success;  // destinations.onSuccess
  Destination on_failure;  // destinations.onFailure
  Destination on_error;    // onError: the dead-letter queue, which gets the event itself
};

struct EventSources {
  std::vector<QueueSpec> queues;  // dead-letter queues before the queues that name them
  std::vector<std::string> buckets;
  std::vector<triggers::sqs::SqsPollerSettings> pollers;
  std::vector<triggers::s3::NotificationRule> rules;
  std::vector<triggers::s3::NotificationRule> existing;      // rules with `existing: true`
  std::map<std::string, FunctionDestinations> destinations;  // by deployed function name
  std::vector<std::string> warnings;                         // destinations that cannot be reached locally
};

// `region` goes into the ARNs of dead-letter queues named by a RedrivePolicy.
EventSources event_sources(const manifest::Service& service, const std::string& region);

// The local value of a CloudFormation reference to one of the service's own queues or buckets (its
// `resources`), as `offline` creates them behind its AWS endpoint (`endpoint_url`), with what
// CloudFormation returns for the real resource:
//   {Ref: Queue}                      the queue URL
//   {Fn::GetAtt: [Queue, QueueUrl]}   the queue URL
//   {Fn::GetAtt: [Queue, Arn]}        arn:aws:sqs:REGION:000000000000:NAME
//   {Fn::GetAtt: [Queue, QueueName]}  NAME
//   {Ref: Bucket}                     the bucket name
//   {Fn::GetAtt: [Bucket, Arn]}       arn:aws:s3:::NAME
// Anything else (another resource type, another attribute, Fn::Sub, ...): nullopt.
std::optional<std::string> local_reference(const manifest::Service& service, const manifest::Value& v,
                                           const std::string& region, const std::string& endpoint_url);

}  // namespace stratus::run
