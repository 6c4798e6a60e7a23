#pragma once
// The access keys of a `stratus serve` platform, read once at start from the file given with
// --keys. Each key belongs to an account; what a request signed with it sees and changes is that
// account's functions only.
//
// The file is JSON:
//   {"keys": [
//     {"accessKeyId": "AKIAALICE0000000001", "secretAccessKey": "…", "accountId": "111111111111"},
//     {"accessKeyId": "AKIABOB00000000000001", "secretAccessKey": "…", "accountId": "222222222222"}
//   ]}
// accessKeyId: 16-128 characters of A-Z and 0-9 (AWS's own key ids are 20); secretAccessKey: at
// least 16 characters; accountId: 12 digits. Several keys may share an account. An id may appear
// once. Anything else in an entry is an error too (a misspelt field is never silently ignored).
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stratus::platform {

struct AccessKey {
  std::string access_key_id;
  std::string secret_access_key;
  std::string account_id;
};

class KeyRing {
 public:
  explicit KeyRing(std::vector<AccessKey> keys) : m_keys(std::move(keys)) {}

  const AccessKey* find(std::string_view access_key_id) const;
  const std::vector<AccessKey>& keys() const { return m_keys; }
  std::vector<std::string> accounts() const;  // sorted, unique

 private:
  std::vector<AccessKey> m_keys;
};

// Parses the text of a keys file; throws std::runtime_error naming `origin` and the entry
// ("keys.json: keys[1].accountId must be 12 digits (got '12')").
KeyRing parse_keys(std::string_view text, const std::string& origin);
// Reads and parses the file; throws std::runtime_error when it cannot be read or is invalid.
KeyRing load_keys(const std::filesystem::path& path);

}  // namespace stratus::platform
