// stratus deploy / deploy function / info / remove against moto's server (a local AWS nobody here
// wrote), checked with boto3. One moto per test suite, on a free port, stopped when the suite ends.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "tests/e2e/harness.hpp"
#include "tests/support/background_process.hpp"

namespace stratus::e2e {
namespace {

using nlohmann::json;

constexpr const char* kManifest = R"(service: shop
provider:
  name: aws
  runtime: python3.12
  region: us-east-1
  memorySize: 256
  timeout: 10
  tags:
    team: web
  environment:
    STAGE_NAME: dev
  logRetentionInDays: 14
package:
  individually: true
functions:
  hello:
    handler: hello.handler
    environment:
      GREETING: hi
    reservedConcurrency: 3
    maximumRetryAttempts: 1
    maximumEventAge: 600
    destinations:
      onSuccess: world
      onFailure: arn:aws:sqs:us-east-1:123456789012:failed
    url: true
    tags:
      owner: ana
    package:
      patterns: ['!world.py']
  world:
    handler: world.handler
    memorySize: 512
    timeout: 20
    logRetentionInDays: 30
    layers:
      - arn:aws:lambda:us-east-1:123456789012:layer:shared:1
    package:
      patterns: ['!hello.py']
)";

// Prints one JSON document describing what moto holds for the service.
constexpr const char* kCheckPy = R"py(
import json, os, boto3
kw = dict(endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='us-east-1')
lam = boto3.client('lambda', **kw)
iam = boto3.client('iam', **kw)
out = {'functions': {}, 'roles': [r['RoleName'] for r in iam.list_roles()['Roles']]}
for f in lam.list_functions()['Functions']:
    got = lam.get_function(FunctionName=f['FunctionName'])
    c = got['Configuration']
    item = {'memory': c['MemorySize'], 'timeout': c['Timeout'], 'runtime': c['Runtime'], 'role': c['Role'],
            'env': c.get('Environment', {}).get('Variables', {}), 'tags': got.get('Tags', {}),
            'revision': c.get('RevisionId'), 'sha': c.get('CodeSha256'),
            'concurrency': got.get('Concurrency', {}).get('ReservedConcurrentExecutions')}
    try:
        a = lam.get_function_event_invoke_config(FunctionName=f['FunctionName'])
        item['async'] = {k: a.get(k) for k in ['MaximumRetryAttempts', 'MaximumEventAgeInSeconds', 'DestinationConfig']}
    except lam.exceptions.ResourceNotFoundException:
        item['async'] = None
    try:
        item['url_auth'] = lam.get_function_url_config(FunctionName=f['FunctionName'])['AuthType']
    except lam.exceptions.ResourceNotFoundException:
        item['url_auth'] = None
    out['functions'][f['FunctionName']] = item
for r in out['roles']:
    for p in iam.list_role_policies(RoleName=r)['PolicyNames']:
        out.setdefault('policies', {})[r + '/' + p] = iam.get_role_policy(RoleName=r, PolicyName=p)['PolicyDocument']
logs = boto3.client('logs', **kw)
out['log_groups'] = {g['logGroupName']: {'retention': g.get('retentionInDays'),
                                         'tags': logs.list_tags_log_group(logGroupName=g['logGroupName'])['tags']}
                     for g in logs.describe_log_groups()['logGroups']}
print(json.dumps(out))
)py";

constexpr const char* kForeignPy = R"py(
import io, os, zipfile, boto3
kw = dict(endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='us-east-1')
iam = boto3.client('iam', **kw)
role = iam.create_role(RoleName='other-role', AssumeRolePolicyDocument='{}')['Role']['Arn']
buf = io.BytesIO()
with zipfile.ZipFile(buf, 'w') as z:
    z.writestr('x.py', 'def handler(e, c):\n    return 1\n')
