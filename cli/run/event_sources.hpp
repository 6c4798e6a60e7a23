#pragma once
// From the service model to the emulator's event sources: the SQS queues and S3 buckets to create
// (from `sqs`/`s3` events and from `resources`), one poller (event source mapping) per enabled `sqs`
// event, one notification rule per `s3` event.
#include <map>
#include <string>
#include <vector>

#include "emulator/triggers/s3/s3_notifier.hpp"
#include "emulator/triggers/sqs/sqs_poller.hpp"

namespace stratus::manifest {
struct Service;
}

namespace stratus::run {

struct QueueSpec {
  std::string name;
  std::map<std::string, std::string>
      attributes;  // SQS attribute names: VisibilityTimeout, RedrivePolicy, ...
};

struct EventSources {
  std::vector<QueueSpec> queues;  // dead-letter queues before the queues that name them
  std::vector<std::string> buckets;
  std::vector<triggers::sqs::SqsPollerSettings> pollers;
  std::vector<triggers::s3::NotificationRule> rules;
  std::vector<triggers::s3::NotificationRule> existing;  // rules with `existing: true`
};

// `region` goes into the ARNs of dead-letter queues named by a RedrivePolicy.
EventSources event_sources(const manifest::Service& service, const std::string& region);

}  // namespace stratus::run
