#pragma once
// The S3 REST API (rest-xml, 2006-03-01) over an S3Store, so `aws s3 ...`, `aws s3api ...` and
// boto3 work against the emulator (spec section 8.2). Path style (/{Bucket}/{Key+}) and virtual-host
// style (Host: {bucket}.localhost[:port]):
//
//   GET    /                                   ListBuckets
//   PUT    /{Bucket}                           CreateBucket (409 BucketAlreadyOwnedByYou on repeat)
//   HEAD   /{Bucket}                           HeadBucket
//   DELETE /{Bucket}                           DeleteBucket (204; 409 BucketNotEmpty)
//   GET    /{Bucket}?list-type=2               ListObjectsV2 (prefix, delimiter, max-keys,
//                                              continuation-token, start-after, encoding-type=url,
//                                              fetch-owner)
//   GET    /{Bucket}                           ListObjects (v1: marker, NextMarker)
//   GET    /{Bucket}?location                  GetBucketLocation
//   POST   /{Bucket}?delete                    DeleteObjects (Quiet mode; at most 1000 keys)
//   PUT    /{Bucket}/{Key}                     PutObject (x-amz-meta-*, Content-Type, Content-MD5,
//                                              aws-chunked bodies, x-amz-content-sha256 and
//                                              x-amz-checksum-crc32|crc32c|sha1|sha256 checked;
//                                              conditional: If-None-Match: *, If-Match: "etag")
//   PUT    /{Bucket}/{Key} + x-amz-copy-source CopyObject (x-amz-metadata-directive COPY|REPLACE)
//   GET    /{Bucket}/{Key}                     GetObject (Range: bytes=a-b | a- | -n -> 206;
//                                              response-* overrides; If-Match, If-None-Match,
//                                              If-Modified-Since, If-Unmodified-Since)
//   HEAD   /{Bucket}/{Key}                     HeadObject (errors without a body)
//   DELETE /{Bucket}/{Key}                     DeleteObject (204, also for a missing key)
//   POST   /{Bucket}/{Key}?uploads             CreateMultipartUpload   (the aws CLI uploads files
//   PUT    /{Bucket}/{Key}?partNumber&uploadId UploadPart               over 8 MB this way)
//          + x-amz-copy-source[-range]         UploadPartCopy (and copies them between keys so)
//   POST   /{Bucket}/{Key}?uploadId            CompleteMultipartUpload
//   DELETE /{Bucket}/{Key}?uploadId            AbortMultipartUpload
//
// Errors are S3's XML (<Error><Code/><Message/>...<RequestId/><HostId/></Error>); every response
// carries x-amz-request-id and x-amz-id-2. Signatures are not verified (the emulator is local).
// Object notifications (S3Notifier) are sent after the change is committed, for PutObject, CopyObject,
// CompleteMultipartUpload, and DeleteObject(s) of a key that existed.
// Sub-resources we do not emulate (?acl, ?versioning, ?tagging, ...) answer 501 NotImplemented.
#include <cstddef>
#include <string>

#include "emulator/net/http_server.hpp"
#include "emulator/triggers/s3/s3_notifier.hpp"
#include "emulator/triggers/s3/s3_store.hpp"

namespace stratus::triggers::s3 {

// The largest body one PutObject / UploadPart takes (bigger files go up in parts).
inline constexpr std::size_t kMaxPutBytes = 64 * 1024 * 1024;

struct S3ApiOptions {
  std::string region = "us-east-1";
  // The bucket owner in listings (a canonical user id is 64 hex digits).
  std::string owner_id = "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a";
  std::string owner_name = "stratus";
};

class S3Api {
 public:
  // `notifier` (optional) hears of every created and removed object after its commit.
  explicit S3Api(S3Store& store, S3ApiOptions options = {}, S3Notifier* notifier = nullptr);

  // Answers one request; thread-safe. Never throws for bad input.
  net::Response handle(const net::Request& request) const;

  // Wire limits for a server in front of this API: whole bodies up to kMaxPutBytes (plus room for
  // aws-chunked framing) reach the handler.
  static net::ServerOptions server_options();

 private:
  S3Store& m_store;
  S3ApiOptions m_options;
  S3Notifier* m_notifier;
};

}  // namespace stratus::triggers::s3
