// The S3 API as real clients see it: the `aws` CLI (s3 and s3api) and boto3 run as child processes
// against an S3Api served from this test binary (127.0.0.1, ephemeral port, path-style addressing).
// Skipped when the client is not installed.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "emulator/triggers/s3/s3_api.hpp"
#include "tests/support/shell.hpp"
#include "tests/unit/emulator/triggers/s3/recording_dispatcher.hpp"
#include "tests/unit/emulator/triggers/s3/s3_fixture.hpp"

namespace stratus::triggers::s3 {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using test_support::ProcessResult;
using test_support::read_file;

// `size` pseudo-random bytes (incompressible, so nothing upstream can shortcut them).
std::string random_bytes(std::size_t size, unsigned seed) {
  std::mt19937 gen(seed);
  std::string out(size, '\0');
  for (char& c : out) c = static_cast<char>(gen() & 0xFF);
  return out;
}

class S3RealClientTest : public ::testing::Test, public S3Fixture {
 protected:
  S3RealClientTest()
      : notifier(dispatcher, {rule("s3:ObjectCreated:*"), rule("s3:ObjectRemoved:*")}),
        api(*store, {}, &notifier),
        server(
            "127.0.0.1", 0,
            [this](const net::Request& r) {
              if (r.query_param("list-type") == "2") ++list_calls;
              if (r.query_param("partNumber")) ++part_calls;
              return api.handle(r);
            },
            S3Api::server_options()) {
    work = dir.path() / "work";
    fs::create_directories(work);
    // Path-style addressing, as users configure it for a local endpoint.
    std::ofstream(work / "config") << "[default]\nregion = us-east-1\ns3 =\n  addressing_style = path\n";
  }

  static NotificationRule rule(const std::string& event) {
    NotificationRule r;
    r.bucket = "notified";
    r.function = "svc-dev-on-" + event.substr(3, 13);
    r.event = event;
    return r;
  }

  // Runs `command` (bounded by `timeout`) with a throwaway HOME and dummy credentials.
  ProcessResult run(const std::string& command, int timeout_s = 60) {
    const std::string env = "env HOME='" + work.string() +
                            "' AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_SESSION_TOKEN= "
                            "AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE='" +
                            (work / "config").string() +
                            "' AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_MAX_ATTEMPTS=1 "
                            "AWS_EC2_METADATA_DISABLED=true AWS_PAGER= ENDPOINT=" +
                            endpoint() + " timeout " + std::to_string(timeout_s) + " ";
    const fs::path err = work / "stderr.txt";
    return test_support::run_shell(env + command, err);
  }

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(server.port()); }
  std::string aws(const std::string& args) {
    return "aws " + args + " --endpoint-url " + endpoint() + " --output json";
  }
  std::string path(const std::string& name) const { return "'" + (work / name).string() + "'"; }
  bool have(const std::string& probe) { return run(probe + " >/dev/null").exit_code == 0; }

  RecordingDispatcher dispatcher;
  S3Notifier notifier;
  S3Api api;
  std::atomic<int> list_calls{0};
  std::atomic<int> part_calls{0};
  net::HttpServer server;
  fs::path work;
};

#define SKIP_WITHOUT_AWS_CLI()                            \
  static const bool have_aws_cli = have("aws --version"); \
  if (!have_aws_cli) GTEST_SKIP() << "the aws CLI is not installed"
#define SKIP_WITHOUT_BOTO3()                                        \
  static const bool have_boto3 = have("python3 -c 'import boto3'"); \
  if (!have_boto3) GTEST_SKIP() << "python3 with boto3 is not installed"

