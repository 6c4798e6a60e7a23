#include "emulator/triggers/s3/s3_request.hpp"

#include <gtest/gtest.h>

#include "emulator/triggers/s3/s3_checksum.hpp"
#include "emulator/triggers/s3/s3_format.hpp"

namespace stratus::triggers::s3 {
namespace {

Target target(const std::string& path, const std::string& host = "127.0.0.1:4566") {
  net::wire::Request r;
  r.path = path;
  r.headers = {{"Host", host}};
  return parse_target(r);
}

TEST(S3Request, Targets) {
  EXPECT_EQ(target("/").bucket, "");
  EXPECT_EQ(target("/bkt").bucket, "bkt");
  EXPECT_EQ(target("/bkt/").key, "");
  EXPECT_EQ(target("/bkt/a%20b/c%2Fd").key, "a b/c/d");
  EXPECT_EQ(target("/bkt/a+b").key, "a+b");  // '+' is a plus in a path
  EXPECT_EQ(target("/bkt//x").key, "/x");    // no normalisation, as S3
  EXPECT_EQ(target("/bkt/../x").key, "../x");
  Target vhost = target("/dir/k", "photos.localhost:4566");
  EXPECT_EQ(vhost.bucket, "photos");
  EXPECT_EQ(vhost.key, "dir/k");
  EXPECT_EQ(target("/bkt/k", "localhost:4566").bucket, "bkt");
}

TEST(S3Request, CopySource) {
  Target t = parse_copy_source("/src-bkt/a%20b%2Bc.txt?versionId=null");
  EXPECT_EQ(t.bucket, "src-bkt");
  EXPECT_EQ(t.key, "a b+c.txt");
  EXPECT_EQ(parse_copy_source("src-bkt/k").key, "k");
  for (const char* bad : {"", "/", "bkt", "bkt/", "/k"}) {
    try {
      parse_copy_source(bad);
      ADD_FAILURE() << bad;
    } catch (const S3Error& e) {
      EXPECT_EQ(e.code, "InvalidArgument");
    }
  }
}

TEST(S3Request, Ranges) {
  auto range = [](const std::string& h) { return parse_range(h, 10); };
  EXPECT_EQ(range("bytes=0-0")->last, 0);
  EXPECT_EQ(range("bytes=3-")->first, 3);
  EXPECT_EQ(range("bytes=-4")->first, 6);
  EXPECT_EQ(range("bytes=8-99")->last, 9);
  EXPECT_FALSE(range("bytes=5-4"));
  EXPECT_FALSE(range("bytes=a-b"));
  EXPECT_FALSE(range("bytes=1-2,5-6"));
  EXPECT_FALSE(range("bytes=99999999999999999999-"));
  EXPECT_THROW(range("bytes=10-"), S3Error);
  EXPECT_THROW(parse_range("bytes=-5", 0), S3Error);

  EXPECT_EQ(parse_copy_range("bytes=2-5", 10).first, 2);
  EXPECT_THROW(parse_copy_range("bytes=2-", 10), S3Error);
  EXPECT_THROW(parse_copy_range("bytes=5-2", 10), S3Error);
  EXPECT_THROW(parse_copy_range("bytes=0-10", 10), S3Error);
  EXPECT_THROW(parse_copy_range("0-1", 10), S3Error);
}

TEST(S3Request, AwsChunked) {
  EXPECT_EQ(decode_aws_chunked("0\r\n\r\n"), "");
  EXPECT_EQ(
      decode_aws_chunked("3;chunk-signature=ab\r\nabc\r\nA\r\n0123456789\r\n0;chunk-signature=cd\r\n\r\n"),
      "abc0123456789");
  EXPECT_EQ(decode_aws_chunked("1\r\nx\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n"), "x");
  net::wire::Fields trailers;
  EXPECT_EQ(
      decode_aws_chunked("1\r\nx\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\nx-amz-trailer-signature:ab\r\n\r\n",
                         &trailers),
      "x");
  EXPECT_EQ(trailers,
            (net::wire::Fields{{"x-amz-checksum-crc32", "AAAAAA=="}, {"x-amz-trailer-signature", "ab"}}));
  EXPECT_FALSE(decode_aws_chunked("0\r\nno colon\r\n\r\n", &trailers));
  EXPECT_FALSE(decode_aws_chunked(""));
  EXPECT_FALSE(decode_aws_chunked("3\r\nab"));
  EXPECT_FALSE(decode_aws_chunked("3\r\nabcd\r\n0\r\n\r\n"));
  EXPECT_FALSE(decode_aws_chunked(";x\r\n"));
  EXPECT_FALSE(decode_aws_chunked("fffffffffffffffff\r\n"));
}

TEST(S3Request, XmlElements) {
  const std::string xml =
      "<Delete xmlns=\"x\"><Quiet>true</Quiet><Object><Key>a&amp;b&#x20;&#65;</Key></Object>"
      "<ObjectLock>no</ObjectLock><Object><Key/></Object></Delete>";
  EXPECT_EQ(xml_elements(xml, "Delete").size(), 1u);
  EXPECT_EQ(xml_elements(xml, "Object").size(), 2u);
  EXPECT_EQ(xml_texts(xml, "Key"), (std::vector<std::string>{"a&b A", ""}));
  EXPECT_EQ(xml_elements(xml, "Key"), (std::vector<std::string>{"a&amp;b&#x20;&#65;", ""}));
  EXPECT_EQ(xml_texts(xml, "Quiet"), std::vector<std::string>{"true"});
  // Unescaped once: an escaped "&amp;" in a key stays "&amp;" after the outer elements are read.
  const std::vector<std::string> objects =
      xml_elements("<Object><Key>x&amp;amp;&lt;/Key&gt;</Key></Object>", "Object");
  ASSERT_EQ(objects.size(), 1u);
  EXPECT_EQ(xml_texts(objects[0], "Key"), std::vector<std::string>{"x&amp;</Key>"});
  EXPECT_THROW(xml_elements("<Key>open", "Key"), S3Error);
  EXPECT_THROW(xml_elements("<Key attr", "Key"), S3Error);
  EXPECT_TRUE(xml_elements("<Key", "Key").empty());
}

TEST(S3Checksum, KnownDigests) {
  EXPECT_EQ(compute_checksum("crc32", "hello world"), "DUoRhQ==");  // 0x0d4a1185
  EXPECT_EQ(compute_checksum("crc32", "hello"), "NhCmhg==");        // what the aws CLI sent for "hello"
  EXPECT_EQ(compute_checksum("crc32c", "123456789"), "4waSgw==");   // 0xe3069283, the CRC-32C check value
  EXPECT_EQ(compute_checksum("crc32", "123456789"), "y/Q5Jg==");    // 0xcbf43926, the CRC-32 check value
  EXPECT_EQ(compute_checksum("sha1", ""), "2jmj7l5rSw0yVb/vlWAYkK/YBwk=");
  EXPECT_EQ(compute_checksum("sha256", ""), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  EXPECT_FALSE(compute_checksum("crc64nvme", "x"));
}

TEST(S3Format, TimesEscapesAndEncoding) {
  EXPECT_EQ(format_iso_ms(1567539447192), "2019-09-03T19:37:27.192Z");
  EXPECT_EQ(format_http_date(1567539447192), "Tue, 03 Sep 2019 19:37:27 GMT");
  EXPECT_EQ(format_http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(parse_http_date("Tue, 03 Sep 2019 19:37:27 GMT"), 1567539447);
  EXPECT_EQ(parse_http_date(format_http_date(1700000000000)), 1700000000);
  for (const char* bad :
       {"", "Tue, 03 Sep 2019 19:37:27 UTC", "Tue, 31 Feb 2019 19:37:27 GMT", "Tue, 03 Sxp 2019 19:37:27 GMT",
        "Tue, 03 Sep 2019 25:37:27 GMT", "2019-09-03T19:37:27Z"})
    EXPECT_FALSE(parse_http_date(bad)) << bad;
  EXPECT_EQ(xml_escape("a<b>&\"'\n"), "a&lt;b&gt;&amp;&quot;&apos;&#10;");
  EXPECT_EQ(xml_unescape("&lt;&gt;&amp;&quot;&apos;&#233;&#x1F600;&bogus;&"),
            "<>&\"'\xc3\xa9\xf0\x9f\x98\x80&bogus;&");
  EXPECT_EQ(url_encode("a b/c+d~", true), "a%20b/c%2Bd~");
  EXPECT_EQ(url_encode("a/b", false), "a%2Fb");
}

}  // namespace
}  // namespace stratus::triggers::s3
