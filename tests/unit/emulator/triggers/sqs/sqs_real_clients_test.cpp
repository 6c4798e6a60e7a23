// The SQS API as real clients see it: the aws CLI and boto3 (JSON 1.0 protocol) and hand-built
// form POSTs from Python's urllib (Query protocol), and the JS SDK v3 where installed, run as child
// processes against an SqsApi served from this test binary on 127.0.0.1. botocore does not check
// SQS digests itself, so the Python scripts recompute MD5OfMessageBody and MD5OfMessageAttributes
// with their own implementation of AWS's algorithm and fail on a mismatch. Skipped when the client
// is not installed.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "emulator/triggers/sqs/sqs_api.hpp"
#include "tests/support/shell.hpp"
#include "tests/support/temp_dir.hpp"

namespace stratus::triggers::sqs {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::array<std::string_view, 2> kMigrations = {kSqsSchema, kSqsTagsSchema};

using test_support::ProcessResult;
using test_support::read_file;

// Python helpers every script starts with: digests computed independently of the emulator.
constexpr const char* kPrelude = R"PY(
import base64, hashlib, json, os, struct, sys, threading, time
def md5_body(body):
    return hashlib.md5(body.encode()).hexdigest()
def md5_attrs(attrs):
    buf = b""
    for name in sorted(attrs):
        a = attrs[name]
        t = a["DataType"]
        buf += struct.pack(">I", len(name.encode())) + name.encode()
        buf += struct.pack(">I", len(t.encode())) + t.encode()
        if "BinaryValue" in a:
            v = a["BinaryValue"]
            v = v if isinstance(v, bytes) else base64.b64decode(v)
            buf += b"\x02" + struct.pack(">I", len(v)) + v
        else:
            v = a["StringValue"].encode()
            buf += b"\x01" + struct.pack(">I", len(v)) + v
    return hashlib.md5(buf).hexdigest()
def check(cond, what):
    if not cond:
        raise SystemExit("check failed: " + what)
)PY";

class SqsRealClientTest : public ::testing::Test {
 protected:
  SqsRealClientTest()
      : db(tmp.path() / "stratus.db", kMigrations),
        sqs(db, "us-east-1"),
        api(sqs),
        server("127.0.0.1", 0, [this](const net::Request& r) { return api.handle(r); }) {}

  ProcessResult run(const std::string& command) {
    const std::string env =
        "env HOME='" + tmp.path().string() +
        "' AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_SESSION_TOKEN= "
        "AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null "
        "AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_MAX_ATTEMPTS=1 AWS_RETRY_MODE=standard "
        "AWS_EC2_METADATA_DISABLED=true AWS_PAGER= ENDPOINT=" +
        endpoint() + " ";
    const fs::path err = tmp.path() / "stderr.txt";
    return test_support::run_shell(env + command, err);
  }

  ProcessResult python(const std::string& script) {
    const fs::path path = tmp.write("client.py", std::string(kPrelude) + script);
    return run("python3 '" + path.string() + "'");
  }

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(server.port()); }

  std::string aws(const std::string& args) {
    return "aws sqs " + args + " --endpoint-url " + endpoint() + " --region us-east-1 --output json";
  }

  bool have(const std::string& probe) { return run(probe + " >/dev/null").exit_code == 0; }

  test_support::TempDir tmp;
  store::Database db;
  SqsStore sqs;
  SqsApi api;
  net::HttpServer server;
};

#define SKIP_WITHOUT_AWS_CLI()                            \
  static const bool have_aws_cli = have("aws --version"); \
  if (!have_aws_cli) GTEST_SKIP() << "the aws CLI is not installed"
#define SKIP_WITHOUT_BOTO3()                                        \
  static const bool have_boto3 = have("python3 -c 'import boto3'"); \
  if (!have_boto3) GTEST_SKIP() << "python3 with boto3 is not installed"
#define SKIP_WITHOUT_PYTHON()                                      \
  static const bool have_python = have("python3 -c 'import sys'"); \
  if (!have_python) GTEST_SKIP() << "python3 is not installed"

constexpr const char* kBotoClient = R"PY(
import boto3, botocore
from botocore.config import Config
c = boto3.client("sqs", endpoint_url=os.environ["ENDPOINT"], region_name="us-east-1",
                 aws_access_key_id="test", aws_secret_access_key="test",
                 config=Config(retries={"max_attempts": 1, "mode": "standard"}))
def code_of(f):
    try:
        f()
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"] + ": " + e.response["Error"]["Message"]
    return "no error"
)PY";

