// stratus serve's versions, aliases and provisioned concurrency, driven by boto3: what a deploy with
// `provisionedConcurrency` does (publish, alias, PutProvisionedConcurrencyConfig on the alias,
// invoke the alias), restarts, two accounts, and every error path with Lambda's code and message.
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <set>

#include "tests/e2e/harness.hpp"

namespace stratus::e2e {
namespace {

using nlohmann::json;

constexpr const char* kArn = "arn:aws:lambda:us-east-1:111111111111:function:";

// Imported by every script: a client per account, zips, and an error as [status, code, message].
constexpr const char* kClientPy = R"py(
import io, json, os, sys, time, zipfile
import boto3, botocore

ENDPOINT = os.environ['SERVE_ENDPOINT']
KEYS = {'alice': ('AKIAALICE00000000001', 'alice-secret-0123456789'),
        'bob': ('AKIABOB0000000000001', 'bob-secret-0123456789')}

# validate=False: botocore sends what its own checks would refuse, for the server's answer to it.
def client(who='alice', validate=True):
    k, s = KEYS[who]
    return boto3.client('lambda', endpoint_url=ENDPOINT, region_name='us-east-1',
                        aws_access_key_id=k, aws_secret_access_key=s,
                        config=botocore.config.Config(retries={'max_attempts': 1},
                                                      parameter_validation=validate))

def make_zip(code):
    out = io.BytesIO()
    with zipfile.ZipFile(out, 'w') as z:
        z.writestr('app.py', code)
    return out.getvalue()

# v: which code runs; the init (once per instance) logs its pid to INIT_LOG when that is set.
def app(v, init_sleep=0, init_fail=False):
    return ("import os, time\n"
            "time.sleep(%s)\n"
            "if %s: raise RuntimeError('init broke')\n"
            "INIT_PID = os.getpid()\n"
            "if os.environ.get('INIT_LOG'):\n"
            "    open(os.environ['INIT_LOG'], 'a').write('%%d\\n' %% INIT_PID)\n"
            "def handler(event, context):\n"
            "    return {'v': %d, 'pid': os.getpid(), 'init_pid': INIT_PID,\n"
            "            'version': os.environ['AWS_LAMBDA_FUNCTION_VERSION'],\n"
            "            'name': os.environ['AWS_LAMBDA_FUNCTION_NAME'],\n"
            "            'init_type': os.environ['AWS_LAMBDA_INITIALIZATION_TYPE'],\n"
            "            'arn': context.invoked_function_arn}\n") % (init_sleep, init_fail, v)

def create(c, name, code, env=None):
    extra = {'Environment': {'Variables': env}} if env else {}
    return c.create_function(FunctionName=name, Runtime='python3.12', Role='arn:aws:iam::111111111111:role/r',
                             Handler='app.handler', Timeout=10, Code={'ZipFile': make_zip(code)}, **extra)

def invoke(c, name, **kw):
    r = c.invoke(FunctionName=name, Payload=b'{}', **kw)
    out = json.loads(r['Payload'].read())
    out['executed'] = r.get('ExecutedVersion')
    return out

def error(fn):
    try:
        fn()
    except botocore.exceptions.ClientError as e:
        return [e.response['ResponseMetadata']['HTTPStatusCode'], e.response['Error']['Code'],
                e.response['Error']['Message']]
    return None

def wait_status(c, name, qualifier, want, seconds=30):
    deadline = time.time() + seconds
    while True:
        s = c.get_provisioned_concurrency_config(FunctionName=name, Qualifier=qualifier)
        s.pop('ResponseMetadata', None)
        if s['Status'] == want or time.time() > deadline:
            return s
        time.sleep(0.1)

def lines(path):
    return open(path).read().split() if os.path.exists(path) else []
)py";

class ServeVersionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir.write("keys.json", R"({"keys": [
      {"accessKeyId": "AKIAALICE00000000001", "secretAccessKey": "alice-secret-0123456789", "accountId": "111111111111"},
      {"accessKeyId": "AKIABOB0000000000001", "secretAccessKey": "bob-secret-0123456789", "accountId": "222222222222"}
    ]})");
    m_dir.write("versions_client.py", kClientPy);
    start();
  }
  void TearDown() override { stop(); }

  void start() {
    m_serve = std::make_unique<Background>(
        m_dir.path(), std::vector<std::string>{"serve", "--data-dir", "data", "--keys", "keys.json", "--port",
                                               "0", "--json"});
    const std::string banner = m_serve->first_line(40000);
    ASSERT_FALSE(banner.empty()) << m_serve->err();
    m_endpoint = json::parse(banner).at("endpoint").get<std::string>();
    m_functions = json::parse(banner).at("functions").get<int>();
  }
  void stop() {
    if (!m_serve) return;
    m_serve->signal(SIGTERM);
    EXPECT_EQ(m_serve->wait(), 0) << m_serve->err();
    m_serve.reset();
  }

  // Runs a python script (after `from versions_client import *`); its stdout parsed as JSON.
  json py(const std::string& script) {
    RunResult r = run_program(m_dir.path(), {"python3", "-c", "from versions_client import *\n" + script},
                              {{"SERVE_ENDPOINT", m_endpoint}, {"PYTHONPATH", m_dir.path().string()}});
    EXPECT_EQ(r.exit_code, 0) << r.err << (m_serve ? m_serve->err() : "");
    if (r.exit_code != 0) return json();
    return json::parse(r.out, nullptr, false);
  }

  std::string init_log() const { return (m_dir.path() / "init.log").string(); }

  TempDir m_dir;
  std::unique_ptr<Background> m_serve;
  std::string m_endpoint;
  int m_functions = 0;  // as the banner counts them
};

