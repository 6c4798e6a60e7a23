#pragma once
// The functions a `stratus serve` platform holds, per account, in SQLite (DATA_DIR/serve.db), so
// that they survive a restart. The code itself is a folder on disk (FunctionRecord::code_dir);
// this holds what Lambda's control plane reports about it. Thread-safe: one connection behind a
// mutex (control-plane calls are rare next to invocations, which never touch the registry).
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace stratus::store {
class Database;
}

namespace stratus::platform {

// A function URL (CreateFunctionUrlConfig); only AuthType NONE is served.
struct UrlConfig {
  std::string url_id;  // 32 lower-case hex, as in https://<url-id>.lambda-url.<region>.on.aws
  std::string auth_type = "NONE";
  std::string invoke_mode = "BUFFERED";
  std::string creation_time;  // ISO 8601 as Lambda writes it
  std::string last_modified_time;
};

struct FunctionRecord {
  std::string account_id;
  std::string name;
  std::string runtime;
  std::string handler;
  std::string role;
  std::string description;
  int memory_mb = 128;  // CreateFunction's defaults
  int timeout_s = 3;
  int ephemeral_mb = 512;
  std::string architecture = "x86_64";
  std::vector<std::pair<std::string, std::string>> environment;  // sorted by name
  std::string code_sha256;                                       // base64 of the zip's SHA-256
  std::int64_t code_size = 0;                                    // the zip's bytes
  std::string last_modified;                                     // "2024-01-02T03:04:05.678+0000"
  std::string revision_id;                                       // a UUID, new on every change
  std::optional<UrlConfig> url;
};

// A published version (PublishVersion): an immutable snapshot of the function's configuration, its
// code in DATA_DIR/functions/<account>/<name>/versions/<number>. `function.revision_id`,
// `last_modified` and `description` are the version's own.
struct VersionRecord {
  int number = 0;
  FunctionRecord function;
};

// An alias (CreateAlias): a name for one version ("$LATEST" or a number).
struct AliasRecord {
  std::string account_id;
  std::string function;
  std::string name;
  std::string function_version;
  std::string description;
  std::string revision_id;  // a UUID, new on every change
};

// A provisioned concurrency configuration of a version or alias (its `qualifier`).
struct ProvisionedConfig {
  std::string account_id;
  std::string function;
  std::string qualifier;
  int requested = 0;
  std::string last_modified;  // "2026-11-23T12:00:00+0000"
};

class Registry {
 public:
  // Opens (creating) the database at `path` with the registry's own migrations. Throws
  // std::runtime_error naming the file.
  explicit Registry(const std::filesystem::path& path);
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Every function of every account, by account then name (for a start-up).
  std::vector<FunctionRecord> all();
  // One account's functions, by name.
  std::vector<FunctionRecord> list(const std::string& account_id);
  std::optional<FunctionRecord> find(const std::string& account_id, const std::string& name);
  // The function a URL id belongs to.
  std::optional<FunctionRecord> find_by_url(const std::string& url_id);

  // False (and nothing written) when the account already has a function of that name.
  bool insert(const FunctionRecord& record);
  // Replaces the stored record of (account_id, name), URL included; false when there is none.
  bool update(const FunctionRecord& record);
  // False when there was none. Also removes the function's versions, aliases and provisioned
  // concurrency configurations, and forgets its version numbers (a new function starts at 1).
  bool remove(const std::string& account_id, const std::string& name);

  // Versions (registry_versions.cpp). publish_version stores `snapshot` under the next number of
  // its function (one more than any it ever had: numbers are never reused) and returns it.
  int publish_version(const FunctionRecord& snapshot);
  // The function's versions, oldest first.
  std::vector<VersionRecord> versions(const std::string& account_id, const std::string& name);
  std::optional<VersionRecord> find_version(const std::string& account_id, const std::string& name,
                                            int number);
  bool remove_version(const std::string& account_id, const std::string& name, int number);

  // Aliases, by name. insert_alias is false (nothing written) when the alias exists.
  std::vector<AliasRecord> aliases(const std::string& account_id, const std::string& function);
  std::optional<AliasRecord> find_alias(const std::string& account_id, const std::string& function,
                                        const std::string& name);
  bool insert_alias(const AliasRecord& alias);
  bool update_alias(const AliasRecord& alias);
  bool remove_alias(const std::string& account_id, const std::string& function, const std::string& name);

  // Provisioned concurrency configurations; put replaces the one of the same qualifier.
  void put_provisioned(const ProvisionedConfig& config);
  std::vector<ProvisionedConfig> provisioned(const std::string& account_id, const std::string& function);
  std::vector<ProvisionedConfig> all_provisioned();
  bool remove_provisioned(const std::string& account_id, const std::string& function,
                          const std::string& qualifier);

 private:
  std::vector<FunctionRecord> query(const std::string& where, const std::vector<std::string>& params);
  std::mutex m_mutex;
  std::unique_ptr<store::Database> m_db;
};

}  // namespace stratus::platform
