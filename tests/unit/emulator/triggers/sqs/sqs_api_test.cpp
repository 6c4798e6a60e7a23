// SqsApi called directly with hand-made requests: the protocol details and error paths real
// clients do not reach (their own validation stops them first).
#include "emulator/triggers/sqs/sqs_api.hpp"

#include <gtest/gtest.h>

#include <array>
#include <nlohmann/json.hpp>

#include "tests/support/temp_dir.hpp"

namespace stratus::triggers::sqs {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 2> kMigrations = {kSqsSchema, kSqsTagsSchema};

struct Fixture {
  test_support::TempDir dir;
  store::Database db{dir.path() / "stratus.db", kMigrations};
  SqsStore sqs{db, "us-west-2"};
  SqsApi api{sqs};

  net::Response call_json(const std::string& op, const std::string& body, const std::string& host = "h:1") {
    net::Request r;
    r.method = "POST";
    r.path = r.target = "/";
    r.headers = {{"X-Amz-Target", "AmazonSQS." + op}, {"Content-Type", "application/x-amz-json-1.0"}};
    if (!host.empty()) r.headers.emplace_back("Host", host);
    r.body = body;
    return api.handle(r);
  }
  net::Response call_query(const std::string& form, const std::string& path = "/") {
    net::Request r;
    r.method = "POST";
    r.path = r.target = path;
    r.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Host", "h:1"}};
    r.body = form;
    return api.handle(r);
  }
};

std::string header(const net::Response& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

// "code: message" of a JSON-protocol error, with its query-error header.
std::string json_error(const net::Response& r) {
  const json body = json::parse(r.body);
  return std::to_string(r.status) + " " + body["__type"].get<std::string>() + " [" +
         header(r, "x-amzn-query-error") + "] " + body["message"].get<std::string>();
}

TEST(SqsApi, JsonErrorsCarryTheShapeAndTheLegacyCode) {
  Fixture f;
  net::Response r = f.call_json("GetQueueUrl", R"({"QueueName":"nope"})");
  EXPECT_EQ(r.content_type, "application/x-amz-json-1.0");
  EXPECT_FALSE(header(r, "x-amzn-RequestId").empty());
  EXPECT_EQ(json_error(r),
            "400 com.amazonaws.sqs#QueueDoesNotExist [AWS.SimpleQueueService.NonExistentQueue;Sender] The "
            "specified "
            "queue does not exist.");
  EXPECT_EQ(
      json_error(f.call_json("Frobnicate", "{}")),
      "400 com.amazonaws.sqs#UnknownOperationException [InvalidAction;Sender] The action Frobnicate is not "
      "valid for this endpoint.");
  EXPECT_EQ(
      json_error(f.call_json("ListQueues", "[1,")),
      "400 com.amazonaws.sqs#SerializationException [SerializationException;Sender] The request body is not "
      "valid JSON.");
  EXPECT_EQ(json_error(f.call_json("SendMessage", R"({"MessageBody":"x"})")),
            "400 com.amazonaws.sqs#MissingParameter [MissingParameter;Sender] The request must contain the "
            "parameter "
            "QueueUrl.");
  EXPECT_EQ(json_error(f.call_json("CreateQueue", "{}")),
            "400 com.amazonaws.sqs#MissingParameter [MissingParameter;Sender] The request must contain the "
            "parameter "
            "QueueName.");
  EXPECT_EQ(json_error(f.call_json("CreateQueue", R"({"QueueName":{"a":1}})")),
            "400 com.amazonaws.sqs#InvalidParameterValue [InvalidParameterValue;Sender] Value for parameter "
            "QueueName "
            "is invalid.");
  // A member of the wrong type deeper down is the client's fault too, not a 500.
  f.call_json("CreateQueue", R"({"QueueName":"q"})");
  EXPECT_EQ(json_error(f.call_json("SendMessage", R"({"QueueUrl":"/q","MessageBody":"x",)"
                                                  R"("MessageAttributes":{"k":{"DataType":7}}})"))
                .substr(0, 80),
            "400 com.amazonaws.sqs#InvalidParameterValue [InvalidParameterValue;Sender] Inval");
}

TEST(SqsApi, JsonParameterErrors) {
  Fixture f;
  f.call_json("CreateQueue", R"({"QueueName":"q"})");
  const std::string q = R"("QueueUrl":"http://elsewhere:9/000000000000/q")";
  EXPECT_EQ(
      json_error(f.call_json("SendMessage", "{" + q + R"(,"MessageBody":"x","DelaySeconds":"soon"})")),
      "400 com.amazonaws.sqs#InvalidParameterValue [InvalidParameterValue;Sender] Value soon for parameter "
      "DelaySeconds is invalid. Reason: must be an integer.");
  EXPECT_EQ(json_error(f.call_json("SendMessage", "{" + q + R"(,"MessageBody":""})")),
            "400 com.amazonaws.sqs#MissingParameter [MissingParameter;Sender] The request must contain the "
            "parameter "
            "MessageBody.");
  EXPECT_EQ(
      json_error(f.call_json("SendMessage", "{" + q +
                                                R"(,"MessageBody":"x","MessageAttributes":{"b":{"DataType":)"
                                                R"("Binary","BinaryValue":"!!"}}})")),
      "400 com.amazonaws.sqs#InvalidParameterValue [InvalidParameterValue;Sender] The message attribute 'b' "
      "has "
      "an invalid binary value.");
  EXPECT_EQ(
      json_error(f.call_json("SendMessage", "{" + q +
                                                R"(,"MessageBody":"x","MessageSystemAttributes":{"Other":)"
                                                R"({"DataType":"String","StringValue":"v"}}})")),
      "400 com.amazonaws.sqs#InvalidParameterValue [InvalidParameterValue;Sender] Message system attribute "
      "name "
      "'Other' is invalid.");
  EXPECT_EQ(
      json_error(f.call_json("ReceiveMessage", "{" + q + R"(,"MessageSystemAttributeNames":["Colour"]})")),
      "400 com.amazonaws.sqs#InvalidAttributeName [InvalidAttributeName;Sender] Unknown Attribute Colour.");
  EXPECT_EQ(
      json_error(f.call_json("ReceiveMessage", "{" + q + R"(,"VisibilityTimeout":43201})")),
      "400 com.amazonaws.sqs#InvalidParameterValue [InvalidParameterValue;Sender] Value 43201 for parameter "
      "VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided.");
  EXPECT_EQ(json_error(f.call_json("ChangeMessageVisibility", "{" + q + R"(,"ReceiptHandle":"x"})")),
            "400 com.amazonaws.sqs#MissingParameter [MissingParameter;Sender] The request must contain the "
            "parameter "
            "VisibilityTimeout.");
  EXPECT_EQ(
      json_error(f.call_json("ListQueues", R"({"MaxResults":0})")),
      "400 com.amazonaws.sqs#InvalidParameterValue [InvalidParameterValue;Sender] Value 0 for parameter "
      "MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.");
  EXPECT_EQ(
      json_error(f.call_json("SetQueueAttributes", "{" + q + R"(,"Attributes":{"VisibilityTimeout":[1]}})")),
      "400 com.amazonaws.sqs#InvalidAttributeValue [InvalidAttributeValue;Sender] Invalid value for the "
      "parameter VisibilityTimeout.");
  // A queue named by a URL from another host still resolves (by its last path segment).
  net::Response ok = f.call_json("SendMessage", "{" + q + R"(,"MessageBody":"x"})");
  EXPECT_EQ(ok.status, 200) << ok.body;
}

TEST(SqsApi, ListQueuesPagesAndUrlsUseTheRequestHost) {
  Fixture f;
  for (const char* name : {"a1", "a2", "a3", "b1"})
    f.call_json("CreateQueue", json{{"QueueName", name}}.dump());
  json page = json::parse(f.call_json("ListQueues", R"({"QueueNamePrefix":"a","MaxResults":2})").body);
  EXPECT_EQ(page["QueueUrls"], json::array({"http://h:1/000000000000/a1", "http://h:1/000000000000/a2"}));
  ASSERT_TRUE(page.contains("NextToken"));
  json rest = json::parse(
      f.call_json("ListQueues",
                  json{{"QueueNamePrefix", "a"}, {"MaxResults", 2}, {"NextToken", page["NextToken"]}}.dump())
          .body);
  EXPECT_EQ(rest["QueueUrls"], json::array({"http://h:1/000000000000/a3"}));
  EXPECT_FALSE(rest.contains("NextToken"));
  EXPECT_EQ(json::parse(f.call_json("ListQueues", R"({"QueueNamePrefix":"zz"})").body), json::object());
  // Without a Host header the configured default goes into URLs.
  EXPECT_EQ(json::parse(f.call_json("GetQueueUrl", R"({"QueueName":"b1"})", "").body)["QueueUrl"],
            "http://127.0.0.1:4566/000000000000/b1");
}

TEST(SqsApi, GetQueueAttributesWithoutNamesReturnsNone) {
  Fixture f;
  f.call_json("CreateQueue", R"({"QueueName":"q","Attributes":{"DelaySeconds":"2"}})");
  const std::string q = R"("QueueUrl":"http://h:1/000000000000/q")";
  EXPECT_EQ(json::parse(f.call_json("GetQueueAttributes", "{" + q + "}").body), json::object());
  EXPECT_EQ(json::parse(f.call_json("GetQueueAttributes",
                                    "{" + q + R"(,"AttributeNames":["DelaySeconds","QueueArn"]})")
                            .body),
            json::parse(
                R"({"Attributes":{"QueueArn":"arn:aws:sqs:us-west-2:000000000000:q","DelaySeconds":"2"}})"));
  // An empty RedrivePolicy removes the policy.
  f.call_json(
      "SetQueueAttributes",
      "{" + q +
          R"(,"Attributes":{"RedrivePolicy":"{\"deadLetterTargetArn\":\"arn:aws:sqs:us-west-2:000000000000:d\",\"maxReceiveCount\":3}"}})");
  EXPECT_TRUE(f.sqs.queue("q").settings.redrive);
  EXPECT_EQ(f.call_json("SetQueueAttributes", "{" + q + R"(,"Attributes":{"RedrivePolicy":""}})").status,
            200);
  EXPECT_FALSE(f.sqs.queue("q").settings.redrive);
}

TEST(SqsApi, QueryErrorsAreXml) {
  Fixture f;
  net::Response r = f.call_query("Action=GetQueueUrl&QueueName=nope&Version=2012-11-05");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "text/xml");
  const std::string request_id = header(r, "x-amzn-RequestId");
  EXPECT_EQ(
      r.body,
      "<?xml version=\"1.0\"?><ErrorResponse xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\"><Error>"
      "<Type>Sender</Type><Code>AWS.SimpleQueueService.NonExistentQueue</Code><Message>The specified queue "
      "does not exist.</Message><Detail/></Error><RequestId>" +
          request_id + "</RequestId></ErrorResponse>");
  net::Response missing = f.call_query("QueueName=x");
  EXPECT_NE(missing.body.find("<Code>MissingAction</Code>"), std::string::npos) << missing.body;
  net::Response bad = f.call_query("Action=SendMessage&QueueUrl=%2F0%2Fq&MessageBody=%3Cx%3E");
  EXPECT_NE(bad.body.find("<Code>AWS.SimpleQueueService.NonExistentQueue</Code>"), std::string::npos);
}