TEST_F(S3RealClientTest, AwsCliBucketsAndObjects) {
  SKIP_WITHOUT_AWS_CLI();
  ProcessResult mb = run(aws("s3 mb s3://cli-bucket"));
  ASSERT_EQ(mb.exit_code, 0) << mb.err;
  // us-east-1: the owner's repeat succeeds, as on AWS.
  ProcessResult again = run(aws("s3api create-bucket --bucket cli-bucket"));
  EXPECT_EQ(again.exit_code, 0) << again.err;

  std::ofstream(work / "hello.txt") << "hello world";
  ProcessResult put =
      run(aws("s3api put-object --bucket cli-bucket --key 'docs/a b.txt' --body " + path("hello.txt") +
              " --content-type text/plain --metadata owner=ana,team=core"));
  ASSERT_EQ(put.exit_code, 0) << put.err;
  EXPECT_EQ(json::parse(put.out)["ETag"], "\"5eb63bbbe01eeed093cb22bb8f5acdc3\"");

  ProcessResult head = run(aws("s3api head-object --bucket cli-bucket --key 'docs/a b.txt'"));
  ASSERT_EQ(head.exit_code, 0) << head.err;
  json h = json::parse(head.out);
  EXPECT_EQ(h["ContentLength"], 11);
  EXPECT_EQ(h["ContentType"], "text/plain");
  EXPECT_EQ(h["Metadata"], json::parse(R"({"owner":"ana","team":"core"})"));
  EXPECT_EQ(h["ETag"], "\"5eb63bbbe01eeed093cb22bb8f5acdc3\"");

  ProcessResult range = run(
      aws("s3api get-object --bucket cli-bucket --key 'docs/a b.txt' --range bytes=6-10 " + path("part")));
  ASSERT_EQ(range.exit_code, 0) << range.err;
  EXPECT_EQ(read_file(work / "part"), "world");
  EXPECT_EQ(json::parse(range.out)["ContentRange"], "bytes 6-10/11");

  ProcessResult ls = run(aws("s3 ls s3://cli-bucket/docs/"));
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_NE(ls.out.find("11 a b.txt"), std::string::npos) << ls.out;
  ProcessResult buckets = run(aws("s3api list-buckets"));
  EXPECT_EQ(json::parse(buckets.out)["Buckets"][0]["Name"], "cli-bucket");

  ProcessResult missing = run(aws("s3api get-object --bucket cli-bucket --key nope " + path("out")));
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(
      missing.err.find("(NoSuchKey) when calling the GetObject operation: The specified key does not exist."),
      std::string::npos)
      << missing.err;
  ProcessResult head_missing = run(aws("s3api head-object --bucket cli-bucket --key nope"));
  EXPECT_NE(head_missing.err.find("(404) when calling the HeadObject operation"), std::string::npos)
      << head_missing.err;
  ProcessResult bad_range =
      run(aws("s3api get-object --bucket cli-bucket --key 'docs/a b.txt' --range bytes=50- " + path("out")));
  EXPECT_NE(bad_range.err.find("(InvalidRange)"), std::string::npos) << bad_range.err;

  ProcessResult rb_full = run(aws("s3 rb s3://cli-bucket"));
  EXPECT_NE(rb_full.exit_code, 0);
  EXPECT_NE(rb_full.err.find("BucketNotEmpty"), std::string::npos) << rb_full.err;
  ProcessResult rm = run(aws("s3 rm 's3://cli-bucket/docs/a b.txt'"));
  ASSERT_EQ(rm.exit_code, 0) << rm.err;
  ProcessResult rb = run(aws("s3 rb s3://cli-bucket"));
  ASSERT_EQ(rb.exit_code, 0) << rb.err;
  EXPECT_FALSE(store->bucket_exists("cli-bucket"));
}

TEST_F(S3RealClientTest, AwsCliCopiesLargeFilesUpAndDownByteIdentical) {
  SKIP_WITHOUT_AWS_CLI();
  store->create_bucket("big-bucket");
  // 6 MB goes up in one PutObject; 20 MB in 8 MB parts (the CLI's multipart threshold and size),
  // and comes back in ranged GETs.
  for (const auto& [name, size] : {std::pair<std::string, std::size_t>{"six.bin", 6u << 20},
                                   std::pair<std::string, std::size_t>{"twenty.bin", 20u << 20}}) {
    const std::string bytes = random_bytes(size, static_cast<unsigned>(size));
    std::ofstream(work / name, std::ios::binary) << bytes;
    ProcessResult up = run(aws("s3 cp " + path(name) + " s3://big-bucket/data/" + name), 120);
    ASSERT_EQ(up.exit_code, 0) << up.err;
    ProcessResult down = run(aws("s3 cp s3://big-bucket/data/" + name + " " + path(name + ".back")), 120);
    ASSERT_EQ(down.exit_code, 0) << down.err;
    EXPECT_TRUE(read_file(work / (name + ".back")) == bytes) << name << " differs after the round trip";
    EXPECT_EQ(store->head_object("big-bucket", "data/" + name).size, static_cast<std::int64_t>(size));
  }
  EXPECT_EQ(part_calls.load(), 3);
  EXPECT_TRUE(store->head_object("big-bucket", "data/twenty.bin").etag.ends_with("-3"));
  // Between keys, the CLI copies a large object part by part (UploadPartCopy).
  ProcessResult copy = run(aws("s3 cp s3://big-bucket/data/twenty.bin s3://big-bucket/copy/twenty.bin"), 120);
  ASSERT_EQ(copy.exit_code, 0) << copy.err;
  EXPECT_EQ(part_calls.load(), 6);
  EXPECT_TRUE(store->open_object("big-bucket", "copy/twenty.bin").read_all() ==
              random_bytes(20u << 20, static_cast<unsigned>(20u << 20)));
}

