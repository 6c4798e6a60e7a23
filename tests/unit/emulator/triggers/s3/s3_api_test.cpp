// The S3 API answered in-process, request by request: every error path with its status, code and
// XML, and the parts of the wire format the real-client tests cannot pin exactly.
#include "emulator/triggers/s3/s3_api.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "emulator/common/base64.hpp"
#include "emulator/common/sha256.hpp"
#include "emulator/net/http_wire.hpp"
#include "tests/support/raw_client.hpp"
#include "tests/unit/emulator/triggers/s3/s3_fixture.hpp"

namespace stratus::triggers::s3 {
namespace {

namespace fs = std::filesystem;
using net::Request;
using net::Response;

Request make(const std::string& method, const std::string& target, const std::string& body = "",
             net::wire::Fields headers = {}) {
  Request r;
  r.method = method;
  r.target = target;
  const std::size_t q = target.find('?');
  r.path = target.substr(0, q);
  r.query = q == std::string::npos ? "" : target.substr(q + 1);
  r.query_params = net::wire::parse_query(r.query);
  r.headers = std::move(headers);
  r.headers.emplace_back("Host", "127.0.0.1:4566");
  r.body = body;
  r.body_size = body.size();
  return r;
}

std::string header(const Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        }))
      return v;
  return "";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class S3ApiTest : public ::testing::Test, public S3Fixture {
 protected:
  S3ApiTest() : api(*store) {}
  Response call(const std::string& method, const std::string& target, const std::string& body = "",
                net::wire::Fields headers = {}) {
    return api.handle(make(method, target, body, std::move(headers)));
  }
  // Asserts an S3 error response and returns its body.
  std::string expect_error(const Response& r, int status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.content_type, "application/xml");
    EXPECT_TRUE(contains(r.body, "<Error><Code>" + code + "</Code><Message>")) << r.body;
    EXPECT_TRUE(contains(r.body, "<RequestId>" + header(r, "x-amz-request-id") + "</RequestId><HostId>"));
    return r.body;
  }
  S3Api api;
};

