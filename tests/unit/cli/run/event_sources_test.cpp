#include "cli/run/event_sources.hpp"

#include <gtest/gtest.h>

#include "cli/manifest/model.hpp"

namespace stratus::run {
namespace {

using manifest::Value;

Value ref(const std::string& id) {
  Value v = Value::map();
  v.set("Ref", Value(id));
  return v;
}

Value get_att(const std::string& id, const std::string& attribute) {
  Value pair = Value::sequence();
  pair.push_back(Value(id));
  pair.push_back(Value(attribute));
  Value v = Value::map();
  v.set("Fn::GetAtt", std::move(pair));
  return v;
}

Value resource(const std::string& type, const std::string& name_key = "", const std::string& name = "") {
  Value r = Value::map();
  r.set("Type", Value(type));
  if (!name_key.empty()) {
    Value props = Value::map();
    props.set(name_key, Value(name));
    r.set("Properties", std::move(props));
  }
  return r;
}

manifest::Service service_with_resources() {
  manifest::Service service;
  Value resources = Value::map();
  resources.set("Jobs", resource("AWS::SQS::Queue", "QueueName", "jobs-dev"));
  resources.set("Plain", resource("AWS::SQS::Queue"));
  resources.set("Photos", resource("AWS::S3::Bucket", "BucketName", "photos-dev"));
  resources.set("Unnamed", resource("AWS::S3::Bucket"));
  resources.set("Topic", resource("AWS::SNS::Topic", "TopicName", "news"));
  service.resources = Value::map();
  service.resources.set("Resources", std::move(resources));
  return service;
}

std::optional<std::string> resolve(const Value& v) {
  return local_reference(service_with_resources(), v, "eu-west-1", "http://127.0.0.1:4566");
}

TEST(LocalReference, QueuesResolveAsCloudFormationDoesAgainstTheLocalEndpoint) {
  EXPECT_EQ(resolve(ref("Jobs")), "http://127.0.0.1:4566/000000000000/jobs-dev");
  EXPECT_EQ(resolve(get_att("Jobs", "QueueUrl")), "http://127.0.0.1:4566/000000000000/jobs-dev");
  EXPECT_EQ(resolve(get_att("Jobs", "Arn")), "arn:aws:sqs:eu-west-1:000000000000:jobs-dev");
  EXPECT_EQ(resolve(get_att("Jobs", "QueueName")), "jobs-dev");
  // Without a QueueName the queue is named after its logical id, as `offline` creates it.
  EXPECT_EQ(resolve(ref("Plain")), "http://127.0.0.1:4566/000000000000/Plain");
}

TEST(LocalReference, BucketsResolveToTheirNameAndArn) {
  EXPECT_EQ(resolve(ref("Photos")), "photos-dev");
  EXPECT_EQ(resolve(get_att("Photos", "Arn")), "arn:aws:s3:::photos-dev");
  EXPECT_EQ(resolve(ref("Unnamed")), "unnamed");
  // Domain names would point at AWS itself: not resolved.
  EXPECT_EQ(resolve(get_att("Photos", "DomainName")), std::nullopt);
}

TEST(LocalReference, WhatIsNotAQueueOrBucketOfTheServiceHasNoLocalValue) {
  EXPECT_EQ(resolve(ref("Topic")), std::nullopt);    // not emulated
  EXPECT_EQ(resolve(ref("Missing")), std::nullopt);  // not a resource of the service
  EXPECT_EQ(resolve(get_att("Jobs", "Nope")), std::nullopt);
  Value sub = Value::map();
  sub.set("Fn::Sub", Value("${Jobs}"));
  EXPECT_EQ(resolve(sub), std::nullopt);
  EXPECT_EQ(resolve(Value("Jobs")), std::nullopt);
}

TEST(EventSources, AQueueNamedOnlyByADestinationArnIsCreated) {
  manifest::Service service = service_with_resources();
  manifest::Function fn;
  fn.key = "worker";
  fn.name = "svc-dev-worker";
  Value destinations = Value::map();
  destinations.set("onSuccess", get_att("Jobs", "Arn"));
  destinations.set("onFailure", Value("arn:aws:sqs:eu-west-1:000000000000:failures"));
  fn.destinations = std::move(destinations);
  fn.on_error = Value("arn:aws:sqs:eu-west-1:000000000000:dead.fifo");
  service.functions.push_back(std::move(fn));
  const EventSources sources = event_sources(service, "eu-west-1");
  EXPECT_TRUE(sources.warnings.empty());
  std::map<std::string, std::map<std::string, std::string>> queues;
  for (const auto& q : sources.queues) EXPECT_TRUE(queues.emplace(q.name, q.attributes).second) << q.name;
  EXPECT_EQ(queues.size(), 4u);  // jobs-dev and Plain from the resources, and the two above
  EXPECT_EQ(queues.at("failures"), (std::map<std::string, std::string>{}));
  EXPECT_EQ(queues.at("dead.fifo"), (std::map<std::string, std::string>{{"FifoQueue", "true"}}));
  EXPECT_EQ(sources.destinations.at("svc-dev-worker").on_failure.name, "failures");
}

}  // namespace
}  // namespace stratus::run
