#pragma once
// The service's event triggers, deployed through the service APIs themselves (no CloudFormation):
//   schedule -> one EventBridge rule per expression, its target and a Lambda permission;
//   sqs      -> Lambda event source mappings (the queue by ARN, or found by name through SQS);
//   httpApi  -> one API Gateway v2 HTTP API per service+stage (`<stage>-<service>`, tagged), Lambda
//               proxy integrations, routes, a `$default` auto-deploy stage, CORS, permissions;
//   http     -> the same HTTP API, payload 1.0 (a REST API is a later step);
//   s3       -> the bucket's notification configuration (other entries kept), a permission, and
//               the bucket itself when it is missing and not `existing: true` (created tagged ours).
// Planning against a service already deployed returns an empty Plan.
//
// What is ours: rules, APIs and buckets carry the deploy's tags; notification entries have an Id
// "stratus-<service>-<stage>-..."; permissions a StatementId "stratus-..."; an event source mapping
// is ours when its function is one of the service's (the functions are the service's own).
#include <functional>
#include <string>
#include <vector>

#include "cli/deploy/plan.hpp"
#include "cli/manifest/model.hpp"

namespace stratus::deploy {

// Plans the service's triggers against what exists. `warnings` gets one line naming every event
// type that is not deployed (sns, eventBridge, stream, websocket, alb, cloudwatchEvent, ..., and
// everything but function URLs when target.platform is true), and one saying that `http` events
// are deployed as HTTP API routes. Throws UserError: exit 2 for a manifest that cannot be deployed
// (an SQS queue that does not exist, two events on one route), exit 1 when a read call fails.
Plan plan_triggers(const Target& target, const manifest::Service& service,
                   std::vector<std::string>& warnings);

// Plans removing every trigger resource this service+stage created (found by tags, or by names/ids
// that carry the service and stage where the API has no tags), and nothing else.
Plan plan_remove_triggers(const Target& target, const manifest::Service& service);

// What is deployed, for `stratus info`: HTTP endpoints with their URLs, schedules, queues, buckets.
// `on_read(done, total)` (optional) is called before the first kind is read and after each (four
// kinds; never on a `stratus serve` platform, which has none of them), for a progress display.
std::vector<Endpoint> describe_triggers(const Target& target, const manifest::Service& service,
                                        const std::function<void(std::size_t, std::size_t)>& on_read = {});

}  // namespace stratus::deploy
