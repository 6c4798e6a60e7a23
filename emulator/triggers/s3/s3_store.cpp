#include "emulator/triggers/s3/s3_store.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <system_error>

#include "emulator/common/clock.hpp"
#include "emulator/common/ids.hpp"
#include "emulator/common/sha256.hpp"
#include "emulator/triggers/s3/s3_store_files.hpp"

namespace stratus::triggers::s3 {
namespace {

namespace fs = std::filesystem;
using namespace store_files;
using store::Statement;

constexpr std::size_t kMaxKeyBytes = 1024;

constexpr const char* kObjectColumns =
    "key, file, size, etag, content_type, last_modified_ms, metadata, headers";

ObjectInfo read_object_row(const Statement& s) {
  ObjectInfo info;
  info.key = s.column_text(0);
  info.file = s.column_text(1);
  info.size = s.column_int64(2);
  info.etag = s.column_text(3);
  info.content_type = s.column_text(4);
  info.last_modified_ms = s.column_int64(5);
  info.metadata = from_json(s.column_text(6));
  info.headers = from_json(s.column_text(7));
  return info;
}

std::string digest(std::string_view bytes, const EVP_MD* md) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), out, &len, md, nullptr);
  return std::string(reinterpret_cast<const char*>(out), len);
}

}  // namespace

std::string md5_raw(std::string_view bytes) {
  return digest(bytes, EVP_md5());
}

std::string md5_hex(std::string_view bytes) {
  const std::string raw = md5_raw(bytes);
  return to_hex({reinterpret_cast<const unsigned char*>(raw.data()), raw.size()});
}

S3Error no_such_bucket(const std::string& bucket) {
  return S3Error(404, "NoSuchBucket", "The specified bucket does not exist", {{"BucketName", bucket}});
}

S3Error no_such_key(const std::string& key) {
  return S3Error(404, "NoSuchKey", "The specified key does not exist.", {{"Key", key}});
}

void check_bucket_name(std::string_view name) {
  auto invalid = [&] {
    return S3Error(400, "InvalidBucketName", "The specified bucket is not valid.",
                   {{"BucketName", std::string(name)}});
  };
  if (name.size() < 3 || name.size() > 63) throw invalid();
  int dots = 0;
  bool all_digits_and_dots = true;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && c != '.' && c != '-') throw invalid();
    if ((i == 0 || i + 1 == name.size()) && !alnum) throw invalid();
    if (c == '.') {
      ++dots;
      if (name[i - 1] == '.') throw invalid();
    }
    if (c != '.' && !(c >= '0' && c <= '9')) all_digits_and_dots = false;
  }
  if (dots == 3 && all_digits_and_dots) throw invalid();  // shaped like an IP address
}

