#include "emulator/triggers/s3/s3_api.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "emulator/common/base64.hpp"
#include "emulator/common/clock.hpp"
#include "emulator/common/ids.hpp"
#include "emulator/common/sha256.hpp"
#include "emulator/triggers/s3/s3_checksum.hpp"
#include "emulator/triggers/s3/s3_format.hpp"
#include "emulator/triggers/s3/s3_request.hpp"

namespace stratus::triggers::s3 {
namespace {

using net::Request;
using net::Response;

constexpr const char* kXmlDecl = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
constexpr const char* kNs = "http://s3.amazonaws.com/doc/2006-03-01/";
constexpr int kMaxListKeys = 1000;
constexpr std::size_t kMaxDeleteKeys = 1000;

// Headers stored with an object and returned as they were sent.
constexpr const char* kStoredHeaders[] = {"Cache-Control", "Content-Disposition", "Content-Encoding",
                                          "Content-Language", "Expires"};

// Query parameters that name a sub-resource of a bucket or object, space-separated.
constexpr std::string_view kSubresources =
    " accelerate acl analytics attributes cors delete encryption intelligent-tiering inventory legal-hold "
    "lifecycle location logging metrics notification object-lock ownershipControls policy policyStatus "
    "publicAccessBlock replication requestPayment restore retention select tagging torrent uploadId uploads "
    "versioning versions website ";

using net::wire::iequals;

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string element(std::string_view name, std::string_view text) {
  return "<" + std::string(name) + ">" + xml_escape(text) + "</" + std::string(name) + ">";
}

std::string quoted(const std::string& etag) {
  return "\"" + etag + "\"";
}

std::string strip_quotes(std::string text) {
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') return text.substr(1, text.size() - 2);
  return text;
}

class Handler {
 public:
  Handler(S3Store& store, const S3ApiOptions& options, S3Notifier* notifier, const Request& request)
      : m_store(store), m_options(options), m_notifier(notifier), m_req(request) {}

  Response run() {
    Response res;
    try {
      res = route();
    } catch (const S3Error& error) {
      res = error_response(error);
    } catch (const std::exception& error) {
      res = error_response(
          S3Error(500, "InternalError", std::string("We encountered an internal error: ") + error.what()));
    }
    res.headers.emplace_back("x-amz-request-id", m_request_id);
    res.headers.emplace_back("x-amz-id-2", m_host_id);
    res.headers.emplace_back("Date", format_http_date(unix_ms_now()));
    res.headers.emplace_back("Server", "AmazonS3");
    return res;
  }

 private:
  Response route() {
    const Target target = parse_target(m_req);
    const std::string& method = m_req.method;
    if (target.bucket.empty()) {
      if (method == "GET") return list_buckets();
      throw method_not_allowed();
    }
    if (target.key.empty()) return route_bucket(target.bucket);
    return route_object(target.bucket, target.key);
  }

  bool has(std::string_view param) const { return m_req.query_param(param).has_value(); }
  std::string param(std::string_view name) const { return m_req.query_param(name).value_or(""); }

  // Sub-resources (?acl, ?tagging, ...) other than those we emulate get a 501, not a wrong answer.
  void refuse_subresources(std::initializer_list<std::string_view> allowed) const {
    for (const auto& [name, value] : m_req.query_params) {
      (void)value;
      if (kSubresources.find(" " + name + " ") == std::string_view::npos) continue;
      if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) continue;
      throw S3Error(501, "NotImplemented",
                    "A header you provided implies functionality that is not implemented",
                    {{"Header", "?" + name}});
    }
  }

  Response route_bucket(const std::string& bucket) {
    const std::string& method = m_req.method;
    if (method == "PUT") {
      refuse_subresources({});
      // us-east-1 answers a repeat by the owner with 200 (legacy behaviour AWS documents for
      // BucketAlreadyOwnedByYou); every other region with that error.
      if (!(m_options.region == "us-east-1" && m_store.bucket_exists(bucket))) m_store.create_bucket(bucket);
      Response res = empty(200);
      res.headers.emplace_back("Location", "/" + bucket);
      return res;
    }
    if (method == "DELETE") {
      refuse_subresources({});
      m_store.delete_bucket(bucket);
      return empty(204);
    }
    if (method == "HEAD") {
      if (!m_store.bucket_exists(bucket)) throw no_such_bucket(bucket);
      Response res = empty(200);
      res.headers.emplace_back("x-amz-bucket-region", m_options.region);
      return res;
    }
    if (method == "GET") {
      refuse_subresources({"location", "uploads"});
      if (has("location")) return bucket_location(bucket);
      if (has("uploads")) return list_uploads(bucket);
      if (param("list-type") == "2") return list_objects(bucket, 2);
      return list_objects(bucket, 1);
    }
    if (method == "POST") {
      refuse_subresources({"delete"});
      if (has("delete")) return delete_objects(bucket);
    }
    throw method_not_allowed();
  }