TEST_F(ServeVersionsTest, APublishedVersionKeepsItsCodeAndAnUnchangedPublishReturnsIt) {
  json out = py("kArn = '" + std::string(kArn) +
                "'\n"
                "c = client()\n"
                "create(c, 'fn', app(1))\n"
                "p1 = c.publish_version(FunctionName='fn', Description='first')\n"
                "again = c.publish_version(FunctionName='fn')\n"
                "c.update_function_code(FunctionName='fn', ZipFile=make_zip(app(2)))\n"
                "p2 = c.publish_version(FunctionName='fn')\n"
                "c.update_function_code(FunctionName='fn', ZipFile=make_zip(app(3)))\n"
                "page = c.list_versions_by_function(FunctionName='fn', MaxItems=2)\n"
                "rest = c.list_versions_by_function(FunctionName='fn', Marker=page['NextMarker'])\n"
                "print(json.dumps({'p1': p1, 'again': again['Version'], 'p2': p2['Version'],\n"
                "  'v1': invoke(c, 'fn', Qualifier='1'), 'v1_name': invoke(c, 'fn:1'), 'v2': invoke(c, kArn "
                "+ 'fn:2'),\n"
                "  'latest': invoke(c, 'fn'), 'latest_q': invoke(c, 'fn', Qualifier='$LATEST'),\n"
                "  'page': [v['Version'] for v in page['Versions']], 'next': page['NextMarker'],\n"
                "  'rest': [v['Version'] for v in rest['Versions']], 'rest_next': rest.get('NextMarker'),\n"
                "  'get1': c.get_function(FunctionName='fn', Qualifier='1')['Configuration'],\n"
                "  'conf2': c.get_function_configuration(FunctionName='fn:2'),\n"
                "  'latest_sha': c.get_function(FunctionName='fn')['Configuration']['CodeSha256']}))\n");
  ASSERT_TRUE(out.is_object());
  EXPECT_EQ(out["p1"]["Version"], "1");
  EXPECT_EQ(out["p1"]["FunctionArn"], std::string(kArn) + "fn:1");
  EXPECT_EQ(out["p1"]["Description"], "first");
  EXPECT_EQ(out["again"], "1");  // nothing changed: the same version
  EXPECT_EQ(out["p2"], "2");
  EXPECT_EQ(out["v1"]["v"], 1);  // after two UpdateFunctionCode calls
  EXPECT_EQ(out["v1"]["version"], "1");
  EXPECT_EQ(out["v1"]["name"], "fn");  // the engine's key never shows
  EXPECT_EQ(out["v1"]["executed"], "1");
  EXPECT_EQ(out["v1"]["arn"], std::string(kArn) + "fn:1");
  EXPECT_EQ(out["v1_name"]["v"], 1);
  EXPECT_EQ(out["v2"]["v"], 2);
  EXPECT_EQ(out["v2"]["executed"], "2");
  EXPECT_EQ(out["latest"]["v"], 3);
  EXPECT_EQ(out["latest"]["executed"], "$LATEST");
  EXPECT_EQ(out["latest_q"]["v"], 3);
  EXPECT_EQ(out["page"], json::parse(R"(["$LATEST", "1"])"));
  EXPECT_EQ(out["next"], "2");
  EXPECT_EQ(out["rest"], json::parse(R"(["2"])"));
  EXPECT_TRUE(out["rest_next"].is_null());
  EXPECT_EQ(out["get1"]["Version"], "1");
  EXPECT_EQ(out["get1"]["FunctionArn"], std::string(kArn) + "fn:1");
  EXPECT_EQ(out["get1"]["CodeSha256"], out["p1"]["CodeSha256"]);
  EXPECT_NE(out["get1"]["CodeSha256"], out["latest_sha"]);
  EXPECT_EQ(out["conf2"]["Version"], "2");
}

