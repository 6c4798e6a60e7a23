#include "emulator/common/json_writer.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace stratus {
namespace {

using nlohmann::json;

TEST(JsonWriter, NestsAndPlacesCommas) {
  JsonWriter w;
  w.begin_object();
  w.key("a")
      .value(1)
      .key("b")
      .begin_array()
      .value("x")
      .null()
      .value(true)
      .begin_object()
      .end_object()
      .end_array();
  w.key("c").begin_object().key("d").value(std::int64_t{-5}).end_object().key("e").raw(R"({"r":[1]})");
  w.end_object();
  EXPECT_EQ(w.str(), R"({"a":1,"b":["x",null,true,{}],"c":{"d":-5},"e":{"r":[1]}})");
}

TEST(JsonWriter, StringsAreEscapedAsNlohmannDumpsThem) {
  std::string all;
  for (int c = 1; c < 0x80; ++c) all += static_cast<char>(c);
  for (const std::string& text :
       {all, std::string("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"), std::string()}) {
    JsonWriter w;
    w.value(text);
    EXPECT_EQ(w.str(), json(text).dump()) << text;
    EXPECT_EQ(json::parse(w.str()).get<std::string>(), text);
  }
}

TEST(JsonWriter, BytesThatAreNotUtf8BecomeReplacementCharacters) {
  JsonWriter w;
  w.value(
      std::string("a\xFF"
                  "b\xC3",
                  4));  // a stray byte, and a sequence cut short
  EXPECT_EQ(w.str(),
            "\"a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD\"");
  EXPECT_EQ(json::parse(w.str()).get<std::string>(),
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD");
}

TEST(JsonWriter, Utf8Validation) {
  EXPECT_TRUE(valid_utf8(""));
  EXPECT_TRUE(valid_utf8("plain"));
  EXPECT_TRUE(valid_utf8("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF"));  // up to U+10FFFF
  EXPECT_FALSE(valid_utf8("\xC0\xAF"));                                             // overlong
  EXPECT_FALSE(valid_utf8("\xE0\x80\xAF"));                                         // overlong
  EXPECT_FALSE(valid_utf8("\xED\xA0\x80"));                                         // a surrogate
  EXPECT_FALSE(valid_utf8("\xF4\x90\x80\x80"));                                     // past U+10FFFF
  EXPECT_FALSE(valid_utf8("\xE2\x82"));                                             // cut short
  EXPECT_FALSE(valid_utf8("\x80"));  // a continuation byte alone
}

}  // namespace
}  // namespace stratus

namespace stratus {
namespace {

TEST(JsonWriter, AbsentTextsAndOptionalsAreNull) {
  JsonWriter w;
  w.begin_object().key("url").text_or_null("").key("arn").text_or_null("arn:x");
  w.key("n").value(std::optional<int>()).key("m").value(std::optional<int>(3));
  w.key("b").value(std::optional<bool>(false)).end_object();
  EXPECT_EQ(w.str(), R"({"url":null,"arn":"arn:x","n":null,"m":3,"b":false})");
}

}  // namespace
}  // namespace stratus