TEST_F(SqsRealClientTest, Boto3QueuesAndMessagesWithVerifiedDigests) {
  SKIP_WITHOUT_BOTO3();
  ProcessResult r = python(std::string(kBotoClient) + R"PY(
out = {}
url = c.create_queue(QueueName="jobs", Attributes={"VisibilityTimeout": "7"})["QueueUrl"]
out["url"] = url
out["same"] = c.create_queue(QueueName="jobs", Attributes={"VisibilityTimeout": "7"})["QueueUrl"]
c.create_queue(QueueName="jobs-two")
c.create_queue(QueueName="other")
out["list"] = c.list_queues(QueueNamePrefix="jobs")["QueueUrls"]
out["get_url"] = c.get_queue_url(QueueName="other")["QueueUrl"]
try:
    c.create_queue(QueueName="jobs", Attributes={"VisibilityTimeout": "8"})
    out["exists"] = "no error"
except c.exceptions.QueueNameExists as e:
    out["exists"] = e.response["Error"]["Code"]
attrs = {"geo.city": {"DataType": "String", "StringValue": "Any City"},
         "count": {"DataType": "Number.int", "StringValue": "3"},
         "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xff"}}
body = "héllo <world> & \"friends\""
trace = {"AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1-5759e988-bd862e3fe1be46a994272793"}}
sent = c.send_message(QueueUrl=url, MessageBody=body, MessageAttributes=attrs, MessageSystemAttributes=trace)
check(sent["MD5OfMessageSystemAttributes"] == md5_attrs(trace), "send system attributes md5")
check(sent["MD5OfMessageBody"] == md5_body(body), "send body md5")
check(sent["MD5OfMessageAttributes"] == md5_attrs(attrs), "send attributes md5")
out["sys_md5"] = "MD5OfMessageSystemAttributes" in sent
a = c.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
out["attributes"] = a
got = c.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"],
                        MessageSystemAttributeNames=["All"])["Messages"]
check(len(got) == 1, "one message")
m = got[0]
check(m["MD5OfBody"] == md5_body(m["Body"]), "receive body md5")
check(m["MD5OfMessageAttributes"] == md5_attrs(m["MessageAttributes"]), "receive attributes md5")
out["body"] = m["Body"]
out["blob"] = list(m["MessageAttributes"]["blob"]["BinaryValue"])
out["system"] = m["Attributes"]
out["id_matches"] = m["MessageId"] == sent["MessageId"]
# Only the attributes asked for, with the digest of those.
c.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
m2 = c.receive_message(QueueUrl=url, MessageAttributeNames=["geo.*", "count"])["Messages"][0]
out["some"] = sorted(m2["MessageAttributes"])
check(m2["MD5OfMessageAttributes"] == md5_attrs(m2["MessageAttributes"]), "subset md5")
out["no_system"] = "Attributes" not in m2
out["not_visible"] = c.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesNotVisible"])["Attributes"]
c.delete_message(QueueUrl=url, ReceiptHandle=m2["ReceiptHandle"])
out["after_delete"] = c.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
out["empty"] = "Messages" in c.receive_message(QueueUrl=url)
c.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "3"})
c.send_message(QueueUrl=url, MessageBody="later")
out["delayed"] = c.get_queue_attributes(QueueUrl=url, AttributeNames=["DelaySeconds", "ApproximateNumberOfMessagesDelayed"])["Attributes"]
c.purge_queue(QueueUrl=url)
c.delete_queue(QueueUrl=url)
try:
    c.get_queue_url(QueueName="jobs")
    out["gone"] = "no error"
except c.exceptions.QueueDoesNotExist as e:
    out["gone"] = e.response["Error"]["Code"] + ": " + e.response["Error"]["Message"]
