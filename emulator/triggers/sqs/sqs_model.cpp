#include "emulator/triggers/sqs/sqs_model.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>
#include <set>
#include <span>

#include "emulator/common/sha256.hpp"

namespace stratus::triggers::sqs {

using nlohmann::json;

namespace {

SqsError invalid_attribute_name(const std::string& name) {
  return SqsError("InvalidAttributeName", "InvalidAttributeName", "Unknown Attribute " + name + ".");
}

SqsError invalid_attribute_value(const std::string& name) {
  return SqsError("InvalidAttributeValue", "InvalidAttributeValue",
                  "Invalid value for the parameter " + name + ".");
}

// --- parsing ------------------------------------------------------------------------------

std::optional<std::int64_t> parse_int(std::string_view text) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

std::int64_t int_attribute(const std::map<std::string, std::string>& attributes, const std::string& name,
                           std::int64_t fallback) {
  auto it = attributes.find(name);
  if (it == attributes.end()) return fallback;
  return parse_int(it->second).value_or(fallback);
}

bool is_true(const std::map<std::string, std::string>& attributes, const std::string& name) {
  auto it = attributes.find(name);
  return it != attributes.end() && it->second == "true";
}

std::optional<RedrivePolicy> parse_redrive(std::string_view text) {
  json doc = json::parse(text, nullptr, false);
  if (!doc.is_object() || !doc.contains("deadLetterTargetArn") || !doc.contains("maxReceiveCount"))
    return std::nullopt;
  const json& arn = doc["deadLetterTargetArn"];
  const json& count = doc["maxReceiveCount"];
  RedrivePolicy policy;
  if (!arn.is_string()) return std::nullopt;
  policy.dead_letter_target_arn = arn.get<std::string>();
  // AWS writes the count as a number; CloudFormation templates often carry it as a string.
  if (count.is_number_integer()) {
    policy.max_receive_count = count.get<int>();
  } else if (count.is_string()) {
    auto n = parse_int(count.get<std::string>());
    if (!n) return std::nullopt;
    policy.max_receive_count = static_cast<int>(*n);
  } else {
    return std::nullopt;
  }
  if (policy.max_receive_count < 1 || policy.max_receive_count > 1000) return std::nullopt;
  if (policy.dead_letter_target_arn.rfind("arn:", 0) != 0) return std::nullopt;
  return policy;
}

const std::set<std::string>& known_queue_attributes() {
  static const std::set<std::string> names = {"DelaySeconds",
                                              "MaximumMessageSize",
                                              "MessageRetentionPeriod",
                                              "Policy",
                                              "ReceiveMessageWaitTimeSeconds",
                                              "VisibilityTimeout",
                                              "RedrivePolicy",
                                              "RedriveAllowPolicy",
                                              "KmsMasterKeyId",
                                              "KmsDataKeyReusePeriodSeconds",
                                              "SqsManagedSseEnabled",
                                              "FifoQueue",
                                              "ContentBasedDeduplication",
                                              "DeduplicationScope",
                                              "FifoThroughputLimit"};
  return names;
}

void put_u32(std::string& out, std::size_t n) {
  const auto v = static_cast<std::uint32_t>(n);
  out.push_back(static_cast<char>((v >> 24) & 0xff));
  out.push_back(static_cast<char>((v >> 16) & 0xff));
  out.push_back(static_cast<char>((v >> 8) & 0xff));
  out.push_back(static_cast<char>(v & 0xff));
}

}  // namespace

std::string queue_name_of_arn(const std::string& arn) {
  const auto colon = arn.rfind(':');
  return colon == std::string::npos ? arn : arn.substr(colon + 1);
}

bool valid_queue_name(const std::string& name, bool fifo) {
  std::string_view base = name;
  if (fifo) {
    if (base.size() < 5 || base.substr(base.size() - 5) != ".fifo") return false;
    base.remove_suffix(5);
  }
  if (base.empty() || name.size() > 80) return false;
  return std::all_of(base.begin(), base.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

// The characters a message may carry (XML 1.0's Char production); anything else is rejected with
// InvalidMessageContents, as AWS does.
bool valid_message_text(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::uint32_t cp = 0;
    int extra = 0;
    if (c < 0x80) {
      cp = c;
    } else if ((c & 0xe0) == 0xc0) {
      cp = c & 0x1f, extra = 1;
    } else if ((c & 0xf0) == 0xe0) {
      cp = c & 0x0f, extra = 2;
    } else if ((c & 0xf8) == 0xf0) {
      cp = c & 0x07, extra = 3;
    } else {
      return false;
    }
    if (i + static_cast<std::size_t>(extra) >= text.size() && extra > 0) return false;
    for (int k = 1; k <= extra; ++k) {
      const auto cc = static_cast<unsigned char>(text[i + static_cast<std::size_t>(k)]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    i += 1 + static_cast<std::size_t>(extra);
    const bool ok = cp == 0x9 || cp == 0xa || cp == 0xd || (cp >= 0x20 && cp <= 0xd7ff) ||
                    (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
    if (!ok) return false;
  }
  return true;
}

std::size_t attributes_size(const MessageAttributes& attributes) {
  std::size_t size = 0;
  for (const auto& [name, a] : attributes)
    size +=
        name.size() + a.data_type.size() + (a.is_binary() ? a.binary_value.size() : a.string_value.size());
  return size;
}

void validate_message_attributes(const MessageAttributes& attributes) {
  if (attributes.size() > 10)
    throw SqsError::invalid_parameter("Number of message attributes [" + std::to_string(attributes.size()) +
                                      "] exceeds the allowed maximum [10].");
  for (const auto& [name, a] : attributes) {
    const bool name_ok =
        !name.empty() && name.size() <= 256 && name.front() != '.' && name.back() != '.' &&
        name.find("..") == std::string::npos && std::all_of(name.begin(), name.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
        });
    std::string lower = name.substr(0, 7);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (!name_ok || lower.rfind("aws.", 0) == 0 || lower.rfind("amazon.", 0) == 0)
      throw SqsError::invalid_parameter("Message (user) attribute name '" + name + "' is invalid.");
    if (a.data_type.empty())
      throw SqsError::invalid_parameter("The message attribute '" + name +
                                        "' must contain non-empty message attribute type.");
    const std::string base = a.data_type.substr(0, a.data_type.find('.'));
    if (base != "String" && base != "Number" && base != "Binary")
      throw SqsError::invalid_parameter(
          "The type of message (user) attribute '" + name +
          "' is invalid. You must use only the following supported type prefixes: "
          "Binary, Number, String.");
    if (a.is_binary() ? a.binary_value.empty() : a.string_value.empty())
      throw SqsError::invalid_parameter(
          "The message attribute '" + name +
          "' must contain non-empty message attribute value for message attribute type '" + a.data_type +
          "'.");
    if (base == "Number") {
      const std::string& v = a.string_value;
      std::size_t i = (v[0] == '-' || v[0] == '+') ? 1 : 0;
      bool digits = false, dot = false, ok = i < v.size();
      for (; i < v.size() && ok; ++i) {
        if (std::isdigit(static_cast<unsigned char>(v[i])))
          digits = true;
        else if (v[i] == '.' && !dot)
          dot = true;
        else if ((v[i] == 'e' || v[i] == 'E') && digits)
          break;
        else
          ok = false;
      }
      if (!ok || !digits)
        throw SqsError::invalid_parameter("Could not cast message attribute '" + name + "' value to number.");
    }
    if (!a.is_binary() && !valid_message_text(a.string_value))
      throw SqsError("InvalidMessageContents", "InvalidMessageContents",
                     "Invalid binary character in message attribute '" + name + "'.");
  }
}

// --- SqsError ---------------------------------------------------------------------------------

SqsError SqsError::queue_does_not_exist() {
  return SqsError("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue",
                  "The specified queue does not exist.");
}

SqsError SqsError::invalid_parameter(const std::string& message) {
  return SqsError("InvalidParameterValue", "InvalidParameterValue", message);
}

SqsError SqsError::missing_parameter(const std::string& name) {
  return SqsError("MissingParameter", "MissingParameter",
                  "The request must contain the parameter " + name + ".");
}

// --- digests ----------------------------------------------------------------------------------

std::string md5_hex(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest.data(), &size, EVP_md5(), nullptr);
  return to_hex(std::span<const unsigned char>(digest.data(), size));
}

std::string md5_of_attributes(const MessageAttributes& attributes) {
  if (attributes.empty()) return "";
  std::string buffer;
  for (const auto& [name, a] : attributes) {
    put_u32(buffer, name.size());
    buffer += name;
    put_u32(buffer, a.data_type.size());
    buffer += a.data_type;
    const std::string& value = a.is_binary() ? a.binary_value : a.string_value;
    buffer.push_back(a.is_binary() ? 2 : 1);
    put_u32(buffer, value.size());
    buffer += value;
  }
  return md5_hex(buffer);
}

// --- queue attributes -------------------------------------------------------------------------

void validate_queue_attributes(const std::map<std::string, std::string>& attributes, bool fifo,
                               bool creating) {
  static const std::set<std::string> fifo_only = {"ContentBasedDeduplication", "DeduplicationScope",
                                                  "FifoThroughputLimit"};
  struct Range {
    const char* name;
    std::int64_t low, high;
  };
  static const Range ranges[] = {{"DelaySeconds", 0, 900},
                                 {"MaximumMessageSize", 1024, 1048576},
                                 {"MessageRetentionPeriod", 60, 1209600},
                                 {"ReceiveMessageWaitTimeSeconds", 0, 20},
                                 {"VisibilityTimeout", 0, 43200},
                                 {"KmsDataKeyReusePeriodSeconds", 60, 86400}};
  for (const auto& [name, value] : attributes) {
    if (!known_queue_attributes().count(name)) throw invalid_attribute_name(name);
    if (name == "FifoQueue" && !creating) throw invalid_attribute_name(name);
    if (!fifo && fifo_only.count(name)) throw invalid_attribute_name(name);
    for (const Range& r : ranges) {
      if (name != r.name) continue;
      auto n = parse_int(value);
      if (!n || *n < r.low || *n > r.high) throw invalid_attribute_value(name);
    }
    if ((name == "FifoQueue" || name == "ContentBasedDeduplication" || name == "SqsManagedSseEnabled") &&
        value != "true" && value != "false")
      throw invalid_attribute_value(name);
    if (name == "RedrivePolicy" && !value.empty() && !parse_redrive(value))
      throw invalid_attribute_value(name);
    if (name == "DeduplicationScope" && value != "queue" && value != "messageGroup")
      throw invalid_attribute_value(name);
    if (name == "FifoThroughputLimit" && value != "perQueue" && value != "perMessageGroupId")
      throw invalid_attribute_value(name);
  }
}

namespace {

std::string redrive_text(const RedrivePolicy& policy) {
  return json{{"deadLetterTargetArn", policy.dead_letter_target_arn},
              {"maxReceiveCount", policy.max_receive_count}}
      .dump();
}

}  // namespace

std::string canonical_attribute(const std::string& name, const std::string& value) {
  if (name != "RedrivePolicy") return value;
  const auto policy = parse_redrive(value);
  return policy ? redrive_text(*policy) : value;
}

QueueSettings parse_queue_settings(const std::map<std::string, std::string>& attributes) {
  QueueSettings s;
  s.attributes = attributes;
  s.visibility_timeout = static_cast<int>(int_attribute(attributes, "VisibilityTimeout", 30));
  s.delay_seconds = static_cast<int>(int_attribute(attributes, "DelaySeconds", 0));
  s.receive_wait_seconds = static_cast<int>(int_attribute(attributes, "ReceiveMessageWaitTimeSeconds", 0));
  s.maximum_message_size = int_attribute(attributes, "MaximumMessageSize", 1048576);
  s.retention_seconds = int_attribute(attributes, "MessageRetentionPeriod", 345600);
  s.fifo = is_true(attributes, "FifoQueue");
  s.content_based_deduplication = is_true(attributes, "ContentBasedDeduplication");
  if (auto it = s.attributes.find("RedrivePolicy"); it != s.attributes.end()) {
    s.redrive = parse_redrive(it->second);
    if (s.redrive) it->second = redrive_text(*s.redrive);
  }
  return s;
}

}  // namespace stratus::triggers::sqs
