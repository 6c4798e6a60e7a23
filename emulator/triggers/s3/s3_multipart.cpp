// S3Store's multipart uploads (the tables s3_uploads and s3_parts of kS3Schema).

#include "emulator/common/clock.hpp"
#include "emulator/common/ids.hpp"
#include "emulator/triggers/s3/s3_store.hpp"
#include "emulator/triggers/s3/s3_store_files.hpp"

namespace stratus::triggers::s3 {

namespace fs = std::filesystem;
using namespace store_files;
using store::Statement;

void S3Store::require_upload(const std::string& bucket, const std::string& key,
                             const std::string& upload_id) {
  require_bucket(bucket);
  Statement s(m_db, "SELECT 1 FROM s3_uploads WHERE upload_id = ? AND bucket = ? AND key = ?");
  if (!s.bind(1, upload_id).bind(2, bucket).bind(3, key).step())
    throw S3Error(404, "NoSuchUpload",
                  "The specified upload does not exist. The upload ID may be invalid, or the upload may have "
                  "been aborted or completed.",
                  {{"UploadId", upload_id}});
}

std::string S3Store::create_upload(const std::string& bucket, const std::string& key,
                                   const ObjectInfo& info) {
  check_key(key);
  std::lock_guard lock(m_mutex);
  require_bucket(bucket);
  const std::string id = random_hex(32);
  Statement s(m_db,
              "INSERT INTO s3_uploads (upload_id, bucket, key, content_type, metadata, headers, created_ms) "
              "VALUES (?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, id)
      .bind(2, bucket)
      .bind(3, key)
      .bind(4, info.content_type)
      .bind(5, to_json(info.metadata))
      .bind(6, to_json(info.headers))
      .bind(7, unix_ms_now())
      .step();
  return id;
}

std::string S3Store::put_part(const std::string& bucket, const std::string& key, const std::string& upload_id,
                              int part_number, std::string_view bytes) {
  {
    std::lock_guard lock(m_mutex);
    require_upload(bucket, key, upload_id);
  }
  const std::string etag = md5_hex(bytes);
  const std::string file =
      write_new_file(bucket_dir(bucket), [&](int fd, const fs::path& path) { write_all(fd, bytes, path); });
  std::optional<std::string> old_file;
  {
    std::lock_guard lock(m_mutex);
    try {
      require_upload(bucket, key, upload_id);  // aborted or completed meanwhile
    } catch (...) {
      std::error_code ec;
      fs::remove(bucket_dir(bucket) / file, ec);
      throw;
    }
    store::Transaction tx(m_db);
    Statement old(m_db, "SELECT file FROM s3_parts WHERE upload_id = ? AND part_number = ?");
    if (old.bind(1, upload_id).bind(2, std::int64_t{part_number}).step()) old_file = old.column_text(0);
    Statement s(m_db,
                "INSERT OR REPLACE INTO s3_parts (upload_id, part_number, bucket, file, size, etag) "
                "VALUES (?, ?, ?, ?, ?, ?)");
    s.bind(1, upload_id)
        .bind(2, std::int64_t{part_number})
        .bind(3, bucket)
        .bind(4, file)
        .bind(5, static_cast<std::int64_t>(bytes.size()))
        .bind(6, etag)
        .step();
    tx.commit();
  }
  std::error_code ec;
  if (old_file) fs::remove(bucket_dir(bucket) / *old_file, ec);
  return etag;
}

ObjectInfo S3Store::complete_upload(const std::string& bucket, const std::string& key,
                                    const std::string& upload_id,
                                    const std::vector<std::pair<int, std::string>>& parts) {
  constexpr std::int64_t kMinPartBytes = 5 * 1024 * 1024;
  struct Part {
    std::string file;
    std::int64_t size;
    std::string etag;
  };
  std::vector<Part> chosen;
  ObjectInfo info;
  {
    std::lock_guard lock(m_mutex);
    require_upload(bucket, key, upload_id);
    Statement upload(m_db, "SELECT content_type, metadata, headers FROM s3_uploads WHERE upload_id = ?");
    upload.bind(1, upload_id).step();
    info.content_type = upload.column_text(0);
    info.metadata = from_json(upload.column_text(1));
    info.headers = from_json(upload.column_text(2));
    Statement s(m_db, "SELECT file, size, etag FROM s3_parts WHERE upload_id = ? AND part_number = ?");
    int previous = 0;
    for (const auto& [number, etag] : parts) {
      if (number <= previous)
        throw S3Error(400, "InvalidPartOrder",
                      "The list of parts was not in ascending order. Parts must be ordered by part number.",
                      {{"UploadId", upload_id}});
      previous = number;
      s.reset();
      if (!s.bind(1, upload_id).bind(2, std::int64_t{number}).step() || s.column_text(2) != etag)
        throw S3Error(400, "InvalidPart",
                      "One or more of the specified parts could not be found.  The part may not have been "
                      "uploaded, or the specified entity tag may not match the part's entity tag.",
                      {{"UploadId", upload_id}, {"PartNumber", std::to_string(number)}, {"ETag", etag}});
      chosen.push_back({s.column_text(0), s.column_int64(1), s.column_text(2)});
    }
  }
  if (chosen.empty())
    throw S3Error(
        400, "MalformedXML",
        "The XML you provided was not well-formed or did not validate against our published schema");
  for (std::size_t i = 0; i + 1 < chosen.size(); ++i)
    if (chosen[i].size < kMinPartBytes)
      throw S3Error(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size",
                    {{"ProposedSize", std::to_string(chosen[i].size)},
                     {"MinSizeAllowed", std::to_string(kMinPartBytes)},
                     {"PartNumber", std::to_string(parts[i].first)},
                     {"ETag", chosen[i].etag}});
  std::string digests;
  info.key = key;
  info.size = 0;
  for (const Part& part : chosen) {
    const std::string raw = hex_to_raw(part.etag);
    digests += raw;
    info.size += part.size;
  }
  info.etag = md5_hex(digests) + "-" + std::to_string(chosen.size());
  info.last_modified_ms = unix_ms_now();
  info.file = write_new_file(bucket_dir(bucket), [&](int fd, const fs::path& path) {
    for (const Part& part : chosen) copy_fd(bucket_dir(bucket) / part.file, fd, path);
  });
  // The object's row and the upload's removal commit in one transaction, so a crash leaves
  // either the upload (retryable) or the object.
  std::vector<std::string> part_files;
  {
    std::lock_guard lock(m_mutex);
    Statement files(m_db, "SELECT file FROM s3_parts WHERE upload_id = ?");
    files.bind(1, upload_id);
    while (files.step()) part_files.push_back(files.column_text(0));
  }
  info = commit_object(bucket, std::move(info), upload_id);
  std::error_code ec;
  for (const std::string& file : part_files) fs::remove(bucket_dir(bucket) / file, ec);
  return info;
}

std::vector<UploadInfo> S3Store::list_uploads(const std::string& bucket, const std::string& prefix) {
  std::lock_guard lock(m_mutex);
  require_bucket(bucket);
  Statement s(m_db,
              "SELECT key, upload_id, created_ms FROM s3_uploads WHERE bucket = ? AND key >= ?"
              " ORDER BY key, created_ms, upload_id");
  s.bind(1, bucket).bind(2, prefix);
  std::vector<UploadInfo> out;
  while (s.step()) {
    std::string key = s.column_text(0);
    if (!key.starts_with(prefix)) break;  // keys sort bytewise: past the prefix, none has it
    out.push_back({std::move(key), s.column_text(1), s.column_int64(2)});
  }
  return out;
}

std::vector<PartInfo> S3Store::list_parts(const std::string& bucket, const std::string& key,
                                          const std::string& upload_id) {
  std::lock_guard lock(m_mutex);
  require_upload(bucket, key, upload_id);
  Statement s(m_db,
              "SELECT p.part_number, p.size, p.etag, u.created_ms FROM s3_parts p"
              " JOIN s3_uploads u ON u.upload_id = p.upload_id WHERE p.upload_id = ? ORDER BY p.part_number");
  s.bind(1, upload_id);
  std::vector<PartInfo> out;
  while (s.step())
    out.push_back(
        {static_cast<int>(s.column_int64(0)), s.column_int64(1), s.column_text(2), s.column_int64(3)});
  return out;
}

void S3Store::abort_upload(const std::string& bucket, const std::string& key, const std::string& upload_id) {
  std::vector<std::string> part_files;
  {
    std::lock_guard lock(m_mutex);
    require_upload(bucket, key, upload_id);
    Statement files(m_db, "SELECT file FROM s3_parts WHERE upload_id = ?");
    files.bind(1, upload_id);
    while (files.step()) part_files.push_back(files.column_text(0));
    store::Transaction tx(m_db);
    Statement parts(m_db, "DELETE FROM s3_parts WHERE upload_id = ?");
    parts.bind(1, upload_id).step();
    Statement upload(m_db, "DELETE FROM s3_uploads WHERE upload_id = ?");
    upload.bind(1, upload_id).step();
    tx.commit();
  }
  std::error_code ec;
  for (const std::string& file : part_files) fs::remove(bucket_dir(bucket) / file, ec);
}

}  // namespace stratus::triggers::s3