TEST_F(S3RealClientTest, AwsCliListsPageByPage) {
  SKIP_WITHOUT_AWS_CLI();
  store->create_bucket("list-bucket");
  for (int i = 0; i < 25; ++i) {
    const std::string n = (i < 10 ? "0" : "") + std::to_string(i);
    store->put_object("list-bucket", (i % 5 == 0 ? "group/" : "flat/") + n, n, {});
  }
  ProcessResult all = run(aws("s3api list-objects-v2 --bucket list-bucket --page-size 10"));
  ASSERT_EQ(all.exit_code, 0) << all.err;
  json contents = json::parse(all.out)["Contents"];
  ASSERT_EQ(contents.size(), 25u);
  EXPECT_EQ(contents[0]["Key"], "flat/01");
  EXPECT_EQ(contents[24]["Key"], "group/20");
  EXPECT_EQ(list_calls.load(), 3);  // 10 + 10 + 5, following NextContinuationToken

  ProcessResult grouped =
      run(aws("s3api list-objects-v2 --no-paginate --bucket list-bucket --delimiter / --prefix ''"));
  ASSERT_EQ(grouped.exit_code, 0) << grouped.err;
  json g = json::parse(grouped.out);
  EXPECT_EQ(g["CommonPrefixes"], json::parse(R"([{"Prefix":"flat/"},{"Prefix":"group/"}])"));
  EXPECT_EQ(g["KeyCount"], 2);

  ProcessResult ls = run(aws("s3 ls s3://list-bucket/group/"));
  EXPECT_NE(ls.out.find("2 20\n"), std::string::npos) << ls.out;
  ProcessResult recursive = run(aws("s3 ls --recursive s3://list-bucket"));
  EXPECT_EQ(std::count(recursive.out.begin(), recursive.out.end(), '\n'), 25);
}

TEST_F(S3RealClientTest, AwsCliCopyAndBatchDelete) {
  SKIP_WITHOUT_AWS_CLI();
  store->create_bucket("copy-bucket");
  ObjectInfo meta;
  meta.metadata["m"] = "1";
  store->put_object("copy-bucket", "src/a b+c.txt", "payload", meta);
  ProcessResult copy =
      run(aws("s3api copy-object --bucket copy-bucket --key dst/one.txt --copy-source "
              "'copy-bucket/src/a b+c.txt'"));
  ASSERT_EQ(copy.exit_code, 0) << copy.err;
  EXPECT_EQ(json::parse(copy.out)["CopyObjectResult"]["ETag"], "\"" + md5_hex("payload") + "\"");
  EXPECT_EQ(store->head_object("copy-bucket", "dst/one.txt").metadata.at("m"), "1");

  ProcessResult replace =
      run(aws("s3api copy-object --bucket copy-bucket --key dst/two.txt --copy-source "
              "'copy-bucket/src/a b+c.txt' --metadata-directive REPLACE --metadata n=2"));
  ASSERT_EQ(replace.exit_code, 0) << replace.err;
  EXPECT_EQ(store->head_object("copy-bucket", "dst/two.txt").metadata,
            (std::map<std::string, std::string>{{"n", "2"}}));

  ProcessResult s3cp = run(aws("s3 cp 's3://copy-bucket/src/a b+c.txt' s3://copy-bucket/dst/three.txt"));
  ASSERT_EQ(s3cp.exit_code, 0) << s3cp.err;

  ProcessResult del =
      run(aws("s3api delete-objects --bucket copy-bucket --delete "
              "'{\"Objects\":[{\"Key\":\"dst/one.txt\"},{\"Key\":\"dst/two.txt\"},"
              "{\"Key\":\"missing\"}]}'"));
  ASSERT_EQ(del.exit_code, 0) << del.err;
  EXPECT_EQ(json::parse(del.out)["Deleted"].size(), 3u);
  ProcessResult quiet =
      run(aws("s3api delete-objects --bucket copy-bucket --delete "
              "'{\"Objects\":[{\"Key\":\"dst/three.txt\"}],\"Quiet\":true}'"));
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_FALSE(json::parse(quiet.out.empty() ? "{}" : quiet.out).contains("Deleted"));
  EXPECT_EQ(store->all_objects("copy-bucket").size(), 1u);
}

