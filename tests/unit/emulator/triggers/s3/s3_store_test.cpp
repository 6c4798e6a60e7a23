#include "emulator/triggers/s3/s3_store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/unit/emulator/triggers/s3/s3_fixture.hpp"

namespace stratus::triggers::s3 {
namespace {

namespace fs = std::filesystem;

// Runs `f`, which must throw an S3Error, and returns it.
template <typename F>
S3Error s3_error(F f) {
  try {
    f();
  } catch (const S3Error& error) {
    return error;
  }
  ADD_FAILURE() << "no S3Error thrown";
  return S3Error(0, "", "");
}

// Every regular file under `root`, relative.
std::vector<std::string> files_under(const fs::path& root) {
  std::vector<std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(root))
    if (entry.is_regular_file()) out.push_back(fs::relative(entry.path(), root).string());
  std::sort(out.begin(), out.end());
  return out;
}

class S3StoreTest : public ::testing::Test, public S3Fixture {};

TEST_F(S3StoreTest, BucketLifecycle) {
  store->create_bucket("beta");
  store->create_bucket("alpha");
  auto buckets = store->list_buckets();
  ASSERT_EQ(buckets.size(), 2u);
  EXPECT_EQ(buckets[0].name, "alpha");
  EXPECT_GT(buckets[0].created_ms, 0);
  EXPECT_TRUE(store->bucket_exists("beta"));

  S3Error again = s3_error([&] { store->create_bucket("alpha"); });
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.code, "BucketAlreadyOwnedByYou");

  store->put_object("alpha", "k", "v", {});
  S3Error not_empty = s3_error([&] { store->delete_bucket("alpha"); });
  EXPECT_EQ(not_empty.status, 409);
  EXPECT_EQ(not_empty.code, "BucketNotEmpty");
  EXPECT_TRUE(store->delete_object("alpha", "k"));
  store->delete_bucket("alpha");
  EXPECT_FALSE(store->bucket_exists("alpha"));
  EXPECT_FALSE(fs::exists(data_root() / "alpha"));

  S3Error missing = s3_error([&] { store->delete_bucket("alpha"); });
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.code, "NoSuchBucket");
  EXPECT_EQ(std::string(missing.what()), "The specified bucket does not exist");
}

TEST_F(S3StoreTest, BucketNamesFollowS3Rules) {
  for (const char* bad : {"ab", "Upper", "a_b", "-ab", "ab-", "a..b", "192.168.1.2", "../x", "a/b",
                          "this-name-is-far-too-long-for-a-bucket-because-it-has-64-chars-x"}) {
    S3Error e = s3_error([&] { store->create_bucket(bad); });
    EXPECT_EQ(e.code, "InvalidBucketName") << bad;
    EXPECT_EQ(e.status, 400);
  }
  store->create_bucket("my.bucket-1");
  EXPECT_TRUE(store->bucket_exists("my.bucket-1"));
}