boto3.client('lambda', **kw).create_function(FunctionName='shop-dev-other', Runtime='python3.12', Role=role,
    Handler='x.handler', Code={'ZipFile': buf.getvalue()})
# As Lambda leaves it after a first invocation: the group exists, untagged, never expiring.
boto3.client('logs', **kw).create_log_group(logGroupName='/aws/lambda/shop-dev-hello')
)py";

class DeployMoto : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s_dir = new TempDir();
    if (run_program(s_dir->path(), {"sh", "-c", "command -v moto_server"}).exit_code != 0) return;
    s_port = test_support::free_port();
    s_moto = new test_support::BackgroundProcess(
        {"moto_server", "-H", "127.0.0.1", "-p", std::to_string(s_port)}, s_dir->path() / "moto.log");
    if (!test_support::wait_for_port(s_port, std::chrono::seconds(30))) s_port = 0;
  }
  static void TearDownTestSuite() {
    delete s_moto;  // stops moto
    s_moto = nullptr;
    delete s_dir;
    s_dir = nullptr;
  }
  void SetUp() override {
    if (s_port == 0) GTEST_SKIP() << "moto_server is not available";
    m_dir.write("serverless.yml", kManifest);
    m_dir.write("hello.py", "def handler(event, context):\n    return 'hello'\n");
    m_dir.write("world.py", "def handler(event, context):\n    return 'world'\n");
    m_dir.write("check.py", kCheckPy);
    m_dir.write("foreign.py", kForeignPy);
  }

  std::map<std::string, std::string> env() const {
    return {{"AWS_ACCESS_KEY_ID", "testing"},
            {"AWS_SECRET_ACCESS_KEY", "testing"},
            {"AWS_DEFAULT_REGION", "us-east-1"},
            {"AWS_ENDPOINT_URL", "http://127.0.0.1:" + std::to_string(s_port)}};
  }
  RunResult stratus(const std::vector<std::string>& args) { return run_stratus(m_dir.path(), args, env()); }
  json python(const std::string& script) {
    RunResult r = run_program(m_dir.path(), {"python3", script}, env());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out.empty() ? json() : json::parse(r.out);
  }

  static inline TempDir* s_dir = nullptr;
  static inline test_support::BackgroundProcess* s_moto = nullptr;
  static inline int s_port = 0;
  TempDir m_dir;
};