TEST_F(ServeVersionsTest, VersionErrorsAreLambdasCodesAndMessages) {
  json out =
      py("c = client()\n"
         "create(c, 'fn', app(1))\n"
         "c.publish_version(FunctionName='fn')\n"
         "rev = c.get_function(FunctionName='fn')['Configuration']['RevisionId']\n"
         "print(json.dumps({\n"
         "  'invoke9': error(lambda: c.invoke(FunctionName='fn', Qualifier='9')),\n"
         "  'get9': error(lambda: c.get_function(FunctionName='fn', Qualifier='9')),\n"
         "  'getalias': error(lambda: c.get_function_configuration(FunctionName='fn:nope')),\n"
         "  'mismatch': error(lambda: c.get_function(FunctionName='fn:1', Qualifier='2')),\n"
         "  'sha': error(lambda: c.publish_version(FunctionName='fn', CodeSha256='bad=')),\n"
         "  'rev': error(lambda: c.publish_version(FunctionName='fn', RevisionId='stale')),\n"
         "  'rev_ok': c.publish_version(FunctionName='fn', RevisionId=rev)['Version'],\n"
         "  'nofn': error(lambda: c.publish_version(FunctionName='ghost')),\n"
         "  'list_nofn': error(lambda: c.list_versions_by_function(FunctionName='ghost')),\n"
         "  'marker': error(lambda: c.list_versions_by_function(FunctionName='fn', Marker='77')),\n"
         "  'del_latest': error(lambda: c.delete_function(FunctionName='fn', Qualifier='$LATEST')),\n"
         "  'del9': error(lambda: c.delete_function(FunctionName='fn', Qualifier='9')),\n"
         "}))\n");
  ASSERT_TRUE(out.is_object());
  const std::string arn = std::string(kArn) + "fn";
  EXPECT_EQ(out["invoke9"], json({404, "ResourceNotFoundException", "Function not found: " + arn + ":9"}));
  EXPECT_EQ(out["get9"], json({404, "ResourceNotFoundException", "Function not found: " + arn + ":9"}));
  EXPECT_EQ(out["getalias"],
            json({404, "ResourceNotFoundException", "Function not found: " + arn + ":nope"}));
  EXPECT_EQ(out["mismatch"],
            json({400, "InvalidParameterValueException",
                  "The derived qualifier from the function name does not match the specified qualifier."}));
  ASSERT_EQ(out["sha"][0], 400);
  EXPECT_EQ(out["sha"][1], "InvalidParameterValueException");
  EXPECT_EQ(out["sha"][2].get<std::string>().rfind(
                "CodeSHA256 (bad=) is different from current CodeSHA256 in $LATEST (", 0),
            0u)
      << out["sha"];
  EXPECT_EQ(out["rev"],
            json({412, "PreconditionFailedException",
                  "The RevisionId provided does not match the latest RevisionId for the Lambda function "
                  "or alias. Call the GetFunction or the GetAlias API operation to retrieve the latest "
                  "RevisionId for your resource."}));
  EXPECT_EQ(out["rev_ok"], "1");  // the right revision, nothing changed: version 1 again
  EXPECT_EQ(out["nofn"],
            json({404, "ResourceNotFoundException", "Function not found: " + std::string(kArn) + "ghost"}));
  EXPECT_EQ(out["list_nofn"][1], "ResourceNotFoundException");
  EXPECT_EQ(out["marker"], json({400, "InvalidParameterValueException", "Invalid marker: 77"}));
  EXPECT_EQ(out["del_latest"], json({400, "InvalidParameterValueException",
                                     "$LATEST version cannot be deleted without deleting the function."}));
  EXPECT_EQ(out["del9"], json({404, "ResourceNotFoundException", "Function not found: " + arn + ":9"}));
}

