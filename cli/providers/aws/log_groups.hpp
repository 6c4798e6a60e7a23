#pragma once
// What a deploy asks CloudWatch Logs (JSON 1.1, X-Amz-Target Logs_20140328.*) about the log groups
// of its functions: whether one exists and its retention, create (tagged), retention, tags, delete.
// Failures throw CallError ("cannot <doing> (<Action>): ...").
#include <map>
#include <optional>
#include <string>

#include "cli/providers/aws/client.hpp"

namespace stratus::aws {

struct LogGroup {
  std::string name;
  std::optional<int> retention_days;  // nullopt: never expire
};

class LogGroups {
 public:
  explicit LogGroups(Client& client) : m_client(client) {}

  // The group of exactly that name (DescribeLogGroups by prefix); nullopt when there is none.
  std::optional<LogGroup> find(const std::string& name);
  void create(const std::string& name, const std::map<std::string, std::string>& tags);
  void put_retention(const std::string& name, int days);
  void delete_retention(const std::string& name);
  std::map<std::string, std::string> tags(const std::string& name);  // ListTagsLogGroup
  void tag(const std::string& name, const std::map<std::string, std::string>& tags);
  void remove(const std::string& name);  // a group already gone is not an error

 private:
  Response call(const std::string& action, const std::string& body, const std::string& doing);
  Client& m_client;
};

}  // namespace stratus::aws