TEST_F(S3RealClientTest, AwsCliSyncsBothWays) {
  SKIP_WITHOUT_AWS_CLI();
  store->create_bucket("sync-bucket");
  fs::create_directories(work / "site" / "css");
  std::ofstream(work / "site" / "index.html") << "<h1>hi</h1>";
  std::ofstream(work / "site" / "css" / "a b.css") << "body{}";
  ProcessResult up = run(aws("s3 sync " + path("site") + " s3://sync-bucket/www"));
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(store->open_object("sync-bucket", "www/css/a b.css").read_all(), "body{}");
  EXPECT_EQ(store->head_object("sync-bucket", "www/index.html").content_type, "text/html");
  // A second sync finds nothing to do: sizes and times from the listing match.
  ProcessResult again = run(aws("s3 sync " + path("site") + " s3://sync-bucket/www"));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, "");
  ProcessResult down = run(aws("s3 sync s3://sync-bucket/www " + path("copy")));
  ASSERT_EQ(down.exit_code, 0) << down.err;
  EXPECT_EQ(read_file(work / "copy" / "css" / "a b.css"), "body{}");
  EXPECT_EQ(read_file(work / "copy" / "index.html"), "<h1>hi</h1>");
  fs::remove(work / "site" / "index.html");
  ProcessResult del = run(aws("s3 sync --delete " + path("site") + " s3://sync-bucket/www"));
  ASSERT_EQ(del.exit_code, 0) << del.err;
  EXPECT_EQ(store->all_objects("sync-bucket").size(), 1u);
}

TEST_F(S3RealClientTest, AwsCliCannotWriteOutsideTheDataFolder) {
  SKIP_WITHOUT_AWS_CLI();
  store->create_bucket("safe-bucket");
  std::ofstream(work / "x.txt") << "x";
  for (const char* key : {"../outside.txt", "a/../../outside.txt", "/outside.txt"}) {
    ProcessResult r = run(aws("s3api put-object --bucket safe-bucket --key '" + std::string(key) +
                              "' --body " + path("x.txt")));
    EXPECT_NE(r.exit_code, 0) << key;
    EXPECT_NE(r.err.find("(InvalidArgument) when calling the PutObject operation"), std::string::npos)
        << r.err;
  }
  ProcessResult cp = run(aws("s3 cp " + path("x.txt") + " s3://safe-bucket/../outside.txt"));
  EXPECT_NE(cp.exit_code, 0);
  EXPECT_TRUE(store->all_objects("safe-bucket").empty());
  for (const auto& entry : fs::recursive_directory_iterator(dir.path()))
    EXPECT_NE(entry.path().filename(), "outside.txt") << entry.path();
}

TEST_F(S3RealClientTest, AwsCliUploadNotifiesWithTheS3Event) {
  SKIP_WITHOUT_AWS_CLI();
  store->create_bucket("notified");
  std::ofstream(work / "photo.jpg") << "jpeg";
  ProcessResult up = run(aws("s3 cp " + path("photo.jpg") + " 's3://notified/in box/photo 1.jpg'"));
  ASSERT_EQ(up.exit_code, 0) << up.err;
  ProcessResult rm = run(aws("s3 rm 's3://notified/in box/photo 1.jpg'"));
  ASSERT_EQ(rm.exit_code, 0) << rm.err;
  const auto calls = dispatcher.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].first, "svc-dev-on-ObjectCreated");
  EXPECT_EQ(calls[1].first, "svc-dev-on-ObjectRemoved");
  const json created = json::parse(calls[0].second)["Records"][0];
  EXPECT_EQ(created["eventName"], "ObjectCreated:Put");
  EXPECT_EQ(created["s3"]["object"]["key"], "in+box/photo+1.jpg");
  EXPECT_EQ(created["s3"]["object"]["size"], 4);
  EXPECT_EQ(created["s3"]["object"]["eTag"], md5_hex("jpeg"));
  EXPECT_EQ(json::parse(calls[1].second)["Records"][0]["eventName"], "ObjectRemoved:Delete");
}