TEST_F(S3StoreTest, PutHeadReadDelete) {
  store->create_bucket("bkt");
  ObjectInfo meta;
  meta.content_type = "text/plain";
  meta.metadata["color"] = "blue";
  meta.headers["Cache-Control"] = "no-cache";
  ObjectInfo put = store->put_object("bkt", "dir/hello.txt", "hello world", meta);
  EXPECT_EQ(put.etag, "5eb63bbbe01eeed093cb22bb8f5acdc3");  // md5("hello world")
  EXPECT_EQ(put.size, 11);

  ObjectInfo head = store->head_object("bkt", "dir/hello.txt");
  EXPECT_EQ(head.etag, put.etag);
  EXPECT_EQ(head.content_type, "text/plain");
  EXPECT_EQ(head.metadata.at("color"), "blue");
  EXPECT_EQ(head.headers.at("Cache-Control"), "no-cache");
  EXPECT_EQ(store->open_object("bkt", "dir/hello.txt").read_all(), "hello world");
  EXPECT_EQ(store->open_object("bkt", "dir/hello.txt").read(6, 5), "world");

  // Overwriting replaces the file; the old version's file is gone.
  store->put_object("bkt", "dir/hello.txt", "v2", {});
  EXPECT_EQ(files_under(data_root()).size(), 1u);
  EXPECT_EQ(store->head_object("bkt", "dir/hello.txt").content_type, "binary/octet-stream");

  EXPECT_TRUE(store->delete_object("bkt", "dir/hello.txt"));
  EXPECT_FALSE(store->delete_object("bkt", "dir/hello.txt"));
  EXPECT_TRUE(files_under(data_root()).empty());
  S3Error gone = s3_error([&] { store->head_object("bkt", "dir/hello.txt"); });
  EXPECT_EQ(gone.code, "NoSuchKey");
  EXPECT_EQ(gone.extra.at(0), (std::pair<std::string, std::string>{"Key", "dir/hello.txt"}));

  EXPECT_EQ(s3_error([&] { store->put_object("nope", "k", "v", {}); }).code, "NoSuchBucket");
  EXPECT_EQ(s3_error([&] { store->delete_object("nope", "k"); }).code, "NoSuchBucket");
}

TEST_F(S3StoreTest, KeysThatCouldEscapeAreRefusedAndNothingIsWritten) {
  store->create_bucket("bkt");
  for (const std::string& bad : std::vector<std::string>{"../escape", "a/../../escape", "..", "/etc/passwd",
                                                         "a/./b", "a\\..\\b", std::string("nul\0byte", 8)}) {
    S3Error e = s3_error([&] { store->put_object("bkt", bad, "x", {}); });
    EXPECT_EQ(e.code, "InvalidArgument") << bad;
    EXPECT_EQ(e.status, 400);
    EXPECT_NE(std::string(e.what()).find("would resolve outside the bucket's folder"), std::string::npos);
  }
  EXPECT_EQ(s3_error([&] { store->put_object("bkt", "", "x", {}); }).code, "InvalidArgument");
  S3Error long_key = s3_error([&] { store->put_object("bkt", std::string(1025, 'k'), "x", {}); });
  EXPECT_EQ(long_key.code, "KeyTooLongError");
  EXPECT_TRUE(files_under(data_root()).empty());
  EXPECT_FALSE(fs::exists(dir.path() / "escape"));
  // Dots inside a segment are ordinary characters.
  store->put_object("bkt", "a..b/..c/d..", "ok", {});
  store->put_object("bkt", std::string(1024, 'k'), "ok", {});
}

TEST_F(S3StoreTest, SurvivesReopeningAndSweepsStrayFiles) {
  store->create_bucket("bkt");
  ObjectInfo meta;
  meta.metadata["a"] = "1";
  store->put_object("bkt", "keep", "persisted bytes", meta);
  // A crash mid-upload leaves a temporary file, or a renamed file whose row never committed.
  std::ofstream(data_root() / "bkt" / ".tmp-0123") << "partial";
  std::ofstream(data_root() / "bkt" / "feedfacefeedfacefeedfacefeedface") << "orphan";
  // Recent ones may be another process's writes in flight: kept by the default age.
  reopen(std::chrono::minutes(10));
  EXPECT_EQ(files_under(data_root()).size(), 3u);
  reopen();
  ObjectInfo head = store->head_object("bkt", "keep");
  EXPECT_EQ(head.metadata.at("a"), "1");
  EXPECT_EQ(store->open_object("bkt", "keep").read_all(), "persisted bytes");
  EXPECT_EQ(files_under(data_root()), std::vector<std::string>{"bkt/" + head.file});
}

