#include "cli/providers/aws/xml.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace stratus::aws {
namespace {

std::string error_of(const std::string& doc) {
  try {
    parse_xml(doc);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Xml, ReadsAnIamAnswer) {
  const XmlElement root = parse_xml(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<GetRoleResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">\n"
      "  <GetRoleResult>\n"
      "    <Role>\n"
      "      <Path>/</Path>\n"
      "      <AssumeRolePolicyDocument>%7B%22Version%22%7D</AssumeRolePolicyDocument>\n"
      "      <RoleName>svc-dev-role</RoleName>\n"
      "      <Arn>arn:aws:iam::123456789012:role/svc-dev-role</Arn>\n"
      "      "
      "<Tags><member><Key>a</Key><Value>1</Value></member><member><Key>b</Key><Value/></member></Tags>\n"
      "    </Role>\n"
      "  </GetRoleResult>\n"
      "  <ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>\n"
      "</GetRoleResponse>\n");
  EXPECT_EQ(root.name, "GetRoleResponse");
  const XmlElement* role = root.find({"GetRoleResult", "Role"});
  ASSERT_NE(role, nullptr);
  EXPECT_EQ(role->child_text("Arn"), "arn:aws:iam::123456789012:role/svc-dev-role");
  EXPECT_EQ(role->child_text("AssumeRolePolicyDocument"), "%7B%22Version%22%7D");
  const auto tags = role->child("Tags")->children_named("member");
  ASSERT_EQ(tags.size(), 2u);
  EXPECT_EQ(tags[1]->child_text("Key"), "b");
  EXPECT_EQ(tags[1]->child_text("Value"), "");
  EXPECT_EQ(root.find({"ResponseMetadata", "RequestId"})->text, "r-1");
  EXPECT_EQ(root.find({"GetRoleResult", "Nope"}), nullptr);
  EXPECT_EQ(role->child_text("Missing"), "");
}

TEST(Xml, EntitiesCdataCommentsPrefixesAndAttributes) {
  const XmlElement root = parse_xml(
      "<s3:Config a='x>y' b=\"/\"><!-- skipped --><Key>a&amp;b &lt;&gt; &quot;&apos; &#233;&#x20AC; "
      "&bogus;</Key>"
      "<Raw><![CDATA[<not> &amp; parsed]]></Raw><Empty attr=\"1\"/></s3:Config>");
  EXPECT_EQ(root.name, "Config");
  EXPECT_EQ(root.child_text("Key"), "a&b <> \"' \xc3\xa9\xe2\x82\xac &bogus;");
  EXPECT_EQ(root.child_text("Raw"), "<not> &amp; parsed");
  ASSERT_NE(root.child("Empty"), nullptr);
  EXPECT_TRUE(root.child("Empty")->children.empty());
}

TEST(Xml, MalformedDocumentsAreErrorsThatNameTheByte) {
  EXPECT_EQ(error_of(""), "malformed XML at byte 0: no root element");
  EXPECT_EQ(error_of("  hello"), "malformed XML at byte 2: no root element");
  EXPECT_EQ(error_of("<a><b></a>"), "malformed XML at byte 6: </a> closes <b>");
  EXPECT_EQ(error_of("<a><b></b>"), "malformed XML at byte 0: <a> is never closed");
  EXPECT_EQ(error_of("<a x=\"1></a>"), "malformed XML at byte 5: unterminated attribute value");
  EXPECT_EQ(error_of("<a></a><b/>"), "malformed XML at byte 7: text after the root element");
  EXPECT_EQ(error_of("<a><!-- never ends"), "malformed XML at byte 3: unterminated '<!--'");
  std::string deep;
  for (int i = 0; i < 300; ++i) deep += "<a>";
  EXPECT_EQ(error_of(deep), "malformed XML at byte 768: elements nested deeper than 256");
}

}  // namespace
}  // namespace stratus::aws