TEST_F(S3ApiTest, BucketOperationsAndTheirErrors) {
  Response created = call("PUT", "/bucket-1");
  EXPECT_EQ(created.status, 200);
  EXPECT_EQ(header(created, "Location"), "/bucket-1");
  EXPECT_EQ(header(created, "x-amz-request-id").size(), 16u);
  EXPECT_FALSE(header(created, "x-amz-id-2").empty());

  // The owner's repeat: 200 in us-east-1 (AWS's legacy behaviour), 409 in every other region.
  EXPECT_EQ(call("PUT", "/bucket-1").status, 200);
  S3ApiOptions ireland;
  ireland.region = "eu-west-1";
  S3Api elsewhere(*store, ireland);
  std::string again =
      expect_error(elsewhere.handle(make("PUT", "/bucket-1", "", {})), 409, "BucketAlreadyOwnedByYou");
  EXPECT_TRUE(contains(again, "<BucketName>bucket-1</BucketName>"));
  expect_error(call("PUT", "/Bad_Name"), 400, "InvalidBucketName");

  Response list = call("GET", "/");
  EXPECT_EQ(list.status, 200);
  EXPECT_TRUE(
      list.body.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListAllMyBucketsResult "
                            "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Owner><ID>"));
  EXPECT_TRUE(contains(list.body, "<Buckets><Bucket><Name>bucket-1</Name><CreationDate>"));

  Response head = call("HEAD", "/bucket-1");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(header(head, "x-amz-bucket-region"), "us-east-1");
  Response head_missing = call("HEAD", "/nope-bucket");
  EXPECT_EQ(head_missing.status, 404);
  EXPECT_TRUE(head_missing.body.empty());

  Response location = call("GET", "/bucket-1?location");
  EXPECT_TRUE(contains(location.body,
                       "<LocationConstraint xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                       "</LocationConstraint>"));
  expect_error(call("GET", "/nope-bucket?location"), 404, "NoSuchBucket");

  call("PUT", "/bucket-1/k", "v");
  expect_error(call("DELETE", "/bucket-1"), 409, "BucketNotEmpty");
  EXPECT_EQ(call("DELETE", "/bucket-1/k").status, 204);
  EXPECT_EQ(call("DELETE", "/bucket-1").status, 204);
  std::string missing = expect_error(call("DELETE", "/bucket-1"), 404, "NoSuchBucket");
  EXPECT_TRUE(contains(missing,
                       "<Message>The specified bucket does not exist</Message>"
                       "<BucketName>bucket-1</BucketName>"));
  expect_error(call("GET", "/bucket-1?list-type=2"), 404, "NoSuchBucket");
}

TEST_F(S3ApiTest, UnsupportedMethodsAndSubresources) {
  call("PUT", "/b-1");
  expect_error(call("POST", "/"), 405, "MethodNotAllowed");
  expect_error(call("PATCH", "/b-1/k"), 405, "MethodNotAllowed");
  expect_error(call("POST", "/b-1"), 405, "MethodNotAllowed");
  std::string body = expect_error(call("GET", "/b-1?versioning"), 501, "NotImplemented");
  EXPECT_TRUE(contains(body, "<Header>?versioning</Header>"));
  expect_error(call("PUT", "/b-1/k?acl", "<AccessControlPolicy/>"), 501, "NotImplemented");
}

TEST_F(S3ApiTest, PutGetHeadWithMetadata) {
  call("PUT", "/b-1");
  Response put = call("PUT", "/b-1/docs/a%20b.txt", "hello world",
                      {{"Content-Type", "text/plain"},
                       {"x-amz-meta-Owner", "ana"},
                       {"Cache-Control", "max-age=60"},
                       {"Content-MD5", base64_encode(md5_raw("hello world"))}});
  EXPECT_EQ(put.status, 200);
  EXPECT_EQ(header(put, "ETag"), "\"5eb63bbbe01eeed093cb22bb8f5acdc3\"");

  Response get = call("GET", "/b-1/docs/a%20b.txt");
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(get.body, "hello world");
  EXPECT_EQ(get.content_type, "text/plain");
  EXPECT_EQ(header(get, "ETag"), "\"5eb63bbbe01eeed093cb22bb8f5acdc3\"");
  EXPECT_EQ(header(get, "x-amz-meta-owner"), "ana");
  EXPECT_EQ(header(get, "Cache-Control"), "max-age=60");
  EXPECT_EQ(header(get, "Accept-Ranges"), "bytes");
  // "Mon, 23 Nov 2026 00:50:14 GMT"
  const std::string modified = header(get, "Last-Modified");
  EXPECT_EQ(modified.size(), 29u);
  EXPECT_TRUE(modified.ends_with(" GMT"));

  Response head = call("HEAD", "/b-1/docs/a%20b.txt");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.head_length, 11u);  // the Content-Length HEAD reports; no bytes are read
  EXPECT_EQ(header(head, "x-amz-meta-owner"), "ana");

  Response overridden = call("GET",
                             "/b-1/docs/a%20b.txt?response-content-type=application/x-test&"
                             "response-cache-control=no-store");
  EXPECT_EQ(overridden.content_type, "application/x-test");
  EXPECT_EQ(header(overridden, "Cache-Control"), "no-store");

  EXPECT_EQ(
      call("GET", "/b-1/docs/a%20b.txt", "", {{"If-None-Match", "\"5eb63bbbe01eeed093cb22bb8f5acdc3\""}})
          .status,
      304);
  expect_error(call("GET", "/b-1/docs/a%20b.txt", "", {{"If-Match", "\"0000\""}}), 412, "PreconditionFailed");

  // Date conditions, at whole seconds; a date that does not parse is ignored.
  const std::string later = "Fri, 01 Jan 2100 00:00:00 GMT";
  const std::string earlier = "Thu, 01 Jan 1970 00:00:00 GMT";
  auto get_if = [&](net::wire::Fields h) { return call("GET", "/b-1/docs/a%20b.txt", "", std::move(h)); };
  EXPECT_EQ(get_if({{"If-Modified-Since", later}}).status, 304);
  EXPECT_EQ(get_if({{"If-Modified-Since", modified}}).status, 304);
  EXPECT_EQ(get_if({{"If-Modified-Since", earlier}}).status, 200);
  EXPECT_EQ(get_if({{"If-Modified-Since", "yesterday"}}).status, 200);
  EXPECT_EQ(get_if({{"If-Unmodified-Since", later}}).status, 200);
  std::string unmodified =
      expect_error(get_if({{"If-Unmodified-Since", earlier}}), 412, "PreconditionFailed");
  EXPECT_TRUE(contains(unmodified, "<Condition>If-Unmodified-Since</Condition>"));
  // The ETag conditions win over the dates.
  EXPECT_EQ(get_if({{"If-Match", "*"}, {"If-Unmodified-Since", earlier}}).status, 200);
  EXPECT_EQ(get_if({{"If-None-Match", "\"other\""}, {"If-Modified-Since", later}}).status, 200);
  EXPECT_EQ(call("HEAD", "/b-1/docs/a%20b.txt", "", {{"If-Unmodified-Since", earlier}}).status, 412);

  std::string no_key = expect_error(call("GET", "/b-1/missing"), 404, "NoSuchKey");
  EXPECT_TRUE(contains(no_key, "<Message>The specified key does not exist.</Message><Key>missing</Key>"));
  Response head_missing = call("HEAD", "/b-1/missing");
  EXPECT_EQ(head_missing.status, 404);
  EXPECT_TRUE(head_missing.body.empty());
  expect_error(call("PUT", "/nope-bucket/k", "v"), 404, "NoSuchBucket");
  EXPECT_EQ(call("DELETE", "/b-1/never-existed").status, 204);
}

