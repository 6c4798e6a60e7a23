#pragma once
// S3, as the triggers need it (rest-xml, path-style): a bucket's notification configuration
// (GET/PUT /<bucket>?notification) and the bucket itself (HEAD, PUT with tags, DELETE).
#include <map>
#include <string>
#include <vector>

#include "cli/providers/aws/client.hpp"
#include "cli/providers/aws/xml.hpp"

namespace stratus::aws {

// One LambdaFunctionConfiguration (CloudFunctionConfiguration on the wire).
struct LambdaNotification {
  std::string id;
  std::string function_arn;
  std::vector<std::string> events;
  std::string prefix;  // "" = no prefix rule
  std::string suffix;  // "" = no suffix rule

  friend bool operator==(const LambdaNotification&, const LambdaNotification&) = default;
};

struct NotificationConfiguration {
  std::vector<LambdaNotification> lambdas;
  std::vector<XmlElement> others;  // topic, queue and EventBridge entries: written back as read
};

class S3 {
 public:
  explicit S3(Client& client) : m_client(client) {}

  NotificationConfiguration notifications(const std::string& bucket);
  void put_notifications(const std::string& bucket, const NotificationConfiguration& configuration);

  // HEAD /<bucket>: false on 404; true otherwise when the answer is 2xx or 403 (it exists, someone's).
  bool bucket_exists(const std::string& bucket);
  // Creates the bucket in `region` and tags it.
  void create_bucket(const std::string& bucket, const std::string& region,
                     const std::map<std::string, std::string>& tags);
  // The bucket's tags; empty when it has none or does not exist.
  std::map<std::string, std::string> bucket_tags(const std::string& bucket);
  void delete_bucket(const std::string& bucket);

 private:
  Client& m_client;
};

// The XML text PUT ?notification sends (exposed for tests).
std::string notification_xml(const NotificationConfiguration& configuration);

}  // namespace stratus::aws