constexpr const char* kBotoScript = R"PY(
import base64, hashlib, json, os, sys
import boto3, botocore
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
c = boto3.client("s3", endpoint_url=os.environ["ENDPOINT"], region_name="us-east-1",
                 aws_access_key_id="test", aws_secret_access_key="test",
                 config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1, "mode": "standard"}))
out = {}
def code(f):
    try:
        f()
        return None
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"]
c.create_bucket(Bucket="boto-bucket")
out["again"] = code(lambda: c.create_bucket(Bucket="boto-bucket"))
out["badname"] = code(lambda: c.create_bucket(Bucket="Bad_Name"))
body = b"hello boto"
r = c.put_object(Bucket="boto-bucket", Key="dir/k 1+x.txt", Body=body, ContentType="text/x",
                 Metadata={"Color": "blue"}, ContentMD5=base64.b64encode(hashlib.md5(body).digest()).decode())
out["put_etag"] = r["ETag"]
g = c.get_object(Bucket="boto-bucket", Key="dir/k 1+x.txt")
out["get"] = {"body": g["Body"].read().decode(), "type": g["ContentType"], "meta": g["Metadata"],
              "length": g["ContentLength"], "modified": g["LastModified"].year}
g = c.get_object(Bucket="boto-bucket", Key="dir/k 1+x.txt", Range="bytes=-4")
out["range"] = [g["Body"].read().decode(), g["ContentRange"]]
out["bad_md5"] = code(lambda: c.put_object(Bucket="boto-bucket", Key="x", Body=b"abc",
                                           ContentMD5=base64.b64encode(hashlib.md5(b"xyz").digest()).decode()))
c.put_object(Bucket="boto-bucket", Key="lock", Body=b"1", IfNoneMatch="*")
out["if_none_match"] = code(lambda: c.put_object(Bucket="boto-bucket", Key="lock", Body=b"2", IfNoneMatch="*"))
out["head_missing"] = code(lambda: c.head_object(Bucket="boto-bucket", Key="nope"))
out["no_bucket"] = code(lambda: c.list_objects_v2(Bucket="no-such-bucket"))
out["bad_range"] = code(lambda: c.get_object(Bucket="boto-bucket", Key="dir/k 1+x.txt", Range="bytes=100-"))
for i in range(25):
    c.put_object(Bucket="boto-bucket", Key="many/%02d" % i, Body=b"x")
pages = [len(p.get("Contents", [])) for p in
         c.get_paginator("list_objects_v2").paginate(Bucket="boto-bucket", Prefix="many/", PaginationConfig={"PageSize": 10})]
out["pages"] = pages
r = c.list_objects_v2(Bucket="boto-bucket", Delimiter="/")
out["prefixes"] = [p["Prefix"] for p in r.get("CommonPrefixes", [])]
r = c.list_objects_v2(Bucket="boto-bucket", Prefix="dir/")
out["listed_key"] = r["Contents"][0]["Key"]
r = c.list_objects_v2(Bucket="boto-bucket", Prefix="many/", StartAfter="many/22")
out["start_after"] = [o["Key"] for o in r["Contents"]]
r = c.list_objects(Bucket="boto-bucket", Prefix="many/", MaxKeys=20)
out["v1"] = [len(r["Contents"]), r["IsTruncated"]]
r = c.copy_object(Bucket="boto-bucket", Key="copied", CopySource={"Bucket": "boto-bucket", "Key": "dir/k 1+x.txt"})
out["copy_etag"] = r["CopyObjectResult"]["ETag"]
# Object tags: on PutObject, read back, counted on GET, replaced, copied (or replaced) with a copy, removed.
c.put_object(Bucket="boto-bucket", Key="tagged", Body=b"t", Tagging="team=a%20b&env=dev")
out["tags_put"] = c.get_object_tagging(Bucket="boto-bucket", Key="tagged")["TagSet"]
out["tag_count"] = c.get_object(Bucket="boto-bucket", Key="tagged")["TagCount"]
c.put_object_tagging(Bucket="boto-bucket", Key="tagged", Tagging={"TagSet": [{"Key": "k<&>", "Value": "v"}]})
out["tags_replaced"] = c.get_object_tagging(Bucket="boto-bucket", Key="tagged")["TagSet"]
c.copy_object(Bucket="boto-bucket", Key="tagged-copy", CopySource={"Bucket": "boto-bucket", "Key": "tagged"})
out["tags_copied"] = c.get_object_tagging(Bucket="boto-bucket", Key="tagged-copy")["TagSet"]
c.copy_object(Bucket="boto-bucket", Key="tagged-copy", CopySource={"Bucket": "boto-bucket", "Key": "tagged"},
              TaggingDirective="REPLACE", Tagging="x=1")