  Response route_object(const std::string& bucket, const std::string& key) {
    const std::string& method = m_req.method;
    if (method == "PUT") {
      refuse_subresources({"uploadId", "tagging"});
      if (has("tagging")) return put_tagging(bucket, key);
      if (has("uploadId") || has("partNumber")) return upload_part(bucket, key);
      if (m_req.has_header("x-amz-copy-source")) return copy_object(bucket, key);
      return put_object(bucket, key);
    }
    if (method == "GET" || method == "HEAD") {
      refuse_subresources({"tagging", "uploadId"});
      if (method == "GET" && has("tagging")) return get_tagging(bucket, key);
      if (method == "GET" && has("uploadId")) return list_parts(bucket, key);
      return get_object(bucket, key, method == "HEAD");
    }
    if (method == "DELETE") {
      refuse_subresources({"uploadId", "tagging"});
      if (has("tagging")) {
        m_store.set_tagging(bucket, key, "");
        return empty(204);
      }
      if (has("uploadId")) {
        m_store.abort_upload(bucket, key, param("uploadId"));
        return empty(204);
      }
      if (m_store.delete_object(bucket, key)) notify(bucket, "ObjectRemoved:Delete", key, 0, "");
      return empty(204);
    }
    if (method == "POST") {
      refuse_subresources({"uploads", "uploadId"});
      if (has("uploads")) return create_upload(bucket, key);
      if (has("uploadId")) return complete_upload(bucket, key);
    }
    throw method_not_allowed();
  }

  // --- responses ---

  Response empty(int status) const {
    Response res;
    res.status = status;
    res.content_type = "application/xml";
    return res;
  }

  Response xml(const std::string& body) const {
    Response res;
    res.content_type = "application/xml";
    res.body = kXmlDecl + body;
    return res;
  }

  Response error_response(const S3Error& error) const {
    Response res;
    res.status = error.status;
    res.content_type = "application/xml";
    if (m_req.method == "HEAD") return res;  // S3 answers HEAD errors with the status alone
    std::string body = "<Error>" + element("Code", error.code) + element("Message", error.what());
    for (const auto& [name, value] : error.extra) body += element(name, value);
    body += element("RequestId", m_request_id) + element("HostId", m_host_id) + "</Error>";
    res.body = kXmlDecl + body;
    return res;
  }

  S3Error method_not_allowed() const {
    return S3Error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.",
                   {{"Method", m_req.method}, {"ResourceType", "OBJECT"}});
  }

  // <Owner> (or <Initiator>): the one account this endpoint serves.
  std::string owner(const std::string& element_name = "Owner") const {
    return "<" + element_name + ">" + element("ID", m_options.owner_id) +
           element("DisplayName", m_options.owner_name) + "</" + element_name + ">";
  }

  void notify(const std::string& bucket, const std::string& event_name, const std::string& key,
              std::int64_t size, const std::string& etag) const {
    if (!m_notifier) return;
    ObjectEvent event;
    event.bucket = bucket;
    event.event_name = event_name;
    event.key = key;
    event.size = size;
    event.etag = etag;
    event.request_id = m_request_id;
    event.host_id = m_host_id;
    if (!m_req.peer.empty()) event.source_ip = m_req.peer;
    m_notifier->notify(event);
  }

  // --- buckets ---

  Response list_buckets() const {
    std::string body = std::string("<ListAllMyBucketsResult xmlns=\"") + kNs + "\">" + owner() + "<Buckets>";
    for (const BucketInfo& bucket : m_store.list_buckets())
      body += "<Bucket>" + element("Name", bucket.name) +
              element("CreationDate", format_iso_ms(bucket.created_ms)) + "</Bucket>";
    return xml(body + "</Buckets></ListAllMyBucketsResult>");
  }

  Response bucket_location(const std::string& bucket) const {
    if (!m_store.bucket_exists(bucket)) throw no_such_bucket(bucket);
    // us-east-1 is the empty constraint, as S3 answers it.
    const std::string region = m_options.region == "us-east-1" ? "" : m_options.region;
    return xml(std::string("<LocationConstraint xmlns=\"") + kNs + "\">" + xml_escape(region) +
               "</LocationConstraint>");
  }

  // A listing's max-keys / max-uploads / max-parts: 1000 when absent, at most 1000; not a
  // non-negative integer: InvalidArgument.
  int max_param(const char* name) const {
    const auto text = m_req.query_param(name);
    if (!text) return kMaxListKeys;
    char* end = nullptr;
    errno = 0;
    const long value = std::strtol(text->c_str(), &end, 10);
    if (text->empty() || *end != '\0' || errno == ERANGE || value < 0 || value > 2147483647)
      throw invalid_argument(std::string("Provided ") + name + " not an integer or within integer range",
                             name, *text);
    return static_cast<int>(std::min<long>(value, kMaxListKeys));
  }

