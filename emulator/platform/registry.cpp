#include "emulator/platform/registry.hpp"

#include <sqlite3.h>

#include <array>
#include <nlohmann/json.hpp>
#include <string_view>

#include "emulator/store/database.hpp"

namespace stratus::platform {

namespace {

// Each entry takes the schema one version up; never edit one that has shipped, append instead.
constexpr std::array<std::string_view, 2> kMigrations{
    // 1: functions, keyed by account and name; the environment as a JSON object; the URL inline.
    R"sql(
CREATE TABLE functions (
  account_id TEXT NOT NULL,
  name TEXT NOT NULL,
  runtime TEXT NOT NULL,
  handler TEXT NOT NULL,
  role TEXT NOT NULL,
  description TEXT NOT NULL,
  memory_mb INTEGER NOT NULL,
  timeout_s INTEGER NOT NULL,
  ephemeral_mb INTEGER NOT NULL,
  architecture TEXT NOT NULL,
  environment TEXT NOT NULL,
  code_sha256 TEXT NOT NULL,
  code_size INTEGER NOT NULL,
  last_modified TEXT NOT NULL,
  revision_id TEXT NOT NULL,
  url_id TEXT UNIQUE,
  url_auth_type TEXT,
  url_invoke_mode TEXT,
  url_creation_time TEXT,
  url_last_modified_time TEXT,
  PRIMARY KEY (account_id, name)
);
)sql",
    // 2: versions (a snapshot of the function's record as JSON), the last number each function
    // used, aliases, provisioned concurrency configurations.
    R"sql(
CREATE TABLE versions (
  account_id TEXT NOT NULL,
  name TEXT NOT NULL,
  number INTEGER NOT NULL,
  record TEXT NOT NULL,
  PRIMARY KEY (account_id, name, number)
);
CREATE TABLE version_counters (
  account_id TEXT NOT NULL,
  name TEXT NOT NULL,
  last INTEGER NOT NULL,
  PRIMARY KEY (account_id, name)
);
CREATE TABLE aliases (
  account_id TEXT NOT NULL,
  function TEXT NOT NULL,
  name TEXT NOT NULL,
  function_version TEXT NOT NULL,
  description TEXT NOT NULL,
  revision_id TEXT NOT NULL,
  PRIMARY KEY (account_id, function, name)
);
CREATE TABLE provisioned (
  account_id TEXT NOT NULL,
  function TEXT NOT NULL,
  qualifier TEXT NOT NULL,
  requested INTEGER NOT NULL,
  last_modified TEXT NOT NULL,
  PRIMARY KEY (account_id, function, qualifier)
);
)sql",
};

constexpr std::string_view kColumns =
    "account_id, name, runtime, handler, role, description, memory_mb, timeout_s, ephemeral_mb, "
    "architecture, environment, code_sha256, code_size, last_modified, revision_id, url_id, url_auth_type, "
    "url_invoke_mode, url_creation_time, url_last_modified_time";

std::string environment_text(const FunctionRecord& r) {
  nlohmann::json env = nlohmann::json::object();
  for (const auto& [key, value] : r.environment) env[key] = value;
  return env.dump();
}

// Binds every column of `r` in kColumns' order, from parameter 1.
void bind_record(store::Statement& st, const FunctionRecord& r) {
  st.bind(1, r.account_id).bind(2, r.name).bind(3, r.runtime).bind(4, r.handler).bind(5, r.role);
  st.bind(6, r.description).bind(7, std::int64_t{r.memory_mb}).bind(8, std::int64_t{r.timeout_s});
  st.bind(9, std::int64_t{r.ephemeral_mb}).bind(10, r.architecture).bind(11, environment_text(r));
  st.bind(12, r.code_sha256).bind(13, r.code_size).bind(14, r.last_modified).bind(15, r.revision_id);
  if (r.url) {
    st.bind(16, r.url->url_id).bind(17, r.url->auth_type).bind(18, r.url->invoke_mode);
    st.bind(19, r.url->creation_time).bind(20, r.url->last_modified_time);
  } else {
    for (int i = 16; i <= 20; ++i) st.bind_null(i);
  }
}

