#pragma once
// The sliver of STS a `stratus serve` platform answers: GetCallerIdentity (query protocol, version
// 2011-06-15), so `aws sts get-caller-identity --endpoint-url …` and `stratus deploy` can tell
// which account a key belongs to. A platform key is an account's own key, so the caller is that
// account's root: Arn arn:aws:iam::<account>:root, UserId the account id (what STS answers for
// root credentials).
//
// Requests: POST with a form body (Action=GetCallerIdentity&Version=2011-06-15) or GET with the
// same query. Answers and errors in STS's XML (text/xml):
//   <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
//     <GetCallerIdentityResult><Arn/><UserId/><Account/></GetCallerIdentityResult>
//     <ResponseMetadata><RequestId/></ResponseMetadata></GetCallerIdentityResponse>
//   <ErrorResponse xmlns="…"><Error><Type>Sender</Type><Code/><Message/></Error><RequestId/></ErrorResponse>
// Any other Action → 400 InvalidAction; no Action → 400 MissingAction.
#include <string>
#include <string_view>

#include "emulator/auth/sigv4.hpp"
#include "emulator/net/http_wire.hpp"

namespace stratus::platform {

// True when a request speaks the query protocol (an Action parameter in the query or in a form
// body): how an unsigned request, which names no service, is told to be STS's.
bool is_query_protocol(const net::wire::Request& request);

// Answers one authenticated STS request of `account_id`.
net::wire::Response sts_handle(const net::wire::Request& request, const std::string& account_id);

// STS's XML error (Type Sender) with a fresh request id.
net::wire::Response sts_error(int status, const std::string& code, const std::string& message);

// A failed signature check as STS reports it: InvalidClientTokenId, SignatureDoesNotMatch,
// MissingAuthenticationToken, IncompleteSignature (403; 400 for a body hash mismatch).
net::wire::Response sts_auth_error(const auth::VerifyResult& verdict);

}  // namespace stratus::platform
