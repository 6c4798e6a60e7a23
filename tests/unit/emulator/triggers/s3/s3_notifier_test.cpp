#include "emulator/triggers/s3/s3_notifier.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "emulator/triggers/s3/s3_api.hpp"
#include "tests/unit/emulator/triggers/s3/recording_dispatcher.hpp"
#include "tests/unit/emulator/triggers/s3/s3_fixture.hpp"

namespace stratus::triggers::s3 {
namespace {

using nlohmann::json;

net::Request request(const std::string& method, const std::string& target, const std::string& body = "",
                     net::wire::Fields headers = {}) {
  net::Request r;
  r.method = method;
  r.target = target;
  const std::size_t q = target.find('?');
  r.path = target.substr(0, q);
  r.query = q == std::string::npos ? "" : target.substr(q + 1);
  r.query_params = net::wire::parse_query(r.query);
  r.headers = std::move(headers);
  r.body = body;
  r.body_size = body.size();
  return r;
}

NotificationRule make_rule(std::string bucket, std::string function, std::string event, std::string prefix,
                           std::string suffix, std::string id = "") {
  NotificationRule rule;
  rule.bucket = std::move(bucket);
  rule.function = std::move(function);
  rule.event = std::move(event);
  rule.prefix = std::move(prefix);
  rule.suffix = std::move(suffix);
  rule.id = std::move(id);
  return rule;
}

TEST(S3NotifierFormat, KeysAreUrlEncodedWithSpaceAsPlus) {
  EXPECT_EQ(encode_event_key("uploads/my file.jpg"), "uploads/my+file.jpg");
  EXPECT_EQ(encode_event_key("a+b=c:d"), "a%2Bb%3Dc%3Ad");
  EXPECT_EQ(encode_event_key("caf\xc3\xa9 1~_-.txt"), "caf%C3%A9+1~_-.txt");
}

TEST(S3NotifierFormat, EventPatterns) {
  EXPECT_TRUE(event_matches("s3:ObjectCreated:*", "ObjectCreated:Put"));
  EXPECT_TRUE(event_matches("s3:ObjectCreated:*", "ObjectCreated:CompleteMultipartUpload"));
  EXPECT_TRUE(event_matches("s3:ObjectCreated:Copy", "ObjectCreated:Copy"));
  EXPECT_FALSE(event_matches("s3:ObjectCreated:Put", "ObjectCreated:Copy"));
  EXPECT_FALSE(event_matches("s3:ObjectCreated:*", "ObjectRemoved:Delete"));
  EXPECT_TRUE(event_matches("s3:ObjectRemoved:*", "ObjectRemoved:Delete"));
  EXPECT_TRUE(event_matches("s3:ObjectRemoved:Delete", "ObjectRemoved:Delete"));
}

TEST(S3NotifierFormat, PayloadShape) {
  ObjectEvent event;
  event.bucket = "my-bucket";
  event.event_name = "ObjectCreated:Put";
  event.key = "uploads/my file.jpg";
  event.size = 1305107;
  event.etag = "b21b84d653bb07b05b1e6b33684dc11b";
  event.request_id = "D82B88E5F771F645";
  event.host_id = "host";
  event.time_ms = 1567539447192;
  const NotificationRule rule =
      make_rule("my-bucket", "svc-dev-resize", "s3:ObjectCreated:*", "", "", "cfg-1");
  const json payload = json::parse(build_event_payload(event, rule, {}, "0C0F6F405D6ED209E1"));
  const json expected = json::parse(R"({"Records":[{"eventVersion":"2.1","eventSource":"aws:s3",
    "awsRegion":"us-east-1","eventTime":"2019-09-03T19:37:27.192Z","eventName":"ObjectCreated:Put",
    "userIdentity":{"principalId":"AWS:000000000000"},"requestParameters":{"sourceIPAddress":"127.0.0.1"},
    "responseElements":{"x-amz-request-id":"D82B88E5F771F645","x-amz-id-2":"host"},
    "s3":{"s3SchemaVersion":"1.0","configurationId":"cfg-1",
      "bucket":{"name":"my-bucket","ownerIdentity":{"principalId":"000000000000"},"arn":"arn:aws:s3:::my-bucket"},
      "object":{"key":"uploads/my+file.jpg","size":1305107,"eTag":"b21b84d653bb07b05b1e6b33684dc11b",
                "sequencer":"0C0F6F405D6ED209E1"}}}]})");
  EXPECT_EQ(payload, expected);

  event.event_name = "ObjectRemoved:Delete";
  const json removed = json::parse(build_event_payload(event, rule, {}, "01"));
  EXPECT_EQ(removed["Records"][0]["s3"]["object"],
            json::parse(R"({"key":"uploads/my+file.jpg","sequencer":"01"})"));
}