FunctionRecord read_record(const store::Statement& st) {
  FunctionRecord r;
  r.account_id = st.column_text(0);
  r.name = st.column_text(1);
  r.runtime = st.column_text(2);
  r.handler = st.column_text(3);
  r.role = st.column_text(4);
  r.description = st.column_text(5);
  r.memory_mb = static_cast<int>(st.column_int64(6));
  r.timeout_s = static_cast<int>(st.column_int64(7));
  r.ephemeral_mb = static_cast<int>(st.column_int64(8));
  r.architecture = st.column_text(9);
  const nlohmann::json env = nlohmann::json::parse(st.column_text(10), nullptr, false);
  if (env.is_object())
    for (const auto& [key, value] : env.items())
      if (value.is_string()) r.environment.emplace_back(key, value.get<std::string>());
  r.code_sha256 = st.column_text(11);
  r.code_size = st.column_int64(12);
  r.last_modified = st.column_text(13);
  r.revision_id = st.column_text(14);
  if (!st.column_is_null(15))
    r.url = UrlConfig{st.column_text(15), st.column_text(16), st.column_text(17), st.column_text(18),
                      st.column_text(19)};
  return r;
}

}  // namespace

Registry::Registry(const std::filesystem::path& path)
    : m_db(std::make_unique<store::Database>(path, kMigrations)) {}

Registry::~Registry() = default;

std::vector<FunctionRecord> Registry::query(const std::string& where,
                                            const std::vector<std::string>& params) {
  std::lock_guard lock(m_mutex);
  store::Statement st(
      *m_db, "SELECT " + std::string(kColumns) + " FROM functions " + where + " ORDER BY account_id, name");
  for (std::size_t i = 0; i < params.size(); ++i) st.bind(static_cast<int>(i + 1), params[i]);
  std::vector<FunctionRecord> out;
  while (st.step()) out.push_back(read_record(st));
  return out;
}

std::vector<FunctionRecord> Registry::all() {
  return query("", {});
}

std::vector<FunctionRecord> Registry::list(const std::string& account_id) {
  return query("WHERE account_id = ?1", {account_id});
}

std::optional<FunctionRecord> Registry::find(const std::string& account_id, const std::string& name) {
  auto found = query("WHERE account_id = ?1 AND name = ?2", {account_id, name});
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

std::optional<FunctionRecord> Registry::find_by_url(const std::string& url_id) {
  auto found = query("WHERE url_id = ?1", {url_id});
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

bool Registry::insert(const FunctionRecord& record) {
  std::lock_guard lock(m_mutex);
  store::Statement st(*m_db,
                      "INSERT OR IGNORE INTO functions (" + std::string(kColumns) +
                          ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
                          "?16, ?17, ?18, ?19, ?20)");
  bind_record(st, record);
  st.step();
  return sqlite3_changes(m_db->handle()) > 0;
}

bool Registry::update(const FunctionRecord& record) {
  std::lock_guard lock(m_mutex);
  store::Statement st(
      *m_db,
      "UPDATE functions SET runtime = ?3, handler = ?4, role = ?5, description = ?6, memory_mb = ?7, "
      "timeout_s = ?8, ephemeral_mb = ?9, architecture = ?10, environment = ?11, code_sha256 = ?12, "
      "code_size = ?13, last_modified = ?14, revision_id = ?15, url_id = ?16, url_auth_type = ?17, "
      "url_invoke_mode = ?18, url_creation_time = ?19, url_last_modified_time = ?20 "
      "WHERE account_id = ?1 AND name = ?2");
  bind_record(st, record);
  st.step();
  return sqlite3_changes(m_db->handle()) > 0;
}

bool Registry::remove(const std::string& account_id, const std::string& name) {
  std::lock_guard lock(m_mutex);
  store::Statement st(*m_db, "DELETE FROM functions WHERE account_id = ?1 AND name = ?2");
  st.bind(1, account_id).bind(2, name);
  st.step();
  const bool removed = sqlite3_changes(m_db->handle()) > 0;
  for (const char* sql : {"DELETE FROM versions WHERE account_id = ?1 AND name = ?2",
                          "DELETE FROM version_counters WHERE account_id = ?1 AND name = ?2",
                          "DELETE FROM aliases WHERE account_id = ?1 AND function = ?2",
                          "DELETE FROM provisioned WHERE account_id = ?1 AND function = ?2"}) {
    store::Statement more(*m_db, sql);
    more.bind(1, account_id).bind(2, name);
    more.step();
  }
  return removed;
}

}  // namespace stratus::platform