out["tags_copy_replaced"] = c.get_object_tagging(Bucket="boto-bucket", Key="tagged-copy")["TagSet"]
c.delete_object_tagging(Bucket="boto-bucket", Key="tagged")
out["tags_deleted"] = c.get_object_tagging(Bucket="boto-bucket", Key="tagged")["TagSet"]
out["tags_too_many"] = code(lambda: c.put_object_tagging(Bucket="boto-bucket", Key="tagged", Tagging={
    "TagSet": [{"Key": "k%d" % i, "Value": "v"} for i in range(11)]}))
out["tags_missing"] = code(lambda: c.get_object_tagging(Bucket="boto-bucket", Key="nope"))
for k in ("tagged", "tagged-copy"):
    c.delete_object(Bucket="boto-bucket", Key=k)
# Uploads in progress and their parts, listed (and paged) as a cleanup script would, then aborted.
ids = {k: c.create_multipart_upload(Bucket="boto-bucket", Key=k)["UploadId"] for k in ("mp/b", "mp/a", "other")}
for n, size in ((1, 5 * 1024 * 1024), (2, 3)):
    c.upload_part(Bucket="boto-bucket", Key="mp/a", UploadId=ids["mp/a"], PartNumber=n, Body=b"x" * size)
r = c.list_multipart_uploads(Bucket="boto-bucket", Prefix="mp/")
out["uploads"] = [[u["Key"], u["UploadId"] == ids[u["Key"]]] for u in r["Uploads"]]
r = c.list_multipart_uploads(Bucket="boto-bucket", MaxUploads=1)
out["uploads_page"] = [r["IsTruncated"], r["NextKeyMarker"], len(r["Uploads"])]
r = c.list_multipart_uploads(Bucket="boto-bucket", KeyMarker="mp/a")
out["uploads_after"] = [u["Key"] for u in r["Uploads"]]
r = c.list_parts(Bucket="boto-bucket", Key="mp/a", UploadId=ids["mp/a"])
out["parts"] = [[p["PartNumber"], p["Size"], p["ETag"]] for p in r["Parts"]]
r = c.list_parts(Bucket="boto-bucket", Key="mp/a", UploadId=ids["mp/a"], MaxParts=1)
out["parts_page"] = [r["IsTruncated"], r["NextPartNumberMarker"], len(r["Parts"])]
out["parts_missing"] = code(lambda: c.list_parts(Bucket="boto-bucket", Key="mp/a", UploadId="nope"))
for k, i in ids.items():
    c.abort_multipart_upload(Bucket="boto-bucket", Key=k, UploadId=i)
out["uploads_left"] = len(c.list_multipart_uploads(Bucket="boto-bucket").get("Uploads", []))
r = c.delete_objects(Bucket="boto-bucket", Delete={"Objects": [{"Key": "many/%02d" % i} for i in range(25)]})
out["deleted"] = len(r["Deleted"])
data = os.urandom(12 * 1024 * 1024)
src = os.path.join(os.environ["WORK"], "up.bin")
open(src, "wb").write(data)
cfg = TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024)
c.upload_file(src, "boto-bucket", "big.bin", Config=cfg)
dst = os.path.join(os.environ["WORK"], "down.bin")
c.download_file("boto-bucket", "big.bin", dst, Config=cfg)
out["big_same"] = open(dst, "rb").read() == data
out["big_etag"] = c.head_object(Bucket="boto-bucket", Key="big.bin")["ETag"]
out["not_empty"] = code(lambda: c.delete_bucket(Bucket="boto-bucket"))
for o in c.list_objects_v2(Bucket="boto-bucket")["Contents"]:
    c.delete_object(Bucket="boto-bucket", Key=o["Key"])
