#pragma once
// Typed calls to IAM (query protocol, version 2010-05-08; answers read with xml.hpp) for the
// deployer's execution role: roles, their inline policies and tags. Every failure becomes a
// UserError (exit 1) that says what was being done and carries AwsError::describe().
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace stratus::aws {

class Client;

struct IamRole {
  std::string name;
  std::string arn;
  std::string assume_role_policy;  // the trust policy, JSON text (decoded)
  std::map<std::string, std::string> tags;
};

class IamApi {
 public:
  explicit IamApi(Client& client) : m_client(client) {}

  std::optional<IamRole> get_role(const std::string& name);  // nullopt: NoSuchEntity
  IamRole create_role(const std::string& name, const std::string& trust_policy,
                      const std::map<std::string, std::string>& tags);
  void tag_role(const std::string& name, const std::map<std::string, std::string>& tags);
  void delete_role(const std::string& name);

  std::vector<std::string> list_role_policies(const std::string& role);
  // The inline policy's document (JSON text, decoded); nullopt when there is none of that name.
  std::optional<std::string> get_role_policy(const std::string& role, const std::string& policy);
  void put_role_policy(const std::string& role, const std::string& policy, const std::string& document);
  void delete_role_policy(const std::string& role, const std::string& policy);

 private:
  Client& m_client;
};

// Lambda's trust policy: lambda.amazonaws.com may assume the role.
std::string lambda_trust_policy();

// A form-encoded query-protocol body: Action, Version 2010-05-08 and `params`, in that order.
std::string iam_form(const std::string& action,
                     const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace stratus::aws
