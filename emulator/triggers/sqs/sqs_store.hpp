#pragma once
// Durable SQS queues in SQLite: queues with their attributes, messages with their attributes,
// visibility, receipt handles, delays, redrive to a dead-letter queue and FIFO semantics.
//
// Every operation runs under one mutex and, when it writes, in one SQLite transaction that is
// committed before the call returns: a message SendMessage accepted survives a kill -9.
//
// Semantics (as AWS documents them):
//   - A receive hands out a new receipt handle each time. DeleteMessage with an older handle of a
//     message that was received again since succeeds and deletes nothing ("the request succeeds,
//     but the message might not be deleted"); with a handle of a message already gone it succeeds.
//     ChangeMessageVisibility needs the latest handle of a message in flight (MessageNotInflight).
//   - Redrive: a message whose receive count reached the RedrivePolicy's maxReceiveCount moves to
//     the dead-letter queue when a receive would hand it out again (same MessageId and body).
//   - FIFO: messages of a group leave in send order, and a group with a message in flight gives
//     nothing more until that message is deleted or visible again; a MessageDeduplicationId (or
//     the body's SHA-256 with ContentBasedDeduplication) seen in the last 5 minutes is accepted
//     and dropped, answering the first message's id.
//   - Messages older than MessageRetentionPeriod are dropped when the queue is next read.
//
// Failures a client caused are thrown as SqsError, carrying AWS's error code and text; the API
// layer turns them into either protocol's error response.
//
// Give the store a Database connection of its own (another store::Database on the same file, WAL
// lets them share it): it holds transactions on that connection across statements, which another
// thread's transaction on the same connection would interleave with. Before stopping the HTTP
// server in front of it, call close_waits() so long polls (up to 20 s) do not hold up its drain.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/store/database.hpp"
#include "emulator/triggers/sqs/sqs_model.hpp"

namespace stratus::triggers::sqs {

// The migration that creates the SQS tables; append it to the database's migration list.
inline constexpr std::string_view kSqsSchema = R"SQL(
CREATE TABLE sqs_queues (
  name TEXT PRIMARY KEY,
  created_ms INTEGER NOT NULL,
  modified_ms INTEGER NOT NULL,
  attributes TEXT NOT NULL
);
CREATE TABLE sqs_messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  queue TEXT NOT NULL REFERENCES sqs_queues(name) ON DELETE CASCADE,
  id TEXT NOT NULL UNIQUE,
  body TEXT NOT NULL,
  attributes TEXT NOT NULL,
  system_attributes TEXT NOT NULL,
  sent_ms INTEGER NOT NULL,
  visible_ms INTEGER NOT NULL,
  receive_count INTEGER NOT NULL DEFAULT 0,
  first_receive_ms INTEGER,
  receipt TEXT,
  group_id TEXT,
  dedup_id TEXT
);
CREATE INDEX sqs_messages_in_order ON sqs_messages(queue, seq);
CREATE INDEX sqs_messages_by_visibility ON sqs_messages(queue, visible_ms);
CREATE TABLE sqs_dedup (
  queue TEXT NOT NULL REFERENCES sqs_queues(name) ON DELETE CASCADE,
  dedup_id TEXT NOT NULL,
  message_id TEXT NOT NULL,
  sequence INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL,
  PRIMARY KEY (queue, dedup_id)
);
)SQL";

// A later migration: each queue's tags, a JSON object.
inline constexpr std::string_view kSqsTagsSchema =
    "ALTER TABLE sqs_queues ADD COLUMN tags TEXT NOT NULL DEFAULT '{}';";

inline constexpr std::int64_t kDedupWindowMs = 5 * 60 * 1000;

struct QueueInfo {
  std::string name;
  std::int64_t created_ms = 0;
  std::int64_t modified_ms = 0;
  QueueSettings settings;
};

struct QueueCounts {
  std::int64_t visible = 0;      // ApproximateNumberOfMessages
  std::int64_t not_visible = 0;  // in flight
  std::int64_t delayed = 0;
};

struct SendRequest {
  std::string body;
  MessageAttributes attributes;
  MessageAttributes system_attributes;  // AWSTraceHeader
  std::optional<int> delay_seconds;     // nullopt = the queue's DelaySeconds
  std::optional<std::string> group_id;
  std::optional<std::string> deduplication_id;
};

struct SendResult {
  std::string message_id;
  std::string md5_of_body;
  std::string md5_of_attributes;         // "" when there are none
  std::string md5_of_system_attributes;  // "" when there are none
  std::string sequence_number;           // FIFO only
};

