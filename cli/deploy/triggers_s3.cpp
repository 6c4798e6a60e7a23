// s3 events -> the bucket's notification configuration. S3 has one configuration per bucket, so
// it is read, every entry that is not ours is kept as read, and ours (Id
// "stratus-<service>-<stage>-<function>-<n>") are replaced. A bucket that does not exist and is
// not `existing: true` is created, tagged ours, as the Serverless Framework creates it with the
// stack; `remove` deletes such a bucket (S3 refuses when it is not empty, and the error says so).
#include <algorithm>
#include <set>

#include "cli/deploy/triggers_internal.hpp"
#include "cli/providers/aws/s3_notifications.hpp"

namespace stratus::deploy::triggers_detail {

namespace {

struct BucketPlan {
  std::string bucket;
  bool existing = false;  // some event says `existing: true`
  std::vector<aws::LambdaNotification> ours;
  std::vector<const FunctionTarget*> functions;
};

std::string id_prefix(const Target& target) {
  return "stratus-" + target.service + "-" + target.stage + "-";
}

std::vector<BucketPlan> desired_buckets(const Target& target, const manifest::Service& service) {
  std::vector<BucketPlan> out;
  for (const auto& f : service.functions) {
    std::map<std::string, int> counts;
    for (const auto& e : f.events) {
      const auto* s = std::get_if<manifest::S3Event>(&e.detail);
      if (s == nullptr) continue;
      BucketPlan* b = nullptr;
      for (auto& candidate : out) {
        if (candidate.bucket == s->bucket) b = &candidate;
      }
      if (b == nullptr) b = &out.emplace_back(BucketPlan{s->bucket, false, {}, {}});
      b->existing |= s->existing;
      const FunctionTarget& fn = function_target(target, f.key);
      if (std::find(b->functions.begin(), b->functions.end(), &fn) == b->functions.end())
        b->functions.push_back(&fn);
      aws::LambdaNotification n;
      n.id = id_prefix(target) + f.key + "-" + std::to_string(++counts[s->bucket]);
      n.function_arn = fn.arn;
      n.events = {s->event};
      n.prefix = s->prefix;
      n.suffix = s->suffix;
      b->ours.push_back(std::move(n));
    }
  }
  return out;
}

bool is_ours(const Target& target, const aws::LambdaNotification& n) {
  return n.id.starts_with(id_prefix(target));
}

// The configuration with our entries replaced by `ours`.
aws::NotificationConfiguration with_ours(const Target& target, aws::NotificationConfiguration configuration,
                                         const std::vector<aws::LambdaNotification>& ours) {
  std::vector<aws::LambdaNotification> kept;
  for (auto& n : configuration.lambdas) {
    if (!is_ours(target, n)) kept.push_back(std::move(n));
  }
  for (const auto& n : ours) kept.push_back(n);
  configuration.lambdas = std::move(kept);
  return configuration;
}

std::vector<aws::LambdaNotification> ours_in(const Target& target, const aws::NotificationConfiguration& c) {
  std::vector<aws::LambdaNotification> out;
  for (const auto& n : c.lambdas) {
    if (is_ours(target, n)) out.push_back(n);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

}  // namespace

Plan plan_s3(const Target& target, const manifest::Service& service, Permissions& permissions) {
  Plan plan;
  aws::S3 s3(*target.client);
  aws::Client* client = target.client;
  std::map<std::string, std::vector<std::string>> sids;
  for (auto& b : desired_buckets(target, service)) {
    const bool exists = s3.bucket_exists(b.bucket);
    aws::NotificationConfiguration current;
    if (!exists) {
      if (b.existing) {
        throw UserError("s3 event: bucket '" + b.bucket +
                        "' is marked `existing: true` but does not exist in " + target.region +
                        "; fix: create it, or drop `existing: true` to let deploy create it");
      }
      plan.push_back({"create bucket " + b.bucket,
                      [client, bucket = b.bucket, region = target.region, tags = target.tags] {
                        aws::S3(*client).create_bucket(bucket, region, tags);
                      }});
    } else {
      current = s3.notifications(b.bucket);
    }
    std::sort(b.ours.begin(), b.ours.end(), [](const auto& x, const auto& y) { return x.id < y.id; });
    // The permission comes first: S3 checks that it may invoke the function when the
    // configuration is written.
    std::string sid = fit(std::string(kS3Sid) + sanitize(b.bucket), 100);
    for (const FunctionTarget* f : b.functions) {
      permissions.ensure(plan, *f, sid, "s3.amazonaws.com",
                         "arn:" + partition(target.region) + ":s3:::" + b.bucket, target.account_id);
      sids[f->name].push_back(sid);
    }
    if (ours_in(target, current) != b.ours) {
      plan.push_back({"set the notifications of bucket " + b.bucket + " (" + std::to_string(b.ours.size()) +
                          " for this service)",
                      [client, bucket = b.bucket, configuration = with_ours(target, current, b.ours)] {
                        aws::S3(*client).put_notifications(bucket, configuration);
                      }});
    }
  }
  for (const auto& f : target.functions) permissions.remove_stale(plan, f, kS3Sid, sids[f.name]);
  return plan;
}

Plan plan_remove_s3(const Target& target, const manifest::Service& service) {
  Plan plan;
  aws::S3 s3(*target.client);
  aws::Client* client = target.client;
  for (const auto& b : desired_buckets(target, service)) {
    if (!s3.bucket_exists(b.bucket)) continue;
    if (!b.existing && tagged_ours(target, s3.bucket_tags(b.bucket))) {
      plan.push_back({"delete bucket " + b.bucket,
                      [client, bucket = b.bucket] { aws::S3(*client).delete_bucket(bucket); }});
      continue;
    }
    aws::NotificationConfiguration current = s3.notifications(b.bucket);
    if (ours_in(target, current).empty()) continue;
    plan.push_back({"remove this service's notifications from bucket " + b.bucket,
                    [client, bucket = b.bucket, configuration = with_ours(target, current, {})] {
                      aws::S3(*client).put_notifications(bucket, configuration);
                    }});
  }
  return plan;
}

void describe_s3(const Target& target, const manifest::Service& service, std::vector<Endpoint>& out) {
  aws::S3 s3(*target.client);
  for (const auto& b : desired_buckets(target, service)) {
    if (!s3.bucket_exists(b.bucket)) continue;
    for (const auto& n : ours_in(target, s3.notifications(b.bucket))) {
      std::string key;
      for (const auto& f : target.functions) {
        if (f.arn == n.function_arn) key = f.key;
      }
      std::string what = "bucket " + b.bucket;
      for (const auto& e : n.events) what += " " + e;
      if (!n.prefix.empty()) what += " prefix " + n.prefix;
      if (!n.suffix.empty()) what += " suffix " + n.suffix;
      out.push_back({"s3", key, what, ""});
    }
  }
}

}  // namespace stratus::deploy::triggers_detail