  // ListMultipartUploads: the uploads in progress, by key then start.
  Response list_uploads(const std::string& bucket) const {
    const std::string prefix = param("prefix");
    const std::string key_marker = param("key-marker");
    const std::string id_marker = param("upload-id-marker");
    const int max = max_param("max-uploads");
    std::vector<UploadInfo> uploads = m_store.list_uploads(bucket, prefix);
    // As S3 documents the markers: keys after key-marker and, on key-marker itself (with an
    // upload-id-marker), the uploads whose id is lexicographically greater.
    if (!key_marker.empty())
      std::erase_if(uploads, [&](const UploadInfo& u) {
        return u.key < key_marker || (u.key == key_marker && (id_marker.empty() || u.upload_id <= id_marker));
      });
    const bool truncated = uploads.size() > static_cast<std::size_t>(max);
    if (truncated) uploads.resize(static_cast<std::size_t>(max));
    std::string body = std::string("<ListMultipartUploadsResult xmlns=\"") + kNs + "\">" +
                       element("Bucket", bucket) + element("KeyMarker", key_marker) +
                       element("UploadIdMarker", id_marker);
    if (truncated && !uploads.empty())
      body += element("NextKeyMarker", uploads.back().key) +
              element("NextUploadIdMarker", uploads.back().upload_id);
    body += element("Prefix", prefix) + element("MaxUploads", std::to_string(max)) +
            element("IsTruncated", truncated ? "true" : "false");
    for (const UploadInfo& u : uploads)
      body += "<Upload>" + element("Key", u.key) + element("UploadId", u.upload_id) + owner("Initiator") +
              owner() + element("StorageClass", "STANDARD") +
              element("Initiated", format_iso_ms(u.created_ms)) + "</Upload>";
    return xml(body + "</ListMultipartUploadsResult>");
  }

  // ListParts: an upload's parts after part-number-marker.
  Response list_parts(const std::string& bucket, const std::string& key) const {
    const std::string upload_id = param("uploadId");
    const int max = max_param("max-parts");
    const int marker = has("part-number-marker") ? std::atoi(param("part-number-marker").c_str()) : 0;
    std::vector<PartInfo> parts = m_store.list_parts(bucket, key, upload_id);
    std::erase_if(parts, [&](const PartInfo& p) { return p.number <= marker; });
    const bool truncated = parts.size() > static_cast<std::size_t>(max);
    if (truncated) parts.resize(static_cast<std::size_t>(max));
    std::string body =
        std::string("<ListPartsResult xmlns=\"") + kNs + "\">" + element("Bucket", bucket) +
        element("Key", key) + element("UploadId", upload_id) + owner("Initiator") + owner() +
        element("StorageClass", "STANDARD") + element("PartNumberMarker", std::to_string(marker)) +
        element("NextPartNumberMarker", std::to_string(parts.empty() ? marker : parts.back().number)) +
        element("MaxParts", std::to_string(max)) + element("IsTruncated", truncated ? "true" : "false");
    for (const PartInfo& p : parts)
      body += "<Part>" + element("PartNumber", std::to_string(p.number)) +
              element("LastModified", format_iso_ms(p.created_ms)) + element("ETag", quoted(p.etag)) +
              element("Size", std::to_string(p.size)) + "</Part>";
    return xml(body + "</ListPartsResult>");
  }

