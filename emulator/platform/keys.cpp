#include "emulator/platform/keys.hpp"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>

namespace stratus::platform {

namespace {

bool all_of(std::string_view s, bool (*pred)(char)) {
  return std::all_of(s.begin(), s.end(), pred);
}
bool upper_or_digit(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

const AccessKey* KeyRing::find(std::string_view access_key_id) const {
  for (const auto& key : m_keys)
    if (key.access_key_id == access_key_id) return &key;
  return nullptr;
}

std::vector<std::string> KeyRing::accounts() const {
  std::set<std::string> unique;
  for (const auto& key : m_keys) unique.insert(key.account_id);
  return {unique.begin(), unique.end()};
}

KeyRing parse_keys(std::string_view text, const std::string& origin) {
  auto fail = [&](const std::string& what) { throw std::runtime_error(origin + ": " + what); };
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded()) fail("not valid JSON; expected {\"keys\": [{\"accessKeyId\": …}, …]}");
  if (!doc.is_object() || !doc.contains("keys") || !doc["keys"].is_array())
    fail("expected an object with a \"keys\" array");
  for (const auto& [name, value] : doc.items())
    if (name != "keys") fail("unknown field '" + name + "' (expected only \"keys\")");
  if (doc["keys"].empty()) fail("\"keys\" is empty; the server would accept no request");
  std::vector<AccessKey> keys;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < doc["keys"].size(); ++i) {
    const nlohmann::json& entry = doc["keys"][i];
    const std::string where = "keys[" + std::to_string(i) + "]";
    if (!entry.is_object()) fail(where + " must be an object");
    for (const auto& [name, value] : entry.items()) {
      if (name != "accessKeyId" && name != "secretAccessKey" && name != "accountId")
        fail(where + ": unknown field '" + name + "' (expected accessKeyId, secretAccessKey, accountId)");
      if (!value.is_string()) fail(where + "." + name + " must be a string");
    }
    auto field = [&](const char* name) {
      if (!entry.contains(name)) fail(where + "." + name + " is missing");
      return entry[name].get<std::string>();
    };
    AccessKey key{field("accessKeyId"), field("secretAccessKey"), field("accountId")};
    if (key.access_key_id.size() < 16 || key.access_key_id.size() > 128 ||
        !all_of(key.access_key_id, upper_or_digit))
      fail(where + ".accessKeyId must be 16-128 characters of A-Z and 0-9 (got '" + key.access_key_id + "')");
    if (key.secret_access_key.size() < 16) fail(where + ".secretAccessKey must be at least 16 characters");
    if (key.account_id.size() != 12 || !all_of(key.account_id, digit))
      fail(where + ".accountId must be 12 digits (got '" + key.account_id + "')");
    if (!seen.insert(key.access_key_id).second)
      fail(where + ".accessKeyId " + key.access_key_id + " appears twice");
    keys.push_back(std::move(key));
  }
  return KeyRing(std::move(keys));
}

KeyRing load_keys(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read the keys file " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return parse_keys(text.str(), path.string());
}

}  // namespace stratus::platform
