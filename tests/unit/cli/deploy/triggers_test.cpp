// The trigger planners against moto: deploy every trigger type, check it with boto3, plan again
// (nothing), change one setting (exactly that), remove (ours gone, the rest still there).
#include "tests/unit/cli/deploy/triggers_moto.hpp"

namespace stratus::deploy::testing {
namespace {

using nlohmann::json;

const std::string kFn = std::string("arn:aws:lambda:") + kRegion + ":" + kAccount + ":function:";

const json* mapping(const json& s, const std::string& function, const std::string& queue) {
  for (const auto& m : s["mappings"]) {
    if (m["FunctionArn"] == kFn + function &&
        m["EventSourceArn"] == std::string("arn:aws:sqs:") + kRegion + ":" + kAccount + ":" + queue)
      return &m;
  }
  return nullptr;
}

TEST_F(TriggersMoto, DeploysEveryTriggerAsAskedThenPlansNothing) {
  std::vector<std::string> warnings = deploy();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0],
            "http events are deployed as HTTP API routes (payload 1.0); a REST API is a later step");
  json s = state();

  // schedule: rule, target, tags, permission.
  const json& r1 = s["rules"]["svc-dev-hello-schedule-1"];
  EXPECT_EQ(r1["ScheduleExpression"], "rate(5 minutes)");
  EXPECT_EQ(r1["State"], "ENABLED");
  EXPECT_EQ(r1["Description"], "every five");
  EXPECT_EQ(r1["Tags"], json({{"stratus:service", "svc"}, {"stratus:stage", "dev"}, {"team", "core"}}));
  ASSERT_EQ(r1["Targets"].size(), 1u);
  EXPECT_EQ(r1["Targets"][0]["Arn"], kFn + "svc-dev-hello");
  EXPECT_EQ(r1["Targets"][0]["Input"], R"({"a":1})");
  EXPECT_EQ(s["rules"]["svc-dev-hello-schedule-2"]["State"], "DISABLED");
  EXPECT_EQ(s["rules"]["svc-dev-hello-schedule-2"]["ScheduleExpression"], "cron(0 3 * * ? *)");
  const json& hello = s["policies"]["svc-dev-hello"];
  const json& p1 = hello["stratus-schedule-svc-dev-hello-schedule-1"];
  EXPECT_EQ(p1["Principal"]["Service"], "events.amazonaws.com");
  EXPECT_EQ(p1["Action"], "lambda:InvokeFunction");
  EXPECT_EQ(p1["Condition"]["ArnLike"]["AWS:SourceArn"],
            std::string("arn:aws:events:") + kRegion + ":" + kAccount + ":rule/svc-dev-hello-schedule-1");
  EXPECT_TRUE(hello.contains("stratus-schedule-svc-dev-hello-schedule-2"));

  // sqs: the mapping by ARN with its settings, the one found by the resource's QueueName.
  const json* worker = mapping(s, "svc-dev-worker", "jobs");
  ASSERT_NE(worker, nullptr) << s["mappings"].dump();
  EXPECT_EQ((*worker)["BatchSize"], 5);
  EXPECT_EQ((*worker)["State"], "Enabled");
  EXPECT_EQ((*worker)["FunctionResponseTypes"], json::array({"ReportBatchItemFailures"}));
  EXPECT_EQ((*worker)["FilterCriteria"]["Filters"][0]["Pattern"], R"({"body":{"kind":["order"]}})");
  const json* refs = mapping(s, "svc-dev-refs", "refs-queue");
  ASSERT_NE(refs, nullptr) << s["mappings"].dump();
  EXPECT_EQ((*refs)["BatchSize"], 10);
  EXPECT_NE(mapping(s, "other-fn", "jobs"), nullptr);

  // httpApi + http: one API, its routes on Lambda proxy integrations, the $default stage.
  ASSERT_EQ(s["apis"].size(), 1u);
  const json& api = s["apis"][0];
  EXPECT_EQ(api["Name"], "dev-svc");
  EXPECT_EQ(api["Tags"]["stratus:service"], "svc");
  EXPECT_EQ(api["Stages"], json({{"$default", true}}));
  ASSERT_EQ(api["Routes"].size(), 2u) << api.dump();
  std::map<std::string, std::string> payload_by_route;
  for (const auto& [key, target] : api["Routes"].items()) {
    std::string id = target.get<std::string>().substr(std::string("integrations/").size());
    const json& integration = api["Integrations"][id];
    EXPECT_EQ(integration["Uri"], kFn + "svc-dev-hello");
    EXPECT_EQ(integration["Type"], "AWS_PROXY");
    payload_by_route[key] = integration["Payload"];
  }
  EXPECT_EQ(payload_by_route,
            (std::map<std::string, std::string>{{"GET /users/{id}", "2.0"}, {"POST /items", "1.0"}}));
  EXPECT_EQ(hello["stratus-httpapi"]["Principal"]["Service"], "apigateway.amazonaws.com");
  EXPECT_EQ(hello["stratus-httpapi"]["Condition"]["ArnLike"]["AWS:SourceArn"],
            std::string("arn:aws:execute-api:") + kRegion + ":" + kAccount + ":" +
                api["ApiId"].get<std::string>() + "/*");