TEST_F(S3ApiTest, BodyChecks) {
  call("PUT", "/b-1");
  std::string bad = expect_error(
      call("PUT", "/b-1/k", "body", {{"Content-MD5", base64_encode(md5_raw("other"))}}), 400, "BadDigest");
  EXPECT_TRUE(
      contains(bad, "<Message>The Content-MD5 you specified did not match what we received.</Message>"));
  expect_error(call("PUT", "/b-1/k", "body", {{"Content-MD5", "not base64"}}), 400, "InvalidDigest");
  expect_error(call("PUT", "/b-1/k", "body", {{"x-amz-content-sha256", sha256_hex("other")}}), 400,
               "XAmzContentSHA256Mismatch");
  EXPECT_EQ(call("PUT", "/b-1/k", "body", {{"x-amz-content-sha256", sha256_hex("body")}}).status, 200);
  EXPECT_EQ(call("PUT", "/b-1/k", "body", {{"x-amz-content-sha256", "UNSIGNED-PAYLOAD"}}).status, 200);

  // Additional checksums: verified, echoed; "DUoRhQ==" is the base64 CRC32 of "hello world".
  Response crc = call("PUT", "/b-1/k", "hello world", {{"x-amz-checksum-crc32", "DUoRhQ=="}});
  EXPECT_EQ(crc.status, 200) << crc.body;
  EXPECT_EQ(header(crc, "x-amz-checksum-crc32"), "DUoRhQ==");
  std::string wrong = expect_error(
      call("PUT", "/b-1/k", "hello world!", {{"x-amz-checksum-crc32", "DUoRhQ=="}}), 400, "BadDigest");
  EXPECT_TRUE(
      contains(wrong, "<Message>The CRC32 you specified did not match the calculated checksum.</Message>"));
  expect_error(call("PUT", "/b-1/k", "x", {{"x-amz-checksum-sha256", "AAAA"}}), 400, "BadDigest");
  EXPECT_EQ(call("PUT", "/b-1/k", "x", {{"x-amz-checksum-crc64nvme", "AAAAAAAAAAA="}}).status,
            200);  // not computed
  expect_error(call("POST", "/b-1?delete", "<Delete><Object><Key>k</Key></Object></Delete>",
                    {{"x-amz-checksum-crc32", "AAAAAA=="}}),
               400, "BadDigest");

  // A body larger than the server kept is refused, not stored truncated.
  Request big = make("PUT", "/b-1/big", "abc");
  big.body_size = kMaxPutBytes * 2;
  expect_error(api.handle(big), 400, "EntityTooLarge");
  expect_error(call("GET", "/b-1/big"), 404, "NoSuchKey");
}

TEST_F(S3ApiTest, AwsChunkedBodies) {
  call("PUT", "/b-1");
  const std::string sig = ";chunk-signature=" + std::string(64, 'a');
  const std::string signed_body = "5" + sig + "\r\nhello\r\n6" + sig + "\r\n world\r\n0" + sig + "\r\n\r\n";
  Response put = call("PUT", "/b-1/signed", signed_body,
                      {{"x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"},
                       {"Content-Encoding", "aws-chunked"},
                       {"x-amz-decoded-content-length", "11"}});
  EXPECT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(header(put, "ETag"), "\"5eb63bbbe01eeed093cb22bb8f5acdc3\"");
  Response get = call("GET", "/b-1/signed");
  EXPECT_EQ(get.body, "hello world");
  EXPECT_EQ(header(get, "Content-Encoding"), "");  // aws-chunked is not the object's encoding

  const std::string trailer_body = "b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n";
  EXPECT_EQ(call("PUT", "/b-1/trailer", trailer_body,
                 {{"x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"},
                  {"Content-Encoding", "gzip,aws-chunked"},
                  {"x-amz-trailer", "x-amz-checksum-crc32"},
                  {"x-amz-decoded-content-length", "11"}})
                .status,
            200);
  EXPECT_EQ(header(call("GET", "/b-1/trailer"), "Content-Encoding"), "gzip");
  std::string bad_trailer = expect_error(
      call("PUT", "/b-1/trailer", "b\r\nhello world\r\n0\r\nx-amz-checksum-crc32c:AAAAAA==\r\n\r\n",
           {{"x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"},
            {"Content-Encoding", "aws-chunked"}}),
      400, "BadDigest");
  EXPECT_TRUE(contains(bad_trailer, "The CRC32C you specified"));

  expect_error(call("PUT", "/b-1/short", "5\r\nhel", {{"Content-Encoding", "aws-chunked"}}), 400,
               "IncompleteBody");
  expect_error(call("PUT", "/b-1/nohex", "zz\r\nhello\r\n0\r\n\r\n", {{"Content-Encoding", "aws-chunked"}}),
               400, "IncompleteBody");
  expect_error(call("PUT", "/b-1/len", "5\r\nhello\r\n0\r\n\r\n",
                    {{"Content-Encoding", "aws-chunked"}, {"x-amz-decoded-content-length", "6"}}),
               400, "IncompleteBody");
}

