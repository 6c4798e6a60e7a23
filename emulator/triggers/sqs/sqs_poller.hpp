#pragma once
// The SQS event source mapping: one thread per mapping long-polls a queue, gathers a batch and
// invokes the function synchronously with the Lambda SQS event (spec 3.4), then settles the batch
// as Lambda does:
//   - the function succeeds                     -> every message of the batch is deleted
//   - the function fails (error, timeout, throttle) -> nothing is deleted: the messages come back
//     after the queue's visibility timeout, so the RedrivePolicy moves them to the dead-letter queue
//     after maxReceiveCount attempts
//   - with ReportBatchItemFailures, a response {"batchItemFailures":[{"itemIdentifier":id}...]}
//     deletes all but the listed messages; an empty or null list (or response) is a full success,
//     and a malformed one (invalid JSON, a missing/empty/unknown itemIdentifier) fails the batch.
//   - a batch is cut at 6 MiB of event; the messages left out are made visible again at once.
// FIFO order comes from the store: a group with a message in flight gives nothing more, so a
// failed message holds back the rest of its group until it is settled.
//
// Waits are condition-variable waits in the store; stop() interrupts them and joins the thread
// (an invocation in progress runs to its end first).
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "emulator/engine/dispatcher.hpp"
#include "emulator/triggers/sqs/sqs_store.hpp"

namespace stratus::triggers::sqs {

// The largest event one invocation carries, as Lambda caps synchronous payloads (6 MiB).
inline constexpr std::size_t kMaxEventPayloadBytes = 6 * 1024 * 1024;

struct SqsPollerSettings {
  std::string queue;     // queue name
  std::string function;  // as Dispatcher::invoke takes it
  int batch_size = 10;   // 1-10,000 (10 for FIFO queues)
  std::chrono::milliseconds maximum_batching_window{0};
  bool report_batch_item_failures = false;  // functionResponseType: ReportBatchItemFailures
};

// The event one batch of messages makes (spec 3.4).
std::string sqs_event(const std::vector<Message>& batch, const std::string& queue_arn,
                      const std::string& region);

// Which messages of a batch failed, from the function's response under ReportBatchItemFailures:
// the ids of the failed ones, or nullopt when the response fails the whole batch.
std::optional<std::vector<std::string>> batch_item_failures(const std::string& response,
                                                            const std::vector<Message>& batch);

class SqsPoller {
 public:
  SqsPoller(SqsStore& store, engine::Dispatcher& dispatcher, SqsPollerSettings settings);
  ~SqsPoller();  // stop()
  SqsPoller(const SqsPoller&) = delete;
  SqsPoller& operator=(const SqsPoller&) = delete;

  void start();  // starts the polling thread (once)
  void stop();   // idempotent; returns when the thread has ended

  // One round without a thread, for tests and `trigger`-style commands: gathers a batch (waiting at
  // most `wait` for the first message) and invokes the function; returns the batch size (0 = none).
  std::size_t poll_once(std::chrono::seconds wait, std::stop_token stop = {});

 private:
  void run(std::stop_token stop);
  void settle(const std::vector<Message>& batch, const engine::InvokeResult& result);

  SqsStore& m_store;
  engine::Dispatcher& m_dispatcher;
  SqsPollerSettings m_settings;
  std::jthread m_thread;
};

}  // namespace stratus::triggers::sqs