  Response list_objects(const std::string& bucket, int version) const {
    ListQuery query;
    query.prefix = param("prefix");
    query.delimiter = param("delimiter");
    query.max_keys = max_param("max-keys");
    const std::string encoding = param("encoding-type");
    if (!encoding.empty() && encoding != "url")
      throw invalid_argument("Invalid Encoding Method specified in Request", "encoding-type", encoding);
    const bool url = encoding == "url";
    auto text = [&](std::string_view name, const std::string& value) {
      return element(name, url ? url_encode(value, /*keep_slash=*/true) : value);
    };
    const std::string token = param("continuation-token");
    const std::string start_after = param("start-after");
    const std::string marker = param("marker");
    if (version == 2) {
      query.after = start_after;
      if (has("continuation-token")) {
        // Our tokens are the base64 of where the previous page ended.
        auto decoded = base64_decode(token);
        if (!decoded || token.empty())
          throw invalid_argument("The continuation token provided is incorrect", "continuation-token", token);
        query.after = std::max(*decoded, start_after);
      }
    } else {
      query.after = marker;
    }
    const ListResult result = m_store.list_objects(bucket, query);

    std::string body = std::string("<ListBucketResult xmlns=\"") + kNs + "\">" + element("Name", bucket) +
                       text("Prefix", query.prefix);
    if (version == 2) {
      if (has("continuation-token")) body += element("ContinuationToken", token);
      if (has("start-after")) body += text("StartAfter", start_after);
      body += element("KeyCount", std::to_string(result.objects.size() + result.common_prefixes.size()));
    } else {
      body += text("Marker", marker);
    }
    body += element("MaxKeys", std::to_string(query.max_keys));
    if (!query.delimiter.empty()) body += text("Delimiter", query.delimiter);
    if (url) body += element("EncodingType", "url");
    body += element("IsTruncated", result.truncated ? "true" : "false");
    if (result.truncated) {
      if (version == 2)
        body += element("NextContinuationToken", base64_encode(result.last));
      else if (!query.delimiter.empty())  // without a delimiter clients take the last key
        body += text("NextMarker", result.last);
    }
    const bool with_owner = version == 1 || param("fetch-owner") == "true";
    for (const ObjectInfo& object : result.objects) {
      body += "<Contents>" + text("Key", object.key) +
              element("LastModified", format_iso_ms(object.last_modified_ms)) +
              element("ETag", quoted(object.etag)) + element("Size", std::to_string(object.size)) +
              (with_owner ? owner() : "") + element("StorageClass", "STANDARD") + "</Contents>";
    }
    for (const std::string& prefix : result.common_prefixes)
      body += "<CommonPrefixes>" + text("Prefix", prefix) + "</CommonPrefixes>";
    return xml(body + "</ListBucketResult>");
  }

  Response delete_objects(const std::string& bucket) {
    if (!m_store.bucket_exists(bucket)) throw no_such_bucket(bucket);
    check_content_md5(m_req.body);
    verify_checksums(m_req.body, {});
    const std::vector<std::string> deletes = xml_elements(m_req.body, "Delete");
    if (deletes.size() != 1) throw malformed_xml_error();
    const std::vector<std::string> objects = xml_elements(deletes[0], "Object");
    if (objects.empty() || objects.size() > kMaxDeleteKeys) throw malformed_xml_error();
    const std::vector<std::string> quiet = xml_texts(deletes[0], "Quiet");
    const bool is_quiet = !quiet.empty() && quiet[0] == "true";
    std::string body = std::string("<DeleteResult xmlns=\"") + kNs + "\">";
    for (const std::string& object : objects) {
      const std::vector<std::string> keys = xml_texts(object, "Key");
      if (keys.size() != 1) throw malformed_xml_error();
      const std::string& key = keys[0];
      try {
        check_key(key);
        if (m_store.delete_object(bucket, key)) notify(bucket, "ObjectRemoved:Delete", key, 0, "");
        if (!is_quiet) body += "<Deleted>" + element("Key", key) + "</Deleted>";
      } catch (const S3Error& error) {
        body += "<Error>" + element("Key", key) + element("Code", error.code) +
                element("Message", error.what()) + "</Error>";
      }
    }
    return xml(body + "</DeleteResult>");
  }

  // --- objects ---

  // Content-MD5, when sent, must be the base64 of the body's 16-byte MD5.
  void check_content_md5(std::string_view bytes) const {
    if (!m_req.has_header("Content-MD5")) return;
    const std::string sent = m_req.header("Content-MD5");
    auto raw = base64_decode(sent);
    if (!raw || raw->size() != 16)
      throw S3Error(400, "InvalidDigest", "The Content-MD5 you specified is not valid.",
                    {{"Content-MD5", sent}});
    if (*raw != md5_raw(bytes))
      throw S3Error(400, "BadDigest", "The Content-MD5 you specified did not match what we received.",
                    {{"ExpectedDigest", sent}, {"CalculatedDigest", base64_encode(md5_raw(bytes))}});
  }