TEST_F(ServeVersionsTest, AliasesPointAtVersionsAndTheirErrorsAreLambdas) {
  json out =
      py("c = client()\n"
         "create(c, 'fn', app(1))\n"
         "c.publish_version(FunctionName='fn')\n"
         "c.update_function_code(FunctionName='fn', ZipFile=make_zip(app(2)))\n"
         "c.publish_version(FunctionName='fn')\n"
         "created = c.create_alias(FunctionName='fn', Name='live', FunctionVersion='1', Description='d')\n"
         "created.pop('ResponseMetadata')\n"
         "c.create_alias(FunctionName='fn', Name='edge', FunctionVersion='$LATEST')\n"
         "before = invoke(c, 'fn', Qualifier='live')\n"
         "stale = error(lambda: c.update_alias(FunctionName='fn', Name='live', FunctionVersion='2', "
         "RevisionId='x'))\n"
         "updated = c.update_alias(FunctionName='fn', Name='live', FunctionVersion='2', "
         "RevisionId=created['RevisionId'])\n"
         "after = invoke(c, 'fn:live')\n"
         "got = c.get_alias(FunctionName='fn', Name='live')\n"
         "listed = [a['Name'] for a in c.list_aliases(FunctionName='fn')['Aliases']]\n"
         "on2 = [a['Name'] for a in c.list_aliases(FunctionName='fn', FunctionVersion='2')['Aliases']]\n"
         "errors = {\n"
         "  'exists': error(lambda: c.create_alias(FunctionName='fn', Name='live', FunctionVersion='1')),\n"
         "  'routing': error(lambda: c.create_alias(FunctionName='fn', Name='w', FunctionVersion='1',\n"
         "      RoutingConfig={'AdditionalVersionWeights': {'2': 0.5}})),\n"
         "  'noversion': error(lambda: c.create_alias(FunctionName='fn', Name='x', FunctionVersion='7')),\n"
         "  'digits': error(lambda: c.create_alias(FunctionName='fn', Name='123', FunctionVersion='1')),\n"
         "  'get': error(lambda: c.get_alias(FunctionName='fn', Name='nope')),\n"
         "  'update': error(lambda: c.update_alias(FunctionName='fn', Name='nope', FunctionVersion='1')),\n"
         "  'referenced': error(lambda: c.delete_function(FunctionName='fn', Qualifier='2')),\n"
         "  'by_alias': error(lambda: c.delete_function(FunctionName='fn', Qualifier='live')),\n"
         "}\n"
         "c.delete_alias(FunctionName='fn', Name='live')\n"
         "c.delete_alias(FunctionName='fn', Name='live')\n"
         "c.delete_function(FunctionName='fn', Qualifier='2')\n"
         "print(json.dumps({'created': created, 'before': before, 'after': after, 'stale': stale,\n"
         "  'updated_rev': updated['RevisionId'] != created['RevisionId'], 'got': got['FunctionVersion'],\n"
         "  'listed': listed, 'on2': on2, 'errors': errors,\n"
         "  'gone_alias': error(lambda: invoke(c, 'fn', Qualifier='live')),\n"
         "  'gone_version': error(lambda: invoke(c, 'fn', Qualifier='2')),\n"
         "  'versions': [v['Version'] for v in c.list_versions_by_function(FunctionName='fn')['Versions']],\n"
         "  'edge': invoke(c, 'fn', Qualifier='edge')['v']}))\n");
  ASSERT_TRUE(out.is_object());
  const std::string arn = std::string(kArn) + "fn";
  EXPECT_EQ(out["created"]["AliasArn"], arn + ":live");
  EXPECT_EQ(out["created"]["Name"], "live");
  EXPECT_EQ(out["created"]["FunctionVersion"], "1");
  EXPECT_EQ(out["created"]["Description"], "d");
  EXPECT_FALSE(out["created"]["RevisionId"].get<std::string>().empty());
  EXPECT_EQ(out["before"]["v"], 1);
  EXPECT_EQ(out["before"]["executed"], "1");
  EXPECT_EQ(out["before"]["arn"], arn + ":live");
  EXPECT_EQ(out["after"]["v"], 2);
  EXPECT_EQ(out["stale"][0], 412);
  EXPECT_EQ(out["stale"][1], "PreconditionFailedException");
  EXPECT_EQ(out["updated_rev"], true);
  EXPECT_EQ(out["got"], "2");
  EXPECT_EQ(out["listed"], json::parse(R"(["edge", "live"])"));
  EXPECT_EQ(out["on2"], json::parse(R"(["live"])"));
  json& e = out["errors"];
  EXPECT_EQ(e["exists"], json({409, "ResourceConflictException", "Alias already exists: " + arn + ":live"}));
  EXPECT_EQ(e["routing"],
            json({400, "InvalidParameterValueException",
                  "RoutingConfig (weighted aliases) is not supported by stratus serve: an alias "
                  "points at one version"}));
  EXPECT_EQ(e["noversion"], json({404, "ResourceNotFoundException", "Function not found: " + arn + ":7"}));
  EXPECT_EQ(e["digits"][0], 400);
  EXPECT_EQ(
      e["digits"][2],
      "1 validation error detected: Value '123' at 'name' failed to satisfy constraint: Member must satisfy "
      "regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)");
  EXPECT_EQ(e["get"], json({404, "ResourceNotFoundException", "Alias not found: " + arn + ":nope"}));
  EXPECT_EQ(e["update"], json({404, "ResourceNotFoundException", "Alias not found: " + arn + ":nope"}));
  EXPECT_EQ(e["referenced"],
            json({409, "ResourceConflictException",
                  "Unable to delete version because the following aliases reference it: [live]"}));
  EXPECT_EQ(e["by_alias"][0], 400);
  EXPECT_EQ(e["by_alias"][1], "InvalidParameterValueException");
  EXPECT_EQ(out["gone_alias"],
            json({404, "ResourceNotFoundException", "Function not found: " + arn + ":live"}));
  EXPECT_EQ(out["gone_version"],
            json({404, "ResourceNotFoundException", "Function not found: " + arn + ":2"}));
  EXPECT_EQ(out["versions"], json::parse(R"(["$LATEST", "1"])"));
  EXPECT_EQ(out["edge"], 2);
  EXPECT_FALSE(std::filesystem::exists(m_dir.path() / "data/functions/111111111111/fn/versions/2"));
  EXPECT_TRUE(std::filesystem::exists(m_dir.path() / "data/functions/111111111111/fn/versions/1/app.py"));
}