c.delete_bucket(Bucket="boto-bucket")
out["buckets"] = [b["Name"] for b in c.list_buckets()["Buckets"]]
print(json.dumps(out))
)PY";

TEST_F(S3RealClientTest, Boto3) {
  SKIP_WITHOUT_BOTO3();
  std::ofstream(work / "client.py") << kBotoScript;
  ProcessResult r = run("env WORK='" + work.string() + "' python3 " + path("client.py"), 120);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto out = json::parse(r.out);
  EXPECT_TRUE(out["again"].is_null()) << out["again"];  // us-east-1: the owner's repeat is a 200
  EXPECT_EQ(out["badname"], "InvalidBucketName");
  EXPECT_EQ(out["put_etag"], "\"" + md5_hex("hello boto") + "\"");
  EXPECT_EQ(out["get"],
            json::parse(R"({"body":"hello boto","type":"text/x","meta":{"color":"blue"},"length":10,
                                        "modified":)" +
                        std::to_string(out["get"]["modified"].get<int>()) + "}"));
  EXPECT_GE(out["get"]["modified"].get<int>(), 2024);
  EXPECT_EQ(out["range"], json::parse(R"(["boto","bytes 6-9/10"])"));
  EXPECT_EQ(out["bad_md5"], "BadDigest");
  EXPECT_EQ(out["if_none_match"], "PreconditionFailed");
  EXPECT_EQ(out["head_missing"], "404");
  EXPECT_EQ(out["no_bucket"], "NoSuchBucket");
  EXPECT_EQ(out["bad_range"], "InvalidRange");
  EXPECT_EQ(out["pages"], json::parse("[10,10,5]"));
  EXPECT_EQ(out["tags_put"], json::parse(R"([{"Key":"team","Value":"a b"},{"Key":"env","Value":"dev"}])"));
  EXPECT_EQ(out["tag_count"], 2);
  EXPECT_EQ(out["tags_replaced"], json::parse(R"([{"Key":"k<&>","Value":"v"}])"));
  EXPECT_EQ(out["tags_copied"], out["tags_replaced"]);
  EXPECT_EQ(out["tags_copy_replaced"], json::parse(R"([{"Key":"x","Value":"1"}])"));
  EXPECT_EQ(out["tags_deleted"], json::array());
  EXPECT_EQ(out["tags_too_many"], "BadRequest");
  EXPECT_EQ(out["tags_missing"], "NoSuchKey");
  EXPECT_EQ(out["uploads"], json::parse(R"([["mp/a",true],["mp/b",true]])"));
  EXPECT_EQ(out["uploads_page"], json::parse(R"([true,"mp/a",1])"));
  EXPECT_EQ(out["uploads_after"], json::parse(R"(["mp/b","other"])"));
  EXPECT_EQ(out["parts"],
            json::array(
                {json::array({1, 5 * 1024 * 1024, "\"" + md5_hex(std::string(5 * 1024 * 1024, 'x')) + "\""}),
                 json::array({2, 3, "\"" + md5_hex("xxx") + "\""})}));
  EXPECT_EQ(out["parts_page"], json::parse("[true,1,1]"));
  EXPECT_EQ(out["parts_missing"], "NoSuchUpload");
  EXPECT_EQ(out["uploads_left"], 0);
  EXPECT_EQ(out["prefixes"], json::parse(R"(["dir/","many/"])"));
  EXPECT_EQ(out["listed_key"], "dir/k 1+x.txt");  // boto3 asks for encoding-type=url and decodes
  EXPECT_EQ(out["start_after"], json::parse(R"(["many/23","many/24"])"));
  EXPECT_EQ(out["v1"], json::parse("[20,true]"));
  EXPECT_EQ(out["copy_etag"], "\"" + md5_hex("hello boto") + "\"");
  EXPECT_EQ(out["deleted"], 25);
  EXPECT_TRUE(out["big_same"].get<bool>());
  EXPECT_TRUE(out["big_etag"].get<std::string>().ends_with("-3\""));
  EXPECT_EQ(out["not_empty"], "BucketNotEmpty");
  EXPECT_EQ(out["buckets"], json::array());
}

}  // namespace
}  // namespace stratus::triggers::s3