class S3NotifierTest : public ::testing::Test, public S3Fixture {
 protected:
  S3NotifierTest()
      : notifier(dispatcher,
                 {
                     make_rule("photos", "on-jpg", "s3:ObjectCreated:*", "", ".jpg"),
                     make_rule("photos", "on-upload-put", "s3:ObjectCreated:Put", "uploads/", ""),
                     make_rule("photos", "on-copy", "s3:ObjectCreated:Copy", "", ""),
                     make_rule("photos", "on-remove", "s3:ObjectRemoved:*", "", ""),
                     make_rule("other", "on-other", "s3:ObjectCreated:*", "", ""),
                 }),
        api(*store, {}, &notifier) {
    store->create_bucket("photos");
    store->create_bucket("other");
  }
  std::vector<std::string> functions_called() {
    std::vector<std::string> out;
    for (const auto& [function, payload] : dispatcher.calls()) out.push_back(function);
    dispatcher.clear();
    return out;
  }
  RecordingDispatcher dispatcher;
  S3Notifier notifier;
  S3Api api;
};

TEST_F(S3NotifierTest, RulesPickTheFunctions) {
  ASSERT_EQ(api.handle(request("PUT", "/photos/uploads/a%20b.jpg", "img")).status, 200);
  const auto calls = dispatcher.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].first, "on-jpg");
  EXPECT_EQ(calls[1].first, "on-upload-put");
  const json record = json::parse(calls[0].second)["Records"][0];
  EXPECT_EQ(record["eventName"], "ObjectCreated:Put");
  EXPECT_EQ(record["s3"]["object"]["key"], "uploads/a+b.jpg");
  EXPECT_EQ(record["s3"]["object"]["size"], 3);
  EXPECT_EQ(record["s3"]["object"]["eTag"], md5_hex("img"));
  EXPECT_EQ(record["s3"]["bucket"]["arn"], "arn:aws:s3:::photos");
  EXPECT_EQ(record["requestParameters"]["sourceIPAddress"], "127.0.0.1");  // no peer: loopback
  const std::string sequencer_1 = record["s3"]["object"]["sequencer"];
  dispatcher.clear();

  net::Request from_peer = request("PUT", "/photos/uploads/peer.jpg", "p");
  from_peer.peer = "192.0.2.10";  // the client's address, as the server reads it
  api.handle(from_peer);
  EXPECT_EQ(
      json::parse(dispatcher.calls().at(0).second)["Records"][0]["requestParameters"]["sourceIPAddress"],
      "192.0.2.10");
  dispatcher.clear();

  api.handle(request("PUT", "/photos/uploads/readme.txt", "t"));
  EXPECT_EQ(functions_called(), std::vector<std::string>{"on-upload-put"});
  api.handle(request("PUT", "/photos/elsewhere.txt", "t"));
  EXPECT_TRUE(functions_called().empty());

  api.handle(request("PUT", "/photos/copy.jpg", "", {{"x-amz-copy-source", "/photos/uploads/a%20b.jpg"}}));
  const auto copy_calls = dispatcher.calls();
  EXPECT_EQ(functions_called(), (std::vector<std::string>{"on-jpg", "on-copy"}));
  const json copy_record = json::parse(copy_calls[0].second)["Records"][0];
  EXPECT_EQ(copy_record["eventName"], "ObjectCreated:Copy");
  EXPECT_GT(copy_record["s3"]["object"]["sequencer"].get<std::string>(), sequencer_1);

  api.handle(request("DELETE", "/photos/copy.jpg"));
  EXPECT_EQ(functions_called(), std::vector<std::string>{"on-remove"});
  api.handle(request("DELETE", "/photos/copy.jpg"));  // nothing was there: nothing removed
  EXPECT_TRUE(functions_called().empty());

  const std::string batch =
      "<Delete><Object><Key>uploads/readme.txt</Key></Object>"
      "<Object><Key>elsewhere.txt</Key></Object></Delete>";
  api.handle(request("POST", "/photos?delete", batch));
  const auto removed = dispatcher.calls();
  EXPECT_EQ(functions_called(), (std::vector<std::string>{"on-remove", "on-remove"}));
  EXPECT_EQ(json::parse(removed[1].second)["Records"][0]["eventName"], "ObjectRemoved:Delete");

  api.handle(request("PUT", "/other/x.bin", "x"));
  EXPECT_EQ(functions_called(), std::vector<std::string>{"on-other"});
  // A failed put notifies nobody.
  api.handle(request("PUT", "/photos/bad.jpg", "x", {{"Content-MD5", "AAAAAAAAAAAAAAAAAAAAAA=="}}));
  EXPECT_TRUE(functions_called().empty());
}

TEST_F(S3NotifierTest, ExistingObjects) {
  store->put_object("photos", "old/a.jpg", "a", {});
  store->put_object("photos", "uploads/b.png", "bb", {});
  store->put_object("other", "c", "c", {});
  EXPECT_EQ(notifier.notify_existing(*store), 3);
  const auto calls = dispatcher.calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].first, "on-other");
  EXPECT_EQ(calls[1].first, "on-jpg");
  EXPECT_EQ(calls[2].first, "on-upload-put");
  const json record = json::parse(calls[2].second)["Records"][0];
  EXPECT_EQ(record["eventName"], "ObjectCreated:Put");
  EXPECT_EQ(record["s3"]["object"]["key"], "uploads/b.png");
  EXPECT_EQ(record["s3"]["object"]["size"], 2);
}

}  // namespace
}  // namespace stratus::triggers::s3