  // The object bytes of a PutObject / UploadPart: the body, aws-chunked framing removed, checked
  // against x-amz-decoded-content-length, x-amz-content-sha256 and Content-MD5. A view of the
  // request's body, or of `decoded` when framing was removed (bodies reach 64 MiB: no copies).
  std::string_view object_bytes(std::string& decoded_storage, net::wire::Fields& checksums) const {
    net::wire::Fields trailers;
    if (m_req.body_size > m_req.body.size())
      throw S3Error(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size",
                    {{"ProposedSize", std::to_string(m_req.body_size)},
                     {"MaxSizeAllowed", std::to_string(kMaxPutBytes)}});
    const std::string sha = m_req.header("x-amz-content-sha256");
    const bool chunked = sha.starts_with("STREAMING-") ||
                         lower(m_req.header("Content-Encoding")).find("aws-chunked") != std::string::npos;
    std::string_view bytes = m_req.body;
    if (chunked) {
      auto decoded = decode_aws_chunked(m_req.body, &trailers);
      if (!decoded) throw S3Error(400, "IncompleteBody", "The request body terminated unexpectedly");
      decoded_storage = std::move(*decoded);
      bytes = decoded_storage;
      if (m_req.has_header("x-amz-decoded-content-length")) {
        const std::string declared = m_req.header("x-amz-decoded-content-length");
        if (declared != std::to_string(bytes.size()))
          throw S3Error(
              400, "IncompleteBody",
              "You did not provide the number of bytes specified by the Content-Length HTTP header");
      }
    } else {
      if (sha.size() == 64 && sha != sha256_hex(bytes))
        throw S3Error(400, "XAmzContentSHA256Mismatch",
                      "The provided 'x-amz-content-sha256' header does not match what was computed.",
                      {{"ClientComputedContentSHA256", sha}, {"S3ComputedContentSHA256", sha256_hex(bytes)}});
    }
    if (bytes.size() > kMaxPutBytes)
      throw S3Error(
          400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size",
          {{"ProposedSize", std::to_string(bytes.size())}, {"MaxSizeAllowed", std::to_string(kMaxPutBytes)}});
    check_content_md5(bytes);
    checksums = verify_checksums(bytes, trailers);
    return bytes;
  }

  // Every x-amz-checksum-<algorithm> of the headers and trailers that we compute, verified; the
  // verified ones are returned for the response to echo.
  net::wire::Fields verify_checksums(std::string_view bytes, const net::wire::Fields& trailers) const {
    net::wire::Fields verified;
    auto check = [&](const std::string& name, const std::string& value) {
      const std::string lname = lower(name);
      if (!lname.starts_with("x-amz-checksum-") || lname == "x-amz-checksum-mode" ||
          lname == "x-amz-checksum-type" || lname == "x-amz-checksum-algorithm")
        return;
      const std::string algorithm = lname.substr(15);
      const std::optional<std::string> computed = compute_checksum(algorithm, bytes);
      if (!computed) return;
      if (*computed != value) {
        std::string upper = algorithm;
        for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        throw S3Error(400, "BadDigest",
                      "The " + upper + " you specified did not match the calculated checksum.");
      }
      verified.emplace_back(lname, value);
    };
    for (const auto& [name, value] : m_req.headers) check(name, value);
    for (const auto& [name, value] : trailers) check(name, value);
    return verified;
  }

  // Content-Type, x-amz-meta-* and the stored headers of this request.
  ObjectInfo request_metadata() const {
    ObjectInfo info;
    if (m_req.has_header("Content-Type")) info.content_type = m_req.header("Content-Type");
    if (m_req.has_header(kTaggingKey)) set_tags(info, parse_tags(m_req.header(kTaggingKey)));
    for (const auto& [name, value] : m_req.headers) {
      const std::string lname = lower(name);
      if (lname.starts_with("x-amz-meta-")) {
        // Repeated headers are joined with commas, as HTTP allows and S3 does.
        std::string& slot = info.metadata[lname.substr(11)];
        slot = slot.empty() ? value : slot + "," + value;
      }
    }
    for (const char* name : kStoredHeaders) {
      if (!m_req.has_header(name)) continue;
      std::string value = m_req.header(name);
      if (iequals(name, "Content-Encoding")) {
        // aws-chunked describes the transfer, not the object: S3 drops it.
        std::string kept;
        std::size_t start = 0;
        while (start <= value.size()) {
          std::size_t comma = value.find(',', start);
          if (comma == std::string::npos) comma = value.size();
          std::string piece = value.substr(start, comma - start);
          piece.erase(0, piece.find_first_not_of(' '));
          piece.erase(piece.find_last_not_of(' ') + 1);
          if (!piece.empty() && !iequals(piece, "aws-chunked")) kept += (kept.empty() ? "" : ",") + piece;
          start = comma + 1;
        }
        if (kept.empty()) continue;
        value = kept;
      }
      info.headers[name] = value;
    }
    return info;
  }

  Response put_object(const std::string& bucket, const std::string& key) {
    check_key(key);
    if (!m_store.bucket_exists(bucket)) throw no_such_bucket(bucket);
    std::string storage;
    net::wire::Fields checksums;
    const std::string_view bytes = object_bytes(storage, checksums);
    WriteCondition condition;
    if (m_req.has_header("If-None-Match")) {
      if (m_req.header("If-None-Match") != "*")
        throw S3Error(501, "NotImplemented",
                      "A header you provided implies functionality that is not implemented",
                      {{"Header", "If-None-Match"}});
      condition.if_none_match = true;
    }
    if (m_req.has_header("If-Match")) condition.if_match = strip_quotes(m_req.header("If-Match"));
    const ObjectInfo info = m_store.put_object(bucket, key, bytes, request_metadata(), condition);
    notify(bucket, "ObjectCreated:Put", key, info.size, info.etag);
    Response res = empty(200);
    res.headers.emplace_back("ETag", quoted(info.etag));
    res.headers.insert(res.headers.end(), checksums.begin(), checksums.end());
    return res;
  }