// What a deploy with `provisionedConcurrency: 2` does, and what it gets: two instances initialised
// before the first invocation, READY once they are, and invocations of the alias served by them.
TEST_F(ServeVersionsTest, ProvisionedConcurrencyOnAnAliasStartsWarmInstancesAndSurvivesARestart) {
  json out = py(
      "c = client()\n"
      "log = sys.argv[1] if len(sys.argv) > 1 else '" +
      init_log() +
      "'\n"
      "create(c, 'fn', app(1, init_sleep=1), env={'INIT_LOG': log})\n"
      "v = c.publish_version(FunctionName='fn')['Version']\n"
      "c.create_alias(FunctionName='fn', Name='provisioned', FunctionVersion=v)\n"
      "put = c.put_provisioned_concurrency_config(FunctionName='fn', Qualifier='provisioned',\n"
      "                                           ProvisionedConcurrentExecutions=2)\n"
      "status = put['ResponseMetadata']['HTTPStatusCode']\n"
      "put.pop('ResponseMetadata')\n"
      "ready = wait_status(c, 'fn', 'provisioned', 'READY')\n"
      "inits = lines(log)\n"
      "calls = [invoke(c, 'fn', Qualifier='provisioned') for _ in range(3)]\n"
      "listed = c.list_provisioned_concurrency_configs(FunctionName='fn')['ProvisionedConcurrencyConfigs']\n"
      "print(json.dumps({'status': status, 'put': put, 'ready': ready, 'inits': inits, 'calls': calls,\n"
      "  'inits_after': lines(log), 'listed': listed,\n"
      "  'latest': invoke(c, 'fn')['init_type']}))\n");
  ASSERT_TRUE(out.is_object());
  EXPECT_EQ(out["status"], 202);
  EXPECT_EQ(out["put"]["RequestedProvisionedConcurrentExecutions"], 2);
  EXPECT_EQ(out["put"]["Status"], "IN_PROGRESS");  // each init takes a second
  EXPECT_EQ(out["put"]["AllocatedProvisionedConcurrentExecutions"], 0);
  EXPECT_EQ(out["ready"]["Status"], "READY") << out["ready"];
  EXPECT_EQ(out["ready"]["AllocatedProvisionedConcurrentExecutions"], 2);
  EXPECT_EQ(out["ready"]["AvailableProvisionedConcurrentExecutions"], 2);
  EXPECT_EQ(out["ready"]["RequestedProvisionedConcurrentExecutions"], 2);
  EXPECT_FALSE(out["ready"]["LastModified"].get<std::string>().empty());
  ASSERT_EQ(out["inits"].size(), 2u);  // both initialised before the first invocation
  std::set<int> pids;
  for (const auto& p : out["inits"]) pids.insert(std::stoi(p.get<std::string>()));
  for (const auto& call : out["calls"]) {
    EXPECT_EQ(call["init_type"], "provisioned-concurrency");
    EXPECT_EQ(call["version"], "1");
    EXPECT_EQ(call["executed"], "1");
    EXPECT_TRUE(pids.count(call["init_pid"].get<int>())) << call;  // a warm instance, no cold start
  }
  EXPECT_EQ(out["inits_after"].size(), 2u);
  ASSERT_EQ(out["listed"].size(), 1u);
  EXPECT_EQ(out["listed"][0]["FunctionArn"], std::string(kArn) + "fn:provisioned");
  EXPECT_EQ(out["listed"][0]["Status"], "READY");
  EXPECT_EQ(out["latest"], "on-demand");  // $LATEST is not provisioned

  // A restart: the configuration, the alias and the version stay; the instances start again.
  stop();
  std::filesystem::remove(init_log());
  start();
  EXPECT_EQ(m_functions, 1);  // its versions are no functions of their own
  out =
      py("c = client()\n"
         "inits = lines('" +
         init_log() +
         "')\n"
         "ready = wait_status(c, 'fn', 'provisioned', 'READY')\n"
         "print(json.dumps({'inits': inits, 'ready': ready['Status'],\n"
         "  'alias': c.get_alias(FunctionName='fn', Name='provisioned')['FunctionVersion'],\n"
         "  'call': invoke(c, 'fn', Qualifier='provisioned')}))\n");
  ASSERT_TRUE(out.is_object());
  EXPECT_EQ(out["inits"].size(), 2u);
  EXPECT_EQ(out["ready"], "READY");
  EXPECT_EQ(out["alias"], "1");
  EXPECT_EQ(out["call"]["init_type"], "provisioned-concurrency");

  // Deleted: the configuration is gone and the next invocation starts an on-demand instance.
  out =
      py("c = client()\n"
         "c.delete_provisioned_concurrency_config(FunctionName='fn', Qualifier='provisioned')\n"
         "print(json.dumps({'get': error(lambda: c.get_provisioned_concurrency_config(FunctionName='fn',\n"
         "                                                                               "
         "Qualifier='provisioned')),\n"
         "  'call': invoke(c, 'fn', Qualifier='provisioned')['init_type'],\n"
         "  'listed': "
         "c.list_provisioned_concurrency_configs(FunctionName='fn')['ProvisionedConcurrencyConfigs']}))\n");
  ASSERT_TRUE(out.is_object());
  EXPECT_EQ(out["get"], json({404, "ProvisionedConcurrencyConfigNotFoundException",
                              "No Provisioned Concurrency Config found for this function"}));
  EXPECT_EQ(out["call"], "on-demand");
  EXPECT_TRUE(out["listed"].empty());
}