print(json.dumps(out))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  const json out = json::parse(r.out);
  const std::string base = endpoint() + "/000000000000/";
  EXPECT_EQ(out["url"], base + "jobs");
  EXPECT_EQ(out["same"], base + "jobs");
  EXPECT_EQ(out["list"], json::array({base + "jobs", base + "jobs-two"}));
  EXPECT_EQ(out["get_url"], base + "other");
  EXPECT_EQ(out["exists"], "QueueAlreadyExists");
  EXPECT_TRUE(out["sys_md5"].get<bool>());
  EXPECT_EQ(out["attributes"]["VisibilityTimeout"], "7");
  EXPECT_EQ(out["attributes"]["QueueArn"], "arn:aws:sqs:us-east-1:000000000000:jobs");
  EXPECT_EQ(out["attributes"]["ApproximateNumberOfMessages"], "1");
  EXPECT_EQ(out["attributes"]["MaximumMessageSize"], "1048576");
  EXPECT_TRUE(out["attributes"].contains("CreatedTimestamp"));
  EXPECT_EQ(out["body"], "h\xc3\xa9llo <world> & \"friends\"");
  EXPECT_EQ(out["blob"], json::array({0, 1, 255}));
  EXPECT_EQ(out["system"]["ApproximateReceiveCount"], "1");
  EXPECT_EQ(out["system"]["AWSTraceHeader"], "Root=1-5759e988-bd862e3fe1be46a994272793");
  EXPECT_TRUE(out["system"].contains("SentTimestamp"));
  EXPECT_TRUE(out["id_matches"].get<bool>());
  EXPECT_EQ(out["some"], json::array({"count", "geo.city"}));
  EXPECT_TRUE(out["no_system"].get<bool>());
  EXPECT_EQ(out["not_visible"]["ApproximateNumberOfMessagesNotVisible"], "1");
  EXPECT_EQ(out["after_delete"]["ApproximateNumberOfMessages"], "0");
  EXPECT_EQ(out["after_delete"]["ApproximateNumberOfMessagesNotVisible"], "0");
  EXPECT_FALSE(out["empty"].get<bool>());
  EXPECT_EQ(out["delayed"]["ApproximateNumberOfMessagesDelayed"], "1");
  EXPECT_EQ(out["gone"], "AWS.SimpleQueueService.NonExistentQueue: The specified queue does not exist.");
}

