#pragma once
// `s3` events: after an object is created or removed, every rule of its bucket whose event pattern,
// prefix and suffix match queues an Event invocation of its function with the S3 notification
// payload (spec section 3.5): one record, eventVersion 2.1, eventName without the "s3:" prefix,
// the key URL-encoded as S3 does it (space -> '+').
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/engine/dispatcher.hpp"
#include "emulator/triggers/s3/s3_store.hpp"

namespace stratus::triggers::s3 {

struct NotificationRule {
  std::string bucket;
  std::string function;  // as Dispatcher::invoke_async takes it
  std::string event =
      "s3:ObjectCreated:*";  // s3:ObjectCreated:* | :Put | :Copy | ..., s3:ObjectRemoved:* | :Delete
  std::string prefix;        // rules.prefix
  std::string suffix;        // rules.suffix
  std::string id;            // s3.configurationId; "" = a name derived from the function
};

// What happened to one object. eventName is "ObjectCreated:Put", "ObjectCreated:Copy",
// "ObjectCreated:CompleteMultipartUpload" or "ObjectRemoved:Delete".
struct ObjectEvent {
  std::string bucket;
  std::string event_name;
  std::string key;        // raw; encoded when the payload is built
  std::int64_t size = 0;  // created events only
  std::string etag;       // hex, no quotes; created events only
  std::string request_id;
  std::string host_id;
  std::string source_ip = "127.0.0.1";
  std::int64_t time_ms = 0;
};

struct NotifierOptions {
  std::string region = "us-east-1";
  std::string principal_id = "AWS:000000000000";  // userIdentity.principalId
  std::string owner_id = "000000000000";          // bucket.ownerIdentity.principalId
};

// "uploads/my file.jpg" -> "uploads/my+file.jpg": RFC 3986 unreserved characters and '/' stay,
// a space becomes '+', every other byte is %XX (upper-case hex).
std::string encode_event_key(std::string_view key);

// Whether `event_name` ("ObjectCreated:Put") matches a rule's pattern ("s3:ObjectCreated:*").
bool event_matches(std::string_view pattern, std::string_view event_name);

// The JSON payload ({"Records":[...]}) for one event under one rule.
std::string build_event_payload(const ObjectEvent& event, const NotificationRule& rule,
                                const NotifierOptions& options, const std::string& sequencer);

class S3Notifier {
 public:
  S3Notifier(engine::Dispatcher& dispatcher, std::vector<NotificationRule> rules,
             NotifierOptions options = {});

  // Queues one invocation per matching rule; returns how many were queued. Thread-safe.
  int notify(const ObjectEvent& event);

  // `existing: true`: an ObjectCreated:Put event for every object already in the rules' buckets,
  // sent to the rules that match it. Returns how many invocations were queued.
  int notify_existing(S3Store& store);

  const std::vector<NotificationRule>& rules() const { return m_rules; }

 private:
  std::string next_sequencer();

  engine::Dispatcher& m_dispatcher;
  std::vector<NotificationRule> m_rules;
  NotifierOptions m_options;
  std::mutex m_mutex;
  std::uint64_t m_sequence = 0;
};

}  // namespace stratus::triggers::s3