TEST_F(S3ApiTest, ConditionalWrites) {
  call("PUT", "/b-1");
  EXPECT_EQ(call("PUT", "/b-1/lock", "one", {{"If-None-Match", "*"}}).status, 200);
  std::string taken =
      expect_error(call("PUT", "/b-1/lock", "two", {{"If-None-Match", "*"}}), 412, "PreconditionFailed");
  EXPECT_TRUE(contains(taken, "<Condition>If-None-Match</Condition>"));
  EXPECT_EQ(call("GET", "/b-1/lock").body, "one");
  expect_error(call("PUT", "/b-1/lock", "two", {{"If-None-Match", "\"abc\""}}), 501, "NotImplemented");

  expect_error(call("PUT", "/b-1/lock", "two", {{"If-Match", "\"" + md5_hex("other") + "\""}}), 412,
               "PreconditionFailed");
  EXPECT_EQ(call("PUT", "/b-1/lock", "two", {{"If-Match", "\"" + md5_hex("one") + "\""}}).status, 200);
  EXPECT_EQ(call("GET", "/b-1/lock").body, "two");
  expect_error(call("PUT", "/b-1/free", "x", {{"If-Match", "\"" + md5_hex("one") + "\""}}), 404, "NoSuchKey");
  // A refused write leaves no file behind.
  std::size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(data_root())) files += entry.is_regular_file();
  EXPECT_EQ(files, 1u);
}

TEST_F(S3ApiTest, RangeReads) {
  call("PUT", "/b-1");
  call("PUT", "/b-1/r", "0123456789");
  auto range = [&](const std::string& spec) { return call("GET", "/b-1/r", "", {{"Range", spec}}); };
  Response r = range("bytes=2-4");
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.body, "234");
  EXPECT_EQ(header(r, "Content-Range"), "bytes 2-4/10");
  EXPECT_EQ(range("bytes=7-").body, "789");
  EXPECT_EQ(header(range("bytes=7-"), "Content-Range"), "bytes 7-9/10");
  EXPECT_EQ(range("bytes=-3").body, "789");
  EXPECT_EQ(range("bytes=-30").body, "0123456789");
  EXPECT_EQ(range("bytes=5-100").body, "56789");
  // What S3 cannot parse (or several ranges) it ignores: the whole object, 200.
  for (const char* ignored : {"bytes=4-2", "items=1-2", "bytes=1-2,4-5", "bytes=x-"}) {
    Response whole = range(ignored);
    EXPECT_EQ(whole.status, 200) << ignored;
    EXPECT_EQ(whole.body, "0123456789");
  }
  std::string body = expect_error(range("bytes=10-"), 416, "InvalidRange");
  EXPECT_TRUE(
      contains(body, "<RangeRequested>bytes=10-</RangeRequested><ActualObjectSize>10</ActualObjectSize>"));
  expect_error(range("bytes=-0"), 416, "InvalidRange");
  Response head = call("HEAD", "/b-1/r", "", {{"Range", "bytes=0-1"}});
  EXPECT_EQ(head.status, 206);
  EXPECT_EQ(head.head_length, 2u);
}

