#include "emulator/triggers/s3/s3_notifier.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>

#include "emulator/common/clock.hpp"
#include "emulator/common/ids.hpp"
#include "emulator/triggers/s3/s3_format.hpp"

namespace stratus::triggers::s3 {
namespace {

using Json = nlohmann::ordered_json;

bool matches(const NotificationRule& rule, const ObjectEvent& event) {
  return rule.bucket == event.bucket && event_matches(rule.event, event.event_name) &&
         event.key.starts_with(rule.prefix) && event.key.ends_with(rule.suffix);
}

}  // namespace

std::string encode_event_key(std::string_view key) {
  std::string out;
  for (const char c : key) {
    if (c == ' ') {
      out += '+';
    } else {
      out += url_encode(std::string_view(&c, 1), /*keep_slash=*/true);
    }
  }
  return out;
}

bool event_matches(std::string_view pattern, std::string_view event_name) {
  if (pattern.starts_with("s3:")) pattern.remove_prefix(3);
  if (pattern.ends_with(":*")) return event_name.starts_with(pattern.substr(0, pattern.size() - 1));
  return pattern == event_name;
}

std::string build_event_payload(const ObjectEvent& event, const NotificationRule& rule,
                                const NotifierOptions& options, const std::string& sequencer) {
  Json object = {{"key", encode_event_key(event.key)}};
  if (event.event_name.starts_with("ObjectCreated")) {
    object["size"] = event.size;
    object["eTag"] = event.etag;
  }
  object["sequencer"] = sequencer;
  Json record = {
      {"eventVersion", "2.1"},
      {"eventSource", "aws:s3"},
      {"awsRegion", options.region},
      {"eventTime", format_iso_ms(event.time_ms)},
      {"eventName", event.event_name},
      {"userIdentity", {{"principalId", options.principal_id}}},
      {"requestParameters", {{"sourceIPAddress", event.source_ip}}},
      {"responseElements", {{"x-amz-request-id", event.request_id}, {"x-amz-id-2", event.host_id}}},
      {"s3",
       {{"s3SchemaVersion", "1.0"},
        {"configurationId", rule.id.empty() ? rule.function + "-" + rule.bucket : rule.id},
        {"bucket",
         {{"name", event.bucket},
          {"ownerIdentity", {{"principalId", options.owner_id}}},
          {"arn", "arn:aws:s3:::" + event.bucket}}},
        {"object", object}}},
  };
  return Json{{"Records", Json::array({record})}}.dump();
}

S3Notifier::S3Notifier(engine::Dispatcher& dispatcher, std::vector<NotificationRule> rules,
                       NotifierOptions options)
    : m_dispatcher(dispatcher), m_rules(std::move(rules)), m_options(std::move(options)) {}

std::string S3Notifier::next_sequencer() {
  // S3's sequencer orders events of one key: hex that grows. Time first, so it also grows across
  // restarts; a counter breaks ties within a millisecond.
  std::lock_guard lock(m_mutex);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%012llX%06llX", static_cast<unsigned long long>(unix_ms_now()),
                static_cast<unsigned long long>(m_sequence++ & 0xFFFFFF));
  return buf;
}

int S3Notifier::notify(const ObjectEvent& event) {
  int queued = 0;
  ObjectEvent stamped = event;
  if (stamped.time_ms == 0) stamped.time_ms = unix_ms_now();
  if (stamped.request_id.empty()) stamped.request_id = random_hex(16);
  for (const NotificationRule& rule : m_rules) {
    if (!matches(rule, stamped)) continue;
    m_dispatcher.invoke_async(rule.function, build_event_payload(stamped, rule, m_options, next_sequencer()));
    ++queued;
  }
  return queued;
}

int S3Notifier::notify_existing(S3Store& store) {
  std::set<std::string> buckets;
  for (const NotificationRule& rule : m_rules) buckets.insert(rule.bucket);
  int queued = 0;
  for (const std::string& bucket : buckets) {
    if (!store.bucket_exists(bucket)) continue;
    for (const ObjectInfo& info : store.all_objects(bucket)) {
      ObjectEvent event;
      event.bucket = bucket;
      event.event_name = "ObjectCreated:Put";
      event.key = info.key;
      event.size = info.size;
      event.etag = info.etag;
      queued += notify(event);
    }
  }
  return queued;
}

}  // namespace stratus::triggers::s3