TEST_F(ServeVersionsTest, ProvisionedConcurrencyErrorsAndAFailingInit) {
  json out = py(
      "c = client()\n"
      "create(c, 'fn', app(1))\n"
      "c.publish_version(FunctionName='fn')\n"
      "c.create_alias(FunctionName='fn', Name='edge', FunctionVersion='$LATEST')\n"
      "create(c, 'broken', app(1, init_fail=True))\n"
      "c.publish_version(FunctionName='broken')\n"
      "c.put_provisioned_concurrency_config(FunctionName='broken', Qualifier='1', "
      "ProvisionedConcurrentExecutions=1)\n"
      "raw = client(validate=False)\n"
      "put = lambda q, n=1: raw.put_provisioned_concurrency_config(FunctionName='fn', Qualifier=q,\n"
      "                                                            ProvisionedConcurrentExecutions=n)\n"
      "print(json.dumps({\n"
      "  'latest': error(lambda: put('$LATEST')),\n"
      "  'edge': error(lambda: put('edge')),\n"
      "  'unknown': error(lambda: put('9')),\n"
      "  'zero': error(lambda: put('1', 0)),\n"
      "  'none': error(lambda: c.get_provisioned_concurrency_config(FunctionName='fn', Qualifier='1')),\n"
      "  'nofn': error(lambda: c.get_provisioned_concurrency_config(FunctionName='ghost', Qualifier='1')),\n"
      "  'failed': wait_status(c, 'broken', '1', 'FAILED'),\n"
      "}))\n");
  ASSERT_TRUE(out.is_object());
  const std::string arn = std::string(kArn) + "fn";
  const json unpublished = {
      400, "InvalidParameterValueException",
      "Provisioned Concurrency Configs cannot be applied to unpublished function versions."};
  EXPECT_EQ(out["latest"], unpublished);
  EXPECT_EQ(out["edge"], unpublished);  // an alias of $LATEST
  EXPECT_EQ(out["unknown"], json({404, "ResourceNotFoundException", "Function not found: " + arn + ":9"}));
  EXPECT_EQ(out["zero"],
            json({400, "InvalidParameterValueException",
                  "1 validation error detected: Value '0' at 'provisionedConcurrentExecutions' failed "
                  "to satisfy constraint: Member must have value between 1 and 1000"}));
  EXPECT_EQ(out["none"], json({404, "ProvisionedConcurrencyConfigNotFoundException",
                               "No Provisioned Concurrency Config found for this function"}));
  EXPECT_EQ(out["nofn"][1], "ResourceNotFoundException");
  EXPECT_EQ(out["failed"]["Status"], "FAILED") << out["failed"];
  EXPECT_EQ(out["failed"]["StatusReason"].get<std::string>().rfind("FUNCTION_ERROR_INIT_FAILURE", 0), 0u);
  EXPECT_EQ(out["failed"]["AllocatedProvisionedConcurrentExecutions"], 0);
}