void check_key(std::string_view key) {
  if (key.empty())
    throw S3Error(400, "InvalidArgument", "The object key must not be empty.",
                  {{"ArgumentName", "key"}, {"ArgumentValue", ""}});
  if (key.size() > kMaxKeyBytes)
    throw S3Error(400, "KeyTooLongError", "Your key is too long",
                  {{"MaxSizeAllowed", std::to_string(kMaxKeyBytes)}, {"Size", std::to_string(key.size())}});
  auto escape = [&] {
    return S3Error(400, "InvalidArgument",
                   "The object key would resolve outside the bucket's folder: stratus refuses keys that "
                   "contain NUL, start with '/' or have a '.' or '..' segment.",
                   {{"ArgumentName", "key"}, {"ArgumentValue", std::string(key)}});
  };
  if (key.find('\0') != std::string_view::npos || key.front() == '/') throw escape();
  std::size_t start = 0;
  for (;;) {
    const std::size_t slash = key.find_first_of("/\\", start);
    const std::string_view segment = key.substr(start, slash - start);
    if (segment == "." || segment == "..") throw escape();
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
}

S3Store::S3Store(store::Database& db, fs::path root, std::chrono::seconds sweep_age)
    : m_db(db), m_root(std::move(root)) {
  fs::create_directories(m_root);
  sweep(sweep_age);
}

void S3Store::sweep(std::chrono::seconds age) {
  const auto cutoff = fs::file_time_type::clock::now() - age;
  std::lock_guard lock(m_mutex);
  std::set<std::string> live;
  Statement s(m_db, "SELECT bucket, file FROM s3_objects");
  while (s.step()) live.insert(s.column_text(0) + "/" + s.column_text(1));
  Statement parts(m_db, "SELECT bucket, file FROM s3_parts");
  while (parts.step()) live.insert(parts.column_text(0) + "/" + parts.column_text(1));
  for (const auto& bucket : fs::directory_iterator(m_root)) {
    if (!bucket.is_directory()) continue;
    for (const auto& file : fs::directory_iterator(bucket.path())) {
      const std::string name = bucket.path().filename().string() + "/" + file.path().filename().string();
      std::error_code ec;
      if (file.is_regular_file() && !live.contains(name) && file.last_write_time(ec) <= cutoff)
        fs::remove(file.path(), ec);
    }
  }
}

void S3Store::require_bucket(const std::string& bucket) {
  Statement s(m_db, "SELECT 1 FROM s3_buckets WHERE name = ?");
  s.bind(1, bucket);
  if (!s.step()) throw no_such_bucket(bucket);
}

void S3Store::create_bucket(const std::string& name) {
  check_bucket_name(name);
  std::lock_guard lock(m_mutex);
  if (Statement s(m_db, "SELECT 1 FROM s3_buckets WHERE name = ?"); s.bind(1, name).step())
    throw S3Error(409, "BucketAlreadyOwnedByYou",
                  "Your previous request to create the named bucket succeeded and you already own it.",
                  {{"BucketName", name}});
  fs::create_directories(bucket_dir(name));
  Statement insert(m_db, "INSERT INTO s3_buckets (name, created_ms) VALUES (?, ?)");
  insert.bind(1, name).bind(2, unix_ms_now()).step();
}

void S3Store::delete_bucket(const std::string& name) {
  std::lock_guard lock(m_mutex);
  require_bucket(name);
  if (Statement s(m_db, "SELECT 1 FROM s3_objects WHERE bucket = ? LIMIT 1"); s.bind(1, name).step())
    throw S3Error(409, "BucketNotEmpty", "The bucket you tried to delete is not empty",
                  {{"BucketName", name}});
  store::Transaction tx(m_db);
  Statement del(m_db, "DELETE FROM s3_buckets WHERE name = ?");
  del.bind(1, name).step();
  // Uploads never completed go with their bucket (their part files are in its folder).
  Statement parts(m_db, "DELETE FROM s3_parts WHERE bucket = ?");
  parts.bind(1, name).step();
  Statement uploads(m_db, "DELETE FROM s3_uploads WHERE bucket = ?");
  uploads.bind(1, name).step();
  tx.commit();
  std::error_code ec;
  fs::remove_all(bucket_dir(name), ec);
}

bool S3Store::bucket_exists(const std::string& name) {
  std::lock_guard lock(m_mutex);
  Statement s(m_db, "SELECT 1 FROM s3_buckets WHERE name = ?");
  return s.bind(1, name).step();
}

std::vector<BucketInfo> S3Store::list_buckets() {
  std::lock_guard lock(m_mutex);
  std::vector<BucketInfo> out;
  Statement s(m_db, "SELECT name, created_ms FROM s3_buckets ORDER BY name");
  while (s.step()) out.push_back({s.column_text(0), s.column_int64(1)});
  return out;
}

ObjectInfo S3Store::commit_object(const std::string& bucket, ObjectInfo info, const std::string& upload_id,
                                  const WriteCondition& condition) {
  std::optional<std::string> old_file;
  {
    std::lock_guard lock(m_mutex);
    std::optional<std::string> old_etag;
    // The checks run inside the transaction, so they hold against writers in other processes too.
    store::Transaction tx(m_db);
    try {
      // The bucket (or the upload) may have gone while the bytes were written.
      if (upload_id.empty())
        require_bucket(bucket);
      else
        require_upload(bucket, info.key, upload_id);
      Statement old(m_db, "SELECT file, etag FROM s3_objects WHERE bucket = ? AND key = ?");
      if (old.bind(1, bucket).bind(2, info.key).step()) {
        old_file = old.column_text(0);
        old_etag = old.column_text(1);
      }
      const S3Error failed(412, "PreconditionFailed",
                           "At least one of the pre-conditions you specified did not hold",
                           {{"Condition", condition.if_none_match ? "If-None-Match" : "If-Match"}});
      if (condition.if_none_match && old_etag) throw failed;
      if (condition.if_match && !old_etag) throw no_such_key(info.key);
      if (condition.if_match && *condition.if_match != *old_etag) throw failed;
    } catch (...) {
      std::error_code ec;
      fs::remove(bucket_dir(bucket) / info.file, ec);
      throw;
    }
    Statement upsert(m_db,
                     "INSERT OR REPLACE INTO s3_objects (bucket, key, file, size, etag, content_type, "
                     "last_modified_ms, metadata, headers) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    upsert.bind(1, bucket)
        .bind(2, info.key)
        .bind(3, info.file)
        .bind(4, info.size)
        .bind(5, info.etag)
        .bind(6, info.content_type)
        .bind(7, info.last_modified_ms)
        .bind(8, to_json(info.metadata))
        .bind(9, to_json(info.headers))
        .step();
    if (!upload_id.empty()) {
      Statement parts(m_db, "DELETE FROM s3_parts WHERE upload_id = ?");
      parts.bind(1, upload_id).step();
      Statement upload(m_db, "DELETE FROM s3_uploads WHERE upload_id = ?");
      upload.bind(1, upload_id).step();
    }
    tx.commit();
  }
  // A reader that opened the old file before the commit keeps reading it: POSIX unlink semantics.
  std::error_code ec;
  if (old_file) fs::remove(bucket_dir(bucket) / *old_file, ec);
  return info;
}

ObjectInfo S3Store::put_object(const std::string& bucket, const std::string& key, std::string_view bytes,
                               ObjectInfo info, const WriteCondition& condition) {
  check_key(key);
  if (!bucket_exists(bucket)) throw no_such_bucket(bucket);
  info.key = key;
  info.size = static_cast<std::int64_t>(bytes.size());
  info.etag = md5_hex(bytes);
  info.last_modified_ms = unix_ms_now();
  info.file =
      write_new_file(bucket_dir(bucket), [&](int fd, const fs::path& path) { write_all(fd, bytes, path); });
  return commit_object(bucket, std::move(info), "", condition);
}

ObjectInfo S3Store::copy_object(const std::string& src_bucket, const std::string& src_key,
                                const std::string& bucket, const std::string& key,
                                std::optional<ObjectInfo> replace) {
  check_key(key);
  if (!bucket_exists(bucket)) throw no_such_bucket(bucket);
  // Opened now, so a concurrent overwrite of the source cannot break the copy.
  const ObjectReader reader = open_object(src_bucket, src_key);
  const ObjectInfo& source = reader.info();
  ObjectInfo info = replace ? std::move(*replace) : source;
  info.key = key;
  info.size = source.size;
  info.etag = source.etag;
  info.last_modified_ms = unix_ms_now();
  info.file = write_new_file(bucket_dir(bucket), [&](int fd, const fs::path& path) {
    // In blocks, so a large object never sits in memory whole.
    constexpr std::int64_t kBlock = 1 << 20;
    for (std::int64_t offset = 0; offset < source.size; offset += kBlock)
      write_all(fd, reader.read(offset, std::min(kBlock, source.size - offset)), path);
  });
  return commit_object(bucket, std::move(info));
}

ObjectInfo S3Store::head_object(const std::string& bucket, const std::string& key) {
  std::lock_guard lock(m_mutex);
  require_bucket(bucket);
  Statement s(m_db,
              std::string("SELECT ") + kObjectColumns + " FROM s3_objects WHERE bucket = ? AND key = ?");
  if (!s.bind(1, bucket).bind(2, key).step()) throw no_such_key(key);
  return read_object_row(s);
}

void S3Store::set_tagging(const std::string& bucket, const std::string& key, const std::string& tagging) {
  std::lock_guard lock(m_mutex);
  require_bucket(bucket);
  Statement s(m_db, "SELECT headers FROM s3_objects WHERE bucket = ? AND key = ?");
  if (!s.bind(1, bucket).bind(2, key).step()) throw no_such_key(key);
  std::map<std::string, std::string> headers = from_json(s.column_text(0));
  if (tagging.empty())
    headers.erase(kTaggingKey);
  else
    headers[kTaggingKey] = tagging;
  Statement u(m_db, "UPDATE s3_objects SET headers = ? WHERE bucket = ? AND key = ?");
  u.bind(1, to_json(headers)).bind(2, bucket).bind(3, key).step();
}

ObjectReader S3Store::open_object(const std::string& bucket, const std::string& key) {
  // Row and file under one lock: a writer renames its file before committing its row and unlinks
  // the replaced file only after, so the file a row names exists while the lock is held.
  std::lock_guard lock(m_mutex);
  require_bucket(bucket);
  Statement s(m_db,
              std::string("SELECT ") + kObjectColumns + " FROM s3_objects WHERE bucket = ? AND key = ?");
  if (!s.bind(1, bucket).bind(2, key).step()) throw no_such_key(key);
  ObjectInfo info = read_object_row(s);
  const fs::path path = bucket_dir(bucket) / info.file;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail_errno("cannot open", path);
  return ObjectReader(std::move(info), fd);
}

ObjectReader::~ObjectReader() {
  if (m_fd >= 0) ::close(m_fd);
}

std::string ObjectReader::read(std::int64_t offset, std::int64_t length) const {
  std::string out(static_cast<std::size_t>(length), '\0');
  std::size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::pread(m_fd, out.data() + done, out.size() - done, offset + static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::system_error(errno, std::generic_category(), "cannot read object " + m_info.key);
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  out.resize(done);
  return out;
}

bool S3Store::delete_object(const std::string& bucket, const std::string& key) {
  std::string file;
  {
    std::lock_guard lock(m_mutex);
    require_bucket(bucket);
    Statement s(m_db, "SELECT file FROM s3_objects WHERE bucket = ? AND key = ?");
    if (!s.bind(1, bucket).bind(2, key).step()) return false;
    file = s.column_text(0);
    Statement del(m_db, "DELETE FROM s3_objects WHERE bucket = ? AND key = ?");
    del.bind(1, bucket).bind(2, key).step();
  }
  std::error_code ec;
  fs::remove(bucket_dir(bucket) / file, ec);
  return true;
}

ListResult S3Store::list_objects(const std::string& bucket, const ListQuery& query) {
  std::lock_guard lock(m_mutex);
  require_bucket(bucket);
  ListResult result;
  if (query.max_keys <= 0) return result;
  // Keys sort as bytes (SQLite's BINARY collation), which is S3's UTF-8 binary order.
  Statement s(m_db, std::string("SELECT ") + kObjectColumns +
                        " FROM s3_objects WHERE bucket = ? AND key > ? AND key >= ? ORDER BY key");
  s.bind(1, bucket).bind(2, query.after).bind(3, query.prefix);
  int count = 0;
  while (s.step()) {
    const std::string key = s.column_text(0);
    if (!key.starts_with(query.prefix)) break;
    std::optional<std::string> group;
    if (!query.delimiter.empty()) {
      const std::size_t at = key.find(query.delimiter, query.prefix.size());
      if (at != std::string::npos) group = key.substr(0, at + query.delimiter.size());
    }
    // A continuation that ended on a common prefix resumes after every key under it.
    if (group && (*group == query.after ||
                  (!result.common_prefixes.empty() && result.common_prefixes.back() == *group)))
      continue;
    if (count == query.max_keys) {
      result.truncated = true;
      break;
    }
    ++count;
    if (group) {
      result.common_prefixes.push_back(*group);
      result.last = *group;
    } else {
      result.objects.push_back(read_object_row(s));
      result.last = key;
    }
  }
  return result;
}

std::vector<ObjectInfo> S3Store::all_objects(const std::string& bucket) {
  std::lock_guard lock(m_mutex);
  require_bucket(bucket);
  std::vector<ObjectInfo> out;
  Statement s(m_db,
              std::string("SELECT ") + kObjectColumns + " FROM s3_objects WHERE bucket = ? ORDER BY key");
  s.bind(1, bucket);
  while (s.step()) out.push_back(read_object_row(s));
  return out;
}

}  // namespace stratus::triggers::s3
