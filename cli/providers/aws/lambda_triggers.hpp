#pragma once
// The parts of Lambda's API that connect a function to its triggers: resource-based policy
// statements (AddPermission / GetPolicy / RemovePermission) and event source mappings
// (Create/List/Update/DeleteEventSourceMapping). rest-json, API version 2015-03-31.
#include <optional>
#include <string>
#include <vector>

#include "cli/providers/aws/client.hpp"

namespace stratus::aws {

// One statement of a function's policy, as GetPolicy answers it.
struct PolicyStatement {
  std::string sid;
  std::string principal;       // the service principal ("events.amazonaws.com"), or "" when not a service
  std::string source_arn;      // Condition.ArnLike.AWS:SourceArn, "" when absent
  std::string source_account;  // Condition.StringEquals.AWS:SourceAccount, "" when absent
};

struct PermissionRequest {
  std::string function;  // name or ARN
  std::string sid;       // [A-Za-z0-9-_]{1,100}
  std::string principal;
  std::string source_arn;      // "" = not sent
  std::string source_account;  // "" = not sent
  std::string action = "lambda:InvokeFunction";
  std::string function_url_auth_type;     // FunctionUrlAuthType, "" = not sent
  bool invoked_via_function_url = false;  // InvokedViaFunctionUrl
  bool exists_ok = false;                 // a statement of that id already there (409) counts as done
};

// The settings of an event source mapping that a deploy sets.
struct EventSourceMapping {
  std::string uuid;  // "" before it exists
  std::string function_arn;
  std::string event_source_arn;
  int batch_size = 10;
  int maximum_batching_window = 0;
  bool enabled = true;
  bool report_batch_item_failures = false;  // FunctionResponseTypes ["ReportBatchItemFailures"]
  std::string filter_criteria;              // canonical JSON of FilterCriteria, "" when none
};

class LambdaTriggers {
 public:
  explicit LambdaTriggers(Client& client) : m_client(client) {}

  // The function's policy statements; empty when the function or its policy does not exist.
  std::vector<PolicyStatement> policy(const std::string& function);
  void add_permission(const PermissionRequest& request);
  // The statements a public (AuthType NONE) function URL needs: since October 2025 AWS asks for both
  // lambda:InvokeFunctionUrl and lambda:InvokeFunction (the latter only for calls via the URL).
  void allow_public_url(const std::string& function);
  // A missing statement or function is not an error (it is gone already).
  void remove_permission(const std::string& function, const std::string& sid);

  // Every mapping whose source is `event_source_arn` (all pages).
  std::vector<EventSourceMapping> mappings_for_source(const std::string& event_source_arn);
  // Every mapping of `function` (name or ARN; all pages); empty when the function does not exist.
  std::vector<EventSourceMapping> mappings_for_function(const std::string& function);
  // Returns the new mapping's UUID.
  std::string create_mapping(const EventSourceMapping& mapping);
  void update_mapping(const EventSourceMapping& mapping);  // by uuid: the settings above
  void delete_mapping(const std::string& uuid);

 private:
  std::vector<EventSourceMapping> list_mappings(const std::string& key, const std::string& value,
                                                bool missing_is_empty);
  Client& m_client;
};

}  // namespace stratus::aws