  // s3: ours next to the entry that is not ours; the missing bucket created and tagged.
  const json& uploads = s["buckets"]["uploads"]["Lambda"];
  ASSERT_EQ(uploads.size(), 2u) << uploads.dump();
  EXPECT_EQ(uploads[0]["Id"], "foreign");
  EXPECT_EQ(uploads[1]["Id"], "stratus-svc-dev-uploader-1");
  EXPECT_EQ(uploads[1]["LambdaFunctionArn"], kFn + "svc-dev-uploader");
  EXPECT_EQ(uploads[1]["Events"], json::array({"s3:ObjectCreated:*"}));
  EXPECT_EQ(uploads[1]["Filter"]["Key"]["FilterRules"],
            json::parse(R"([{"Name":"prefix","Value":"in/"},{"Name":"suffix","Value":".jpg"}])"));
  EXPECT_EQ(s["buckets"]["fresh-bucket"]["Tags"]["stratus:stage"], "dev");
  EXPECT_EQ(s["buckets"]["fresh-bucket"]["Lambda"][0]["Events"], json::array({"s3:ObjectCreated:Put"}));
  const json& s3_permission = s["policies"]["svc-dev-uploader"]["stratus-s3-uploads"];
  EXPECT_EQ(s3_permission["Principal"]["Service"], "s3.amazonaws.com");
  EXPECT_EQ(s3_permission["Condition"]["ArnLike"]["AWS:SourceArn"], "arn:aws:s3:::uploads");
  EXPECT_EQ(s3_permission["Condition"]["StringEquals"]["AWS:SourceAccount"], kAccount);

  std::vector<std::string> again;
  EXPECT_EQ(describe(plan_triggers(m_target, m_service, again)), "");
}

// provisionedConcurrency: the triggers invoke alias `provisioned`, as the Serverless Framework wires
// them; switching it on moves what invoked the function itself to the alias, and back.
TEST_F(TriggersMoto, AFunctionWithProvisionedConcurrencyIsInvokedThroughItsAlias) {
  deploy();  // first without: the triggers invoke the functions
  auto alias = python("moto_alias.py");
  ASSERT_EQ(alias.exit_code, 0) << alias.err;
  for (std::size_t i : {0u, 1u, 3u})
    m_service.functions[i].provisioned_concurrency = 2;  // hello, worker, uploader
  m_target = target_for(m_service);
  deploy();
  json s = state();
  const std::string hello = kFn + "svc-dev-hello:provisioned";
  EXPECT_EQ(s["rules"]["svc-dev-hello-schedule-1"]["Targets"][0]["Arn"], hello);
  for (const auto& [id, integration] : s["apis"][0]["Integrations"].items())
    EXPECT_EQ(integration["Uri"], hello);
  EXPECT_EQ(s["apis"][0]["Routes"].size(), 2u);
  EXPECT_TRUE(s["alias_policies"]["svc-dev-hello"].contains("stratus-schedule-svc-dev-hello-schedule-1"))
      << s["alias_policies"].dump();
  EXPECT_TRUE(s["alias_policies"]["svc-dev-hello"].contains("stratus-httpapi"));
  // moto reports the version the alias points at ("...:svc-dev-worker:1") where AWS keeps the alias
  // ARN, so the mapping is checked for being qualified, and left out of the idempotence check below.
  int worker_mappings = 0;
  for (const auto& m : s["mappings"]) {
    if (!m["FunctionArn"].get<std::string>().starts_with(kFn + "svc-dev-worker")) continue;
    ++worker_mappings;
    EXPECT_TRUE(m["FunctionArn"].get<std::string>().starts_with(kFn + "svc-dev-worker:")) << m.dump();
  }
  EXPECT_EQ(worker_mappings, 1) << "the function's own mapping is replaced: " << s["mappings"].dump();
  EXPECT_EQ(s["buckets"]["uploads"]["Lambda"][1]["LambdaFunctionArn"], kFn + "svc-dev-uploader:provisioned");
  EXPECT_TRUE(s["alias_policies"]["svc-dev-uploader"].contains("stratus-s3-uploads"));

  std::vector<std::string> again;
  for (const auto& a : plan_triggers(m_target, m_service, again))
    EXPECT_NE(a.what.find("svc-dev-worker"), std::string::npos) << a.what;

  for (auto& f : m_service.functions) f.provisioned_concurrency.reset();  // and back
  m_target = target_for(m_service);
  deploy();
  s = state();
  EXPECT_EQ(s["rules"]["svc-dev-hello-schedule-1"]["Targets"][0]["Arn"], kFn + "svc-dev-hello");
  EXPECT_NE(mapping(s, "svc-dev-worker", "jobs"), nullptr);
  EXPECT_EQ(mapping(s, "svc-dev-worker:provisioned", "jobs"), nullptr);
  EXPECT_EQ(s["buckets"]["uploads"]["Lambda"][1]["LambdaFunctionArn"], kFn + "svc-dev-uploader");
}

