#include "emulator/triggers/sqs/sqs_wire.hpp"

#include <algorithm>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "emulator/common/xml_escape.hpp"

namespace stratus::triggers::sqs {
namespace {

constexpr const char* kXmlNamespace = "http://queue.amazonaws.com/doc/2012-11-05/";

// Query parameters flatten lists and maps into numbered keys; these are the SQS members that do
// so, with the JSON name they have in the JSON protocol.
struct FlatMember {
  const char* query_name;
  const char* json_name;
  const char* key_field;  // maps: the entry's key member; nullptr for lists
  const char* value_field;
};
constexpr FlatMember kFlatMembers[] = {
    {"Attribute", "Attributes", "Name", "Value"},
    {"MessageAttribute", "MessageAttributes", "Name", "Value"},
    {"MessageSystemAttribute", "MessageSystemAttributes", "Name", "Value"},
    {"Tag", "tags", "Key", "Value"},
    {"AttributeName", "AttributeNames", nullptr, nullptr},
    {"MessageAttributeName", "MessageAttributeNames", nullptr, nullptr},
    {"MessageSystemAttributeName", "MessageSystemAttributeNames", nullptr, nullptr},
    {"TagKey", "TagKeys", nullptr, nullptr},
    {"SendMessageBatchRequestEntry", "Entries", nullptr, nullptr},
    {"DeleteMessageBatchRequestEntry", "Entries", nullptr, nullptr},
    {"ChangeMessageVisibilityBatchRequestEntry", "Entries", nullptr, nullptr},
};

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// {"1": a, "2": b} -> [a, b] in index order.
Json numbered_to_list(const Json& node) {
  std::vector<std::pair<long, const Json*>> items;
  for (auto it = node.begin(); it != node.end(); ++it) items.emplace_back(std::stol(it.key()), &it.value());
  std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  Json out = Json::array();
  for (const auto& [index, value] : items) out.push_back(*value);
  return out;
}

// A tree from Query keys ("MessageAttribute.1.Value.DataType") turned into the JSON protocol's
// shapes, so one implementation serves both protocols.
Json unflatten(const Json& node) {
  if (!node.is_object()) return node;
  Json out = Json::object();
  for (auto it = node.begin(); it != node.end(); ++it) {
    const FlatMember* member = nullptr;
    for (const auto& m : kFlatMembers)
      if (it.key() == m.query_name) member = &m;
    if (!member) {
      out[it.key()] = unflatten(it.value());
      continue;
    }
    Json items = Json::array();
    if (it.value().is_object()) {
      bool numbered = !it.value().empty();
      for (auto c = it.value().begin(); c != it.value().end(); ++c)
        numbered = numbered && all_digits(c.key());
      items = numbered ? numbered_to_list(it.value()) : Json::array({it.value()});
    } else {
      items.push_back(it.value());  // "AttributeName=All" without an index
    }
    if (!member->key_field) {
      Json list = Json::array();
      for (const auto& item : items) list.push_back(unflatten(item));
      if (out.contains(member->json_name) && out[member->json_name].is_array())
        for (auto& e : list) out[member->json_name].push_back(e);
      else
        out[member->json_name] = std::move(list);
      continue;
    }
    Json map = Json::object();
    for (const auto& item : items) {
      if (!item.is_object() || !item.contains(member->key_field) || !item[member->key_field].is_string())
        continue;
      map[item[member->key_field].get<std::string>()] =
          item.contains(member->value_field) ? unflatten(item[member->value_field]) : Json("");
    }
    out[member->json_name] = std::move(map);
  }
  return out;
}

}  // namespace

Json form_to_json(const net::wire::Fields& fields) {
  Json tree = Json::object();
  for (const auto& [key, value] : fields) {
    Json* node = &tree;
    std::size_t start = 0;
    while (true) {
      const std::size_t dot = key.find('.', start);
      const std::string part = key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      if (dot == std::string::npos) {
        if (node->is_object()) (*node)[part] = value;
        break;
      }
      Json& child = (*node)[part];
      if (!child.is_object()) child = Json::object();
      node = &child;
      start = dot + 1;
    }
  }
  return unflatten(tree);
}

namespace {

// --- responses --------------------------------------------------------------------------------

void write_xml(std::string& out, const std::string& op, const Json& value);

void write_element(std::string& out, const std::string& name, const std::string& op, const Json& value) {
  out += "<" + name + ">";
  if (value.is_object())
    write_xml(out, op, value);
  else if (value.is_string())
    out += xml_escape(value.get<std::string>());
  else if (value.is_boolean())
    out += value.get<bool>() ? "true" : "false";
  else
    out += value.dump();
  out += "</" + name + ">";
}

// The Query protocol's XML for a JSON-shaped result: lists and maps are flattened under the
// element names the Query model gives them.
void write_xml(std::string& out, const std::string& op, const Json& value) {
  for (auto it = value.begin(); it != value.end(); ++it) {
    const std::string& key = it.key();
    const Json& v = it.value();
    if (key == "Attributes" || key == "MessageAttributes") {
      const std::string element = key == "Attributes" ? "Attribute" : "MessageAttribute";
      for (auto a = v.begin(); a != v.end(); ++a) {
        out += "<" + element + "><Name>" + xml_escape(a.key()) + "</Name>";
        write_element(out, "Value", op, a.value());
        out += "</" + element + ">";
      }
    } else if (key == "Tags") {
      for (auto t = v.begin(); t != v.end(); ++t) {
        out += "<Tag><Key>" + xml_escape(t.key()) + "</Key>";
        write_element(out, "Value", op, t.value());
        out += "</Tag>";
      }
    } else if (key == "QueueUrls" || key == "queueUrls" || key == "Messages" || key == "Successful" ||
               key == "Failed") {
      const std::string element = key == "QueueUrls" || key == "queueUrls" ? "QueueUrl"
                                  : key == "Messages"                      ? "Message"
                                  : key == "Failed"                        ? "BatchResultErrorEntry"
                                                                           : op + "ResultEntry";
      for (const auto& item : v) write_element(out, element, op, item);
    } else {
      write_element(out, key, op, v);
    }
  }
}

bool has_result_element(const std::string& op) {
  static const std::set<std::string> ops = {"CreateQueue",
                                            "GetQueueUrl",
                                            "ListQueues",
                                            "GetQueueAttributes",
                                            "SendMessage",
                                            "SendMessageBatch",
                                            "ReceiveMessage",
                                            "DeleteMessageBatch",
                                            "ChangeMessageVisibilityBatch",
                                            "ListQueueTags",
                                            "ListDeadLetterSourceQueues"};
  return ops.count(op) > 0;
}

}  // namespace

net::wire::Response success(Protocol protocol, const std::string& op, const Json& result,
                            const std::string& request_id) {
  net::wire::Response res;
  res.headers.emplace_back("x-amzn-RequestId", request_id);
  if (protocol == Protocol::json) {
    res.content_type = "application/x-amz-json-1.0";
    res.body = result.dump();
    return res;
  }
  res.content_type = "text/xml";
  std::string& out = res.body;
  out = "<?xml version=\"1.0\"?><" + op + "Response xmlns=\"" + kXmlNamespace + "\">";
  if (has_result_element(op)) {
    out += "<" + op + "Result>";
    write_xml(out, op, result);
    out += "</" + op + "Result>";
  }
  out +=
      "<ResponseMetadata><RequestId>" + request_id + "</RequestId></ResponseMetadata></" + op + "Response>";
  return res;
}

net::wire::Response failure(Protocol protocol, const SqsError& e, const std::string& request_id) {
  net::wire::Response res;
  res.status = e.status();
  res.headers.emplace_back("x-amzn-RequestId", request_id);
  const char* type = e.sender_fault() ? "Sender" : "Receiver";
  if (protocol == Protocol::json) {
    res.content_type = "application/x-amz-json-1.0";
    res.headers.emplace_back("x-amzn-query-error", e.query_code() + ";" + type);
    res.body = Json{{"__type", "com.amazonaws.sqs#" + e.code()}, {"message", e.what()}}.dump();
    return res;
  }
  res.content_type = "text/xml";
  res.body = std::string("<?xml version=\"1.0\"?><ErrorResponse xmlns=\"") + kXmlNamespace +
             "\"><Error><Type>" + type + "</Type><Code>" + xml_escape(e.query_code()) + "</Code><Message>" +
             xml_escape(e.what()) + "</Message><Detail/></Error><RequestId>" + request_id +
             "</RequestId></ErrorResponse>";
  return res;
}

}  // namespace stratus::triggers::sqs