  // The conditions on an object, `prefix` "" for GET and HEAD's If-Match, If-None-Match,
  // If-Modified-Since, If-Unmodified-Since, and "x-amz-copy-source-" for a copy's source. Applied in
  // RFC 7232's order, as S3 does: If-Match, else If-Unmodified-Since (412 when one fails); If-None-Match,
  // else If-Modified-Since: the result, whether the object counts as not modified (a GET answers 304,
  // a copy 412). Dates compare at whole seconds (Last-Modified has no more).
  bool not_modified(const ObjectInfo& info, const std::string& prefix) const {
    const std::int64_t modified_s = info.last_modified_ms / 1000;
    auto header = [&](const char* name) { return prefix + name; };
    auto date = [&](const char* name) { return parse_http_date(m_req.header(header(name))); };
    auto precondition_failed = [&](const char* condition) {
      return S3Error(412, "PreconditionFailed",
                     "At least one of the pre-conditions you specified did not hold",
                     {{"Condition", header(condition)}});
    };
    if (m_req.has_header(header("If-Match"))) {
      const std::string value = m_req.header(header("If-Match"));
      if (strip_quotes(value) != info.etag && value != "*") throw precondition_failed("If-Match");
    } else if (auto since = date("If-Unmodified-Since"); since && modified_s > *since) {
      throw precondition_failed("If-Unmodified-Since");
    }
    bool unchanged = false;
    const char* which = "If-None-Match";
    if (m_req.has_header(header("If-None-Match"))) {
      const std::string value = m_req.header(header("If-None-Match"));
      unchanged = strip_quotes(value) == info.etag || value == "*";
    } else if (auto since = date("If-Modified-Since")) {
      unchanged = modified_s <= *since;
      which = "If-Modified-Since";
    }
    if (unchanged && !prefix.empty()) throw precondition_failed(which);
    return unchanged;
  }

  Response copy_object(const std::string& bucket, const std::string& key) {
    const Target source = parse_copy_source(m_req.header("x-amz-copy-source"));
    const ObjectInfo source_info = m_store.head_object(source.bucket, source.key);
    not_modified(source_info, "x-amz-copy-source-");
    const std::string& src_bucket = source.bucket;
    const std::string& src_key = source.key;
    const std::string directive =
        m_req.has_header("x-amz-metadata-directive") ? m_req.header("x-amz-metadata-directive") : "COPY";
    if (directive != "COPY" && directive != "REPLACE")
      throw invalid_argument("Unknown metadata directive.", "x-amz-metadata-directive", directive);
    if (src_bucket == bucket && src_key == key && directive == "COPY")
      throw S3Error(400, "InvalidRequest",
                    "This copy request is illegal because it is trying to copy an object to itself without "
                    "changing the object's metadata, storage class, website redirect location or encryption "
                    "attributes.");
    // The tag set has its own directive: the source's (COPY) or the request's x-amz-tagging.
    const std::string tagging_directive =
        m_req.has_header("x-amz-tagging-directive") ? m_req.header("x-amz-tagging-directive") : "COPY";
    if (tagging_directive != "COPY" && tagging_directive != "REPLACE")
      throw invalid_argument("Unknown tagging directive.", "x-amz-tagging-directive", tagging_directive);
    std::optional<ObjectInfo> replace;
    if (directive == "REPLACE" || tagging_directive == "REPLACE") {
      const ObjectInfo requested = request_metadata();
      replace = directive == "REPLACE" ? requested : source_info;
      set_tags(*replace, tags_of(tagging_directive == "REPLACE" ? requested : source_info));
    }
    const ObjectInfo info = m_store.copy_object(src_bucket, src_key, bucket, key, replace);
    notify(bucket, "ObjectCreated:Copy", key, info.size, info.etag);
    return xml(std::string("<CopyObjectResult xmlns=\"") + kNs + "\">" +
               element("LastModified", format_iso_ms(info.last_modified_ms)) +
               element("ETag", quoted(info.etag)) + "</CopyObjectResult>");
  }

  // --- object tags: kept as x-amz-tagging writes them, "k1=v1&k2=v2" (URL-encoded) ---

  using Tags = std::vector<std::pair<std::string, std::string>>;