TEST_F(S3StoreTest, ListWithPrefixDelimiterAndPages) {
  store->create_bucket("bkt");
  for (const char* key : {"a.txt", "photos/2024/x.jpg", "photos/2024/y.jpg", "photos/2025/z.jpg",
                          "photos/top.jpg", "videos/v.mp4", "z"})
    store->put_object("bkt", key, key, {});

  ListResult all = store->list_objects("bkt", {});
  EXPECT_EQ(all.objects.size(), 7u);
  EXPECT_FALSE(all.truncated);

  ListResult top = store->list_objects("bkt", ListQuery{"", "/", "", 1000});
  ASSERT_EQ(top.objects.size(), 2u);
  EXPECT_EQ(top.objects[0].key, "a.txt");
  EXPECT_EQ(top.objects[1].key, "z");
  EXPECT_EQ(top.common_prefixes, (std::vector<std::string>{"photos/", "videos/"}));

  ListResult photos = store->list_objects("bkt", ListQuery{"photos/", "/", "", 1000});
  EXPECT_EQ(photos.common_prefixes, (std::vector<std::string>{"photos/2024/", "photos/2025/"}));
  ASSERT_EQ(photos.objects.size(), 1u);
  EXPECT_EQ(photos.objects[0].key, "photos/top.jpg");

  // Pages of 2 with a delimiter: a page may end on a common prefix and the next resumes after it.
  std::vector<std::string> seen;
  ListQuery q{"", "/", "", 2};
  for (int page = 0; page < 10; ++page) {
    ListResult r = store->list_objects("bkt", q);
    for (const auto& o : r.objects) seen.push_back(o.key);
    for (const auto& p : r.common_prefixes) seen.push_back(p);
    if (!r.truncated) break;
    q.after = r.last;
  }
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (std::vector<std::string>{"a.txt", "photos/", "videos/", "z"}));

  ListResult none = store->list_objects("bkt", ListQuery{"", "", "", 0});
  EXPECT_TRUE(none.objects.empty());
  EXPECT_FALSE(none.truncated);
  EXPECT_EQ(s3_error([&] { store->list_objects("nope", {}); }).code, "NoSuchBucket");
}

TEST_F(S3StoreTest, CopyKeepsOrReplacesMetadata) {
  store->create_bucket("src");
  store->create_bucket("dst");
  ObjectInfo meta;
  meta.content_type = "text/csv";
  meta.metadata["m"] = "1";
  ObjectInfo source = store->put_object("src", "a", "a,b\n1,2\n", meta);
  ObjectInfo copy = store->copy_object("src", "a", "dst", "bkt", std::nullopt);
  EXPECT_EQ(copy.etag, source.etag);
  ObjectInfo head = store->head_object("dst", "bkt");
  EXPECT_EQ(head.content_type, "text/csv");
  EXPECT_EQ(head.metadata.at("m"), "1");
  EXPECT_EQ(store->open_object("dst", "bkt").read_all(), "a,b\n1,2\n");

  ObjectInfo replacement;
  replacement.metadata["n"] = "2";
  store->copy_object("src", "a", "dst", "c", replacement);
  head = store->head_object("dst", "c");
  EXPECT_EQ(head.content_type, "binary/octet-stream");
  EXPECT_EQ(head.metadata.count("m"), 0u);
  EXPECT_EQ(head.metadata.at("n"), "2");

  EXPECT_EQ(s3_error([&] { store->copy_object("src", "missing", "dst", "x", std::nullopt); }).code,
            "NoSuchKey");
  EXPECT_EQ(s3_error([&] { store->copy_object("nope", "a", "dst", "x", std::nullopt); }).code,
            "NoSuchBucket");
  EXPECT_EQ(s3_error([&] { store->copy_object("src", "a", "nope", "x", std::nullopt); }).code,
            "NoSuchBucket");
  EXPECT_EQ(s3_error([&] { store->copy_object("src", "a", "dst", "../x", std::nullopt); }).code,
            "InvalidArgument");
}

