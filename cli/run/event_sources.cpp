#include "cli/run/event_sources.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "cli/manifest/model.hpp"
#include "emulator/common/local_account.hpp"

namespace stratus::run {

namespace {

using manifest::Value;

// The resources of one CloudFormation type: logical id -> Properties (or an empty map).
std::vector<std::pair<std::string, const Value*>> resources_of(const manifest::Service& service,
                                                               std::string_view type) {
  static const Value empty = Value::map();
  std::vector<std::pair<std::string, const Value*>> out;
  const Value* resources = service.resources.find("Resources");
  if (!resources || !resources->is_map()) return out;
  for (const auto& entry : resources->entries()) {
    const Value* t = entry.value.find("Type");
    if (!t || !t->is_string() || t->as_string() != type) continue;
    const Value* props = entry.value.find("Properties");
    out.emplace_back(entry.key, props && props->is_map() ? props : &empty);
  }
  return out;
}

bool has_resource(const manifest::Service& service, std::string_view type, const std::string& id) {
  const auto of_type = resources_of(service, type);
  return std::any_of(of_type.begin(), of_type.end(), [&](const auto& r) { return r.first == id; });
}

// The logical id an intrinsic names ({Fn::GetAtt: [Id, Arn]}, {Ref: Id}); "" otherwise.
std::string referenced_id(const Value& v) {
  if (!v.is_map() || v.entries().size() != 1) return "";
  const Value& inner = v.entries().front().value;
  if (inner.is_sequence() && !inner.items().empty()) return inner.items().front().to_text();
  return inner.is_string() ? inner.as_string() : "";
}

std::string queue_name_of(const manifest::Service& service, const std::string& id) {
  for (const auto& [logical, props] : resources_of(service, "AWS::SQS::Queue"))
    if (logical == id) {
      const Value* name = props->find("QueueName");
      return name && name->is_string() ? name->as_string() : logical;
    }
  return id;
}

// A bucket resource's name: BucketName, else its logical id in lower case (bucket names are).
std::string bucket_name_of(const manifest::Service& service, const std::string& id) {
  for (const auto& [logical, props] : resources_of(service, "AWS::S3::Bucket"))
    if (logical == id) {
      const Value* name = props->find("BucketName");
      if (name && name->is_string()) return name->as_string();
      break;
    }
  std::string lower = id;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return lower;
}

// A destination as written: an ARN (SQS queue or Lambda function), a function of the service by
// its key, {Fn::GetAtt: [Queue, Arn]}, or the object form {type, arn}.
Destination resolve_destination(const manifest::Service& service, const Value& v, const std::string& where,
                                std::vector<std::string>& warnings) {
  if (v.is_map()) {
    if (const Value* arn = v.find("arn")) return resolve_destination(service, *arn, where, warnings);
    const std::string id = referenced_id(v);
    if (has_resource(service, "AWS::SQS::Queue", id))
      return {Destination::Kind::queue, queue_name_of(service, id)};
    warnings.push_back(where + ": '" + id +
                       "' is not a queue of this service; its records are not delivered locally");
    return {};
  }
  if (!v.is_string()) return {};
  const std::string& text = v.as_string();
  if (text.rfind("arn:aws:sqs:", 0) == 0) return {Destination::Kind::queue, text.substr(text.rfind(':') + 1)};
  if (auto at = text.find(":function:"); text.rfind("arn:aws:lambda:", 0) == 0 && at != std::string::npos) {
    std::string name = text.substr(at + 10);
    return {Destination::Kind::function, name.substr(0, name.find(':'))};
  }
  if (text.rfind("arn:", 0) != 0) {
    if (const manifest::Function* fn = service.find_function(text))
      return {Destination::Kind::function, fn->name};
    warnings.push_back(where + ": '" + text +
                       "' is not a function of this service; its records are not delivered locally");
    return {};
  }
  warnings.push_back(where + ": '" + text +
                     "' is not emulated locally (SQS queues and functions are); its records are dropped");
  return {};
}

}  // namespace

EventSources event_sources(const manifest::Service& service, const std::string& region) {
  EventSources out;
  auto add_queue = [&](QueueSpec spec) {
    auto same = [&](const QueueSpec& q) { return q.name == spec.name; };
    if (std::none_of(out.queues.begin(), out.queues.end(), same)) out.queues.push_back(std::move(spec));
  };
  auto add_queue_named = [&](const std::string& name) {
    QueueSpec spec;
    spec.name = name;
    if (name.ends_with(".fifo")) spec.attributes["FifoQueue"] = "true";
    add_queue(std::move(spec));
  };
  auto add_bucket = [&](const std::string& name) {
    if (std::find(out.buckets.begin(), out.buckets.end(), name) == out.buckets.end())
      out.buckets.push_back(name);
  };

  // Queues from resources, with the attributes SQS takes; a RedrivePolicy's target queue is
  // created first.
  std::vector<QueueSpec> with_redrive;
  for (const auto& [logical, props] : resources_of(service, "AWS::SQS::Queue")) {
    QueueSpec spec;
    spec.name = queue_name_of(service, logical);
    for (const auto& entry : props->entries()) {
      if (entry.key == "QueueName" || entry.key == "Tags") continue;
      if (entry.key == "RedrivePolicy" && entry.value.is_map()) {
        nlohmann::json policy = nlohmann::json::object();
        if (const Value* target = entry.value.find("deadLetterTargetArn")) {
          const std::string id = referenced_id(*target);
          policy["deadLetterTargetArn"] =
              id.empty() ? target->to_text()
                         : "arn:aws:sqs:" + region + ":" + kLocalAccountId + ":" + queue_name_of(service, id);
        }
        if (const Value* count = entry.value.find("maxReceiveCount"))
          policy["maxReceiveCount"] = count->to_text();
        spec.attributes["RedrivePolicy"] = policy.dump();
      } else if (entry.value.is_scalar()) {
        spec.attributes[entry.key] =
            entry.value.is_bool() ? (entry.value.as_bool() ? "true" : "false") : entry.value.to_text();
      }
    }
    if (spec.attributes.count("RedrivePolicy"))
      with_redrive.push_back(std::move(spec));
    else
      add_queue(std::move(spec));
  }
  for (auto& spec : with_redrive) add_queue(std::move(spec));
  for (const auto& [logical, props] : resources_of(service, "AWS::S3::Bucket"))
    add_bucket(bucket_name_of(service, logical));

  for (const auto& fn : service.functions) {
    FunctionDestinations d;
    const std::string where = "functions." + fn.key;
    if (fn.destinations && fn.destinations->is_map()) {
      if (const Value* v = fn.destinations->find("onSuccess"))
        d.on_success = resolve_destination(service, *v, where + ".destinations.onSuccess", out.warnings);
      if (const Value* v = fn.destinations->find("onFailure"))
        d.on_failure = resolve_destination(service, *v, where + ".destinations.onFailure", out.warnings);
    }
    if (fn.on_error) {
      d.on_error = resolve_destination(service, *fn.on_error, where + ".onError", out.warnings);
      if (d.on_error.kind == Destination::Kind::function) {
        out.warnings.push_back(where +
                               ".onError: a dead-letter queue is an SQS queue (or SNS topic); ignored");
        d.on_error = {};
      }
    }
    if (d.on_success.kind != Destination::Kind::none || d.on_failure.kind != Destination::Kind::none ||
        d.on_error.kind != Destination::Kind::none)
      out.destinations[fn.name] = d;
    // A queue named only by a destination's ARN exists on AWS; locally it is created, or its records
    // would be lost.
    for (const Destination* dest : {&d.on_success, &d.on_failure, &d.on_error})
      if (dest->kind == Destination::Kind::queue) add_queue_named(dest->name);
    for (const auto& event : fn.events) {
      if (const auto* q = std::get_if<manifest::SqsEvent>(&event.detail)) {
        add_queue_named(q->queue_name);
        if (!q->enabled) continue;
        triggers::sqs::SqsPollerSettings poller;
        poller.queue = q->queue_name;
        poller.function = fn.name;
        poller.batch_size = q->batch_size;
        poller.maximum_batching_window = std::chrono::seconds(q->maximum_batching_window);
        poller.report_batch_item_failures = q->report_batch_item_failures;
        out.pollers.push_back(std::move(poller));
      } else if (const auto* b = std::get_if<manifest::S3Event>(&event.detail)) {
        triggers::s3::NotificationRule rule;
        rule.bucket = bucket_name_of(service, b->bucket);
        rule.function = fn.name;
        rule.event = b->event;
        rule.prefix = b->prefix;
        rule.suffix = b->suffix;
        add_bucket(rule.bucket);
        if (b->existing) out.existing.push_back(rule);
        out.rules.push_back(std::move(rule));
      }
    }
  }
  return out;
}

std::optional<std::string> local_reference(const manifest::Service& service, const Value& v,
                                           const std::string& region, const std::string& endpoint_url) {
  if (!v.is_map() || v.entries().size() != 1) return std::nullopt;
  const std::string& key = v.entries().front().key;
  const Value& inner = v.entries().front().value;
  std::string id, attribute;  // no attribute: a Ref
  if (key == "Ref" && inner.is_string()) {
    id = inner.as_string();
  } else if (key == "Fn::GetAtt" && inner.is_sequence() && inner.items().size() == 2 &&
             inner.items()[0].is_string() && inner.items()[1].is_string()) {
    id = inner.items()[0].as_string();
    attribute = inner.items()[1].as_string();
  } else {
    return std::nullopt;
  }
  if (has_resource(service, "AWS::SQS::Queue", id)) {
    const std::string name = queue_name_of(service, id);
    if (attribute.empty() || attribute == "QueueUrl")
      return endpoint_url + "/" + kLocalAccountId + "/" + name;
    if (attribute == "Arn") return "arn:aws:sqs:" + region + ":" + kLocalAccountId + ":" + name;
    if (attribute == "QueueName") return name;
  } else if (has_resource(service, "AWS::S3::Bucket", id)) {
    const std::string name = bucket_name_of(service, id);
    if (attribute.empty()) return name;
    if (attribute == "Arn") return "arn:aws:s3:::" + name;
  }
  return std::nullopt;
}

}  // namespace stratus::run