  // S3's limits: at most 10 tags, keys 1-128 and values 0-256 characters, each key once.
  static Tags checked_tags(Tags tags) {
    if (tags.size() > 10) throw S3Error(400, "BadRequest", "Object tags cannot be greater than 10");
    for (std::size_t i = 0; i < tags.size(); ++i) {
      const auto& [k, v] = tags[i];
      if (k.empty() || k.size() > 128)
        throw S3Error(400, "InvalidTag", "The TagKey you have provided is invalid");
      if (v.size() > 256) throw S3Error(400, "InvalidTag", "The TagValue you have provided is invalid");
      for (std::size_t j = 0; j < i; ++j)
        if (tags[j].first == k)
          throw S3Error(400, "InvalidTag", "Cannot provide multiple Tags with the same key");
    }
    return tags;
  }
  static Tags parse_tags(std::string_view tagging) { return checked_tags(net::wire::parse_query(tagging)); }
  static Tags tags_of(const ObjectInfo& info) {
    const auto it = info.headers.find(kTaggingKey);
    return it == info.headers.end() ? Tags{} : Tags(net::wire::parse_query(it->second));
  }
  static std::string tagging_text(const Tags& tags) {
    std::string out;
    for (const auto& [k, v] : tags)
      out += (out.empty() ? "" : "&") + url_encode(k, false) + "=" + url_encode(v, false);
    return out;
  }
  static void set_tags(ObjectInfo& info, const Tags& tags) {
    if (tags.empty())
      info.headers.erase(kTaggingKey);
    else
      info.headers[kTaggingKey] = tagging_text(tags);
  }

  Response get_tagging(const std::string& bucket, const std::string& key) {
    std::string body = std::string("<Tagging xmlns=\"") + kNs + "\"><TagSet>";
    for (const auto& [k, v] : tags_of(m_store.head_object(bucket, key)))
      body += "<Tag>" + element("Key", k) + element("Value", v) + "</Tag>";
    return xml(body + "</TagSet></Tagging>");
  }

  Response put_tagging(const std::string& bucket, const std::string& key) {
    Tags tags;
    for (const std::string& tag : xml_elements(m_req.body, "Tag")) {
      const auto keys = xml_texts(tag, "Key");
      const auto values = xml_texts(tag, "Value");
      if (keys.size() != 1 || values.size() > 1) throw malformed_xml_error();
      tags.emplace_back(keys[0], values.empty() ? "" : values[0]);
    }
    m_store.set_tagging(bucket, key, tagging_text(checked_tags(std::move(tags))));
    return empty(200);
  }

  Response get_object(const std::string& bucket, const std::string& key, bool head) {
    const ObjectReader reader = m_store.open_object(bucket, key);
    const ObjectInfo& info = reader.info();
    Response res;
    res.content_type = info.content_type;
    const std::string etag = quoted(info.etag);
    if (not_modified(info, "")) {
      res.status = 304;
      res.headers.emplace_back("ETag", etag);
      res.headers.emplace_back("Last-Modified", format_http_date(info.last_modified_ms));
      return res;
    }
    std::int64_t offset = 0;
    std::int64_t length = info.size;
    if (m_req.has_header("Range")) {
      if (auto range = parse_range(m_req.header("Range"), info.size)) {
        offset = range->first;
        length = range->last - range->first + 1;
        res.status = 206;
        res.headers.emplace_back("Content-Range", "bytes " + std::to_string(range->first) + "-" +
                                                      std::to_string(range->last) + "/" +
                                                      std::to_string(info.size));
      }
    }
    if (head)
      res.head_length = static_cast<std::size_t>(length);
    else
      res.body = reader.read(offset, length);
    res.headers.emplace_back("ETag", etag);
    res.headers.emplace_back("Last-Modified", format_http_date(info.last_modified_ms));
    res.headers.emplace_back("Accept-Ranges", "bytes");
    for (const auto& [name, value] : info.headers)
      if (name != kTaggingKey) res.headers.emplace_back(name, value);
    if (const auto tags = tags_of(info); !tags.empty())
      res.headers.emplace_back("x-amz-tagging-count", std::to_string(tags.size()));
    for (const auto& [name, value] : info.metadata) res.headers.emplace_back("x-amz-meta-" + name, value);
    // response-* query parameters override the stored headers (presigned downloads use them).
    static constexpr std::pair<const char*, const char*> kOverrides[] = {
        {"response-cache-control", "Cache-Control"},
        {"response-content-disposition", "Content-Disposition"},
        {"response-content-encoding", "Content-Encoding"},
        {"response-content-language", "Content-Language"},
        {"response-expires", "Expires"}};
    for (const auto& [query_name, header] : kOverrides) {
      auto value = m_req.query_param(query_name);
      if (!value) continue;
      std::erase_if(res.headers, [&](const auto& h) { return iequals(h.first, header); });
      res.headers.emplace_back(header, *value);
    }
    if (auto type = m_req.query_param("response-content-type")) res.content_type = *type;
    return res;
  }

  // --- multipart ---

  Response create_upload(const std::string& bucket, const std::string& key) {
    check_key(key);
    const std::string id = m_store.create_upload(bucket, key, request_metadata());
    return xml(std::string("<InitiateMultipartUploadResult xmlns=\"") + kNs + "\">" +
               element("Bucket", bucket) + element("Key", key) + element("UploadId", id) +
               "</InitiateMultipartUploadResult>");
  }

