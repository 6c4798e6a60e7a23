#pragma once
// The sliver of CloudWatch Logs a `stratus serve` platform answers (JSON 1.1, POST / with
// X-Amz-Target: Logs_20140328.<Operation>), over its LogStore, for the caller's own functions:
//   FilterLogEvents    logGroupName /aws/lambda/<function> (or logGroupIdentifier), startTime,
//                      endTime, filterPattern (the subset in filter_pattern.hpp), logStreamNames,
//                      logStreamNamePrefix, limit (1-10000, default 10000), nextToken. Events
//                      {logStreamName, timestamp, message, ingestionTime, eventId} in time order.
//                      A page ends at `limit` events or after 10000 lines scanned; nextToken is
//                      set while more may follow.
//   DescribeLogGroups  logGroupNamePrefix, limit (1-50), nextToken.
// A log group exists once its function has written a line that is still kept (as on AWS, where
// Lambda creates it on the first write); another account's groups do not exist for the caller.
// Errors as CloudWatch Logs sends them: 400 with {"__type": code, "message": …}:
//   unknown group                               ResourceNotFoundException
//   a bad member, token or unsupported pattern  InvalidParameterException
//   body not JSON                               SerializationException
//   another operation                           UnknownOperationException
#include <string>

#include "emulator/net/http_wire.hpp"
#include "emulator/platform/log_store.hpp"

namespace stratus::platform {

net::wire::Response logs_handle(const net::wire::Request& request, const std::string& account_id,
                                const std::string& region, LogStore& store);

// CloudWatch Logs' JSON 1.1 error.
net::wire::Response logs_error(int status, const std::string& code, const std::string& message);

}  // namespace stratus::platform
