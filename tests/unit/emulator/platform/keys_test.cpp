#include "emulator/platform/keys.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace stratus::platform {
namespace {

std::string error_of(const std::string& text) {
  try {
    parse_keys(text, "keys.json");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(KeysTest, ParsesKeysAndTheirAccounts) {
  KeyRing ring = parse_keys(R"({"keys": [
    {"accessKeyId": "AKIAALICE00000000001", "secretAccessKey": "alice-secret-0123456789", "accountId": "111111111111"},
    {"accessKeyId": "AKIABOB0000000000001", "secretAccessKey": "bob-secret-0123456789", "accountId": "222222222222"},
    {"accessKeyId": "AKIAALICE00000000002", "secretAccessKey": "alice-secret-9876543210", "accountId": "111111111111"}
  ]})",
                            "keys.json");
  ASSERT_NE(ring.find("AKIABOB0000000000001"), nullptr);
  EXPECT_EQ(ring.find("AKIABOB0000000000001")->account_id, "222222222222");
  EXPECT_EQ(ring.find("AKIAALICE00000000002")->secret_access_key, "alice-secret-9876543210");
  EXPECT_EQ(ring.find("AKIANOBODY0000000000"), nullptr);
  EXPECT_EQ(ring.accounts(), (std::vector<std::string>{"111111111111", "222222222222"}));
}

TEST(KeysTest, ErrorsNameTheEntryAndTheRule) {
  const std::string ok_key =
      R"("accessKeyId": "AKIAALICE00000000001", "secretAccessKey": "0123456789abcdef")";
  EXPECT_EQ(error_of("nope"), "keys.json: not valid JSON; expected {\"keys\": [{\"accessKeyId\": …}, …]}");
  EXPECT_EQ(error_of(R"({"keys": []})"), "keys.json: \"keys\" is empty; the server would accept no request");
  EXPECT_EQ(error_of(R"({"keys": [{)" + ok_key + R"(, "accountId": "12"}]})"),
            "keys.json: keys[0].accountId must be 12 digits (got '12')");
  EXPECT_EQ(error_of(R"({"keys": [{)" + ok_key + R"(}]})"), "keys.json: keys[0].accountId is missing");
  EXPECT_EQ(error_of(R"({"keys": [{)" + ok_key + R"(, "accountId": "111111111111", "acount": "x"}]})"),
            "keys.json: keys[0]: unknown field 'acount' (expected accessKeyId, secretAccessKey, accountId)");
  EXPECT_EQ(error_of(R"({"keys": [{)" + ok_key + R"(, "accountId": "111111111111"}, {)" + ok_key +
                     R"(, "accountId": "111111111111"}]})"),
            "keys.json: keys[1].accessKeyId AKIAALICE00000000001 appears twice");
  EXPECT_EQ(
      error_of(
          R"({"keys": [{"accessKeyId": "short", "secretAccessKey": "0123456789abcdef", "accountId": "111111111111"}]})"),
      "keys.json: keys[0].accessKeyId must be 16-128 characters of A-Z and 0-9 (got 'short')");
}

}  // namespace
}  // namespace stratus::platform
