#pragma once
// Identifiers Lambda hands to a function: request ids and X-Ray trace headers.
// Both draw from a per-thread generator seeded from std::random_device; they are unique, not secret.
#include <cstdint>
#include <string>

namespace stratus {

// A random UUID v4 in lower-case canonical form, e.g. "8476a536-e9f4-41e8-9739-2dfe598c3fcd".
std::string new_request_id();

// An X-Ray trace header as Lambda passes it in Lambda-Runtime-Trace-Id:
// "Root=1-<8 hex of unix_seconds>-<24 hex>;Parent=<16 hex>;Sampled=0".
std::string new_trace_id(std::int64_t unix_seconds);

// The same, stamped with the current wall clock.
std::string new_trace_id();

// `digits` random lower-case hex digits (log stream names, instance ids).
std::string random_hex(int digits);

}  // namespace stratus
