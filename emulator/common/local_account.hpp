#pragma once
// The account the local emulator acts as: its ARNs and queue URLs carry this id, and manifests
// that use ${aws:accountId} resolve to it when no AWS_ACCOUNT_ID is given (the same id LocalStack
// uses, so scripts written for it keep working).
namespace stratus {

inline constexpr const char* kLocalAccountId = "000000000000";

}  // namespace stratus
