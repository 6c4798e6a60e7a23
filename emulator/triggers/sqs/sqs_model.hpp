#pragma once
// What SQS queues and messages are, apart from where they are kept: the errors clients cause (with
// both of AWS's codes), message attributes and their digests, and queue attributes with their
// validation. Facts from the SQS Developer Guide and API Reference (2012-11-05).
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace stratus::triggers::sqs {

// An error a client caused, with both of AWS's codes: `code` names the error shape in the JSON
// protocol (com.amazonaws.sqs#<code>), `query_code` the legacy Query code (also sent in
// x-amzn-query-error).
class SqsError : public std::runtime_error {
 public:
  SqsError(std::string code, std::string query_code, const std::string& message, int status = 400)
      : std::runtime_error(message),
        m_code(std::move(code)),
        m_query_code(std::move(query_code)),
        m_status(status) {}
  const std::string& code() const { return m_code; }
  const std::string& query_code() const { return m_query_code; }
  int status() const { return m_status; }
  bool sender_fault() const { return m_status < 500; }

  static SqsError queue_does_not_exist();
  static SqsError invalid_parameter(const std::string& message);
  static SqsError missing_parameter(const std::string& name);

 private:
  std::string m_code;
  std::string m_query_code;
  int m_status;
};

struct MessageAttribute {
  std::string data_type;     // "String", "Number", "Binary", or one of them with ".label"
  std::string string_value;  // String and Number
  std::string binary_value;  // Binary: the raw bytes (base64 only on the wire)
  bool is_binary() const { return data_type.rfind("Binary", 0) == 0; }
  bool operator==(const MessageAttribute&) const = default;
};
// Sorted by name, as the attribute MD5 needs them.
using MessageAttributes = std::map<std::string, MessageAttribute>;

// MD5 (lowercase hex) of a body, and of attributes as SDKs verify MD5OfMessageAttributes: over the
// attributes sorted by name, each as length-prefixed name, data type, a transport byte (1 string,
// 2 binary) and length-prefixed value; lengths are 4-byte big-endian. "" for no attributes.
std::string md5_hex(std::string_view bytes);
std::string md5_of_attributes(const MessageAttributes& attributes);

struct RedrivePolicy {
  std::string dead_letter_target_arn;
  int max_receive_count = 0;
};

// An attribute's value as SQS keeps and returns it: a RedrivePolicy with maxReceiveCount as a number,
// whichever form it was given in; any other value as given.
std::string canonical_attribute(const std::string& name, const std::string& value);

// A queue's settings, parsed from its attribute strings.
struct QueueSettings {
  std::map<std::string, std::string> attributes;  // as set (with defaults), string values
  int visibility_timeout = 30;
  int delay_seconds = 0;
  int receive_wait_seconds = 0;
  std::int64_t maximum_message_size = 1048576;
  std::int64_t retention_seconds = 345600;
  bool fifo = false;
  bool content_based_deduplication = false;
  std::optional<RedrivePolicy> redrive;
};

// Checks and normalises queue attributes as CreateQueue / SetQueueAttributes receive them; throws
// InvalidAttributeName / InvalidAttributeValue. `creating` allows FifoQueue.
QueueSettings parse_queue_settings(const std::map<std::string, std::string>& attributes);
void validate_queue_attributes(const std::map<std::string, std::string>& attributes, bool fifo,
                               bool creating);

// Queue names: 1-80 of [A-Za-z0-9_-], FIFO queues with the ".fifo" suffix (counted in the 80).
bool valid_queue_name(const std::string& name, bool fifo);

// The characters a message body or String attribute may carry (XML 1.0 Char, in UTF-8).
bool valid_message_text(std::string_view text);

// Throws InvalidParameterValue / InvalidMessageContents for attributes SendMessage must refuse:
// more than 10, bad names (AWS./Amazon. prefixes, dots at the ends or doubled), unknown type
// prefixes, empty values, Numbers that are not numbers.
void validate_message_attributes(const MessageAttributes& attributes);

// What attributes add to a message's size: names, types and values.
std::size_t attributes_size(const MessageAttributes& attributes);

// "arn:aws:sqs:r:a:name" -> "name"
std::string queue_name_of_arn(const std::string& arn);

}  // namespace stratus::triggers::sqs
