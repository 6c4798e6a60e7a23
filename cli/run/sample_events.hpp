#pragma once
// One SQS message or one S3 object event as Lambda would deliver it, built by the emulator's own
// event builders (the SQS poller's and the S3 notifier's): for `stratus generate-event` and
// `stratus trigger sqs|s3`.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace stratus::run {

// {"Records":[one message]} from `queue` (a name) in `region`.
std::string sqs_message_event(const std::string& body, const std::string& queue, const std::string& region);

struct S3Sample {
  std::string bucket;
  std::string key;
  std::string event_name = "ObjectCreated:Put";  // without "s3:"
  std::int64_t size = 0;
  std::optional<std::string> etag;  // hex; default: an empty object's MD5, or made up
  std::string region = "us-east-1";
  std::string function;          // the notified function's deployed name (configurationId)
  std::string configuration_id;  // "" = derived from function and bucket, as the notifier does
};

// The event types `trigger s3 --event` takes: "s3:ObjectCreated:Put", ..., "s3:ObjectRemoved:Delete".
std::vector<std::string> s3_event_names();

// {"Records":[one S3 notification record]}.
std::string s3_object_event(const S3Sample& sample);

}  // namespace stratus::run