TEST(SqsApi, QueryResponsesAndTheQueryString) {
  Fixture f;
  net::Response created =
      f.call_query("Action=CreateQueue&QueueName=q&Attribute.1.Name=DelaySeconds&Attribute.1.Value=1");
  EXPECT_EQ(created.status, 200);
  EXPECT_NE(created.body.find(
                "<CreateQueueResult><QueueUrl>http://h:1/000000000000/q</QueueUrl></CreateQueueResult>"),
            std::string::npos)
      << created.body;
  // A GET with the parameters in the query string, as old scripts do.
  net::Request get;
  get.method = "GET";
  get.path = "/";
  get.query_params = {{"Action", "ListQueues"}};
  get.headers = {{"Host", "h:1"}};
  net::Response listed = f.api.handle(get);
  EXPECT_NE(
      listed.body.find("<ListQueuesResult><QueueUrl>http://h:1/000000000000/q</QueueUrl></ListQueuesResult>"),
      std::string::npos)
      << listed.body;
  net::Response purged = f.call_query("Action=PurgeQueue", "/000000000000/q");
  EXPECT_EQ(purged.status, 200);
  EXPECT_EQ(purged.body.find("PurgeQueueResult"), std::string::npos);
  EXPECT_NE(purged.body.find("<PurgeQueueResponse xmlns="), std::string::npos);
  // An empty receive still has its result element.
  net::Response empty = f.call_query("Action=ReceiveMessage", "/000000000000/q");
  EXPECT_NE(empty.body.find("<ReceiveMessageResult></ReceiveMessageResult>"), std::string::npos)
      << empty.body;
}

TEST(SqsApi, RecognisesSqsRequests) {
  net::Request json_request;
  json_request.headers = {{"X-Amz-Target", "AmazonSQS.SendMessage"}};
  EXPECT_TRUE(SqsApi::is_sqs_request(json_request));
  net::Request lambda;
  lambda.headers = {{"X-Amz-Target", "AWSLambda.Invoke"}};
  EXPECT_FALSE(SqsApi::is_sqs_request(lambda));
  net::Request form;
  form.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  form.body = "Version=2012-11-05&Action=ReceiveMessage";
  EXPECT_TRUE(SqsApi::is_sqs_request(form));
  form.body = "Action=DescribeInstances";
  EXPECT_FALSE(SqsApi::is_sqs_request(form));
  net::Request query;
  query.query_params = {{"Action", "ListQueues"}};
  EXPECT_TRUE(SqsApi::is_sqs_request(query));
}

}  // namespace
}  // namespace stratus::triggers::sqs