TEST_F(S3StoreTest, MultipartUpload) {
  store->create_bucket("bkt");
  ObjectInfo meta;
  meta.content_type = "video/mp4";
  const std::string id = store->create_upload("bkt", "big", meta);
  const std::string part1(5 * 1024 * 1024, 'a');
  const std::string e1 = store->put_part("bkt", "big", id, 1, part1);
  const std::string e2 = store->put_part("bkt", "big", id, 2, "tail");
  EXPECT_EQ(e1, md5_hex(part1));

  EXPECT_EQ(s3_error([&] {
              store->complete_upload("bkt", "big", id, {{2, e2}, {1, e1}});
            }).code,
            "InvalidPartOrder");
  EXPECT_EQ(s3_error([&] {
              store->complete_upload("bkt", "big", id, {{1, e1}, {3, e2}});
            }).code,
            "InvalidPart");
  EXPECT_EQ(s3_error([&] { store->complete_upload("bkt", "big", id, {{1, e2}}); }).code, "InvalidPart");
  EXPECT_EQ(s3_error([&] { store->complete_upload("bkt", "other", id, {{1, e1}}); }).code, "NoSuchUpload");

  ObjectInfo done = store->complete_upload("bkt", "big", id, {{1, e1}, {2, e2}});
  EXPECT_EQ(done.etag, md5_hex(md5_raw(part1) + md5_raw("tail")) + "-2");
  EXPECT_EQ(done.size, static_cast<std::int64_t>(part1.size() + 4));
  ObjectInfo head = store->head_object("bkt", "big");
  EXPECT_EQ(head.content_type, "video/mp4");
  EXPECT_EQ(store->open_object("bkt", "big").read(static_cast<std::int64_t>(part1.size()) - 1, 5), "atail");
  // The parts' files are gone; the upload is finished.
  EXPECT_EQ(files_under(data_root()).size(), 1u);
  EXPECT_EQ(s3_error([&] { store->put_part("bkt", "big", id, 3, "x"); }).code, "NoSuchUpload");

  const std::string small = store->create_upload("bkt", "small", {});
  const std::string s1 = store->put_part("bkt", "small", small, 1, "tiny");
  const std::string s2 = store->put_part("bkt", "small", small, 2, "tiny");
  EXPECT_EQ(s3_error([&] {
              store->complete_upload("bkt", "small", small, {{1, s1}, {2, s2}});
            }).code,
            "EntityTooSmall");
  store->abort_upload("bkt", "small", small);
  EXPECT_EQ(s3_error([&] { store->abort_upload("bkt", "small", small); }).code, "NoSuchUpload");
  EXPECT_EQ(files_under(data_root()).size(), 1u);
}

// Writers replace one key while readers read it: every read sees one whole version (its bytes
// match its ETag), never a mix, a torn file or a NoSuchKey.
TEST_F(S3StoreTest, ConcurrentOverwritesAndReads) {
  store->create_bucket("bkt");
  store->put_object("bkt", "hot", std::string(256 * 1024, '@'), {});
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::atomic<int> reads{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < 3; ++w)
    threads.emplace_back([&, w] {
      for (int i = 0; i < 40; ++i)
        store->put_object("bkt", "hot", std::string(256 * 1024 + static_cast<std::size_t>(i), char('a' + w)),
                          {});
    });
  for (int r = 0; r < 3; ++r)
    threads.emplace_back([&] {
      while (!stop) {
        try {
          const ObjectReader reader = store->open_object("bkt", "hot");
          const std::string bytes = reader.read_all();
          const bool uniform = std::all_of(bytes.begin(), bytes.end(), [&](char c) { return c == bytes[0]; });
          if (!uniform || md5_hex(bytes) != reader.info().etag) ++bad;
          ++reads;
        } catch (const std::exception&) {
          ++bad;
        }
      }
    });
  for (int w = 0; w < 3; ++w) threads[static_cast<std::size_t>(w)].join();
  stop = true;
  for (std::size_t t = 3; t < threads.size(); ++t) threads[t].join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(files_under(data_root()).size(), 1u);  // every replaced version's file was removed
}

}  // namespace
}  // namespace stratus::triggers::s3
