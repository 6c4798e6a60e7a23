#include "emulator/triggers/sqs/sqs_store.hpp"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <set>

#include "emulator/common/base64.hpp"
#include "emulator/common/clock.hpp"
#include "emulator/common/ids.hpp"
#include "emulator/common/local_account.hpp"
#include "emulator/common/sha256.hpp"

namespace stratus::triggers::sqs {

using nlohmann::json;

namespace {

constexpr const char* kDeadLetterSourceKey = "DeadLetterQueueSourceArn";

// --- errors -------------------------------------------------------------------------------

SqsError invalid_receipt_handle(const std::string& handle) {
  return SqsError("ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid",
                  "The input receipt handle \"" + handle + "\" is not a valid receipt handle.");
}

// --- attributes as stored -------------------------------------------------------------------

std::string attributes_to_json(const MessageAttributes& attributes,
                               const std::string& dead_letter_source = "") {
  json doc = json::object();
  for (const auto& [name, a] : attributes) {
    json entry = {{"t", a.data_type}};
    if (a.is_binary())
      entry["b"] = base64_encode(a.binary_value);
    else
      entry["s"] = a.string_value;
    doc[name] = std::move(entry);
  }
  if (!dead_letter_source.empty()) doc[kDeadLetterSourceKey] = dead_letter_source;
  return doc.dump();
}

MessageAttributes attributes_from_json(const std::string& text, std::string* dead_letter_source = nullptr) {
  MessageAttributes out;
  json doc = json::parse(text, nullptr, false);
  if (!doc.is_object()) return out;
  for (auto& [name, entry] : doc.items()) {
    if (name == kDeadLetterSourceKey) {
      if (dead_letter_source) *dead_letter_source = entry.get<std::string>();
      continue;
    }
    MessageAttribute a;
    a.data_type = entry.value("t", "String");
    if (entry.contains("b"))
      a.binary_value = base64_decode(entry["b"].get<std::string>()).value_or("");
    else
      a.string_value = entry.value("s", "");
    out[name] = std::move(a);
  }
  return out;
}

// A receipt handle: base64 of "<message id>:<32 random hex>", opaque to clients as AWS's are.
std::string new_receipt_handle(const std::string& message_id) {
  return base64_encode(message_id + ":" + random_hex(32));
}

std::optional<std::string> message_id_of_handle(const std::string& handle) {
  auto decoded = base64_decode(handle);
  if (!decoded) return std::nullopt;
  const auto colon = decoded->find(':');
  if (colon != 36 || decoded->size() != 36 + 1 + 32) return std::nullopt;
  return decoded->substr(0, colon);
}

std::string sequence_string(std::int64_t seq) {
  std::string digits = std::to_string(seq);
  return std::string(digits.size() < 20 ? 20 - digits.size() : 0, '0') + digits;
}

}  // namespace

// --- SqsStore ---------------------------------------------------------------------------------

SqsStore::SqsStore(store::Database& db, std::string region, Clock clock)
    : m_db(db), m_region(std::move(region)), m_clock(clock ? std::move(clock) : Clock(unix_ms_now)) {}

SqsStore::~SqsStore() {
  close_waits();
}

std::string SqsStore::queue_arn(std::string_view name) const {
  return "arn:aws:sqs:" + m_region + ":" + kLocalAccountId + ":" + std::string(name);
}

void SqsStore::close_waits() {
  {
    std::lock_guard lock(m_mutex);
    m_closing = true;
  }
  m_sent.notify_all();
}

std::optional<QueueInfo> SqsStore::load_queue(const std::string& name) {
  store::Statement s(m_db, "SELECT created_ms, modified_ms, attributes FROM sqs_queues WHERE name = ?1");
  s.bind(1, name);
  if (!s.step()) return std::nullopt;
  QueueInfo info;
  info.name = name;
  info.created_ms = s.column_int64(0);
  info.modified_ms = s.column_int64(1);
  std::map<std::string, std::string> attributes;
  json doc = json::parse(s.column_text(2), nullptr, false);
  if (doc.is_object())
    for (auto& [k, v] : doc.items()) attributes[k] = v.get<std::string>();
  info.settings = parse_queue_settings(attributes);
  return info;
}

std::optional<QueueInfo> SqsStore::find_queue(const std::string& name) {
  std::lock_guard lock(m_mutex);
  return load_queue(name);
}

QueueInfo SqsStore::queue(const std::string& name) {
  auto info = find_queue(name);
  if (!info) throw SqsError::queue_does_not_exist();
  return *info;
}

void SqsStore::create_queue(const std::string& name, const std::map<std::string, std::string>& given,
                            const std::map<std::string, std::string>& tags) {
  const auto fifo_attribute = given.find("FifoQueue");
  const bool fifo = fifo_attribute != given.end() && fifo_attribute->second == "true";
  if (!valid_queue_name(name, fifo)) {
    if (fifo)
      throw SqsError::invalid_parameter(
          "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must "
          "end "
          "with .fifo suffix and be 1 to 80 in length.");
    throw SqsError::invalid_parameter(
        "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length");
  }
  validate_queue_attributes(given, fifo, true);

  std::lock_guard lock(m_mutex);
  if (auto existing = load_queue(name)) {
    // CreateQueue is idempotent when every given attribute has the value the queue already has.
    for (const auto& [key, value] : given) {
      auto it = existing->settings.attributes.find(key);
      const std::string current = it == existing->settings.attributes.end() ? "" : it->second;
      if (current != canonical_attribute(key, value))
        throw SqsError(
            "QueueNameExists", "QueueAlreadyExists",
            "A queue already exists with the same name and a different value for attribute " + key);
    }
    return;
  }
  std::map<std::string, std::string> attributes = {{"VisibilityTimeout", "30"},
                                                   {"MaximumMessageSize", "1048576"},
                                                   {"MessageRetentionPeriod", "345600"},
                                                   {"DelaySeconds", "0"},
                                                   {"ReceiveMessageWaitTimeSeconds", "0"},
                                                   {"SqsManagedSseEnabled", "true"}};
  if (fifo) {
    attributes["FifoQueue"] = "true";
    attributes["ContentBasedDeduplication"] = "false";
    attributes["DeduplicationScope"] = "queue";
    attributes["FifoThroughputLimit"] = "perQueue";
  }
  for (const auto& [key, value] : given) attributes[key] = canonical_attribute(key, value);
  if (attributes.count("RedrivePolicy") && attributes["RedrivePolicy"].empty())
    attributes.erase("RedrivePolicy");
  json doc = attributes;
  const std::int64_t t = now();
  store::Statement s(m_db,
                     "INSERT INTO sqs_queues (name, created_ms, modified_ms, attributes, tags)"
                     " VALUES (?1, ?2, ?2, ?3, ?4)");
  s.bind(1, name).bind(2, t).bind(3, doc.dump()).bind(4, json(tags).dump());
  s.step();
}

std::map<std::string, std::string> SqsStore::load_tags(const std::string& name) {
  store::Statement s(m_db, "SELECT tags FROM sqs_queues WHERE name = ?1");
  s.bind(1, name);
  if (!s.step()) throw SqsError::queue_does_not_exist();
  std::map<std::string, std::string> out;
  const json doc = json::parse(s.column_text(0), nullptr, false);
  if (doc.is_object())
    for (const auto& [k, v] : doc.items())
      if (v.is_string()) out[k] = v.get<std::string>();
  return out;
}

void SqsStore::save_tags(const std::string& name, const std::map<std::string, std::string>& tags) {
  store::Statement s(m_db, "UPDATE sqs_queues SET tags = ?2 WHERE name = ?1");
  s.bind(1, name).bind(2, json(tags).dump()).step();
}

std::map<std::string, std::string> SqsStore::tags(const std::string& name) {
  std::lock_guard lock(m_mutex);
  return load_tags(name);
}

void SqsStore::tag(const std::string& name, const std::map<std::string, std::string>& added) {
  std::lock_guard lock(m_mutex);
  auto all = load_tags(name);
  for (const auto& [k, v] : added) all[k] = v;
  save_tags(name, all);
}

void SqsStore::untag(const std::string& name, const std::vector<std::string>& keys) {
  std::lock_guard lock(m_mutex);
  auto all = load_tags(name);
  for (const auto& k : keys) all.erase(k);
  save_tags(name, all);
}

std::vector<std::string> SqsStore::dead_letter_sources(const std::string& name) {
  std::lock_guard lock(m_mutex);  // one snapshot of every queue's settings
  if (!load_queue(name)) throw SqsError::queue_does_not_exist();
  store::Statement s(m_db, "SELECT name FROM sqs_queues ORDER BY name");
  std::vector<std::string> out;
  while (s.step()) {
    std::string source = s.column_text(0);
    const auto info = load_queue(source);
    if (info && info->settings.redrive &&
        queue_name_of_arn(info->settings.redrive->dead_letter_target_arn) == name)
      out.push_back(std::move(source));
  }
  return out;
}

void SqsStore::delete_queue(const std::string& name) {
  {
    std::lock_guard lock(m_mutex);
    if (!load_queue(name)) throw SqsError::queue_does_not_exist();
    store::Transaction tx(m_db);
    store::Statement m(m_db, "DELETE FROM sqs_messages WHERE queue = ?1");
    m.bind(1, name).step();
    store::Statement d(m_db, "DELETE FROM sqs_dedup WHERE queue = ?1");
    d.bind(1, name).step();
    store::Statement q(m_db, "DELETE FROM sqs_queues WHERE name = ?1");
    q.bind(1, name).step();
    tx.commit();
    ++m_generations[name];
  }
  // A long poll on the deleted queue ends now rather than at its deadline.
  m_sent.notify_all();
}

std::vector<std::string> SqsStore::list_queues(std::string_view prefix) {
  std::lock_guard lock(m_mutex);
  store::Statement s(m_db, "SELECT name FROM sqs_queues ORDER BY name");
  std::vector<std::string> names;
  while (s.step()) {
    std::string name = s.column_text(0);
    if (name.compare(0, prefix.size(), prefix) == 0) names.push_back(std::move(name));
  }
  return names;
}

void SqsStore::set_queue_attributes(const std::string& name,
                                    const std::map<std::string, std::string>& given) {
  std::lock_guard lock(m_mutex);
  auto info = load_queue(name);
  if (!info) throw SqsError::queue_does_not_exist();
  validate_queue_attributes(given, info->settings.fifo, false);
  std::map<std::string, std::string> attributes = info->settings.attributes;
  for (const auto& [key, value] : given) {
    // An empty RedrivePolicy removes it, as on AWS.
    if (key == "RedrivePolicy" && value.empty())
      attributes.erase(key);
    else
      attributes[key] = canonical_attribute(key, value);
  }
  json doc = attributes;
  store::Statement s(m_db, "UPDATE sqs_queues SET attributes = ?2, modified_ms = ?3 WHERE name = ?1");
  s.bind(1, name).bind(2, doc.dump()).bind(3, now());
  s.step();
}

QueueCounts SqsStore::counts(const std::string& name) {
  std::lock_guard lock(m_mutex);
  auto info = load_queue(name);
  if (!info) throw SqsError::queue_does_not_exist();
  const std::int64_t t = now();
  drop_expired(*info, t);
  store::Statement s(m_db,
                     "SELECT COALESCE(SUM(visible_ms <= ?2), 0),"
                     " COALESCE(SUM(visible_ms > ?2 AND receipt IS NOT NULL), 0),"
                     " COALESCE(SUM(visible_ms > ?2 AND receipt IS NULL), 0)"
                     " FROM sqs_messages WHERE queue = ?1");
  s.bind(1, name).bind(2, t);
  QueueCounts c;
  if (s.step()) {
    c.visible = s.column_int64(0);
    c.not_visible = s.column_int64(1);
    c.delayed = s.column_int64(2);
  }
  return c;
}

void SqsStore::purge(const std::string& name) {
  std::lock_guard lock(m_mutex);
  if (!load_queue(name)) throw SqsError::queue_does_not_exist();
  store::Statement s(m_db, "DELETE FROM sqs_messages WHERE queue = ?1");
  s.bind(1, name).step();
}

void SqsStore::drop_expired(const QueueInfo& queue, std::int64_t t) {
  // A sweep reads every message of the queue: at most one a second per queue, so a busy queue's
  // receives do not each pay for it (a message outlives its retention by under a second).
  auto [last, first] = m_last_sweep.try_emplace(queue.name, t);
  if (!first && t >= last->second && t - last->second < 1000) return;
  last->second = t;
  store::Statement s(m_db, "DELETE FROM sqs_messages WHERE queue = ?1 AND sent_ms <= ?2");
  s.bind(1, queue.name).bind(2, t - queue.settings.retention_seconds * 1000);
  s.step();
  store::Statement d(m_db, "DELETE FROM sqs_dedup WHERE queue = ?1 AND expires_ms <= ?2");
  d.bind(1, queue.name).bind(2, t);
  d.step();
}

// --- send -------------------------------------------------------------------------------------

void SqsStore::validate_send(const QueueInfo& queue, const SendRequest& r) const {
  if (r.body.empty()) throw SqsError::missing_parameter("MessageBody");
  if (!valid_message_text(r.body))
    throw SqsError(
        "InvalidMessageContents", "InvalidMessageContents",
        "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | "
        "#xE000 to #xFFFD | #x10000 to #x10FFFF");
  validate_message_attributes(r.attributes);
  const auto size = static_cast<std::int64_t>(r.body.size() + attributes_size(r.attributes));
  if (size > queue.settings.maximum_message_size)
    throw SqsError::invalid_parameter(
        "One or more parameters are invalid. Reason: Message must be shorter than " +
        std::to_string(queue.settings.maximum_message_size) + " bytes.");
  if (r.delay_seconds && (*r.delay_seconds < 0 || *r.delay_seconds > 900))
    throw SqsError::invalid_parameter(
        "Value " + std::to_string(*r.delay_seconds) +
        " for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 "
        "and <= 900.");
  if (queue.settings.fifo) {
    if (r.delay_seconds && *r.delay_seconds != 0)
      throw SqsError::invalid_parameter("Value " + std::to_string(*r.delay_seconds) +
                                        " for parameter DelaySeconds is invalid. Reason: The request include "
                                        "parameter that is not valid for this queue type.");
    if (!r.group_id || r.group_id->empty()) throw SqsError::missing_parameter("MessageGroupId");
    if (!r.deduplication_id && !queue.settings.content_based_deduplication)
      throw SqsError::invalid_parameter(
          "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided "
          "explicitly");
  } else if (r.deduplication_id) {
    throw SqsError::invalid_parameter("Value " + *r.deduplication_id +
                                      " for parameter MessageDeduplicationId is invalid. Reason: The request "
                                      "includes a parameter that is not "
                                      "valid for this queue type.");
  }
}

SendResult SqsStore::send(const std::string& queue_name, const SendRequest& r) {
  SendResult result;
  {
    std::lock_guard lock(m_mutex);
    auto queue = load_queue(queue_name);
    if (!queue) throw SqsError::queue_does_not_exist();
    validate_send(*queue, r);
    const std::int64_t t = now();
    result.md5_of_body = md5_hex(r.body);
    result.md5_of_attributes = md5_of_attributes(r.attributes);
    result.md5_of_system_attributes = md5_of_attributes(r.system_attributes);

    store::Transaction tx(m_db);
    std::optional<std::string> dedup;
    std::string dedup_key;  // what the window remembers: the id, per message group with that scope
    if (queue->settings.fifo) {
      dedup = r.deduplication_id ? *r.deduplication_id : sha256_hex(r.body);
      dedup_key = *dedup;
      if (queue->settings.attributes.contains("DeduplicationScope") &&
          queue->settings.attributes.at("DeduplicationScope") == "messageGroup")
        dedup_key = r.group_id.value_or("") + '\x1f' + dedup_key;
    }
    if (dedup) {
      store::Statement seen(
          m_db,
          "SELECT message_id, sequence FROM sqs_dedup WHERE queue = ?1 AND dedup_id = ?2 AND "
          "expires_ms > ?3");
      seen.bind(1, queue_name).bind(2, dedup_key).bind(3, t);
      if (seen.step()) {
        // A duplicate within the window: accepted, not stored again, answered with the first id.
        result.message_id = seen.column_text(0);
        result.sequence_number = sequence_string(seen.column_int64(1));
        return result;
      }
    }
    result.message_id = new_request_id();
    const int delay = r.delay_seconds.value_or(queue->settings.delay_seconds);
    store::Statement insert(
        m_db,
        "INSERT INTO sqs_messages (queue, id, body, attributes, system_attributes, sent_ms,"
        " visible_ms, group_id, dedup_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING seq");
    insert.bind(1, queue_name)
        .bind(2, result.message_id)
        .bind(3, r.body)
        .bind(4, attributes_to_json(r.attributes))
        .bind(5, attributes_to_json(r.system_attributes))
        .bind(6, t)
        .bind(7, t + std::int64_t{delay} * 1000);
    if (r.group_id)
      insert.bind(8, *r.group_id);
    else
      insert.bind_null(8);
    if (dedup)
      insert.bind(9, *dedup);
    else
      insert.bind_null(9);
    insert.step();
    const std::int64_t seq = insert.column_int64(0);
    insert.reset();  // the statement must finish before COMMIT
    if (queue->settings.fifo) {
      result.sequence_number = sequence_string(seq);
      store::Statement remember(
          m_db,
          "INSERT OR REPLACE INTO sqs_dedup (queue, dedup_id, message_id, sequence, expires_ms)"
          " VALUES (?1, ?2, ?3, ?4, ?5)");
      remember.bind(1, queue_name)
          .bind(2, dedup_key)
          .bind(3, result.message_id)
          .bind(4, seq)
          .bind(5, t + kDedupWindowMs);
      remember.step();
    }
    tx.commit();
    ++m_generations[queue_name];
  }
  m_sent.notify_all();
  return result;
}

// --- receive ----------------------------------------------------------------------------------

std::vector<Message> SqsStore::receive(const std::string& queue_name, const ReceiveRequest& request,
                                       std::stop_token stop) {
  using std::chrono::steady_clock;
  std::unique_lock lock(m_mutex);
  auto queue = load_queue(queue_name);
  if (!queue) throw SqsError::queue_does_not_exist();
  const auto wait = request.wait.value_or(std::chrono::seconds(queue->settings.receive_wait_seconds));
  const auto deadline = steady_clock::now() + wait;
  while (true) {
    const std::int64_t t = now();
    std::vector<Message> messages = try_receive(*queue, request, t);
    if (!messages.empty() || wait.count() <= 0 || stop.stop_requested() || m_closing) return messages;
    auto until = deadline;
    if (auto next = next_visible_ms(queue_name, t))
      until = std::min(until,
                       steady_clock::now() + std::chrono::milliseconds(std::max<std::int64_t>(*next - t, 1)));
    if (steady_clock::now() >= deadline) return messages;
    // Woken by a change to this queue only: sends to other queues do not make it poll again.
    const std::uint64_t seen = m_generations[queue_name];
    m_sent.wait_until(lock, stop, until, [&] { return m_closing || m_generations[queue_name] != seen; });
    queue = load_queue(queue_name);
    if (!queue) return {};
  }
}

std::optional<std::int64_t> SqsStore::next_visible_ms(const std::string& queue, std::int64_t t) {
  store::Statement s(m_db, "SELECT MIN(visible_ms) FROM sqs_messages WHERE queue = ?1 AND visible_ms > ?2");
  s.bind(1, queue).bind(2, t);
  if (!s.step() || s.column_is_null(0)) return std::nullopt;
  return s.column_int64(0);
}

bool SqsStore::move_to_dead_letter(const QueueInfo& queue, std::int64_t seq, const std::string& target) {
  store::Statement read(m_db,
                        "SELECT id, body, attributes, system_attributes, sent_ms, group_id, dedup_id"
                        " FROM sqs_messages WHERE seq = ?1");
  read.bind(1, seq);
  if (!read.step()) return false;
  std::string dead_letter_source;
  MessageAttributes system = attributes_from_json(read.column_text(3), &dead_letter_source);
  const std::string id = read.column_text(0);
  const std::string body = read.column_text(1);
  const std::string attributes = read.column_text(2);
  const std::int64_t sent = read.column_int64(4);
  const bool has_group = !read.column_is_null(5);
  const std::string group = read.column_text(5);
  const bool has_dedup = !read.column_is_null(6);
  const std::string dedup = read.column_text(6);
  store::Statement del(m_db, "DELETE FROM sqs_messages WHERE seq = ?1");
  del.bind(1, seq).step();
  store::Statement insert(m_db,
                          "INSERT INTO sqs_messages (queue, id, body, attributes, system_attributes, sent_ms,"
                          " visible_ms, group_id, dedup_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  insert.bind(1, target)
      .bind(2, id)
      .bind(3, body)
      .bind(4, attributes)
      .bind(5, attributes_to_json(system, queue_arn(queue.name)))
      .bind(6, sent)
      .bind(7, now());
  if (has_group)
    insert.bind(8, group);
  else
    insert.bind_null(8);
  if (has_dedup)
    insert.bind(9, dedup);
  else
    insert.bind_null(9);
  insert.step();
  return true;
}

std::vector<Message> SqsStore::try_receive(const QueueInfo& queue, const ReceiveRequest& request,
                                           std::int64_t t) {
  drop_expired(queue, t);
  std::vector<Message> out;
  const int max = std::clamp(request.max_messages, 1, 10);
  const int visibility = request.visibility_timeout.value_or(queue.settings.visibility_timeout);
  // Both orders come straight from an index, so a receive reads about `max` rows however long the
  // backlog. A standard queue hands out what became visible first (visible_ms, then send order):
  // messages in flight lie outside that range and cost nothing. A FIFO queue goes in send order
  // (seq), holding back a group with a message in flight until that message is settled.
  std::string sql =
      "SELECT seq, id, body, attributes, system_attributes, sent_ms, receive_count, first_receive_ms,"
      " group_id, dedup_id FROM sqs_messages";
  if (queue.settings.fifo)
    sql +=
        " INDEXED BY sqs_messages_in_order WHERE queue = ?1 AND visible_ms <= ?2 AND (group_id IS NULL OR"
        " group_id NOT IN (SELECT group_id FROM sqs_messages WHERE queue = ?1 AND receipt IS NOT NULL AND"
        " visible_ms > ?2 AND group_id IS NOT NULL)) ORDER BY seq LIMIT ?3";
  else
    sql +=
        " INDEXED BY sqs_messages_by_visibility WHERE queue = ?1 AND visible_ms <= ?2"
        " ORDER BY visible_ms, seq LIMIT ?3";

  // Redrive only to a queue that exists; otherwise the message is handed out as usual rather than
  // hidden forever.
  std::string dead_letter_queue;
  if (queue.settings.redrive) {
    dead_letter_queue = queue_name_of_arn(queue.settings.redrive->dead_letter_target_arn);
    if (!load_queue(dead_letter_queue)) dead_letter_queue.clear();
  }
  store::Transaction tx(m_db);
  bool moved = true;
  while (static_cast<int>(out.size()) < max && moved) {
    moved = false;
    // Read the candidates first, then update them: updating rows while a scan over them is open
    // could show an updated row to the scan again.
    std::vector<std::pair<std::int64_t, Message>> candidates;
    {
      store::Statement s(m_db, sql);
      s.bind(1, queue.name).bind(2, t).bind(3, std::int64_t{max - static_cast<int>(out.size())});
      while (s.step()) {
        Message m;
        m.id = s.column_text(1);
        m.body = s.column_text(2);
        m.attributes = attributes_from_json(s.column_text(3));
        m.system_attributes = attributes_from_json(s.column_text(4), &m.dead_letter_source_arn);
        m.sent_ms = s.column_int64(5);
        m.receive_count = static_cast<int>(s.column_int64(6));
        m.first_receive_ms = s.column_is_null(7) ? t : s.column_int64(7);
        if (!s.column_is_null(8)) m.group_id = s.column_text(8);
        if (!s.column_is_null(9)) m.deduplication_id = s.column_text(9);
        candidates.emplace_back(s.column_int64(0), std::move(m));
      }
    }
    for (auto& [seq, m] : candidates) {
      if (!dead_letter_queue.empty() && m.receive_count >= queue.settings.redrive->max_receive_count) {
        moved = move_to_dead_letter(queue, seq, dead_letter_queue) || moved;
        continue;
      }
      m.receive_count += 1;
      if (queue.settings.fifo) m.sequence_number = sequence_string(seq);
      m.sender_id = kLocalAccountId;
      m.receipt_handle = new_receipt_handle(m.id);
      store::Statement mark(m_db,
                            "UPDATE sqs_messages SET receive_count = ?2, first_receive_ms = ?3, receipt = ?4,"
                            " visible_ms = ?5 WHERE seq = ?1");
      mark.bind(1, seq)
          .bind(2, std::int64_t{m.receive_count})
          .bind(3, m.first_receive_ms)
          .bind(4, m.receipt_handle)
          .bind(5, t + std::int64_t{visibility} * 1000);
      mark.step();
      out.push_back(std::move(m));
    }
  }
  tx.commit();
  return out;
}

// --- settle -----------------------------------------------------------------------------------

void SqsStore::delete_message(const std::string& queue_name, const std::string& handle) {
  const auto id = message_id_of_handle(handle);
  std::lock_guard lock(m_mutex);
  if (!load_queue(queue_name)) throw SqsError::queue_does_not_exist();
  if (!id) throw invalid_receipt_handle(handle);
  // Only the latest handle deletes; an older one (or a message already gone) succeeds quietly.
  store::Statement s(m_db, "DELETE FROM sqs_messages WHERE queue = ?1 AND id = ?2 AND receipt = ?3");
  s.bind(1, queue_name).bind(2, *id).bind(3, handle);
  s.step();
}

void SqsStore::change_visibility(const std::string& queue_name, const std::string& handle,
                                 int timeout_seconds) {
  const auto id = message_id_of_handle(handle);
  {
    std::lock_guard lock(m_mutex);
    if (!load_queue(queue_name)) throw SqsError::queue_does_not_exist();
    if (!id) throw invalid_receipt_handle(handle);
    if (timeout_seconds < 0 || timeout_seconds > 43200)
      throw SqsError::invalid_parameter(
          "Value " + std::to_string(timeout_seconds) +
          " for parameter VisibilityTimeout is invalid. Reason: Must be between 0 "
          "and 43200.");
    const std::int64_t t = now();
    store::Statement s(
        m_db,
        "UPDATE sqs_messages SET visible_ms = ?4 WHERE queue = ?1 AND id = ?2 AND receipt = ?3 AND"
        " visible_ms > ?5 RETURNING seq");
    s.bind(1, queue_name)
        .bind(2, *id)
        .bind(3, handle)
        .bind(4, t + std::int64_t{timeout_seconds} * 1000)
        .bind(5, t);
    const bool changed = s.step();
    s.reset();
    if (!changed)
      throw SqsError("MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight",
                     "Message does not exist or is not available for visibility timeout change.");
    ++m_generations[queue_name];
  }
  m_sent.notify_all();
}

}  // namespace stratus::triggers::sqs