TEST_F(S3ApiTest, ListObjectsV2AndV1) {
  call("PUT", "/b-1");
  for (const char* key : {"a+b c.txt", "dir/one", "dir/two", "dir/sub/three", "top"}) {
    std::string target = "/b-1/";
    for (char c : std::string(key))
      target += c == ' ' ? std::string("%20") : c == '+' ? std::string("%2B") : std::string(1, c);
    ASSERT_EQ(call("PUT", target, "x").status, 200);
  }
  Response v2 = call("GET", "/b-1?list-type=2&delimiter=/&prefix=dir/");
  EXPECT_EQ(v2.status, 200);
  EXPECT_TRUE(contains(v2.body,
                       "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>b-1</Name>"
                       "<Prefix>dir/</Prefix><KeyCount>3</KeyCount><MaxKeys>1000</MaxKeys>"
                       "<Delimiter>/</Delimiter><IsTruncated>false</IsTruncated>"))
      << v2.body;
  EXPECT_TRUE(contains(v2.body, "<Contents><Key>dir/one</Key><LastModified>"));
  EXPECT_TRUE(contains(v2.body,
                       "<ETag>&quot;9dd4e461268c8034f5c8564e155c67a6&quot;</ETag><Size>1</Size>"
                       "<StorageClass>STANDARD</StorageClass></Contents>"));
  EXPECT_TRUE(contains(v2.body, "<CommonPrefixes><Prefix>dir/sub/</Prefix></CommonPrefixes>"));
  EXPECT_FALSE(contains(v2.body, "<Owner>"));
  EXPECT_TRUE(contains(call("GET", "/b-1?list-type=2&fetch-owner=true").body, "<Owner><ID>"));

  Response url = call("GET", "/b-1?list-type=2&encoding-type=url&max-keys=1");
  EXPECT_TRUE(contains(url.body, "<Key>a%2Bb%20c.txt</Key>")) << url.body;
  EXPECT_TRUE(contains(url.body,
                       "<EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>"
                       "<NextContinuationToken>"));

  // Page by page with the continuation token.
  std::vector<std::string> keys;
  std::string token;
  for (int i = 0; i < 10; ++i) {
    Response page =
        call("GET", "/b-1?list-type=2&max-keys=2" + (token.empty() ? "" : "&continuation-token=" + token));
    ASSERT_EQ(page.status, 200) << page.body;
    for (std::size_t at = page.body.find("<Key>"); at != std::string::npos;
         at = page.body.find("<Key>", at + 1))
      keys.push_back(page.body.substr(at + 5, page.body.find("</Key>", at) - at - 5));
    const std::size_t t = page.body.find("<NextContinuationToken>");
    if (t == std::string::npos) break;
    token = page.body.substr(t + 23, page.body.find("</NextContinuationToken>") - t - 23);
    // base64 may hold '+', '/' and '=': escape them for the query string.
    std::string escaped;
    for (char c : token)
      escaped += c == '+' ? "%2B" : c == '/' ? "%2F" : c == '=' ? "%3D" : std::string(1, c);
    token = escaped;
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"a+b c.txt", "dir/one", "dir/sub/three", "dir/two", "top"}));

  Response after = call("GET", "/b-1?list-type=2&start-after=dir/two");
  EXPECT_TRUE(contains(after.body, "<StartAfter>dir/two</StartAfter><KeyCount>1</KeyCount>"));

  Response v1 = call("GET", "/b-1?delimiter=/&max-keys=1&marker=a%2Bb%20c.txt");
  EXPECT_TRUE(contains(v1.body,
                       "<Marker>a+b c.txt</Marker><MaxKeys>1</MaxKeys><Delimiter>/</Delimiter>"
                       "<IsTruncated>true</IsTruncated><NextMarker>dir/</NextMarker>"))
      << v1.body;
  EXPECT_TRUE(contains(v1.body, "<CommonPrefixes><Prefix>dir/</Prefix></CommonPrefixes>"));

  std::string bad = expect_error(call("GET", "/b-1?list-type=2&max-keys=ten"), 400, "InvalidArgument");
  EXPECT_TRUE(contains(bad, "<ArgumentName>max-keys</ArgumentName><ArgumentValue>ten</ArgumentValue>"));
  expect_error(call("GET", "/b-1?list-type=2&max-keys=-1"), 400, "InvalidArgument");
  expect_error(call("GET", "/b-1?list-type=2&continuation-token=%25%25"), 400, "InvalidArgument");
  expect_error(call("GET", "/b-1?list-type=2&encoding-type=base64"), 400, "InvalidArgument");
  EXPECT_TRUE(contains(call("GET", "/b-1?list-type=2&max-keys=5000").body, "<MaxKeys>1000</MaxKeys>"));
}

