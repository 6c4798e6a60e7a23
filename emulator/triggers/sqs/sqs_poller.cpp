#include "emulator/triggers/sqs/sqs_poller.hpp"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "emulator/common/base64.hpp"

namespace stratus::triggers::sqs {

using Json = nlohmann::ordered_json;

namespace {

// One record of the event (spec 3.4).
Json record(const Message& m, const std::string& queue_arn, const std::string& region) {
  // Every attribute value is a string, as Lambda sends them.
  Json attributes = {{"ApproximateReceiveCount", std::to_string(m.receive_count)},
                     {"SentTimestamp", std::to_string(m.sent_ms)},
                     {"SenderId", m.sender_id},
                     {"ApproximateFirstReceiveTimestamp", std::to_string(m.first_receive_ms)}};
  if (!m.sequence_number.empty()) {
    attributes["SequenceNumber"] = m.sequence_number;
    if (m.group_id) attributes["MessageGroupId"] = *m.group_id;
    if (m.deduplication_id) attributes["MessageDeduplicationId"] = *m.deduplication_id;
  }
  if (auto it = m.system_attributes.find("AWSTraceHeader"); it != m.system_attributes.end())
    attributes["AWSTraceHeader"] = it->second.string_value;
  if (!m.dead_letter_source_arn.empty()) attributes["DeadLetterQueueSourceArn"] = m.dead_letter_source_arn;
  Json message_attributes = Json::object();
  for (const auto& [name, a] : m.attributes) {
    Json v = Json::object();
    if (a.is_binary())
      v["binaryValue"] = base64_encode(a.binary_value);
    else
      v["stringValue"] = a.string_value;
    v["stringListValues"] = Json::array();
    v["binaryListValues"] = Json::array();
    v["dataType"] = a.data_type;
    message_attributes[name] = std::move(v);
  }
  return {{"messageId", m.id},
          {"receiptHandle", m.receipt_handle},
          {"body", m.body},
          {"attributes", std::move(attributes)},
          {"messageAttributes", std::move(message_attributes)},
          {"md5OfBody", md5_hex(m.body)},
          {"eventSource", "aws:sqs"},
          {"eventSourceARN", queue_arn},
          {"awsRegion", region}};
}

}  // namespace

std::string sqs_event(const std::vector<Message>& batch, const std::string& queue_arn,
                      const std::string& region) {
  Json records = Json::array();
  for (const Message& m : batch) records.push_back(record(m, queue_arn, region));
  return Json{{"Records", std::move(records)}}.dump();
}

std::optional<std::vector<std::string>> batch_item_failures(const std::string& response,
                                                            const std::vector<Message>& batch) {
  std::vector<std::string> failed;
  const auto first = response.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return failed;  // an empty response: all succeeded
  const Json doc = Json::parse(response, nullptr, false);
  if (doc.is_discarded()) return std::nullopt;
  // null, or anything that is not an object, carries no failures.
  if (!doc.is_object() || !doc.contains("batchItemFailures")) return failed;
  const Json& list = doc["batchItemFailures"];
  if (list.is_null()) return failed;
  if (!list.is_array()) return std::nullopt;
  std::set<std::string> ids;
  for (const Message& m : batch) ids.insert(m.id);
  for (const Json& item : list) {
    if (!item.is_object() || !item.contains("itemIdentifier")) return std::nullopt;
    const Json& id = item["itemIdentifier"];
    if (!id.is_string() || id.get<std::string>().empty() || !ids.count(id.get<std::string>()))
      return std::nullopt;
    failed.push_back(id.get<std::string>());
  }
  return failed;
}

SqsPoller::SqsPoller(SqsStore& store, engine::Dispatcher& dispatcher, SqsPollerSettings settings)
    : m_store(store), m_dispatcher(dispatcher), m_settings(std::move(settings)) {
  m_settings.batch_size = std::max(1, m_settings.batch_size);
}

SqsPoller::~SqsPoller() {
  stop();
}

void SqsPoller::start() {
  if (m_thread.joinable()) return;
  m_thread = std::jthread([this](std::stop_token stop) { run(stop); });
}

void SqsPoller::stop() {
  if (!m_thread.joinable()) return;
  m_thread.request_stop();  // also ends the store's condition-variable wait
  m_thread.join();
}

void SqsPoller::run(std::stop_token stop) {
  constexpr auto kLongPoll = std::chrono::seconds(20);
  while (!stop.stop_requested()) {
    try {
      poll_once(kLongPoll, stop);
    } catch (const std::exception&) {
      // The queue is gone or the database failed: try again in a second, or stop sooner.
      std::mutex mutex;
      std::condition_variable_any cv;
      std::unique_lock lock(mutex);
      cv.wait_for(lock, stop, std::chrono::seconds(1), [] { return false; });
    }
  }
}

std::size_t SqsPoller::poll_once(std::chrono::seconds wait, std::stop_token stop) {
  using std::chrono::steady_clock;
  const std::size_t want = static_cast<std::size_t>(m_settings.batch_size);
  auto receive = [&](std::chrono::milliseconds w) {
    ReceiveRequest r;
    r.max_messages = static_cast<int>(std::min<std::size_t>(10, want));
    r.wait = w;
    return m_store.receive(m_settings.queue, r, stop);
  };
  std::vector<Message> batch = receive(wait);
  if (batch.empty()) return 0;
  // Fill the batch: what is already there, and for up to the batching window what arrives.
  const auto deadline = steady_clock::now() + m_settings.maximum_batching_window;
  while (batch.size() < want && !stop.stop_requested()) {
    ReceiveRequest r;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady_clock::now());
    r.max_messages = static_cast<int>(std::min<std::size_t>(10, want - batch.size()));
    r.wait = std::max(left, std::chrono::milliseconds(0));
    std::vector<Message> more = m_store.receive(m_settings.queue, r, stop);
    // With a visibility timeout of 0 the same message can come back at once: keep it once, with
    // its latest receipt handle, and stop gathering when nothing new arrives.
    bool grew = false;
    for (auto& m : more) {
      auto same = std::find_if(batch.begin(), batch.end(), [&](const Message& b) { return b.id == m.id; });
      if (same != batch.end()) {
        *same = std::move(m);
      } else {
        batch.push_back(std::move(m));
        grew = true;
      }
    }
    if (!grew) break;
  }
  const std::string arn = m_store.queue_arn(m_settings.queue);
  // Lambda caps a synchronous payload at 6 MiB: the messages that would not fit leave the batch and
  // become visible again at once (the first message always goes, whatever its size).
  std::size_t bytes = std::string_view(R"({"Records":[]})").size();
  std::size_t fits = 0;
  for (; fits < batch.size(); ++fits) {
    bytes += record(batch[fits], arn, m_store.region()).dump().size() + (fits > 0 ? 1 : 0);
    if (fits > 0 && bytes > kMaxEventPayloadBytes) break;
  }
  for (std::size_t i = fits; i < batch.size(); ++i) {
    try {
      m_store.change_visibility(m_settings.queue, batch[i].receipt_handle, 0);
    } catch (const SqsError&) {
      // No longer in flight (deleted meanwhile): nothing to give back.
    }
  }
  batch.resize(fits);
  engine::InvokeRequest request;
  request.payload = sqs_event(batch, arn, m_store.region());
  settle(batch, m_dispatcher.invoke(m_settings.function, std::move(request)));
  return batch.size();
}

void SqsPoller::settle(const std::vector<Message>& batch, const engine::InvokeResult& result) {
  // A failed invocation deletes nothing: the messages return after the visibility timeout.
  if (result.status != engine::InvokeStatus::ok) return;
  std::set<std::string> failed;
  if (m_settings.report_batch_item_failures) {
    auto ids = batch_item_failures(result.payload, batch);
    if (!ids) return;
    failed.insert(ids->begin(), ids->end());
  }
  for (const Message& m : batch)
    if (!failed.count(m.id)) m_store.delete_message(m_settings.queue, m.receipt_handle);
}

}  // namespace stratus::triggers::sqs
