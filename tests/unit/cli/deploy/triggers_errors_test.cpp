// The trigger planners' edges against moto: errors that name the event or the call and the fix,
// warnings for what is not deployed, CORS, and what `stratus info` lists.
#include "tests/unit/cli/deploy/triggers_moto.hpp"

namespace stratus::deploy::testing {
namespace {

using nlohmann::json;

TEST_F(TriggersMoto, AQueueThatDoesNotExistIsAnErrorNamingTheEventAndTheFix) {
  auto& refs = std::get<manifest::SqsEvent>(m_service.functions[2].events[0].detail);
  refs.queue_name = "GoneQueue";
  std::vector<std::string> warnings;
  auto [message, code] = user_error([&] { plan_triggers(m_target, m_service, warnings); });
  EXPECT_EQ(
      message,
      "functions.refs sqs event: queue 'GoneQueue' does not exist in eu-west-1 (stratus deploys no "
      "`resources`); fix: create it (aws sqs create-queue --queue-name GoneQueue) or give the queue's ARN as "
      "`arn:`");
  EXPECT_EQ(code, kExitUsage);
}

TEST_F(TriggersMoto, AFailingCallSaysWhatWasBeingDone) {
  manifest::Service ghost;
  ghost.name = "svc";
  manifest::ScheduleEvent every;
  every.expressions = {"rate(1 hour)"};
  ghost.functions.push_back(function("ghost", {event("schedule", every)}));  // not in moto
  Target target = target_for(ghost);
  std::vector<std::string> warnings;
  Plan plan = plan_triggers(target, ghost, warnings);
  ASSERT_EQ(plan.size(), 3u) << describe(plan);
  EXPECT_EQ(plan[2].what,
            "add permission stratus-schedule-svc-dev-ghost-schedule-1 (events.amazonaws.com) on function "
            "svc-dev-ghost");
  plan[0].apply();
  plan[1].apply();
  auto [message, code] = user_error([&] { plan[2].apply(); });
  EXPECT_TRUE(
      message.starts_with("cannot allow events.amazonaws.com to invoke function svc-dev-ghost: "
                          "ResourceNotFoundException: "))
      << message;
  EXPECT_EQ(code, kExitFailure);
}

TEST_F(TriggersMoto, AnExistingBucketThatIsMissingIsAnError) {
  std::get<manifest::S3Event>(m_service.functions[3].events[1].detail).existing = true;
  std::vector<std::string> warnings;
  auto [message, code] = user_error([&] { plan_triggers(m_target, m_service, warnings); });
  EXPECT_EQ(message,
            "s3 event: bucket 'fresh-bucket' is marked `existing: true` but does not exist in eu-west-1; "
            "fix: create "
            "it, or drop `existing: true` to let deploy create it");
  EXPECT_EQ(code, kExitUsage);
}

TEST_F(TriggersMoto, TwoEventsOnOneRouteAreAnError) {
  m_service.functions[1].events.push_back(
      event("httpApi", manifest::HttpApiEvent{"GET", "/users/{id}", "2.0"}));
  std::vector<std::string> warnings;
  auto [message, code] = user_error([&] { plan_triggers(m_target, m_service, warnings); });
  EXPECT_EQ(message,
            "functions.worker httpApi event: route GET /users/{id} is already taken by function hello; fix: "
            "give one "
            "of them another method or path");
}

TEST_F(TriggersMoto, EventTypesNotDeployedAreNamedInOneWarning) {
  m_service.functions[1].events.push_back(event("sns", manifest::OtherEvent{}));
  m_service.functions[2].events.push_back(event("websocket", manifest::OtherEvent{}));
  std::vector<std::string> warnings;
  plan_triggers(m_target, m_service, warnings);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_EQ(warnings[0], "events not deployed (not supported yet): sns websocket");

  Target platform = m_target;
  platform.platform = true;
  warnings.clear();
  EXPECT_TRUE(plan_triggers(platform, m_service, warnings).empty());
  EXPECT_EQ(warnings,
            std::vector<std::string>{"events not deployed (a stratus serve platform speaks Lambda's API "
                                     "only): http httpApi s3 schedule sns sqs websocket"});
}

TEST_F(TriggersMoto, CorsFromProviderHttpApi) {
  m_service.provider.http_api.set("cors", manifest::Value(true));
  deploy();
  json cors = state()["apis"][0]["Cors"];
  EXPECT_EQ(cors["AllowOrigins"], json::array({"*"}));
  EXPECT_EQ(cors["AllowMethods"], json::array({"GET", "OPTIONS", "POST"}));
  EXPECT_EQ(cors["AllowHeaders"].size(), 7u);
  std::vector<std::string> warnings;
  EXPECT_EQ(describe(plan_triggers(m_target, m_service, warnings)), "");
  m_service.provider.http_api.set("cors", manifest::Value(false));
  EXPECT_EQ(describe(plan_triggers(m_target, m_service, warnings)), "remove CORS of HTTP API dev-svc\n");
}

TEST_F(TriggersMoto, DescribeListsWhatIsDeployed) {
  EXPECT_TRUE(describe_triggers(m_target, m_service).empty());
  deploy();
  std::string endpoint = state()["apis"][0]["ApiEndpoint"];
  std::string lines;
  for (const auto& e : describe_triggers(m_target, m_service)) {
    lines += e.kind + " | " + e.function_key + " | " + e.description + " | " + e.url + "\n";
  }
  EXPECT_EQ(lines, "httpApi | hello | GET /users/{id} | " + endpoint + "/users/{id}\n" +
                       "http | hello | POST /items | " + endpoint + "/items\n" +
                       "schedule | hello | rate(5 minutes) | \n"
                       "schedule | hello | cron(0 3 * * ? *) (disabled) | \n"
                       "sqs | worker | queue jobs | \n"
                       "sqs | refs | queue refs-queue | \n"
                       "s3 | uploader | bucket uploads s3:ObjectCreated:* prefix in/ suffix .jpg | \n"
                       "s3 | uploader | bucket fresh-bucket s3:ObjectCreated:Put | \n");
}

}  // namespace
}  // namespace stratus::deploy::testing