  Response upload_part(const std::string& bucket, const std::string& key) {
    const std::string number_text = param("partNumber");
    const bool valid = !number_text.empty() && number_text.size() <= 5 &&
                       std::all_of(number_text.begin(), number_text.end(), ::isdigit) &&
                       std::stoi(number_text) >= 1 && std::stoi(number_text) <= 10000;
    if (!valid)
      throw invalid_argument("Part number must be an integer between 1 and 10000, inclusive", "partNumber",
                             number_text);
    if (!has("uploadId")) throw invalid_argument("This operation requires an uploadId", "uploadId", "");
    if (m_req.has_header("x-amz-copy-source")) return upload_part_copy(bucket, key, std::stoi(number_text));
    std::string storage;
    net::wire::Fields checksums;
    const std::string_view bytes = object_bytes(storage, checksums);
    const std::string etag = m_store.put_part(bucket, key, param("uploadId"), std::stoi(number_text), bytes);
    Response res = empty(200);
    res.headers.emplace_back("ETag", quoted(etag));
    res.headers.insert(res.headers.end(), checksums.begin(), checksums.end());
    return res;
  }

  // UploadPartCopy: a part taken from an existing object, whole or x-amz-copy-source-range
  // "bytes=first-last" (the aws CLI copies objects over 8 MB between keys this way).
  Response upload_part_copy(const std::string& bucket, const std::string& key, int part_number) {
    const Target source = parse_copy_source(m_req.header("x-amz-copy-source"));
    const ObjectReader reader = m_store.open_object(source.bucket, source.key);
    const ObjectInfo& info = reader.info();
    not_modified(info, "x-amz-copy-source-");
    ByteRange range{0, info.size - 1};
    if (m_req.has_header("x-amz-copy-source-range"))
      range = parse_copy_range(m_req.header("x-amz-copy-source-range"), info.size);
    const std::string bytes = reader.read(range.first, range.last - range.first + 1);
    const std::string etag = m_store.put_part(bucket, key, param("uploadId"), part_number, bytes);
    return xml(std::string("<CopyPartResult xmlns=\"") + kNs + "\">" +
               element("LastModified", format_iso_ms(unix_ms_now())) + element("ETag", quoted(etag)) +
               "</CopyPartResult>");
  }

  Response complete_upload(const std::string& bucket, const std::string& key) {
    const std::vector<std::string> parts = xml_elements(m_req.body, "Part");
    std::vector<std::pair<int, std::string>> list;
    for (const std::string& part : parts) {
      const std::vector<std::string> numbers = xml_texts(part, "PartNumber");
      const std::vector<std::string> etags = xml_texts(part, "ETag");
      if (numbers.size() != 1 || etags.size() != 1 || numbers[0].empty() || numbers[0].size() > 5 ||
          !std::all_of(numbers[0].begin(), numbers[0].end(), ::isdigit))
        throw malformed_xml_error();
      list.emplace_back(std::stoi(numbers[0]), strip_quotes(etags[0]));
    }
    if (list.empty()) throw malformed_xml_error();
    const ObjectInfo info = m_store.complete_upload(bucket, key, param("uploadId"), list);
    notify(bucket, "ObjectCreated:CompleteMultipartUpload", key, info.size, info.etag);
    return xml(std::string("<CompleteMultipartUploadResult xmlns=\"") + kNs + "\">" +
               element("Location", "/" + bucket + "/" + key) + element("Bucket", bucket) +
               element("Key", key) + element("ETag", quoted(info.etag)) + "</CompleteMultipartUploadResult>");
  }

  S3Store& m_store;
  const S3ApiOptions& m_options;
  S3Notifier* m_notifier;
  const Request& m_req;
  std::string m_request_id = [] {
    std::string id = random_hex(16);
    for (char& c : id) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return id;
  }();
  std::string m_host_id = base64_encode(random_hex(48));
};

}  // namespace

S3Api::S3Api(S3Store& store, S3ApiOptions options, S3Notifier* notifier)
    : m_store(store), m_options(std::move(options)), m_notifier(notifier) {}

net::Response S3Api::handle(const net::Request& request) const {
  return Handler(m_store, m_options, m_notifier, request).run();
}

net::ServerOptions S3Api::server_options() {
  net::ServerOptions options;
  // aws-chunked framing adds ~90 bytes per 64 KiB chunk; 1/16 of headroom covers it.
  options.limits.body_max = kMaxPutBytes + kMaxPutBytes / 16;
  options.limits.body_keep = options.limits.body_max;
  options.port_flag = "--aws-port";
  return options;
}

}  // namespace stratus::triggers::s3