TEST_F(ServeVersionsTest, AccountsNeverSeeEachOthersVersionsAndDeleteFunctionRemovesThemAll) {
  json out = py(
      "a, b = client(), client('bob')\n"
      "create(a, 'fn', app(1))\n"
      "a.publish_version(FunctionName='fn')\n"
      "a.update_function_code(FunctionName='fn', ZipFile=make_zip(app(2)))\n"
      "a.publish_version(FunctionName='fn')\n"
      "a.create_alias(FunctionName='fn', Name='live', FunctionVersion='2')\n"
      "a.put_provisioned_concurrency_config(FunctionName='fn', Qualifier='1', "
      "ProvisionedConcurrentExecutions=1)\n"
      "bob = {'versions': error(lambda: b.list_versions_by_function(FunctionName='fn')),\n"
      "       'alias': error(lambda: b.get_alias(FunctionName='fn', Name='live')),\n"
      "       'invoke': error(lambda: b.invoke(FunctionName='fn', Qualifier='1')),\n"
      "       'arn': error(lambda: "
      "b.invoke(FunctionName='arn:aws:lambda:us-east-1:111111111111:function:fn:1'))}\n"
      "create(b, 'fn', app(7))\n"
      "bob['own'] = b.publish_version(FunctionName='fn')['Version']\n"
      "bob['aliases'] = b.list_aliases(FunctionName='fn')['Aliases']\n"
      "alice_versions = [v['Version'] for v in a.list_versions_by_function(FunctionName='fn')['Versions']]\n"
      "a.delete_function(FunctionName='fn')\n"
      "create(a, 'fn', app(3))\n"
      "print(json.dumps({'bob': bob, 'alice_versions': alice_versions,\n"
      "  'after': [v['Version'] for v in a.list_versions_by_function(FunctionName='fn')['Versions']],\n"
      "  'aliases': a.list_aliases(FunctionName='fn')['Aliases'],\n"
      "  'pc': a.list_provisioned_concurrency_configs(FunctionName='fn')['ProvisionedConcurrencyConfigs'],\n"
      "  'old1': error(lambda: a.invoke(FunctionName='fn', Qualifier='1')),\n"
      "  'republished': a.publish_version(FunctionName='fn')['Version'],\n"
      "  'v1': invoke(a, 'fn', Qualifier='1')['v'], 'bob_v1': invoke(b, 'fn', Qualifier='1')['v']}))\n");
  ASSERT_TRUE(out.is_object());
  const std::string arn = std::string(kArn) + "fn";
  EXPECT_EQ(out["bob"]["versions"][1], "ResourceNotFoundException");
  EXPECT_EQ(out["bob"]["alias"][1], "ResourceNotFoundException");
  EXPECT_EQ(out["bob"]["invoke"][0], 404);
  EXPECT_EQ(out["bob"]["arn"][0], 404);
  EXPECT_EQ(out["bob"]["own"], "1");
  EXPECT_TRUE(out["bob"]["aliases"].empty());
  EXPECT_EQ(out["alice_versions"], json::parse(R"(["$LATEST", "1", "2"])"));
  EXPECT_EQ(out["after"], json::parse(R"(["$LATEST"])"));
  EXPECT_TRUE(out["aliases"].empty());
  EXPECT_TRUE(out["pc"].empty());
  EXPECT_EQ(out["old1"], json({404, "ResourceNotFoundException", "Function not found: " + arn + ":1"}));
  EXPECT_EQ(out["republished"], "1");  // a new function numbers from 1 again
  EXPECT_EQ(out["v1"], 3);
  EXPECT_EQ(out["bob_v1"], 7);
  EXPECT_FALSE(std::filesystem::exists(m_dir.path() / "data/functions/111111111111/fn/versions/2"));
}

}  // namespace
}  // namespace stratus::e2e
