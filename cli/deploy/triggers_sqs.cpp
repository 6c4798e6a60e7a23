// sqs events -> Lambda event source mappings. A mapping is matched by (function, queue ARN) and
// updated only when a setting differs; the service's functions are its own, so a mapping from an
// SQS queue to one of them that the manifest no longer lists is deleted.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "cli/deploy/triggers_internal.hpp"
#include "cli/providers/aws/sqs.hpp"

namespace stratus::deploy::triggers_detail {

namespace {

using manifest::Value;

struct DesiredMapping {
  const FunctionTarget* function = nullptr;
  std::string queue;  // for messages: the name
  aws::EventSourceMapping mapping;
};

// The queue name an intrinsic ({Fn::GetAtt: [Queue, Arn]}) refers to: the resource's QueueName when
// `resources` gives one, else the logical id.
std::string queue_name_of(const manifest::Service& service, const manifest::SqsEvent& e) {
  std::string logical = e.queue_name;
  const Value* name = service.resources.at_path("Resources." + logical + ".Properties.QueueName");
  if (name != nullptr && name->is_string()) return name->as_string();
  return logical;
}

std::string canonical_filters(const std::optional<Value>& patterns) {
  if (!patterns || !patterns->is_sequence() || patterns->items().empty()) return "";
  nlohmann::json parsed = nlohmann::json::parse(patterns->to_text(), nullptr, false);
  return parsed.is_discarded() ? "" : parsed.dump();
}

// Strips a version or alias qualifier from a function ARN.
std::string unqualified(const std::string& arn) {
  std::size_t function = arn.find(":function:");
  if (function == std::string::npos) return arn;
  std::size_t colon = arn.find(':', function + 10);
  return colon == std::string::npos ? arn : arn.substr(0, colon);
}

// Whether a mapping invokes exactly `target_arn` (":$LATEST" is the unqualified function).
bool invokes(const aws::EventSourceMapping& m, const std::string& target_arn) {
  const std::string& arn = m.function_arn;
  return arn == target_arn || (arn.ends_with(":$LATEST") && arn.substr(0, arn.size() - 8) == target_arn);
}

std::vector<DesiredMapping> desired_mappings(const Target& target, const manifest::Service& service,
                                             bool strict) {
  std::vector<DesiredMapping> out;
  aws::Sqs sqs(*target.client);
  for (const auto& f : service.functions) {
    for (const auto& e : f.events) {
      const auto* q = std::get_if<manifest::SqsEvent>(&e.detail);
      if (q == nullptr) continue;
      DesiredMapping d;
      d.function = &function_target(target, f.key);
      if (q->arn.is_string()) {
        d.mapping.event_source_arn = q->arn.as_string();
        d.queue = q->queue_name;
      } else {
        d.queue = queue_name_of(service, *q);
        auto arn = sqs.queue_arn(d.queue);
        if (!arn) {
          if (!strict) continue;
          std::string where = e.mark.known() ? e.mark.file + ":" + std::to_string(e.mark.line) + ": " : "";
          throw UserError(
              where + "functions." + f.key + " sqs event: queue '" + d.queue + "' does not exist in " +
              target.region +
              " (stratus deploys no `resources`); fix: create it (aws sqs create-queue --queue-name " +
              d.queue + ") or give the queue's ARN as `arn:`");
        }
        d.mapping.event_source_arn = *arn;
      }
      d.mapping.function_arn = d.function->arn;
      d.mapping.batch_size = q->batch_size;
      d.mapping.maximum_batching_window = q->maximum_batching_window;
      d.mapping.enabled = q->enabled;
      d.mapping.report_batch_item_failures = q->report_batch_item_failures;
      d.mapping.filter_criteria = canonical_filters(q->filter_patterns);
      out.push_back(std::move(d));
    }
  }
  return out;
}

bool same_settings(const aws::EventSourceMapping& a, const aws::EventSourceMapping& b) {
  return a.batch_size == b.batch_size && a.maximum_batching_window == b.maximum_batching_window &&
         a.enabled == b.enabled && a.report_batch_item_failures == b.report_batch_item_failures &&
         a.filter_criteria == b.filter_criteria;
}

// The SQS mappings of the service's functions that exist now, whether they invoke the function or
// one of its aliases (a function that gains or loses provisionedConcurrency changes which).
std::vector<aws::EventSourceMapping> our_mappings(const Target& target) {
  std::vector<aws::EventSourceMapping> out;
  aws::LambdaTriggers lambda(*target.client);
  for (const auto& f : target.functions) {
    const std::string function_arn = unqualified(f.arn);
    std::vector<std::string> listed = {function_arn};
    if (f.arn != function_arn) listed.push_back(f.arn);
    for (const auto& arn : listed) {
      for (auto& m : lambda.mappings_for_function(arn)) {
        bool seen = std::any_of(out.begin(), out.end(), [&](const auto& o) { return o.uuid == m.uuid; });
        if (!seen && m.event_source_arn.find(":sqs:") != std::string::npos &&
            unqualified(m.function_arn) == function_arn)
          out.push_back(std::move(m));
      }
    }
  }
  return out;
}

Action delete_action(const Target& target, const aws::EventSourceMapping& m) {
  aws::Client* client = target.client;
  return {"delete the mapping from " + m.event_source_arn + " to " + unqualified(m.function_arn),
          [client, uuid = m.uuid] { aws::LambdaTriggers(*client).delete_mapping(uuid); }};
}

}  // namespace

Plan plan_sqs(const Target& target, const manifest::Service& service) {
  Plan plan;
  std::vector<DesiredMapping> desired = desired_mappings(target, service, true);
  std::vector<aws::EventSourceMapping> existing = our_mappings(target);
  aws::Client* client = target.client;
  std::vector<std::string> kept;
  for (const auto& d : desired) {
    const aws::EventSourceMapping* found = nullptr;
    for (const auto& m : existing) {
      if (m.event_source_arn == d.mapping.event_source_arn && invokes(m, d.function->arn)) found = &m;
    }
    if (found == nullptr) {
      plan.push_back({"create the mapping from queue " + d.queue + " to function " + d.function->name,
                      [client, m = d.mapping] { aws::LambdaTriggers(*client).create_mapping(m); }});
    } else if (!same_settings(*found, d.mapping)) {
      aws::EventSourceMapping m = d.mapping;
      m.uuid = found->uuid;
      plan.push_back({"update the mapping from queue " + d.queue + " to function " + d.function->name,
                      [client, m] { aws::LambdaTriggers(*client).update_mapping(m); }});
    }
    if (found != nullptr) kept.push_back(found->uuid);
  }
  for (const auto& m : existing) {
    if (std::find(kept.begin(), kept.end(), m.uuid) == kept.end()) plan.push_back(delete_action(target, m));
  }
  return plan;
}

Plan plan_remove_sqs(const Target& target, const manifest::Service&) {
  Plan plan;
  for (const auto& m : our_mappings(target)) plan.push_back(delete_action(target, m));
  return plan;
}

void describe_sqs(const Target& target, const manifest::Service& service, std::vector<Endpoint>& out) {
  std::vector<aws::EventSourceMapping> existing = our_mappings(target);
  for (const auto& d : desired_mappings(target, service, false)) {
    for (const auto& m : existing) {
      if (m.event_source_arn == d.mapping.event_source_arn && invokes(m, d.function->arn)) {
        out.push_back({"sqs", d.function->key, "queue " + d.queue + (m.enabled ? "" : " (disabled)"), ""});
      }
    }
  }
}

}  // namespace stratus::deploy::triggers_detail