TEST_F(S3ApiTest, CopyObject) {
  call("PUT", "/b-1");
  call("PUT", "/b-1/src%20key", "data", {{"Content-Type", "text/x"}, {"x-amz-meta-a", "1"}});
  Response copy = call("PUT", "/b-1/dst", "", {{"x-amz-copy-source", "/b-1/src%20key"}});
  EXPECT_EQ(copy.status, 200) << copy.body;
  EXPECT_TRUE(contains(copy.body,
                       "<CopyObjectResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LastModified>"));
  EXPECT_TRUE(
      contains(copy.body, "<ETag>&quot;8d777f385d3dfec8815d20f7496026dc&quot;</ETag></CopyObjectResult>"));
  EXPECT_EQ(header(call("GET", "/b-1/dst"), "x-amz-meta-a"), "1");

  call("PUT", "/b-1/dst2", "",
       {{"x-amz-copy-source", "b-1/src%20key?versionId=null"},
        {"x-amz-metadata-directive", "REPLACE"},
        {"x-amz-meta-b", "2"}});
  Response replaced = call("GET", "/b-1/dst2");
  EXPECT_EQ(replaced.body, "data");
  EXPECT_EQ(header(replaced, "x-amz-meta-a"), "");
  EXPECT_EQ(header(replaced, "x-amz-meta-b"), "2");
  EXPECT_EQ(replaced.content_type, "binary/octet-stream");

  expect_error(call("PUT", "/b-1/dst", "", {{"x-amz-copy-source", "/b-1/missing"}}), 404, "NoSuchKey");
  expect_error(call("PUT", "/b-1/dst", "", {{"x-amz-copy-source", "/nope-bucket/x"}}), 404, "NoSuchBucket");
  expect_error(call("PUT", "/b-1/dst", "", {{"x-amz-copy-source", "no-slash"}}), 400, "InvalidArgument");
  expect_error(
      call("PUT", "/b-1/dst", "", {{"x-amz-copy-source", "/b-1/dst"}, {"x-amz-metadata-directive", "MOVE"}}),
      400, "InvalidArgument");
  expect_error(call("PUT", "/b-1/dst", "", {{"x-amz-copy-source", "/b-1/dst"}}), 400, "InvalidRequest");
  EXPECT_EQ(call("PUT", "/b-1/dst", "",
                 {{"x-amz-copy-source", "/b-1/dst"}, {"x-amz-metadata-directive", "REPLACE"}})
                .status,
            200);

  // x-amz-copy-source-if-*: the source's conditions; any that fails is 412 and nothing is copied.
  const std::string etag = "\"8d777f385d3dfec8815d20f7496026dc\"";
  const std::string later = "Fri, 01 Jan 2100 00:00:00 GMT";
  const std::string earlier = "Thu, 01 Jan 1970 00:00:00 GMT";
  auto copy_if = [&](const char* condition, const std::string& value) {
    return call("PUT", "/b-1/conditional", "", {{"x-amz-copy-source", "/b-1/src%20key"}, {condition, value}});
  };
  const std::string failed =
      expect_error(copy_if("x-amz-copy-source-if-match", "\"0000\""), 412, "PreconditionFailed");
  EXPECT_TRUE(contains(failed, "<Condition>x-amz-copy-source-If-Match</Condition>"));
  expect_error(copy_if("x-amz-copy-source-if-none-match", etag), 412, "PreconditionFailed");
  expect_error(copy_if("x-amz-copy-source-if-modified-since", later), 412, "PreconditionFailed");
  expect_error(copy_if("x-amz-copy-source-if-unmodified-since", earlier), 412, "PreconditionFailed");
  expect_error(call("GET", "/b-1/conditional"), 404, "NoSuchKey");
  EXPECT_EQ(copy_if("x-amz-copy-source-if-match", etag).status, 200);
  EXPECT_EQ(copy_if("x-amz-copy-source-if-none-match", "\"0000\"").status, 200);
  EXPECT_EQ(copy_if("x-amz-copy-source-if-modified-since", earlier).status, 200);
  EXPECT_EQ(copy_if("x-amz-copy-source-if-unmodified-since", later).status, 200);
  // As on AWS: a matching ETag wins over a failing If-Unmodified-Since.
  EXPECT_EQ(call("PUT", "/b-1/conditional", "",
                 {{"x-amz-copy-source", "/b-1/src%20key"},
                  {"x-amz-copy-source-if-match", etag},
                  {"x-amz-copy-source-if-unmodified-since", earlier}})
                .status,
            200);
}

