#pragma once
// The CloudWatch log groups of a service's functions (/aws/lambda/<name>), when the manifest asks
// for a retention (provider.logRetentionInDays, functions.*.logRetentionInDays), as the Serverless
// Framework keeps them: the group created (tagged as ours) or taken over (Lambda creates it on the
// first invocation), its retention set; a retention no longer asked for is removed from groups we
// tagged. `remove` deletes the groups tagged as ours. A `stratus serve` platform keeps its logs a
// week and has no retention API: there the setting is named in the deploy's warning.
#include <vector>

#include "cli/deploy/plan.hpp"

namespace stratus::manifest {
struct Service;
}

namespace stratus::deploy {

Plan plan_log_groups(const Target& target, const manifest::Service& service);
Plan plan_remove_log_groups(const Target& target, const manifest::Service& service);

}  // namespace stratus::deploy
