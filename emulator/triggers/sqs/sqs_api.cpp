#include "emulator/triggers/sqs/sqs_api.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "emulator/common/base64.hpp"
#include "emulator/common/ids.hpp"
#include "emulator/common/local_account.hpp"
#include "emulator/triggers/sqs/sqs_wire.hpp"

namespace stratus::triggers::sqs {
namespace {

using net::Request;
using net::Response;

constexpr std::string_view kTargetPrefix = "AmazonSQS.";
constexpr std::size_t kMaxBatchEntries = 10;

// --- parameters -----------------------------------------------------------------------------

std::optional<std::string> get_string(const Json& params, const char* name) {
  if (!params.contains(name)) return std::nullopt;
  const Json& v = params[name];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  throw SqsError::invalid_parameter("Value for parameter " + std::string(name) + " is invalid.");
}

std::string require_string(const Json& params, const char* name) {
  auto v = get_string(params, name);
  if (!v || v->empty()) throw SqsError::missing_parameter(name);
  return *v;
}

std::optional<int> get_int(const Json& params, const char* name) {
  if (!params.contains(name) || params[name].is_null()) return std::nullopt;
  const Json& v = params[name];
  if (v.is_number_integer()) return v.get<int>();
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    int value = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec == std::errc() && ptr == s.data() + s.size() && !s.empty()) return value;
  }
  throw SqsError::invalid_parameter("Value " + (v.is_string() ? v.get<std::string>() : v.dump()) +
                                    " for parameter " + name + " is invalid. Reason: must be an integer.");
}