struct Message {
  std::string id;
  std::string receipt_handle;
  std::string body;
  MessageAttributes attributes;
  MessageAttributes system_attributes;
  std::int64_t sent_ms = 0;
  std::int64_t first_receive_ms = 0;
  int receive_count = 0;
  std::string sender_id;
  std::optional<std::string> group_id;
  std::optional<std::string> deduplication_id;
  std::string sequence_number;  // FIFO only
  std::string dead_letter_source_arn;
};

struct ReceiveRequest {
  int max_messages = 1;                           // 1-10
  std::optional<int> visibility_timeout;          // nullopt = the queue's
  std::optional<std::chrono::milliseconds> wait;  // nullopt = the queue's ReceiveMessageWaitTimeSeconds
};

class SqsStore {
 public:
  using Clock = std::function<std::int64_t()>;  // Unix epoch milliseconds

  // `db` must carry kSqsSchema and kSqsTagsSchema; `region` goes into ARNs. `clock` defaults to the wall
  // clock; a test may pass its own (long polls still wait in real time).
  SqsStore(store::Database& db, std::string region, Clock clock = {});
  ~SqsStore();
  SqsStore(const SqsStore&) = delete;
  SqsStore& operator=(const SqsStore&) = delete;

  const std::string& region() const { return m_region; }
  std::string queue_arn(std::string_view name) const;

  // Creates the queue, or returns normally when it exists with the same values for every given
  // attribute (QueueNameExists otherwise). Validates the name and attributes.
  // `tags` are kept only when the queue is new (as CreateQueue does).
  void create_queue(const std::string& name, const std::map<std::string, std::string>& attributes,
                    const std::map<std::string, std::string>& tags = {});
  void delete_queue(const std::string& name);
  std::optional<QueueInfo> find_queue(const std::string& name);
  QueueInfo queue(const std::string& name);  // throws QueueDoesNotExist
  std::vector<std::string> list_queues(std::string_view prefix);
  void set_queue_attributes(const std::string& name, const std::map<std::string, std::string>& attributes);
  QueueCounts counts(const std::string& name);
  std::map<std::string, std::string> tags(const std::string& name);
  void tag(const std::string& name, const std::map<std::string, std::string>& tags);  // added or replaced
  void untag(const std::string& name, const std::vector<std::string>& keys);
  // The queues whose RedrivePolicy sends their dead letters to `name`, by name.
  std::vector<std::string> dead_letter_sources(const std::string& name);
  void purge(const std::string& name);

  SendResult send(const std::string& queue, const SendRequest& request);
  // Validates one send without storing it (batch entries are validated one by one).
  void validate_send(const QueueInfo& queue, const SendRequest& request) const;

  // Returns at once when messages are available, else waits up to the wait time for a send (no
  // polling: a condition variable woken by sends, and by the time the next delayed or in-flight
  // message becomes visible). A stop request ends the wait with what there is (nothing).
  std::vector<Message> receive(const std::string& queue, const ReceiveRequest& request,
                               std::stop_token stop = {});

  void delete_message(const std::string& queue, const std::string& receipt_handle);
  void change_visibility(const std::string& queue, const std::string& receipt_handle, int timeout_seconds);

  // Shutting down: every long poll returns now (with nothing) and later ones do not wait.
  void close_waits();

 private:
  std::vector<Message> try_receive(const QueueInfo& queue, const ReceiveRequest& request, std::int64_t now);
  std::optional<std::int64_t> next_visible_ms(const std::string& queue, std::int64_t now);
  void drop_expired(const QueueInfo& queue, std::int64_t now);
  bool move_to_dead_letter(const QueueInfo& queue, std::int64_t seq, const std::string& target_name);
  std::optional<QueueInfo> load_queue(const std::string& name);
  std::map<std::string, std::string> load_tags(const std::string& name);  // throws QueueDoesNotExist
  void save_tags(const std::string& name, const std::map<std::string, std::string>& tags);
  std::int64_t now() const { return m_clock(); }

  store::Database& m_db;
  std::string m_region;
  Clock m_clock;
  std::mutex m_mutex;
  std::condition_variable_any m_sent;
  // Per queue, bumped (under m_mutex) when a waiting receive on it may find something new.
  std::map<std::string, std::uint64_t, std::less<>> m_generations;
  bool m_closing = false;
  std::map<std::string, std::int64_t, std::less<>> m_last_sweep;  // per queue, the clock at drop_expired
};

}  // namespace stratus::triggers::sqs