TEST_F(SqsRealClientTest, Boto3BatchesAndTheirErrors) {
  SKIP_WITHOUT_BOTO3();
  ProcessResult r = python(std::string(kBotoClient) + R"PY(
out = {}
url = c.create_queue(QueueName="b")["QueueUrl"]
entries = [{"Id": "e%d" % i, "MessageBody": "m%d" % i} for i in range(3)]
entries.append({"Id": "bad", "MessageBody": "x", "DelaySeconds": 901})
entries.append({"Id": "attr", "MessageBody": "y", "MessageAttributes": {"k": {"DataType": "String", "StringValue": "v"}}})
res = c.send_message_batch(QueueUrl=url, Entries=entries)
out["ok"] = sorted(e["Id"] for e in res["Successful"])
out["failed"] = [[f["Id"], f["Code"], f["SenderFault"]] for f in res["Failed"]]
for e in res["Successful"]:
    src = [x for x in entries if x["Id"] == e["Id"]][0]
    check(e["MD5OfMessageBody"] == md5_body(src["MessageBody"]), "batch body md5")
    if "MessageAttributes" in src:
        check(e["MD5OfMessageAttributes"] == md5_attrs(src["MessageAttributes"]), "batch attributes md5")
msgs = c.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
out["received"] = len(msgs)
v = c.change_message_visibility_batch(QueueUrl=url, Entries=[
    {"Id": "c0", "ReceiptHandle": msgs[0]["ReceiptHandle"], "VisibilityTimeout": 60},
    {"Id": "cx", "ReceiptHandle": "junk", "VisibilityTimeout": 60}])
out["visibility_batch"] = [[e["Id"] for e in v["Successful"]], [[f["Id"], f["Code"]] for f in v["Failed"]]]
d = c.delete_message_batch(QueueUrl=url, Entries=[{"Id": "d%d" % i, "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(msgs)] + [{"Id": "junk", "ReceiptHandle": "junk"}])
out["deleted"] = len(d["Successful"])
out["delete_failed"] = [[f["Id"], f["Code"]] for f in d["Failed"]]
out["empty"] = code_of(lambda: c.send_message_batch(QueueUrl=url, Entries=[]))
out["too_many"] = code_of(lambda: c.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": "x"} for i in range(11)]))
out["repeated"] = code_of(lambda: c.delete_message_batch(QueueUrl=url, Entries=[{"Id": "a", "ReceiptHandle": "x"}, {"Id": "a", "ReceiptHandle": "y"}]))
out["bad_id"] = code_of(lambda: c.change_message_visibility_batch(QueueUrl=url, Entries=[{"Id": "no spaces", "ReceiptHandle": "x", "VisibilityTimeout": 1}]))
out["too_long"] = code_of(lambda: c.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": "x" * 300000} for i in range(4)]))
out["missing_queue"] = code_of(lambda: c.send_message_batch(QueueUrl=url + "-nope", Entries=[{"Id": "a", "MessageBody": "x"}]))
out["bad_handle"] = code_of(lambda: c.delete_message(QueueUrl=url, ReceiptHandle="junk"))
out["big"] = code_of(lambda: c.send_message(QueueUrl=url, MessageBody="x" * 1048577))
out["bad_attr_name"] = code_of(lambda: c.get_queue_attributes(QueueUrl=url, AttributeNames=["Colour"]))
out["bad_attr_value"] = code_of(lambda: c.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "-1"}))
out["bad_max"] = code_of(lambda: c.receive_message(QueueUrl=url, MaxNumberOfMessages=11))
out["bad_wait"] = code_of(lambda: c.receive_message(QueueUrl=url, WaitTimeSeconds=21))
out["not_inflight"] = code_of(lambda: c.change_message_visibility(QueueUrl=url, ReceiptHandle=msgs[0]["ReceiptHandle"], VisibilityTimeout=5))
print(json.dumps(out))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  const json out = json::parse(r.out);
  EXPECT_EQ(out["ok"], json::array({"attr", "e0", "e1", "e2"}));
  EXPECT_EQ(out["failed"], json::parse(R"([["bad","InvalidParameterValue",true]])"));
  EXPECT_EQ(out["received"], 4);
  EXPECT_EQ(out["visibility_batch"], json::parse(R"([["c0"],[["cx","ReceiptHandleIsInvalid"]]])"));
  EXPECT_EQ(out["deleted"], 4);
  EXPECT_EQ(out["delete_failed"], json::parse(R"([["junk","ReceiptHandleIsInvalid"]])"));
  EXPECT_EQ(out["empty"],
            "AWS.SimpleQueueService.EmptyBatchRequest: There should be at least one "
            "SendMessageBatchRequestEntry in "
            "the request.");
  EXPECT_EQ(out["too_many"],
            "AWS.SimpleQueueService.TooManyEntriesInBatchRequest: Maximum number of entries per request are "
            "10. You "
            "have sent 11.");
  EXPECT_EQ(out["repeated"], "AWS.SimpleQueueService.BatchEntryIdsNotDistinct: Id a repeated.");
  EXPECT_EQ(out["bad_id"],
            "AWS.SimpleQueueService.InvalidBatchEntryId: A batch entry id can only contain alphanumeric "
            "characters, "
            "hyphens and underscores. It can be at most 80 letters long.");
  EXPECT_EQ(
      out["too_long"],
      "AWS.SimpleQueueService.BatchRequestTooLong: Batch requests cannot be longer than 1048576 bytes. You "
      "have sent 1200000 bytes.");
  EXPECT_EQ(out["missing_queue"],
            "AWS.SimpleQueueService.NonExistentQueue: The specified queue does not exist.");
  EXPECT_EQ(out["bad_handle"],
            "ReceiptHandleIsInvalid: The input receipt handle \"junk\" is not a valid receipt handle.");
  EXPECT_EQ(out["big"],
            "InvalidParameterValue: One or more parameters are invalid. Reason: Message must be shorter than "
            "1048576 "
            "bytes.");
  EXPECT_EQ(out["bad_attr_name"], "InvalidAttributeName: Unknown Attribute Colour.");
  EXPECT_EQ(out["bad_attr_value"],
            "InvalidAttributeValue: Invalid value for the parameter VisibilityTimeout.");
  EXPECT_EQ(out["bad_max"],
            "InvalidParameterValue: Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be "
            "between 1 "
            "and 10, if provided.");
  EXPECT_EQ(
      out["bad_wait"],
      "InvalidParameterValue: Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= "
      "20, if provided.");
  EXPECT_EQ(
      out["not_inflight"],
      "AWS.SimpleQueueService.MessageNotInflight: Message does not exist or is not available for visibility "
      "timeout change.");
}

TEST_F(SqsRealClientTest, Boto3LongPollVisibilityRedriveAndFifo) {
  SKIP_WITHOUT_BOTO3();
  ProcessResult r = python(std::string(kBotoClient) + R"PY(
out = {}
url = c.create_queue(QueueName="lp", Attributes={"VisibilityTimeout": "1"})["QueueUrl"]
# Long polling: the receive waits, a send from another thread wakes it.
threading.Timer(0.3, lambda: c.send_message(QueueUrl=url, MessageBody="wake")).start()
t = time.monotonic()
m = c.receive_message(QueueUrl=url, WaitTimeSeconds=10)["Messages"][0]
out["poll_seconds"] = time.monotonic() - t
out["poll_body"] = m["Body"]
# Visibility timeout: hidden now, back after 1 s with a higher receive count.
out["hidden"] = "Messages" in c.receive_message(QueueUrl=url)
time.sleep(1.1)
m = c.receive_message(QueueUrl=url, MessageSystemAttributeNames=["ApproximateReceiveCount"])["Messages"][0]
out["count_after_timeout"] = m["Attributes"]["ApproximateReceiveCount"]
# Redrive: after maxReceiveCount receives the message moves to the dead-letter queue.
dlq = c.create_queue(QueueName="lp-dlq")["QueueUrl"]
dlq_arn = c.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
src = c.create_queue(QueueName="lp-src", Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2})})["QueueUrl"]
c.send_message(QueueUrl=src, MessageBody="poison")
for i in range(2):
    m = c.receive_message(QueueUrl=src)["Messages"][0]
    c.change_message_visibility(QueueUrl=src, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
out["src_after"] = "Messages" in c.receive_message(QueueUrl=src)
d = c.receive_message(QueueUrl=dlq, MessageSystemAttributeNames=["All"])["Messages"][0]
out["dlq_body"] = d["Body"]
out["dlq_source"] = d["Attributes"].get("DeadLetterQueueSourceArn")
# FIFO: group order, a group in flight is held back.
f = c.create_queue(QueueName="o.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
seq = []
for body, group in [("a1", "a"), ("b1", "b"), ("a2", "a")]:
    seq.append(c.send_message(QueueUrl=f, MessageBody=body, MessageGroupId=group)["SequenceNumber"])
out["dup"] = c.send_message(QueueUrl=f, MessageBody="a1", MessageGroupId="a")["SequenceNumber"] == seq[0]
first = c.receive_message(QueueUrl=f, MessageSystemAttributeNames=["All"])["Messages"][0]
out["first"] = [first["Body"], first["Attributes"]["MessageGroupId"], first["Attributes"]["SequenceNumber"] == seq[0]]
out["next"] = [m["Body"] for m in c.receive_message(QueueUrl=f, MaxNumberOfMessages=10).get("Messages", [])]
c.delete_message(QueueUrl=f, ReceiptHandle=first["ReceiptHandle"])
out["after_delete"] = [m["Body"] for m in c.receive_message(QueueUrl=f, MaxNumberOfMessages=10).get("Messages", [])]
out["no_group"] = code_of(lambda: c.send_message(QueueUrl=f, MessageBody="x"))
print(json.dumps(out))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  const json out = json::parse(r.out);
  EXPECT_EQ(out["poll_body"], "wake");
  EXPECT_LT(out["poll_seconds"].get<double>(), 3.0);
  EXPECT_FALSE(out["hidden"].get<bool>());
  EXPECT_EQ(out["count_after_timeout"], "2");
  EXPECT_FALSE(out["src_after"].get<bool>());
  EXPECT_EQ(out["dlq_body"], "poison");
  EXPECT_EQ(out["dlq_source"], "arn:aws:sqs:us-east-1:000000000000:lp-src");
  EXPECT_TRUE(out["dup"].get<bool>());
  EXPECT_EQ(out["first"], json::parse(R"(["a1","a",true])"));
  EXPECT_EQ(out["next"], json::array({"b1"}));
  EXPECT_EQ(out["after_delete"], json::array({"a2"}));
  EXPECT_EQ(out["no_group"], "MissingParameter: The request must contain the parameter MessageGroupId.");
}

TEST_F(SqsRealClientTest, Boto3TagsAndDeadLetterSources) {
  SKIP_WITHOUT_BOTO3();
  ProcessResult r = python(std::string(kBotoClient) + R"PY(
out = {}
url = c.create_queue(QueueName="tagged", tags={"team": "a", "env": "dev"})["QueueUrl"]
out["created"] = c.list_queue_tags(QueueUrl=url).get("Tags")
c.tag_queue(QueueUrl=url, Tags={"team": "b", "cost": "7"})
c.untag_queue(QueueUrl=url, TagKeys=["env"])
out["changed"] = c.list_queue_tags(QueueUrl=url).get("Tags")
c.untag_queue(QueueUrl=url, TagKeys=["team", "cost"])
out["none"] = "Tags" in c.list_queue_tags(QueueUrl=url)
dlq = c.create_queue(QueueName="dead")["QueueUrl"]
arn = c.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
for name in ("src-b", "src-a", "other"):
    attrs = {} if name == "other" else {"RedrivePolicy": json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": "3"})}
    c.create_queue(QueueName=name, Attributes=attrs)
out["sources"] = c.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"]
out["missing"] = code_of(lambda: c.list_queue_tags(QueueUrl=url + "-nope"))
print(json.dumps(out))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  const json out = json::parse(r.out);
  EXPECT_EQ(out["created"], json::parse(R"({"env":"dev","team":"a"})"));
  EXPECT_EQ(out["changed"], json::parse(R"({"cost":"7","team":"b"})"));
  EXPECT_FALSE(out["none"].get<bool>());
  EXPECT_EQ(out["sources"],
            json::array({endpoint() + "/000000000000/src-a", endpoint() + "/000000000000/src-b"}));
  EXPECT_EQ(out["missing"].get<std::string>().rfind("AWS.SimpleQueueService.NonExistentQueue", 0), 0u)
      << out["missing"];
}

TEST_F(SqsRealClientTest, QueryProtocolFromAFormPost) {
  SKIP_WITHOUT_PYTHON();
  ProcessResult r = python(R"PY(
import urllib.request, urllib.parse, urllib.error
import xml.etree.ElementTree as ET
NS = "{http://queue.amazonaws.com/doc/2012-11-05/}"
def call(params, url=None):
    data = urllib.parse.urlencode(dict(params, Version="2012-11-05")).encode()
    req = urllib.request.Request(url or os.environ["ENDPOINT"] + "/", data=data,
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(req) as res:
            return res.status, ET.fromstring(res.read())
    except urllib.error.HTTPError as e:
        return e.code, ET.fromstring(e.read())
def text(node, path):
    return node.find("/".join(NS + p for p in path.split("/"))).text
out = {}
status, doc = call({"Action": "CreateQueue", "QueueName": "legacy", "Attribute.1.Name": "VisibilityTimeout",
                    "Attribute.1.Value": "9"})
url = text(doc, "CreateQueueResult/QueueUrl")
out["create"] = [status, doc.tag, url]
body = "line1\r\nline2 <&>"
status, doc = call({"Action": "SendMessage", "QueueUrl": url, "MessageBody": body,
                    "MessageAttribute.1.Name": "k", "MessageAttribute.1.Value.DataType": "String",
                    "MessageAttribute.1.Value.StringValue": "v",
                    "MessageAttribute.2.Name": "b", "MessageAttribute.2.Value.DataType": "Binary",
                    "MessageAttribute.2.Value.BinaryValue": base64.b64encode(b"\x00\xfe").decode()})
sent_attrs = {"k": {"DataType": "String", "StringValue": "v"}, "b": {"DataType": "Binary", "BinaryValue": b"\x00\xfe"}}
check(text(doc, "SendMessageResult/MD5OfMessageBody") == md5_body(body), "query send body md5")
check(text(doc, "SendMessageResult/MD5OfMessageAttributes") == md5_attrs(sent_attrs), "query send attributes md5")
# Posted to the queue's URL, without a QueueUrl parameter.
status, doc = call({"Action": "ReceiveMessage", "AttributeName.1": "All", "MessageAttributeName.1": "All",
                    "MaxNumberOfMessages": "5"}, url=url)
msgs = doc.findall(NS + "ReceiveMessageResult/" + NS + "Message")
check(len(msgs) == 1, "one message")
m = msgs[0]
check(m.find(NS + "Body").text == body, "body round trip: %r" % m.find(NS + "Body").text)
check(m.find(NS + "MD5OfBody").text == md5_body(body), "query receive body md5")
got = {}
for a in m.findall(NS + "MessageAttribute"):
    v = a.find(NS + "Value")
    entry = {"DataType": v.find(NS + "DataType").text}
    if v.find(NS + "BinaryValue") is not None:
        entry["BinaryValue"] = v.find(NS + "BinaryValue").text
    else:
        entry["StringValue"] = v.find(NS + "StringValue").text
    got[a.find(NS + "Name").text] = entry
check(m.find(NS + "MD5OfMessageAttributes").text == md5_attrs(got), "query receive attributes md5")
out["system"] = sorted(a.find(NS + "Name").text for a in m.findall(NS + "Attribute"))
handle = m.find(NS + "ReceiptHandle").text
status, doc = call({"Action": "GetQueueAttributes", "QueueUrl": url, "AttributeName.1": "VisibilityTimeout",
                    "AttributeName.2": "ApproximateNumberOfMessagesNotVisible"})
out["attributes"] = {a.find(NS + "Name").text: a.find(NS + "Value").text
                     for a in doc.findall(NS + "GetQueueAttributesResult/" + NS + "Attribute")}
status, doc = call({"Action": "DeleteMessageBatch", "QueueUrl": url,
                    "DeleteMessageBatchRequestEntry.1.Id": "one",
                    "DeleteMessageBatchRequestEntry.1.ReceiptHandle": handle,
                    "DeleteMessageBatchRequestEntry.2.Id": "two",
                    "DeleteMessageBatchRequestEntry.2.ReceiptHandle": "bogus"})
r = doc.find(NS + "DeleteMessageBatchResult")
out["batch"] = [[e.find(NS + "Id").text for e in r.findall(NS + "DeleteMessageBatchResultEntry")],
                [[e.find(NS + "Id").text, e.find(NS + "Code").text, e.find(NS + "SenderFault").text]
                 for e in r.findall(NS + "BatchResultErrorEntry")]]
status, doc = call({"Action": "SendMessageBatch", "QueueUrl": url,
                    "SendMessageBatchRequestEntry.1.Id": "x1",
                    "SendMessageBatchRequestEntry.1.MessageBody": "batched",
                    "SendMessageBatchRequestEntry.1.MessageAttribute.1.Name": "n",
                    "SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType": "Number",
                    "SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue": "42",
                    "SendMessageBatchRequestEntry.2.Id": "x2",
                    "SendMessageBatchRequestEntry.2.MessageBody": "plain"})
entries = doc.findall(NS + "SendMessageBatchResult/" + NS + "SendMessageBatchResultEntry")
out["send_batch"] = [e.find(NS + "Id").text for e in entries]
check(entries[0].find(NS + "MD5OfMessageAttributes").text == md5_attrs({"n": {"DataType": "Number", "StringValue": "42"}}),
      "query batch attributes md5")
check(entries[1].find(NS + "MD5OfMessageBody").text == md5_body("plain"), "query batch body md5")
status, doc = call({"Action": "ListQueues", "QueueNamePrefix": "leg"})
out["list"] = [u.text for u in doc.findall(NS + "ListQueuesResult/" + NS + "QueueUrl")]
call({"Action": "TagQueue", "QueueUrl": url, "Tag.1.Key": "team", "Tag.1.Value": "a <b>"})
status, doc = call({"Action": "ListQueueTags", "QueueUrl": url})
out["tags"] = {t.find(NS + "Key").text: t.find(NS + "Value").text
               for t in doc.findall(NS + "ListQueueTagsResult/" + NS + "Tag")}
status, doc = call({"Action": "DeleteQueue", "QueueUrl": url})
out["delete"] = [status, doc.tag]
status, doc = call({"Action": "GetQueueUrl", "QueueName": "legacy"})
err = doc.find(NS + "Error")
out["error"] = [status, doc.tag, err.find(NS + "Type").text, err.find(NS + "Code").text, err.find(NS + "Message").text]
status, doc = call({"Action": "Frobnicate"})
out["unknown"] = [status, doc.find(NS + "Error/" + NS + "Code").text]
print(json.dumps(out))
)PY");
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  const json out = json::parse(r.out);
  const std::string ns = "{http://queue.amazonaws.com/doc/2012-11-05/}";
  EXPECT_EQ(out["create"],
            json::array({200, ns + "CreateQueueResponse", endpoint() + "/000000000000/legacy"}));
  EXPECT_EQ(out["system"], json::parse(R"(["ApproximateFirstReceiveTimestamp","ApproximateReceiveCount",
                                            "SenderId","SentTimestamp"])"));
  EXPECT_EQ(out["attributes"],
            json::parse(R"({"VisibilityTimeout":"9","ApproximateNumberOfMessagesNotVisible":"1"})"));
  EXPECT_EQ(out["batch"], json::parse(R"([["one"],[["two","ReceiptHandleIsInvalid","true"]]])"));
  EXPECT_EQ(out["send_batch"], json::array({"x1", "x2"}));
  EXPECT_EQ(out["list"], json::array({endpoint() + "/000000000000/legacy"}));
  EXPECT_EQ(out["tags"], json::parse(R"({"team":"a <b>"})"));
  EXPECT_EQ(out["delete"], json::array({200, ns + "DeleteQueueResponse"}));
  EXPECT_EQ(out["error"],
            json::array({400, ns + "ErrorResponse", "Sender", "AWS.SimpleQueueService.NonExistentQueue",
                         "The specified queue does not exist."}));
  EXPECT_EQ(out["unknown"], json::array({400, "InvalidAction"}));
}

// The JS SDK v3 checks the body digests itself (middleware-sdk-sqs: MD5OfMessageBody of
// SendMessage and of each batch entry, MD5OfBody of each received message) and throws on a
// mismatch; it does not check the attribute digests, which the Python scripts above do. The SDK is
// installed from npm by scripts/npm-fixture.sh (cached outside the clone).
TEST_F(SqsRealClientTest, JsSdkV3VerifiesTheDigests) {
  if (!have("node --version")) GTEST_SKIP() << "node is not installed";
  // run() points HOME at a scratch folder: name the real cache, so the install happens once.
  const char* cache = std::getenv("STRATUS_CACHE");
  const char* home = std::getenv("HOME");
  const std::string cache_dir = cache ? cache : std::string(home ? home : "/tmp") + "/.cache/stratus";
  ProcessResult sdk =
      run("STRATUS_CACHE='" + cache_dir +
          "' bash '" STRATUS_SOURCE_DIR "/scripts/npm-fixture.sh' @aws-sdk/client-sqs@3.1169.0");
  ASSERT_EQ(sdk.exit_code, 0) << sdk.err;
  const std::string node_path = sdk.out.substr(0, sdk.out.find('\n'));
  const fs::path script = tmp.write("client.js", R"JS(
const sqs = require("@aws-sdk/client-sqs");
const c = new sqs.SQSClient({endpoint: process.env.ENDPOINT, region: "us-east-1",
                             credentials: {accessKeyId: "test", secretAccessKey: "test"}, maxAttempts: 1});
(async () => {
  const {QueueUrl} = await c.send(new sqs.CreateQueueCommand({QueueName: "js"}));
  const attrs = {city: {DataType: "String", StringValue: "Any City"}, n: {DataType: "Number", StringValue: "7"},
                 bin: {DataType: "Binary", BinaryValue: new Uint8Array([0, 1, 255])}};
  await c.send(new sqs.SendMessageCommand({QueueUrl, MessageBody: "h\u00e9llo", MessageAttributes: attrs}));
  await c.send(new sqs.SendMessageBatchCommand({QueueUrl, Entries: [
    {Id: "a", MessageBody: "one", MessageAttributes: {k: {DataType: "String", StringValue: "v"}}},
    {Id: "b", MessageBody: "two"}]}));
  const got = await c.send(new sqs.ReceiveMessageCommand({QueueUrl, MaxNumberOfMessages: 10,
                                                          MessageAttributeNames: ["All"]}));
  console.log(JSON.stringify({count: got.Messages.length, bodies: got.Messages.map(m => m.Body).sort()}));
})().catch(e => { console.error(e); process.exit(1); });
)JS");
  ProcessResult r = run("NODE_PATH='" + node_path + "' node '" + script.string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_EQ(json::parse(r.out), json::parse(R"({"count":3,"bodies":["h\u00e9llo","one","two"]})"));
}

TEST_F(SqsRealClientTest, AwsCli) {
  SKIP_WITHOUT_AWS_CLI();
  ProcessResult create = run(aws("create-queue --queue-name cli-q --attributes VisibilityTimeout=11"));
  ASSERT_EQ(create.exit_code, 0) << create.err;
  const std::string url = json::parse(create.out)["QueueUrl"];
  EXPECT_EQ(url, endpoint() + "/000000000000/cli-q");

  ProcessResult send = run(aws("send-message --queue-url " + url +
                               " --message-body 'from the cli' --message-attributes "
                               "'{\"k\":{\"DataType\":\"String\",\"StringValue\":\"v\"}}'"));
  ASSERT_EQ(send.exit_code, 0) << send.err;
  const json sent = json::parse(send.out);
  EXPECT_EQ(sent["MD5OfMessageBody"], md5_hex("from the cli"));
  EXPECT_EQ(sent["MD5OfMessageAttributes"], "0a77b0642718c3d9dd47090567d11e0d");

  ProcessResult list = run(aws("list-queues --queue-name-prefix cli"));
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(json::parse(list.out)["QueueUrls"], json::array({url}));

  ProcessResult receive =
      run(aws("receive-message --queue-url " + url +
              " --message-attribute-names All --attribute-names All --wait-time-seconds 1"));
  ASSERT_EQ(receive.exit_code, 0) << receive.err;
  const json m = json::parse(receive.out)["Messages"][0];
  EXPECT_EQ(m["Body"], "from the cli");
  EXPECT_EQ(m["MessageAttributes"]["k"]["StringValue"], "v");
  EXPECT_EQ(m["Attributes"]["ApproximateReceiveCount"], "1");

  ProcessResult del = run(aws("delete-message --queue-url " + url + " --receipt-handle '" +
                              m["ReceiptHandle"].get<std::string>() + "'"));
  EXPECT_EQ(del.exit_code, 0) << del.err;

  ProcessResult attributes = run(aws("get-queue-attributes --queue-url " + url + " --attribute-names All"));
  ASSERT_EQ(attributes.exit_code, 0) << attributes.err;
  const json a = json::parse(attributes.out)["Attributes"];
  EXPECT_EQ(a["VisibilityTimeout"], "11");
  EXPECT_EQ(a["ApproximateNumberOfMessages"], "0");
  EXPECT_EQ(a["ApproximateNumberOfMessagesNotVisible"], "0");

  ProcessResult missing = run(aws("get-queue-url --queue-name nope"));
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(
      missing.err.find("(AWS.SimpleQueueService.NonExistentQueue) when calling the GetQueueUrl operation"),
      std::string::npos)
      << missing.err;
  EXPECT_NE(missing.err.find("The specified queue does not exist."), std::string::npos);
}

}  // namespace
}  // namespace stratus::triggers::sqs
