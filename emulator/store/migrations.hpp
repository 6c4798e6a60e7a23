#pragma once
// The schema of stratus.db, as the list of migrations Database applies: logs and the ledger, the
// SQS queues, the S3 object metadata. Every connection to the file opens it with this one list
// (its version is the file's), whichever tables it uses.
#include <span>
#include <string_view>

namespace stratus::store {

std::span<const std::string_view> stratus_migrations();

}  // namespace stratus::store
