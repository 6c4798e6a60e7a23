#include "cli/run/sample_events.hpp"

#include "emulator/common/clock.hpp"
#include "emulator/common/ids.hpp"
#include "emulator/common/local_account.hpp"
#include "emulator/triggers/s3/s3_notifier.hpp"
#include "emulator/triggers/s3/s3_store.hpp"
#include "emulator/triggers/sqs/sqs_poller.hpp"

namespace stratus::run {

std::string sqs_message_event(const std::string& body, const std::string& queue, const std::string& region) {
  triggers::sqs::Message message;
  message.id = new_request_id();
  message.receipt_handle = random_hex(64);
  message.body = body;
  message.sent_ms = message.first_receive_ms = unix_ms_now();
  message.receive_count = 1;
  message.sender_id = kLocalAccountId;
  return triggers::sqs::sqs_event({message}, "arn:aws:sqs:" + region + ":" + kLocalAccountId + ":" + queue,
                                  region);
}

std::vector<std::string> s3_event_names() {
  return {"s3:ObjectCreated:Put",    "s3:ObjectCreated:Post",
          "s3:ObjectCreated:Copy",   "s3:ObjectCreated:CompleteMultipartUpload",
          "s3:ObjectRemoved:Delete", "s3:ObjectRemoved:DeleteMarkerCreated"};
}

std::string s3_object_event(const S3Sample& sample) {
  triggers::s3::ObjectEvent event;
  event.bucket = sample.bucket;
  event.event_name = sample.event_name;
  event.key = sample.key;
  event.size = sample.size;
  // Without the bytes, an empty object's MD5 or a made-up one (S3's eTag of a single-part upload).
  event.etag = sample.etag ? *sample.etag : sample.size == 0 ? triggers::s3::md5_hex("") : random_hex(32);
  event.request_id = random_hex(8);
  event.host_id = random_hex(32);
  event.time_ms = unix_ms_now();
  triggers::s3::NotificationRule rule;
  rule.bucket = sample.bucket;
  rule.function = sample.function;
  rule.id = sample.configuration_id;
  triggers::s3::NotifierOptions notifier;
  notifier.region = sample.region;
  return triggers::s3::build_event_payload(event, rule, notifier, random_hex(8));
}

}  // namespace stratus::run