TEST_F(DeployMoto, DeployRedeployChangeInfoAndRemove) {
  // A function the service did not create: remove must leave it alone.
  python("foreign.py");

  // 1. First deploy: the role, two functions, their settings, tags, concurrency and URL.
  RunResult first = stratus({"deploy"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.err.find("create role shop-dev-us-east-1-lambdaRole"), std::string::npos) << first.err;
  EXPECT_NE(first.err.find("create function shop-dev-hello"), std::string::npos) << first.err;
  EXPECT_NE(first.err.find("warning: not deployed yet, left out: functions.world.layers"), std::string::npos)
      << first.err;
  json state = python("check.py");
  ASSERT_TRUE(state["functions"].contains("shop-dev-hello")) << state.dump();
  const json hello = state["functions"]["shop-dev-hello"];
  const json world = state["functions"]["shop-dev-world"];
  EXPECT_EQ(hello["memory"], 256);
  EXPECT_EQ(hello["timeout"], 10);
  EXPECT_EQ(hello["runtime"], "python3.12");
  EXPECT_EQ(hello["role"], "arn:aws:iam::123456789012:role/shop-dev-us-east-1-lambdaRole");
  EXPECT_EQ(hello["env"], (json{{"GREETING", "hi"}, {"STAGE_NAME", "dev"}}));
  EXPECT_EQ(hello["tags"]["owner"], "ana");
  EXPECT_EQ(hello["tags"]["team"], "web");
  EXPECT_EQ(hello["tags"]["stratus:service"], "shop");
  EXPECT_EQ(hello["tags"]["stratus:stage"], "dev");
  EXPECT_EQ(hello["concurrency"], 3);
  EXPECT_EQ(hello["url_auth"], "NONE");
  EXPECT_EQ(hello["async"], json::parse(R"({"MaximumRetryAttempts": 1, "MaximumEventAgeInSeconds": 600,
      "DestinationConfig": {"OnSuccess": {"Destination": "arn:aws:lambda:us-east-1:123456789012:function:shop-dev-world"},
                            "OnFailure": {"Destination": "arn:aws:sqs:us-east-1:123456789012:failed"}}})"))
      << hello.dump();
  EXPECT_TRUE(world["async"].is_null());
  // Log groups: hello's (which Lambda had created) taken over, world's created with its own retention.
  EXPECT_NE(first.err.find("set retention of log group /aws/lambda/shop-dev-hello to 14 days"),
            std::string::npos)
      << first.err;
  EXPECT_NE(first.err.find("create log group /aws/lambda/shop-dev-world (30 days)"), std::string::npos)
      << first.err;
  EXPECT_EQ(state["log_groups"]["/aws/lambda/shop-dev-hello"]["retention"], 14) << state["log_groups"].dump();
  EXPECT_EQ(state["log_groups"]["/aws/lambda/shop-dev-world"]["retention"], 30);
  EXPECT_EQ(state["log_groups"]["/aws/lambda/shop-dev-world"]["tags"]["stratus:service"], "shop");
  EXPECT_EQ(state["log_groups"]["/aws/lambda/shop-dev-hello"]["tags"]["stratus:stage"], "dev");
  // The managed role may reach each destination.
  const std::string policy = state["policies"]["shop-dev-us-east-1-lambdaRole/shop-dev-lambda"].dump();
  for (
      const char* granted :
      {R"({"Action":["sqs:SendMessage"],"Effect":"Allow","Resource":["arn:aws:sqs:us-east-1:123456789012:failed"]})",
       R"({"Action":["lambda:InvokeFunction"],"Effect":"Allow","Resource":["arn:aws:lambda:us-east-1:123456789012:function:shop-dev-world"]})"})
    EXPECT_NE(policy.find(granted), std::string::npos) << granted << " in " << policy;
  EXPECT_EQ(world["memory"], 512);
  EXPECT_EQ(world["timeout"], 20);
  EXPECT_TRUE(world["concurrency"].is_null());
  EXPECT_TRUE(world["url_auth"].is_null());
  EXPECT_NE(std::find(state["roles"].begin(), state["roles"].end(), "shop-dev-us-east-1-lambdaRole"),
            state["roles"].end());

  // 2. Again, unchanged: no changes, every RevisionId as it was.
  RunResult again = stratus({"deploy"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("no changes: 2 function(s) already up to date"), std::string::npos) << again.err;
  json after = python("check.py");
  EXPECT_EQ(after["functions"]["shop-dev-hello"]["revision"], hello["revision"]);
  EXPECT_EQ(after["functions"]["shop-dev-world"]["revision"], world["revision"]);

  // 3. One function's code changes: only its code is updated.
  m_dir.write("hello.py", "def handler(event, context):\n    return 'hello again'\n");
  RunResult changed = stratus({"deploy", "--json"});
  ASSERT_EQ(changed.exit_code, 0) << changed.err;
  json result = json::parse(changed.out);
  EXPECT_EQ(result["actions"], json::array({"update code of shop-dev-hello"})) << changed.out;
  EXPECT_EQ(result["changed"], true);
  ASSERT_EQ(result["functions"].size(), 2u);
  EXPECT_EQ(result["functions"][0]["arn"], "arn:aws:lambda:us-east-1:123456789012:function:shop-dev-hello");
  EXPECT_EQ(result["functions"][0]["status"], "deployed");
  EXPECT_TRUE(result["functions"][0]["url"].is_string());
  json updated = python("check.py");
  EXPECT_NE(updated["functions"]["shop-dev-hello"]["sha"], hello["sha"]);
  EXPECT_EQ(updated["functions"]["shop-dev-world"]["revision"], world["revision"]);

  // 4. deploy function -f: the code of one function, then its configuration with --update-config.
  m_dir.write("world.py", "def handler(event, context):\n    return 'world again'\n");
  RunResult one = stratus({"deploy", "function", "-f", "world"});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_NE(one.err.find("updated code of shop-dev-world"), std::string::npos) << one.err;
  json now = python("check.py");
  EXPECT_NE(now["functions"]["shop-dev-world"]["sha"], world["sha"]);
  EXPECT_EQ(now["functions"]["shop-dev-hello"]["revision"],
            updated["functions"]["shop-dev-hello"]["revision"]);

  // 5. info, as text and as JSON: both deployed, code the same as the local package.
  RunResult info = stratus({"info"});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_NE(info.out.find("service: shop"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("hello (shop-dev-hello): deployed, python3.12, 256 MB, 10 s"), std::string::npos)
      << info.out;
  EXPECT_NE(info.out.find("code same as local"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("url: "), std::string::npos) << info.out;
  RunResult info_json = stratus({"info", "--json"});
  ASSERT_EQ(info_json.exit_code, 0) << info_json.err;
  json described = json::parse(info_json.out);
  EXPECT_EQ(described["service"], "shop");
  EXPECT_EQ(described["functions"][1]["key"], "world");
  EXPECT_EQ(described["functions"][1]["deployed"], true);
  EXPECT_EQ(described["functions"][1]["memorySize"], 512);
  EXPECT_EQ(described["functions"][1]["codeMatchesLocal"], true);
  EXPECT_EQ(described["functions"][0]["reservedConcurrency"], 3);

  // 5b. The asynchronous settings and the retentions leave the manifest: they are removed, and so is
  // the role's access to the destinations.
  std::string without = kManifest;
  const std::size_t from = without.find("    maximumRetryAttempts: 1\n");
  without.erase(from, without.find("    url: true\n") - from);
  for (const char* retention : {"  logRetentionInDays: 14\n", "    logRetentionInDays: 30\n"})
    without.erase(without.find(retention), std::string(retention).size());
  m_dir.write("serverless.yml", without);
  RunResult dropped = stratus({"deploy", "--json"});
  ASSERT_EQ(dropped.exit_code, 0) << dropped.err;
  EXPECT_EQ(json::parse(dropped.out)["actions"],
            json::array({"update policy shop-dev-lambda of role shop-dev-us-east-1-lambdaRole",
                         "remove asynchronous invocation settings of shop-dev-hello",
                         "remove the retention of log group /aws/lambda/shop-dev-hello",
                         "remove the retention of log group /aws/lambda/shop-dev-world"}))
      << dropped.out;
  json plain = python("check.py");
  EXPECT_TRUE(plain["log_groups"]["/aws/lambda/shop-dev-world"]["retention"].is_null());
  EXPECT_TRUE(plain["functions"]["shop-dev-hello"]["async"].is_null()) << plain.dump();
  EXPECT_EQ(plain["policies"].dump().find("sqs:SendMessage"), std::string::npos);

  // 6. remove: the service's functions and role are gone; the foreign function stays.
  RunResult removed = stratus({"remove", "--json"});
  ASSERT_EQ(removed.exit_code, 0) << removed.err;
  json actions = json::parse(removed.out)["actions"];
  EXPECT_EQ(actions, json::array({"delete function shop-dev-hello", "delete function shop-dev-world",
                                  "delete role shop-dev-us-east-1-lambdaRole",
                                  "delete log group /aws/lambda/shop-dev-hello",
                                  "delete log group /aws/lambda/shop-dev-world"}))
      << removed.out;
  json gone = python("check.py");
  EXPECT_EQ(gone["log_groups"], json::object());
  EXPECT_FALSE(gone["functions"].contains("shop-dev-hello")) << gone.dump();
  EXPECT_FALSE(gone["functions"].contains("shop-dev-world"));
  EXPECT_TRUE(gone["functions"].contains("shop-dev-other"));
  EXPECT_EQ(std::find(gone["roles"].begin(), gone["roles"].end(), "shop-dev-us-east-1-lambdaRole"),
            gone["roles"].end());
  EXPECT_NE(std::find(gone["roles"].begin(), gone["roles"].end(), "other-role"), gone["roles"].end());

  // info after remove: nothing deployed.
  RunResult empty = stratus({"info"});
  ASSERT_EQ(empty.exit_code, 0) << empty.err;
  EXPECT_NE(empty.out.find("hello (shop-dev-hello): not deployed"), std::string::npos) << empty.out;
}

// The issue's proof: an httpApi route, a schedule and an SQS trigger deployed next to the functions,
// checked with boto3; an unchanged redeploy plans nothing; remove takes every one of them away.
constexpr const char* kTriggersManifest = R"(service: events
provider:
  name: aws
  runtime: python3.12
  region: us-east-1
functions:
  api:
    handler: hello.handler
    events:
      - httpApi: GET /hello
      - schedule:
          rate: rate(5 minutes)
          input: {kind: tick}
  worker:
    handler: world.handler
    events:
      - sqs:
          arn: QUEUE_ARN
          batchSize: 5
)";

constexpr const char* kTriggersCheckPy = R"py(
import json, os, boto3
kw = dict(endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='us-east-1')
apigw = boto3.client('apigatewayv2', **kw)
events = boto3.client('events', **kw)
lam = boto3.client('lambda', **kw)
out = {'apis': {}, 'rules': {}, 'mappings': []}
for api in apigw.get_apis()['Items']:
    routes = sorted(r['RouteKey'] for r in apigw.get_routes(ApiId=api['ApiId'])['Items'])
    stages = [s['StageName'] for s in apigw.get_stages(ApiId=api['ApiId'])['Items']]
    out['apis'][api['Name']] = {'routes': routes, 'stages': stages, 'protocol': api['ProtocolType']}
for rule in events.list_rules()['Rules']:
    targets = events.list_targets_by_rule(Rule=rule['Name'])['Targets']
    out['rules'][rule['Name']] = {'schedule': rule.get('ScheduleExpression'), 'state': rule['State'],
                                  'targets': [[t['Arn'], t.get('Input')] for t in targets]}
for m in lam.list_event_source_mappings()['EventSourceMappings']:
    out['mappings'].append([m['FunctionArn'], m['EventSourceArn'], m['BatchSize']])
print(json.dumps(out))
)py";

TEST_F(DeployMoto, HttpApiScheduleAndSqsTriggersDeployRedeployAndRemove) {
  m_dir.write(
      "make_queue.py",
      "import os, boto3\n"
      "sqs = boto3.client('sqs', endpoint_url=os.environ['AWS_ENDPOINT_URL'], region_name='us-east-1')\n"
      "url = sqs.create_queue(QueueName='jobs')['QueueUrl']\n"
      "print(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=['QueueArn'])['Attributes']"
      "['QueueArn'])\n");
  RunResult queue = run_program(m_dir.path(), {"python3", "make_queue.py"}, env());
  ASSERT_EQ(queue.exit_code, 0) << queue.err;
  const std::string queue_arn = queue.out.substr(0, queue.out.find('\n'));
  std::string manifest = kTriggersManifest;
  manifest.replace(manifest.find("QUEUE_ARN"), 9, queue_arn);
  m_dir.write("serverless.yml", manifest);
  m_dir.write("triggers.py", kTriggersCheckPy);

  RunResult first = stratus({"deploy"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("httpApi GET /hello"), std::string::npos) << first.out;
  const json state = python("triggers.py");
  ASSERT_TRUE(state["apis"].contains("dev-events")) << state.dump();
  EXPECT_EQ(state["apis"]["dev-events"]["routes"], json::array({"GET /hello"}));
  EXPECT_EQ(state["apis"]["dev-events"]["stages"], json::array({"$default"}));
  EXPECT_EQ(state["apis"]["dev-events"]["protocol"], "HTTP");
  ASSERT_EQ(state["rules"].size(), 1u) << state.dump();
  const json rule = state["rules"].begin().value();
  EXPECT_EQ(rule["schedule"], "rate(5 minutes)");
  EXPECT_EQ(rule["state"], "ENABLED");
  EXPECT_EQ(rule["targets"], json::parse(R"([["arn:aws:lambda:us-east-1:123456789012:function:events-dev-api",
                                                "{\"kind\":\"tick\"}"]])"));
  EXPECT_EQ(state["mappings"],
            json::array({json::array(
                {"arn:aws:lambda:us-east-1:123456789012:function:events-dev-worker", queue_arn, 5})}));

  RunResult again = stratus({"deploy", "--json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  const json result = json::parse(again.out);
  EXPECT_EQ(result["changed"], false) << again.out;
  EXPECT_EQ(result["actions"], json::array());
  EXPECT_EQ(python("triggers.py"), state);

  RunResult info = stratus({"info", "--json"});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  const json described = json::parse(info.out);
  std::vector<std::string> kinds;
  for (const auto& e : described["endpoints"]) kinds.push_back(e["kind"]);
  std::sort(kinds.begin(), kinds.end());
  EXPECT_EQ(kinds, (std::vector<std::string>{"httpApi", "schedule", "sqs"})) << info.out;

  RunResult removed = stratus({"remove"});
  ASSERT_EQ(removed.exit_code, 0) << removed.err;
  const json gone = python("triggers.py");
  EXPECT_EQ(gone["apis"], json::object()) << gone.dump();
  EXPECT_EQ(gone["rules"], json::object());
  EXPECT_EQ(gone["mappings"], json::array());
}

TEST_F(DeployMoto, DeployFunctionThatIsNotDeployedYetIsAnError) {
  m_dir.write("serverless.yml", std::string(kManifest).replace(9, 4, "lone"));
  RunResult r = stratus({"deploy", "function", "-f", "hello"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("stratus: error: function lone-dev-hello (functions.hello) is not deployed yet; run "
                       "`stratus deploy` first to create it"),
            std::string::npos)
      << r.err;
}

class DeployErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir.write("serverless.yml", kManifest);
    m_dir.write("hello.py", "def handler(event, context):\n    return 'hello'\n");
    m_dir.write("world.py", "def handler(event, context):\n    return 'world'\n");
  }
  TempDir m_dir;
};

TEST_F(DeployErrors, UnknownFunctionForDeployFunction) {
  RunResult r = run_stratus(m_dir.path(), {"deploy", "function", "-f", "helo"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(
      r.err,
      "stratus: error: function 'helo' is not in serverless.yml (did you mean 'hello'?) (functions: hello, "
      "world)\n");
}

TEST_F(DeployErrors, NoCredentials) {
  RunResult r = run_stratus(m_dir.path(), {"deploy"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("stratus: error: no AWS credentials found: AWS_ACCESS_KEY_ID is not set"),
            std::string::npos)
      << r.err;
}

TEST_F(DeployErrors, UnreachableEndpoint) {
  const int port = test_support::free_port();  // nothing listens there
  RunResult r =
      run_stratus(m_dir.path(), {"remove", "--endpoint", "http://127.0.0.1:" + std::to_string(port)},
                  {{"AWS_ACCESS_KEY_ID", "testing"}, {"AWS_SECRET_ACCESS_KEY", "testing"}});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("stratus: error: cannot reach sts at http://127.0.0.1:" + std::to_string(port)),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace stratus::e2e