TEST_F(S3ApiTest, DeleteObjects) {
  call("PUT", "/b-1");
  call("PUT", "/b-1/a", "1");
  call("PUT", "/b-1/b&c", "2");
  const std::string body =
      "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Object><Key>a</Key></Object>"
      "<Object><Key>b&amp;c</Key></Object><Object><Key>never</Key></Object><Object><Key>../x</Key></Object></"
      "Delete>";
  Response r = call("POST", "/b-1?delete", body, {{"Content-MD5", base64_encode(md5_raw(body))}});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(
      contains(r.body,
               "<DeleteResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
               "<Deleted><Key>a</Key></Deleted><Deleted><Key>b&amp;c</Key></Deleted>"
               "<Deleted><Key>never</Key></Deleted><Error><Key>../x</Key><Code>InvalidArgument</Code>"));
  expect_error(call("GET", "/b-1/b&c"), 404, "NoSuchKey");

  call("PUT", "/b-1/q", "1");
  Response quiet =
      call("POST", "/b-1?delete", "<Delete><Quiet>true</Quiet><Object><Key>q</Key></Object></Delete>");
  EXPECT_EQ(quiet.body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DeleteResult "
            "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"></DeleteResult>");

  expect_error(call("POST", "/b-1?delete", "not xml"), 400, "MalformedXML");
  expect_error(call("POST", "/b-1?delete", "<Delete><Object><Key>a</Key></Delete>"), 400, "MalformedXML");
  expect_error(call("POST", "/b-1?delete", "<Delete></Delete>"), 400, "MalformedXML");
  std::string many = "<Delete>";
  for (int i = 0; i < 1001; ++i) many += "<Object><Key>k" + std::to_string(i) + "</Key></Object>";
  expect_error(call("POST", "/b-1?delete", many + "</Delete>"), 400, "MalformedXML");
  expect_error(call("POST", "/b-1?delete", body, {{"Content-MD5", base64_encode(md5_raw("x"))}}), 400,
               "BadDigest");
  expect_error(call("POST", "/nope-bucket?delete", body), 404, "NoSuchBucket");
}

TEST_F(S3ApiTest, MultipartThroughTheApi) {
  call("PUT", "/b-1");
  Response init = call("POST", "/b-1/big?uploads", "", {{"Content-Type", "text/plain"}});
  ASSERT_EQ(init.status, 200);
  const std::size_t at = init.body.find("<UploadId>");
  const std::string id = init.body.substr(at + 10, init.body.find("</UploadId>") - at - 10);
  const std::string part1(5 * 1024 * 1024, 'p');
  Response p1 = call("PUT", "/b-1/big?partNumber=1&uploadId=" + id, part1);
  Response p2 = call("PUT", "/b-1/big?partNumber=2&uploadId=" + id, "end");
  ASSERT_EQ(p1.status, 200);
  expect_error(call("PUT", "/b-1/big?partNumber=0&uploadId=" + id, "x"), 400, "InvalidArgument");
  expect_error(call("PUT", "/b-1/big?partNumber=1", "x"), 400, "InvalidArgument");
  expect_error(call("PUT", "/b-1/big?partNumber=1&uploadId=nope", "x"), 404, "NoSuchUpload");
  expect_error(call("POST", "/b-1/big?uploadId=" + id, "<CompleteMultipartUpload></CompleteMultipartUpload>"),
               400, "MalformedXML");
  const std::string complete = "<CompleteMultipartUpload><Part><ETag>" + header(p1, "ETag") +
                               "</ETag><PartNumber>1</PartNumber></Part><Part><ETag>" + header(p2, "ETag") +
                               "</ETag><PartNumber>2</PartNumber></Part></CompleteMultipartUpload>";
  Response done = call("POST", "/b-1/big?uploadId=" + id, complete);
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_TRUE(
      contains(done.body, "<ETag>&quot;" + md5_hex(md5_raw(part1) + md5_raw("end")) + "-2&quot;</ETag>"));
  Response get = call("GET", "/b-1/big", "", {{"Range", "bytes=-4"}});
  EXPECT_EQ(get.body, "pend");
  EXPECT_EQ(get.content_type, "text/plain");

  // UploadPartCopy: parts cut from an existing object.
  Response init_copy = call("POST", "/b-1/copy?uploads");
  const std::size_t at_copy = init_copy.body.find("<UploadId>");
  const std::string copy_id = init_copy.body.substr(at_copy + 10, 32);
  const std::string copy_target = "/b-1/copy?partNumber=1&uploadId=" + copy_id;
  Response c1 = call("PUT", copy_target, "",
                     {{"x-amz-copy-source", "/b-1/big"}, {"x-amz-copy-source-range", "bytes=0-5242879"}});
  ASSERT_EQ(c1.status, 200) << c1.body;
  EXPECT_TRUE(
      contains(c1.body, "<CopyPartResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LastModified>"));
  EXPECT_TRUE(contains(c1.body, "<ETag>&quot;" + md5_hex(part1) + "&quot;</ETag></CopyPartResult>"));
  Response c2 =
      call("PUT", "/b-1/copy?partNumber=2&uploadId=" + copy_id, "",
           {{"x-amz-copy-source", "b-1/big"}, {"x-amz-copy-source-range", "bytes=5242880-5242882"}});
  ASSERT_EQ(c2.status, 200) << c2.body;
  expect_error(call("PUT", copy_target, "",
                    {{"x-amz-copy-source", "/b-1/big"}, {"x-amz-copy-source-range", "bytes=0-"}}),
               400, "InvalidArgument");
  std::string beyond =
      expect_error(call("PUT", copy_target, "",
                        {{"x-amz-copy-source", "/b-1/big"}, {"x-amz-copy-source-range", "bytes=0-99999999"}}),
                   400, "InvalidArgument");
  EXPECT_TRUE(contains(beyond, "Range specified is not valid for source object of size: 5242883"));
  expect_error(call("PUT", copy_target, "", {{"x-amz-copy-source", "/b-1/nothing"}}), 404, "NoSuchKey");
  expect_error(call("PUT", copy_target, "",
                    {{"x-amz-copy-source", "/b-1/big"}, {"x-amz-copy-source-if-match", "\"0000\""}}),
               412, "PreconditionFailed");
  Response copied = call("POST", "/b-1/copy?uploadId=" + copy_id,
                         "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&quot;" +
                             md5_hex(part1) + "&quot;</ETag></Part><Part><PartNumber>2</PartNumber><ETag>" +
                             md5_hex("end") + "</ETag></Part></CompleteMultipartUpload>");
  ASSERT_EQ(copied.status, 200) << copied.body;
  EXPECT_EQ(call("GET", "/b-1/copy").body, part1 + "end");

  Response init2 = call("POST", "/b-1/gone?uploads");
  const std::size_t at2 = init2.body.find("<UploadId>");
  const std::string id2 = init2.body.substr(at2 + 10, init2.body.find("</UploadId>") - at2 - 10);
  EXPECT_EQ(call("DELETE", "/b-1/gone?uploadId=" + id2).status, 204);
  expect_error(call("DELETE", "/b-1/gone?uploadId=" + id2), 404, "NoSuchUpload");
}

// A failure that is no client's fault (here: the bucket's folder replaced by a file) is S3's 500.
TEST_F(S3ApiTest, DiskFailuresAreInternalErrors) {
  call("PUT", "/b-1");
  fs::remove_all(data_root() / "b-1");
  std::ofstream(data_root() / "b-1") << "not a folder";
  std::string body = expect_error(call("PUT", "/b-1/k", "v"), 500, "InternalError");
  EXPECT_TRUE(contains(body, "<Message>We encountered an internal error: ")) << body;
  expect_error(call("GET", "/b-1/k"), 404, "NoSuchKey");  // nothing was committed
}

TEST_F(S3ApiTest, VirtualHostStyle) {
  call("PUT", "/vhost-bucket");
  Request put = make("PUT", "/dir/file.txt", "vh");
  put.headers = {{"Host", "vhost-bucket.localhost:4566"}};
  EXPECT_EQ(api.handle(put).status, 200);
  EXPECT_EQ(call("GET", "/vhost-bucket/dir/file.txt").body, "vh");
  Request list = make("GET", "/?list-type=2");
  list.headers = {{"Host", "vhost-bucket.localhost"}};
  EXPECT_TRUE(contains(api.handle(list).body, "<Key>dir/file.txt</Key>"));
}

TEST_F(S3ApiTest, EscapesOverTheWireAreRefusedAndWriteNothing) {
  call("PUT", "/b-1");
  net::HttpServer server(
      "127.0.0.1", 0, [this](const Request& r) { return api.handle(r); }, S3Api::server_options());
  for (const std::string target : {"/b-1/../../outside", "/b-1/%2e%2e/%2E%2E/outside",
                                   "/b-1/a/%2e%2e%2f..%2foutside", "/b-1//outside", "/b-1/a%00b"}) {
    test_support::RawClient client(server.port());
    ASSERT_TRUE(client.connected());
    client.send("PUT " + target +
                " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 3\r\nConnection: close\r\n\r\nbad");
    const std::string reply = client.read_all();
    EXPECT_TRUE(reply.starts_with("HTTP/1.1 400 ")) << target << "\n" << reply;
    EXPECT_TRUE(contains(reply, "<Code>InvalidArgument</Code>")) << reply;
  }
  EXPECT_FALSE(fs::exists(dir.path() / "outside"));
  EXPECT_FALSE(fs::exists(data_root() / "outside"));
  // Only the database files at the top: no object file anywhere.
  for (const auto& entry : fs::recursive_directory_iterator(dir.path()))
    if (entry.is_regular_file()) {
      EXPECT_EQ(entry.path().parent_path(), dir.path()) << entry.path();
    }
}

}  // namespace
}  // namespace stratus::triggers::s3