TEST_F(TriggersMoto, OneChangedSettingPlansExactlyThatAction) {
  deploy();
  std::get<manifest::SqsEvent>(m_service.functions[1].events[0].detail).batch_size = 7;
  std::vector<std::string> warnings;
  Plan plan = plan_triggers(m_target, m_service, warnings);
  EXPECT_EQ(describe(plan), "update the mapping from queue jobs to function svc-dev-worker\n");
  apply(plan);
  EXPECT_EQ((*mapping(state(), "svc-dev-worker", "jobs"))["BatchSize"], 7);

  std::get<manifest::ScheduleEvent>(m_service.functions[0].events[1].detail).enabled = true;
  plan = plan_triggers(m_target, m_service, warnings);
  EXPECT_EQ(describe(plan),
            "update schedule rule svc-dev-hello-schedule-2 (cron(0 3 * * ? *)) for function svc-dev-hello\n");
  apply(plan);
  EXPECT_EQ(state()["rules"]["svc-dev-hello-schedule-2"]["State"], "ENABLED");

  std::get<manifest::S3Event>(m_service.functions[3].events[0].detail).suffix = ".png";
  plan = plan_triggers(m_target, m_service, warnings);
  EXPECT_EQ(describe(plan), "set the notifications of bucket uploads (1 for this service)\n");
  apply(plan);
  EXPECT_EQ(describe(plan_triggers(m_target, m_service, warnings)), "");
}

TEST_F(TriggersMoto, RoutesNoLongerInTheManifestAreDeleted) {
  deploy();
  m_service.functions[0].events.pop_back();  // the http POST /items route (payload 1.0)
  std::vector<std::string> warnings;
  Plan plan = plan_triggers(m_target, m_service, warnings);
  std::string text = describe(plan);
  EXPECT_NE(text.find("delete route POST /items\n"), std::string::npos) << text;
  EXPECT_NE(text.find("delete integration "), std::string::npos) << text;
  EXPECT_EQ(plan.size(), 2u) << text;
  apply(plan);
  json api = state()["apis"][0];
  EXPECT_EQ(api["Routes"].size(), 1u);
  EXPECT_EQ(api["Integrations"].size(), 1u);
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(describe(plan_triggers(m_target, m_service, warnings)), "");
}

TEST_F(TriggersMoto, RemoveTakesOursAndLeavesTheRest) {
  deploy();
  Plan plan = plan_remove_triggers(m_target, m_service);
  apply(plan);
  json s = state();
  EXPECT_EQ(s["rules"].size(), 1u) << s["rules"].dump();
  EXPECT_TRUE(s["rules"].contains("svc-dev-foreign-rule"));
  EXPECT_EQ(s["mappings"].size(), 1u) << s["mappings"].dump();
  EXPECT_NE(mapping(s, "other-fn", "jobs"), nullptr);
  EXPECT_TRUE(s["apis"].empty());
  EXPECT_FALSE(s["buckets"].contains("fresh-bucket"));
  ASSERT_EQ(s["buckets"]["uploads"]["Lambda"].size(), 1u);
  EXPECT_EQ(s["buckets"]["uploads"]["Lambda"][0]["Id"], "foreign");
  for (const char* f : {"svc-dev-hello", "svc-dev-uploader"}) EXPECT_TRUE(s["policies"][f].empty()) << f;
  EXPECT_EQ(describe(plan_remove_triggers(m_target, m_service)), "");
  EXPECT_TRUE(describe_triggers(m_target, m_service).empty());
}

}  // namespace
}  // namespace stratus::deploy::testing
