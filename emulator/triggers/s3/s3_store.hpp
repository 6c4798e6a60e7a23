#pragma once
// Buckets and objects of the local S3 endpoint. Object metadata lives in SQLite (the tables of
// kS3Schema, in the service's stratus.db), object bytes in files under a data folder:
//
//   <root>/<bucket>/<32 hex>        one file per object version, named by a random id
//   <root>/<bucket>/.tmp-<32 hex>   an upload being written
//
// A file name never derives from the key, so no key can name a path outside <root>: keys that look
// like an escape ("../x", "/etc/passwd", NUL) are still refused with InvalidArgument, so a user
// learns early that such keys will not survive a real filesystem sync either. Bucket names are
// checked against S3's rules before they become a folder name.
//
// Writes are crash-safe: bytes go to a .tmp- file, are fsync'ed and renamed to a fresh id, then the
// row pointing at it is committed, and only then is the replaced version's file removed. A crash
// leaves the old object or the new one, never a torn one; stray files are swept on open.
//
// Thread-safe: every method takes the store's own mutex around the database (connection threads of
// the HTTP server call it concurrently). Errors the client should see are thrown as S3Error.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/store/database.hpp"

namespace stratus::triggers::s3 {

// The migration that creates the S3 tables; the integrator appends it to stratus.db's list.
inline constexpr std::string_view kS3Schema = R"SQL(
CREATE TABLE s3_buckets (
  name TEXT PRIMARY KEY,
  created_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE s3_objects (
  bucket TEXT NOT NULL,
  key TEXT NOT NULL,
  file TEXT NOT NULL,
  size INTEGER NOT NULL,
  etag TEXT NOT NULL,
  content_type TEXT NOT NULL,
  last_modified_ms INTEGER NOT NULL,
  metadata TEXT NOT NULL,
  headers TEXT NOT NULL,
  PRIMARY KEY (bucket, key)
) WITHOUT ROWID;
CREATE TABLE s3_uploads (
  upload_id TEXT PRIMARY KEY,
  bucket TEXT NOT NULL,
  key TEXT NOT NULL,
  content_type TEXT NOT NULL,
  metadata TEXT NOT NULL,
  headers TEXT NOT NULL,
  created_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE s3_parts (
  upload_id TEXT NOT NULL,
  part_number INTEGER NOT NULL,
  bucket TEXT NOT NULL,
  file TEXT NOT NULL,
  size INTEGER NOT NULL,
  etag TEXT NOT NULL,
  PRIMARY KEY (upload_id, part_number)
) WITHOUT ROWID;
)SQL";

// An error S3 would answer with: HTTP status, Code, Message, and the extra elements its XML
// carries (<Key>, <BucketName>, <RangeRequested>, ...), in order.
class S3Error : public std::runtime_error {
 public:
  S3Error(int http_status, std::string error_code, const std::string& message,
          std::vector<std::pair<std::string, std::string>> extra_elements = {})
      : std::runtime_error(message),
        status(http_status),
        code(std::move(error_code)),
        extra(std::move(extra_elements)) {}
  int status;
  std::string code;
  std::vector<std::pair<std::string, std::string>> extra;
};

S3Error no_such_bucket(const std::string& bucket);
S3Error no_such_key(const std::string& key);

struct BucketInfo {
  std::string name;
  std::int64_t created_ms = 0;
};

// Where ObjectInfo::headers keeps the tag set: stored and copied with the headers, never sent as one.
inline constexpr const char* kTaggingKey = "x-amz-tagging";

struct ObjectInfo {
  std::string key;
  std::int64_t size = 0;
  std::string etag;  // hex MD5 without quotes
  std::string content_type = "binary/octet-stream";
  std::int64_t last_modified_ms = 0;
  std::map<std::string, std::string> metadata;  // x-amz-meta-<name> (name lower-case) -> value
  // Content-Encoding, Content-Disposition, Cache-Control, Content-Language, Expires as sent; and
  // the object's tag set under kTaggingKey, as x-amz-tagging writes it ("k1=v1&k2=v2", URL-encoded).
  std::map<std::string, std::string> headers;
  std::string file;  // the data file's name in the bucket folder
};

// A multipart upload in progress, and one of its parts.
struct UploadInfo {
  std::string key;
  std::string upload_id;
  std::int64_t created_ms = 0;
};
struct PartInfo {
  int number = 0;
  std::int64_t size = 0;
  std::string etag;  // hex MD5 without quotes
  std::int64_t created_ms = 0;
};

// S3's conditional writes, checked atomically with the commit: If-None-Match: * writes only a key
// that is free, If-Match: "<etag>" only over that version. 412 PreconditionFailed, or 404
// NoSuchKey for If-Match on a key that holds nothing.
struct WriteCondition {
  bool if_none_match = false;
  std::optional<std::string> if_match;  // hex ETag, no quotes
};

struct ListQuery {
  std::string prefix;
  std::string delimiter;  // "" = no grouping
  std::string after;      // only keys greater than this (start-after, marker, continuation)
  int max_keys = 1000;
};

struct ListResult {
  std::vector<ObjectInfo> objects;
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  std::string last;  // the last key or common prefix returned: where the next page starts after
};

// Throws S3Error InvalidBucketName for a name S3 would refuse (3-63 of a-z 0-9 . -, starting and
// ending with a letter or digit, no "..", not an IPv4 address).
void check_bucket_name(std::string_view name);
// Throws S3Error for a key that is empty, over 1024 bytes (KeyTooLongError), or that could resolve
// outside a folder: NUL, a leading '/', or a "." / ".." segment (InvalidArgument).
void check_key(std::string_view key);

// Lower-case hex MD5 of `bytes` (an object's ETag) and the raw 16-byte digest (Content-MD5).
std::string md5_hex(std::string_view bytes);
std::string md5_raw(std::string_view bytes);

// An object opened for reading: its metadata and its file, held open, so an overwrite or a delete
// that comes after open_object (and unlinks the file) does not disturb the read.
class ObjectReader {
 public:
  ObjectReader(ObjectInfo info, int fd) : m_info(std::move(info)), m_fd(fd) {}
  ~ObjectReader();
  ObjectReader(ObjectReader&& other) noexcept : m_info(std::move(other.m_info)), m_fd(other.m_fd) {
    other.m_fd = -1;
  }
  ObjectReader& operator=(ObjectReader&&) = delete;
  ObjectReader(const ObjectReader&) = delete;
  ObjectReader& operator=(const ObjectReader&) = delete;

  const ObjectInfo& info() const { return m_info; }
  // `length` bytes from `offset` (the caller keeps the range within the size).
  std::string read(std::int64_t offset, std::int64_t length) const;
  std::string read_all() const { return read(0, m_info.size); }

 private:
  ObjectInfo m_info;
  int m_fd;
};

class S3Store {
 public:
  // `root` is created when missing. Leftover .tmp- files and files no row points at, older than
  // `sweep_age`, are removed: a crash's debris. The age spares the writes in flight of another
  // process that shares the folder (a CLI command beside `stratus offline`).
  S3Store(store::Database& db, std::filesystem::path root,
          std::chrono::seconds sweep_age = std::chrono::minutes(10));
  S3Store(const S3Store&) = delete;
  S3Store& operator=(const S3Store&) = delete;

  // BucketAlreadyOwnedByYou (409) when it exists.
  void create_bucket(const std::string& name);
  // NoSuchBucket, BucketNotEmpty (409).
  void delete_bucket(const std::string& name);
  bool bucket_exists(const std::string& name);
  std::vector<BucketInfo> list_buckets();  // by name

  // Stores `bytes` under `key`, committed before it returns. `info` gives content type, metadata
  // and headers; key, size, etag, last_modified and file are filled in and returned.
  ObjectInfo put_object(const std::string& bucket, const std::string& key, std::string_view bytes,
                        ObjectInfo info, const WriteCondition& condition = {});
  // Copies the source's bytes (in 1 MiB blocks, never whole in memory); `replace` = the metadata to set
  // instead of the source's (MetadataDirective REPLACE). NoSuchBucket / NoSuchKey.
  ObjectInfo copy_object(const std::string& src_bucket, const std::string& src_key, const std::string& bucket,
                         const std::string& key, std::optional<ObjectInfo> replace);
  // The object's metadata; NoSuchBucket / NoSuchKey.
  ObjectInfo head_object(const std::string& bucket, const std::string& key);
  // Replaces the object's tag set ("" removes it); NoSuchBucket / NoSuchKey.
  void set_tagging(const std::string& bucket, const std::string& key, const std::string& tagging);
  // The object's metadata and its open file; NoSuchBucket / NoSuchKey.
  ObjectReader open_object(const std::string& bucket, const std::string& key);
  // true when an object was removed; NoSuchBucket when the bucket does not exist.
  bool delete_object(const std::string& bucket, const std::string& key);
  ListResult list_objects(const std::string& bucket, const ListQuery& query);
  // Every object of a bucket, by key (for `existing: true` notifications).
  std::vector<ObjectInfo> all_objects(const std::string& bucket);

  // Multipart uploads. Parts are files of their own until complete_upload concatenates them into
  // the object (ETag = hex MD5 of the parts' binary MD5s, then "-<count>", as S3 computes it).
  // NoSuchUpload (404) for an unknown id or one of another bucket / key.
  std::string create_upload(const std::string& bucket, const std::string& key, const ObjectInfo& info);
  std::string put_part(const std::string& bucket, const std::string& key, const std::string& upload_id,
                       int part_number, std::string_view bytes);  // returns the part's hex MD5
  // `parts` = (number, hex etag) as the client lists them: ascending (InvalidPartOrder), each one
  // uploaded with that etag (InvalidPart), all but the last at least 5 MiB (EntityTooSmall).
  ObjectInfo complete_upload(const std::string& bucket, const std::string& key, const std::string& upload_id,
                             const std::vector<std::pair<int, std::string>>& parts);
  void abort_upload(const std::string& bucket, const std::string& key, const std::string& upload_id);
  // The bucket's uploads in progress under `prefix`, by key, then by when they began; NoSuchBucket.
  std::vector<UploadInfo> list_uploads(const std::string& bucket, const std::string& prefix);
  // An upload's parts, by number; NoSuchUpload. A part's time is its upload's (no part keeps its own).
  std::vector<PartInfo> list_parts(const std::string& bucket, const std::string& key,
                                   const std::string& upload_id);

  const std::filesystem::path& root() const { return m_root; }

 private:
  void require_bucket(const std::string& bucket);  // with m_mutex held
  std::filesystem::path bucket_dir(const std::string& bucket) const { return m_root / bucket; }
  // Commits the row for `info` and removes the file of the version it replaced.
  // With `upload_id`, the upload and its parts' rows go in the same transaction.
  ObjectInfo commit_object(const std::string& bucket, ObjectInfo info, const std::string& upload_id = "",
                           const WriteCondition& condition = {});
  void sweep(std::chrono::seconds age);
  void require_upload(const std::string& bucket, const std::string& key, const std::string& upload_id);

  store::Database& m_db;
  std::filesystem::path m_root;
  std::mutex m_mutex;
};

}  // namespace stratus::triggers::s3