std::vector<std::string> get_string_list(const Json& params, const char* name) {
  std::vector<std::string> out;
  if (!params.contains(name) || !params[name].is_array()) return out;
  for (const auto& v : params[name])
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

std::map<std::string, std::string> get_string_map(const Json& params, const char* name) {
  std::map<std::string, std::string> out;
  if (!params.contains(name) || !params[name].is_object()) return out;
  for (auto it = params[name].begin(); it != params[name].end(); ++it) {
    if (it.value().is_string())
      out[it.key()] = it.value().get<std::string>();
    else if (it.value().is_number_integer())
      out[it.key()] = std::to_string(it.value().get<long long>());
    else
      throw SqsError("InvalidAttributeValue", "InvalidAttributeValue",
                     "Invalid value for the parameter " + it.key() + ".");
  }
  return out;
}

MessageAttributes get_message_attributes(const Json& params, const char* name) {
  MessageAttributes out;
  if (!params.contains(name) || !params[name].is_object()) return out;
  for (auto it = params[name].begin(); it != params[name].end(); ++it) {
    const Json& v = it.value();
    MessageAttribute a;
    if (v.is_object()) {
      a.data_type = v.value("DataType", "");
      if (v.contains("BinaryValue") && v["BinaryValue"].is_string()) {
        auto bytes = base64_decode(v["BinaryValue"].get<std::string>());
        if (!bytes)
          throw SqsError::invalid_parameter("The message attribute '" + it.key() +
                                            "' has an invalid binary value.");
        a.binary_value = std::move(*bytes);
        if (!a.is_binary())
          throw SqsError::invalid_parameter("The message attribute '" + it.key() + "' with type '" +
                                            a.data_type + "' must use field 'String'.");
      } else if (v.contains("StringValue") && v["StringValue"].is_string()) {
        a.string_value = v["StringValue"].get<std::string>();
        if (a.is_binary())
          throw SqsError::invalid_parameter("The message attribute '" + it.key() +
                                            "' with type 'Binary' must use field 'Binary'.");
      }
    }
    out[it.key()] = std::move(a);
  }
  return out;
}

std::string queue_name_from_url(const std::string& url) {
  std::string path = url;
  if (auto q = path.find('?'); q != std::string::npos) path.resize(q);
  while (!path.empty() && path.back() == '/') path.pop_back();
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// --- operations -------------------------------------------------------------------------------

struct Context {
  SqsStore& store;
  const Json& params;
  std::string host;
  std::string path_queue;  // Query requests may be posted to the queue's URL

  std::string url(const std::string& name) const {
    return "http://" + host + "/" + kLocalAccountId + "/" + name;
  }
  std::string queue_name() const {
    auto url_param = get_string(params, "QueueUrl");
    if (url_param && !url_param->empty()) return queue_name_from_url(*url_param);
    if (!path_queue.empty()) return path_queue;
    throw SqsError::missing_parameter("QueueUrl");
  }
};

Json attributes_json(const MessageAttributes& attributes) {
  Json out = Json::object();
  for (const auto& [name, a] : attributes) {
    Json v = Json::object();
    if (a.is_binary())
      v["BinaryValue"] = base64_encode(a.binary_value);
    else
      v["StringValue"] = a.string_value;
    v["DataType"] = a.data_type;
    out[name] = std::move(v);
  }
  return out;
}

Json create_queue(Context& c) {
  const std::string name = require_string(c.params, "QueueName");
  c.store.create_queue(name, get_string_map(c.params, "Attributes"), get_string_map(c.params, "tags"));
  return {{"QueueUrl", c.url(name)}};
}

Json tag_queue(Context& c) {
  // JSON: Tags; Query: Tag.N.Key / Tag.N.Value, which reads as CreateQueue's `tags`.
  auto tags = get_string_map(c.params, "Tags");
  if (tags.empty()) tags = get_string_map(c.params, "tags");
  c.store.tag(c.queue_name(), tags);
  return Json::object();
}

Json untag_queue(Context& c) {
  c.store.untag(c.queue_name(), get_string_list(c.params, "TagKeys"));
  return Json::object();
}

Json list_queue_tags(Context& c) {
  const auto tags = c.store.tags(c.queue_name());
  return tags.empty() ? Json::object() : Json{{"Tags", tags}};
}

Json list_dead_letter_source_queues(Context& c) {
  Json urls = Json::array();
  for (const auto& name : c.store.dead_letter_sources(c.queue_name())) urls.push_back(c.url(name));
  return {{"queueUrls", urls}};
}

Json get_queue_url(Context& c) {
  const std::string name = require_string(c.params, "QueueName");
  if (!c.store.find_queue(name)) throw SqsError::queue_does_not_exist();
  return {{"QueueUrl", c.url(name)}};
}

Json delete_queue(Context& c) {
  c.store.delete_queue(c.queue_name());
  return Json::object();
}

Json list_queues(Context& c) {
  const std::string prefix = get_string(c.params, "QueueNamePrefix").value_or("");
  const auto max = get_int(c.params, "MaxResults");
  if (max && (*max < 1 || *max > 1000))
    throw SqsError::invalid_parameter(
        "Value " + std::to_string(*max) +
        " for parameter MaxResults is invalid. Reason: MaxResults must be an integer "
        "between 1 and 1000.");
  const std::string after = get_string(c.params, "NextToken").value_or("");
  Json urls = Json::array();
  std::string next;
  for (const auto& name : c.store.list_queues(prefix)) {
    if (!after.empty() && name <= after) continue;
    if (static_cast<int>(urls.size()) == max.value_or(1000)) {
      if (max) next = queue_name_from_url(urls.back().get<std::string>());
      break;
    }
    urls.push_back(c.url(name));
  }
  Json out = Json::object();
  if (!urls.empty()) out["QueueUrls"] = std::move(urls);
  if (!next.empty()) out["NextToken"] = next;
  return out;
}

Json get_queue_attributes(Context& c) {
  const std::string name = c.queue_name();
  const QueueInfo info = c.store.queue(name);
  static const std::vector<std::string> computed = {"ApproximateNumberOfMessages",
                                                    "ApproximateNumberOfMessagesNotVisible",
                                                    "ApproximateNumberOfMessagesDelayed",
                                                    "CreatedTimestamp",
                                                    "LastModifiedTimestamp",
                                                    "QueueArn"};
  static const std::set<std::string> stored = {"Policy",
                                               "VisibilityTimeout",
                                               "MaximumMessageSize",
                                               "MessageRetentionPeriod",
                                               "DelaySeconds",
                                               "ReceiveMessageWaitTimeSeconds",
                                               "RedrivePolicy",
                                               "FifoQueue",
                                               "ContentBasedDeduplication",
                                               "KmsMasterKeyId",
                                               "KmsDataKeyReusePeriodSeconds",
                                               "DeduplicationScope",
                                               "FifoThroughputLimit",
                                               "RedriveAllowPolicy",
                                               "SqsManagedSseEnabled"};
  const auto requested = get_string_list(c.params, "AttributeNames");
  const bool all = std::find(requested.begin(), requested.end(), "All") != requested.end();
  for (const auto& n : requested)
    if (n != "All" && !stored.count(n) && std::find(computed.begin(), computed.end(), n) == computed.end())
      throw SqsError("InvalidAttributeName", "InvalidAttributeName", "Unknown Attribute " + n + ".");
  auto wanted = [&](const std::string& n) {
    return all || std::find(requested.begin(), requested.end(), n) != requested.end();
  };
  Json attributes = Json::object();
  const QueueCounts counts = c.store.counts(name);
  const std::map<std::string, std::string> values = {
      {"ApproximateNumberOfMessages", std::to_string(counts.visible)},
      {"ApproximateNumberOfMessagesNotVisible", std::to_string(counts.not_visible)},
      {"ApproximateNumberOfMessagesDelayed", std::to_string(counts.delayed)},
      {"CreatedTimestamp", std::to_string(info.created_ms / 1000)},
      {"LastModifiedTimestamp", std::to_string(info.modified_ms / 1000)},
      {"QueueArn", c.store.queue_arn(name)}};
  for (const auto& n : computed)
    if (wanted(n)) attributes[n] = values.at(n);
  for (const auto& [n, v] : info.settings.attributes)
    if (wanted(n)) attributes[n] = v;
  Json out = Json::object();
  if (!attributes.empty()) out["Attributes"] = std::move(attributes);
  return out;
}

Json set_queue_attributes(Context& c) {
  c.store.set_queue_attributes(c.queue_name(), get_string_map(c.params, "Attributes"));
  return Json::object();
}

SendRequest send_request(const Json& p) {
  SendRequest r;
  r.body = get_string(p, "MessageBody").value_or("");
  r.attributes = get_message_attributes(p, "MessageAttributes");
  r.system_attributes = get_message_attributes(p, "MessageSystemAttributes");
  for (const auto& [name, a] : r.system_attributes)
    if (name != "AWSTraceHeader")
      throw SqsError::invalid_parameter("Message system attribute name '" + name + "' is invalid.");
  r.delay_seconds = get_int(p, "DelaySeconds");
  r.group_id = get_string(p, "MessageGroupId");
  r.deduplication_id = get_string(p, "MessageDeduplicationId");
  return r;
}

Json send_result_json(const SendResult& s) {
  Json out = {{"MD5OfMessageBody", s.md5_of_body}};
  if (!s.md5_of_attributes.empty()) out["MD5OfMessageAttributes"] = s.md5_of_attributes;
  if (!s.md5_of_system_attributes.empty()) out["MD5OfMessageSystemAttributes"] = s.md5_of_system_attributes;
  out["MessageId"] = s.message_id;
  if (!s.sequence_number.empty()) out["SequenceNumber"] = s.sequence_number;
  return out;
}

Json send_message(Context& c) {
  const SendRequest r = send_request(c.params);
  if (r.body.empty()) throw SqsError::missing_parameter("MessageBody");
  return send_result_json(c.store.send(c.queue_name(), r));
}

// Checks a batch request as a whole; returns its entries.
std::vector<Json> batch_entries(const Json& params, const char* entry_shape) {
  std::vector<Json> entries;
  if (params.contains("Entries") && params["Entries"].is_array())
    for (const auto& e : params["Entries"]) entries.push_back(e);
  if (entries.empty())
    throw SqsError("EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest",
                   std::string("There should be at least one ") + entry_shape + " in the request.");
  if (entries.size() > kMaxBatchEntries)
    throw SqsError("TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
                   "Maximum number of entries per request are 10. You have sent " +
                       std::to_string(entries.size()) + ".");
  std::set<std::string> seen;
  for (const auto& e : entries) {
    const std::string id =
        e.is_object() && e.contains("Id") && e["Id"].is_string() ? e["Id"].get<std::string>() : "";
    const bool ok = !id.empty() && id.size() <= 80 && std::all_of(id.begin(), id.end(), [](char ch) {
      return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_';
    });
    if (!ok)
      throw SqsError(
          "InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId",
          "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be "
          "at most 80 letters long.");
    if (!seen.insert(id).second)
      throw SqsError("BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
                     "Id " + id + " repeated.");
  }
  return entries;
}

Json batch_failure(const std::string& id, const SqsError& e) {
  return {{"Id", id}, {"SenderFault", e.sender_fault()}, {"Code", e.query_code()}, {"Message", e.what()}};
}

// Runs `one` for every entry, collecting successes and per-entry failures as AWS reports them.
Json run_batch(const std::vector<Json>& entries, const std::function<Json(const Json&)>& one) {
  Json ok = Json::array();
  Json failed = Json::array();
  for (const auto& e : entries) {
    const std::string id = e["Id"].get<std::string>();
    try {
      Json result = {{"Id", id}};
      const Json fields = one(e);
      for (auto f = fields.begin(); f != fields.end(); ++f) result[f.key()] = f.value();
      ok.push_back(std::move(result));
    } catch (const SqsError& err) {
      if (err.code() == "QueueDoesNotExist") throw;
      failed.push_back(batch_failure(id, err));
    }
  }
  return {{"Successful", ok}, {"Failed", failed}};
}

Json send_message_batch(Context& c) {
  const std::string queue = c.queue_name();
  const QueueInfo info = c.store.queue(queue);
  const auto entries = batch_entries(c.params, "SendMessageBatchRequestEntry");
  std::size_t total = 0;
  for (const auto& e : entries) total += send_request(e).body.size();
  if (static_cast<std::int64_t>(total) > info.settings.maximum_message_size)
    throw SqsError("BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong",
                   "Batch requests cannot be longer than " +
                       std::to_string(info.settings.maximum_message_size) + " bytes. You have sent " +
                       std::to_string(total) + " bytes.");
  return run_batch(entries, [&](const Json& e) {
    const SendRequest r = send_request(e);
    if (r.body.empty()) throw SqsError::missing_parameter("MessageBody");
    return send_result_json(c.store.send(queue, r));
  });
}

// Which names of a requested list select an attribute: "All", ".*", an exact name, or "prefix.*".
bool selects(const std::vector<std::string>& requested, const std::string& name) {
  for (const auto& r : requested) {
    if (r == "All" || r == ".*" || r == name) return true;
    if (r.size() > 2 && r.compare(r.size() - 2, 2, ".*") == 0 &&
        name.compare(0, r.size() - 1, r, 0, r.size() - 1) == 0)
      return true;
  }
  return false;
}

Json receive_message(Context& c) {
  const std::string queue = c.queue_name();
  ReceiveRequest r;
  const auto max = get_int(c.params, "MaxNumberOfMessages");
  if (max && (*max < 1 || *max > 10))
    throw SqsError::invalid_parameter(
        "Value " + std::to_string(*max) +
        " for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and "
        "10, if provided.");
  r.max_messages = max.value_or(1);
  const auto wait = get_int(c.params, "WaitTimeSeconds");
  if (wait) r.wait = std::chrono::seconds(*wait);
  if (wait && (*wait < 0 || *wait > 20))
    throw SqsError::invalid_parameter(
        "Value " + std::to_string(*wait) +
        " for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if "
        "provided.");
  r.visibility_timeout = get_int(c.params, "VisibilityTimeout");
  if (r.visibility_timeout && (*r.visibility_timeout < 0 || *r.visibility_timeout > 43200))
    throw SqsError::invalid_parameter(
        "Value " + std::to_string(*r.visibility_timeout) +
        " for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and "
        "43200, if provided.");
  std::vector<std::string> system_names = get_string_list(c.params, "AttributeNames");
  for (auto& n : get_string_list(c.params, "MessageSystemAttributeNames")) system_names.push_back(n);
  static const std::set<std::string> known = {"All",
                                              "SenderId",
                                              "SentTimestamp",
                                              "ApproximateReceiveCount",
                                              "ApproximateFirstReceiveTimestamp",
                                              "SequenceNumber",
                                              "MessageDeduplicationId",
                                              "MessageGroupId",
                                              "AWSTraceHeader",
                                              "DeadLetterQueueSourceArn"};
  for (const auto& n : system_names)
    if (!known.count(n))
      throw SqsError("InvalidAttributeName", "InvalidAttributeName", "Unknown Attribute " + n + ".");
  const auto attribute_names = get_string_list(c.params, "MessageAttributeNames");

  Json messages = Json::array();
  for (const Message& m : c.store.receive(queue, r)) {
    Json out = {{"MessageId", m.id},
                {"ReceiptHandle", m.receipt_handle},
                {"MD5OfBody", md5_hex(m.body)},
                {"Body", m.body}};
    std::vector<std::pair<std::string, std::string>> system = {
        {"SenderId", m.sender_id},
        {"ApproximateFirstReceiveTimestamp", std::to_string(m.first_receive_ms)},
        {"ApproximateReceiveCount", std::to_string(m.receive_count)},
        {"SentTimestamp", std::to_string(m.sent_ms)}};
    if (m.group_id) system.emplace_back("MessageGroupId", *m.group_id);
    if (m.deduplication_id && !m.sequence_number.empty())
      system.emplace_back("MessageDeduplicationId", *m.deduplication_id);
    if (!m.sequence_number.empty()) system.emplace_back("SequenceNumber", m.sequence_number);
    if (auto it = m.system_attributes.find("AWSTraceHeader"); it != m.system_attributes.end())
      system.emplace_back("AWSTraceHeader", it->second.string_value);
    if (!m.dead_letter_source_arn.empty())
      system.emplace_back("DeadLetterQueueSourceArn", m.dead_letter_source_arn);
    Json attributes = Json::object();
    for (const auto& [name, value] : system)
      if (selects(system_names, name)) attributes[name] = value;
    if (!attributes.empty()) out["Attributes"] = std::move(attributes);
    MessageAttributes chosen;
    for (const auto& [name, a] : m.attributes)
      if (selects(attribute_names, name)) chosen[name] = a;
    // The digest covers the attributes returned, which is what a client can check.
    if (!chosen.empty()) {
      out["MD5OfMessageAttributes"] = md5_of_attributes(chosen);
      out["MessageAttributes"] = attributes_json(chosen);
    }
    messages.push_back(std::move(out));
  }
  Json out = Json::object();
  if (!messages.empty()) out["Messages"] = std::move(messages);
  return out;
}

Json delete_message(Context& c) {
  c.store.delete_message(c.queue_name(), require_string(c.params, "ReceiptHandle"));
  return Json::object();
}

Json delete_message_batch(Context& c) {
  const std::string queue = c.queue_name();
  c.store.queue(queue);
  return run_batch(batch_entries(c.params, "DeleteMessageBatchRequestEntry"), [&](const Json& e) {
    c.store.delete_message(queue, require_string(e, "ReceiptHandle"));
    return Json::object();
  });
}

int require_visibility(const Json& p) {
  auto v = get_int(p, "VisibilityTimeout");
  if (!v) throw SqsError::missing_parameter("VisibilityTimeout");
  return *v;
}

Json change_message_visibility(Context& c) {
  c.store.change_visibility(c.queue_name(), require_string(c.params, "ReceiptHandle"),
                            require_visibility(c.params));
  return Json::object();
}

Json change_message_visibility_batch(Context& c) {
  const std::string queue = c.queue_name();
  c.store.queue(queue);
  return run_batch(batch_entries(c.params, "ChangeMessageVisibilityBatchRequestEntry"), [&](const Json& e) {
    c.store.change_visibility(queue, require_string(e, "ReceiptHandle"), require_visibility(e));
    return Json::object();
  });
}

Json purge_queue(Context& c) {
  c.store.purge(c.queue_name());
  return Json::object();
}

using Operation = Json (*)(Context&);

const std::map<std::string, Operation, std::less<>>& operations() {
  static const std::map<std::string, Operation, std::less<>> ops = {
      {"CreateQueue", create_queue},
      {"DeleteQueue", delete_queue},
      {"GetQueueUrl", get_queue_url},
      {"ListQueues", list_queues},
      {"GetQueueAttributes", get_queue_attributes},
      {"SetQueueAttributes", set_queue_attributes},
      {"SendMessage", send_message},
      {"SendMessageBatch", send_message_batch},
      {"ReceiveMessage", receive_message},
      {"DeleteMessage", delete_message},
      {"DeleteMessageBatch", delete_message_batch},
      {"ChangeMessageVisibility", change_message_visibility},
      {"ChangeMessageVisibilityBatch", change_message_visibility_batch},
      {"PurgeQueue", purge_queue},
      {"TagQueue", tag_queue},
      {"UntagQueue", untag_queue},
      {"ListQueueTags", list_queue_tags},
      {"ListDeadLetterSourceQueues", list_dead_letter_source_queues},
  };
  return ops;
}

bool is_form(const Request& request) {
  return request.header("Content-Type").find("application/x-www-form-urlencoded") != std::string::npos;
}

}  // namespace

SqsApi::SqsApi(SqsStore& store, SqsApiOptions options) : m_store(store), m_options(std::move(options)) {}

bool SqsApi::is_sqs_request(const Request& request) {
  const std::string target = request.header("X-Amz-Target");
  if (!target.empty()) return target.rfind(kTargetPrefix, 0) == 0;
  std::optional<std::string> action = request.query_param("Action");
  if (!action && is_form(request))
    for (const auto& [k, v] : net::wire::parse_query(request.body))
      if (k == "Action") action = v;
  return action && operations().count(*action) > 0;
}

Response SqsApi::handle(const Request& request) const {
  const std::string request_id = new_request_id();
  const std::string target = request.header("X-Amz-Target");
  const Protocol protocol = target.empty() ? Protocol::query : Protocol::json;
  try {
    Json params;
    std::string op;
    std::string path_queue;
    if (protocol == Protocol::json) {
      if (target.rfind(kTargetPrefix, 0) != 0)
        throw SqsError("UnknownOperationException", "InvalidAction",
                       "The action " + target + " is not valid for this endpoint.");
      op = target.substr(kTargetPrefix.size());
      params = request.body.empty() ? Json::object() : Json::parse(request.body, nullptr, false);
      if (!params.is_object())
        throw SqsError("SerializationException", "SerializationException",
                       "The request body is not valid JSON.");
    } else {
      net::wire::Fields fields = request.query_params;
      if (is_form(request))
        for (auto& f : net::wire::parse_query(request.body)) fields.push_back(std::move(f));
      params = form_to_json(fields);
      auto action = get_string(params, "Action");
      if (!action || action->empty())
        throw SqsError("MissingAction", "MissingAction", "The request must contain the parameter Action.");
      op = *action;
      // POST http://host/000000000000/name names the queue without a QueueUrl parameter.
      const std::string path = net::wire::percent_decode(request.path, false);
      if (std::count(path.begin(), path.end(), '/') == 2 && path.size() > 1)
        path_queue = queue_name_from_url(path);
    }
    const auto it = operations().find(op);
    if (it == operations().end())
      throw SqsError(protocol == Protocol::json ? "UnknownOperationException" : "InvalidAction",
                     "InvalidAction", "The action " + op + " is not valid for this endpoint.");
    std::string host = request.header("Host");
    if (host.empty()) host = m_options.default_host;
    Context context{m_store, params, host, path_queue};
    return success(protocol, op, it->second(context), request_id);
  } catch (const SqsError& e) {
    return failure(protocol, e, request_id);
  } catch (const Json::exception& e) {
    // A member of the wrong JSON type (a number where a string belongs, ...): the client's fault.
    return failure(protocol, SqsError::invalid_parameter(std::string("Invalid request: ") + e.what()),
                   request_id);
  } catch (const std::exception& e) {
    return failure(protocol, SqsError("InternalError", "InternalError", e.what(), 500), request_id);
  }
}

}  // namespace stratus::triggers::sqs
