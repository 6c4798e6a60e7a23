// The registry's versions, aliases and provisioned concurrency configurations (registry.hpp).
#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include "emulator/platform/registry.hpp"
#include "emulator/store/database.hpp"

namespace stratus::platform {

namespace {

using Json = nlohmann::json;

// A version's snapshot as stored: every field but the URL (a version has none here).
std::string snapshot_text(const FunctionRecord& r) {
  Json env = Json::object();
  for (const auto& [key, value] : r.environment) env[key] = value;
  return Json{
      {"runtime", r.runtime},           {"handler", r.handler},           {"role", r.role},
      {"description", r.description},   {"memory_mb", r.memory_mb},       {"timeout_s", r.timeout_s},
      {"ephemeral_mb", r.ephemeral_mb}, {"architecture", r.architecture}, {"environment", env},
      {"code_sha256", r.code_sha256},   {"code_size", r.code_size},       {"last_modified", r.last_modified},
      {"revision_id", r.revision_id}}
      .dump();
}

FunctionRecord snapshot_of(const std::string& account_id, const std::string& name, const std::string& text) {
  FunctionRecord r;
  r.account_id = account_id;
  r.name = name;
  const Json j = Json::parse(text, nullptr, false);
  if (!j.is_object()) return r;  // a damaged row reads as an empty configuration, never a crash
  r.runtime = j.value("runtime", "");
  r.handler = j.value("handler", "");
  r.role = j.value("role", "");
  r.description = j.value("description", "");
  r.memory_mb = j.value("memory_mb", 128);
  r.timeout_s = j.value("timeout_s", 3);
  r.ephemeral_mb = j.value("ephemeral_mb", 512);
  r.architecture = j.value("architecture", "x86_64");
  if (j.contains("environment") && j["environment"].is_object())
    for (const auto& [key, value] : j["environment"].items())
      if (value.is_string()) r.environment.emplace_back(key, value.get<std::string>());
  r.code_sha256 = j.value("code_sha256", "");
  r.code_size = j.value("code_size", std::int64_t{0});
  r.last_modified = j.value("last_modified", "");
  r.revision_id = j.value("revision_id", "");
  return r;
}

AliasRecord read_alias(const store::Statement& st) {
  return AliasRecord{st.column_text(0), st.column_text(1), st.column_text(2),
                     st.column_text(3), st.column_text(4), st.column_text(5)};
}

ProvisionedConfig read_provisioned(const store::Statement& st) {
  return ProvisionedConfig{st.column_text(0), st.column_text(1), st.column_text(2),
                           static_cast<int>(st.column_int64(3)), st.column_text(4)};
}

constexpr const char* kAliasColumns =
    "account_id, function, name, function_version, description, revision_id";
constexpr const char* kProvisionedColumns = "account_id, function, qualifier, requested, last_modified";

}  // namespace

int Registry::publish_version(const FunctionRecord& snapshot) {
  std::lock_guard lock(m_mutex);
  m_db->exec("BEGIN IMMEDIATE");
  try {
    int number = 1;
    {
      store::Statement st(*m_db, "SELECT last FROM version_counters WHERE account_id = ?1 AND name = ?2");
      st.bind(1, snapshot.account_id).bind(2, snapshot.name);
      if (st.step()) number = static_cast<int>(st.column_int64(0)) + 1;
    }
    store::Statement counter(*m_db,
                             "INSERT OR REPLACE INTO version_counters (account_id, name, last) "
                             "VALUES (?1, ?2, ?3)");
    counter.bind(1, snapshot.account_id).bind(2, snapshot.name).bind(3, std::int64_t{number});
    counter.step();
    store::Statement st(*m_db,
                        "INSERT INTO versions (account_id, name, number, record) VALUES (?1, ?2, ?3, ?4)");
    st.bind(1, snapshot.account_id).bind(2, snapshot.name).bind(3, std::int64_t{number});
    st.bind(4, snapshot_text(snapshot));
    st.step();
    m_db->exec("COMMIT");
    return number;
  } catch (...) {
    m_db->exec("ROLLBACK");
    throw;
  }
}

std::vector<VersionRecord> Registry::versions(const std::string& account_id, const std::string& name) {
  std::lock_guard lock(m_mutex);
  store::Statement st(
      *m_db, "SELECT number, record FROM versions WHERE account_id = ?1 AND name = ?2 ORDER BY number");
  st.bind(1, account_id).bind(2, name);
  std::vector<VersionRecord> out;
  while (st.step())
    out.push_back(VersionRecord{static_cast<int>(st.column_int64(0)),
                                snapshot_of(account_id, name, st.column_text(1))});
  return out;
}

std::optional<VersionRecord> Registry::find_version(const std::string& account_id, const std::string& name,
                                                    int number) {
  std::lock_guard lock(m_mutex);
  store::Statement st(*m_db,
                      "SELECT record FROM versions WHERE account_id = ?1 AND name = ?2 AND number = ?3");
  st.bind(1, account_id).bind(2, name).bind(3, std::int64_t{number});
  if (!st.step()) return std::nullopt;
  return VersionRecord{number, snapshot_of(account_id, name, st.column_text(0))};
}

bool Registry::remove_version(const std::string& account_id, const std::string& name, int number) {
  std::lock_guard lock(m_mutex);
  store::Statement st(*m_db, "DELETE FROM versions WHERE account_id = ?1 AND name = ?2 AND number = ?3");
  st.bind(1, account_id).bind(2, name).bind(3, std::int64_t{number});
  st.step();
  return sqlite3_changes(m_db->handle()) > 0;
}

std::vector<AliasRecord> Registry::aliases(const std::string& account_id, const std::string& function) {
  std::lock_guard lock(m_mutex);
  store::Statement st(*m_db, std::string("SELECT ") + kAliasColumns +
                                 " FROM aliases WHERE account_id = ?1 AND function = ?2 ORDER BY name");
  st.bind(1, account_id).bind(2, function);
  std::vector<AliasRecord> out;
  while (st.step()) out.push_back(read_alias(st));
  return out;
}

std::optional<AliasRecord> Registry::find_alias(const std::string& account_id, const std::string& function,
                                                const std::string& name) {
  std::lock_guard lock(m_mutex);
  store::Statement st(*m_db, std::string("SELECT ") + kAliasColumns +
                                 " FROM aliases WHERE account_id = ?1 AND function = ?2 AND name = ?3");
  st.bind(1, account_id).bind(2, function).bind(3, name);
  if (!st.step()) return std::nullopt;
  return read_alias(st);
}

bool Registry::insert_alias(const AliasRecord& a) {
  std::lock_guard lock(m_mutex);
  store::Statement st(*m_db, std::string("INSERT OR IGNORE INTO aliases (") + kAliasColumns +
                                 ") VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  st.bind(1, a.account_id).bind(2, a.function).bind(3, a.name).bind(4, a.function_version);
  st.bind(5, a.description).bind(6, a.revision_id);
  st.step();
  return sqlite3_changes(m_db->handle()) > 0;
}

bool Registry::update_alias(const AliasRecord& a) {
  std::lock_guard lock(m_mutex);
  store::Statement st(*m_db,
                      "UPDATE aliases SET function_version = ?4, description = ?5, revision_id = ?6 "
                      "WHERE account_id = ?1 AND function = ?2 AND name = ?3");
  st.bind(1, a.account_id).bind(2, a.function).bind(3, a.name).bind(4, a.function_version);
  st.bind(5, a.description).bind(6, a.revision_id);
  st.step();
  return sqlite3_changes(m_db->handle()) > 0;
}

bool Registry::remove_alias(const std::string& account_id, const std::string& function,
                            const std::string& name) {
  std::lock_guard lock(m_mutex);
  store::Statement st(*m_db, "DELETE FROM aliases WHERE account_id = ?1 AND function = ?2 AND name = ?3");
  st.bind(1, account_id).bind(2, function).bind(3, name);
  st.step();
  return sqlite3_changes(m_db->handle()) > 0;
}

void Registry::put_provisioned(const ProvisionedConfig& c) {
  std::lock_guard lock(m_mutex);
  store::Statement st(*m_db, std::string("INSERT OR REPLACE INTO provisioned (") + kProvisionedColumns +
                                 ") VALUES (?1, ?2, ?3, ?4, ?5)");
  st.bind(1, c.account_id).bind(2, c.function).bind(3, c.qualifier).bind(4, std::int64_t{c.requested});
  st.bind(5, c.last_modified);
  st.step();
}

std::vector<ProvisionedConfig> Registry::provisioned(const std::string& account_id,
                                                     const std::string& function) {
  std::lock_guard lock(m_mutex);
  store::Statement st(*m_db,
                      std::string("SELECT ") + kProvisionedColumns +
                          " FROM provisioned WHERE account_id = ?1 AND function = ?2 ORDER BY qualifier");
  st.bind(1, account_id).bind(2, function);
  std::vector<ProvisionedConfig> out;
  while (st.step()) out.push_back(read_provisioned(st));
  return out;
}

std::vector<ProvisionedConfig> Registry::all_provisioned() {
  std::lock_guard lock(m_mutex);
  store::Statement st(*m_db, std::string("SELECT ") + kProvisionedColumns +
                                 " FROM provisioned ORDER BY account_id, function, qualifier");
  std::vector<ProvisionedConfig> out;
  while (st.step()) out.push_back(read_provisioned(st));
  return out;
}

bool Registry::remove_provisioned(const std::string& account_id, const std::string& function,
                                  const std::string& qualifier) {
  std::lock_guard lock(m_mutex);
  store::Statement st(*m_db,
                      "DELETE FROM provisioned WHERE account_id = ?1 AND function = ?2 AND qualifier = ?3");
  st.bind(1, account_id).bind(2, function).bind(3, qualifier);
  st.step();
  return sqlite3_changes(m_db->handle()) > 0;
}

}  // namespace stratus::platform
