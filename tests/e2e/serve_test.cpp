// stratus serve, driven by clients nobody here wrote: the aws CLI and boto3 (botocore's own SigV4
// signer for the tampered and skewed requests). Two accounts in the keys file.
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include "tests/e2e/harness.hpp"

namespace stratus::e2e {
namespace {

using nlohmann::json;

constexpr const char* kAlice = "111111111111";
constexpr const char* kBob = "222222222222";

// Imported by every script: clients per account, zips, and raw signed requests that can be bent.
constexpr const char* kClientPy = R"py(
import base64, datetime, io, json, os, sys, urllib.request, urllib.error, zipfile
from unittest import mock
import boto3, botocore
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ENDPOINT = os.environ['SERVE_ENDPOINT']
KEYS = {'alice': ('AKIAALICE00000000001', 'alice-secret-0123456789'),
        'bob': ('AKIABOB0000000000001', 'bob-secret-0123456789')}

def client(who='alice', secret=None, key=None):
    k, s = KEYS[who]
    return boto3.client('lambda', endpoint_url=ENDPOINT, region_name='us-east-1',
                        aws_access_key_id=key or k, aws_secret_access_key=secret or s,
                        config=botocore.config.Config(retries={'max_attempts': 1}))

def make_zip(files, links=None):
    out = io.BytesIO()
    with zipfile.ZipFile(out, 'w') as z:
        for name, text in files.items():
            z.writestr(name, text)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.create_system = 3
            info.external_attr = (0o120777 << 16)
            z.writestr(info, target)
    return out.getvalue()

APP = "import os\ndef handler(event, context):\n    return {'got': event, 'tag': os.environ.get('TAG', 'none'), 'v': 1}\n"

def create(c, name, code=APP, **extra):
    return c.create_function(FunctionName=name, Runtime='python3.12', Role='arn:aws:iam::111111111111:role/r',
                             Handler='app.handler', Code={'ZipFile': make_zip({'app.py': code})}, **extra)

def error(fn):
    try:
        fn()
    except botocore.exceptions.ClientError as e:
        return [e.response['ResponseMetadata']['HTTPStatusCode'], e.response['Error']['Code'],
                e.response['Error']['Message']]
    return None

def raw(method, path, body=b'', who='alice', secret=None, tamper=None, skew_minutes=0, sign=True):
    """Signs with botocore's SigV4Auth, then optionally alters the body, and sends with urllib."""
    url = ENDPOINT + path
    request = AWSRequest(method=method, url=url, data=body, headers={'Content-Type': 'application/json'})
    if sign:
        k, s = KEYS[who]
        when = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) + datetime.timedelta(minutes=skew_minutes)
        with mock.patch('botocore.auth.get_current_datetime', return_value=when):
            SigV4Auth(Credentials(k, secret or s), 'lambda', 'us-east-1').add_auth(request)
    data = tamper if tamper is not None else body
    r = urllib.request.Request(url, data=data if method != 'GET' else None, method=method,
                               headers=dict(request.headers.items()))
    try:
        with urllib.request.urlopen(r) as resp:
            return [resp.status, resp.headers.get('x-amzn-ErrorType'), resp.read().decode()]
    except urllib.error.HTTPError as e:
        return [e.code, e.headers.get('x-amzn-ErrorType'), e.read().decode()]
)py";

class ServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir.write("keys.json", R"({"keys": [
      {"accessKeyId": "AKIAALICE00000000001", "secretAccessKey": "alice-secret-0123456789", "accountId": "111111111111"},
      {"accessKeyId": "AKIABOB0000000000001", "secretAccessKey": "bob-secret-0123456789", "accountId": "222222222222"}
    ]})");
    m_dir.write("serve_client.py", kClientPy);
    start();
  }
  void TearDown() override { stop(); }

  void start() {
    m_serve = std::make_unique<Background>(
        m_dir.path(), std::vector<std::string>{"serve", "--data-dir", "data", "--keys", "keys.json", "--port",
                                               "0", "--json"});
    const std::string banner = m_serve->first_line();
    ASSERT_FALSE(banner.empty()) << m_serve->err();
    m_endpoint = json::parse(banner).at("endpoint").get<std::string>();
  }
  void stop() {
    if (!m_serve) return;
    m_serve->signal(SIGTERM);
    EXPECT_EQ(m_serve->wait(), 0) << m_serve->err();
    m_serve.reset();
  }

  // Runs a python script (after `from serve_client import *`); its stdout parsed as JSON.
  json py(const std::string& script) {
    RunResult r = run_program(m_dir.path(), {"python3", "-c", "from serve_client import *\n" + script},
                              {{"SERVE_ENDPOINT", m_endpoint}, {"PYTHONPATH", m_dir.path().string()}});
    EXPECT_EQ(r.exit_code, 0) << r.err << (m_serve ? m_serve->err() : "");
    if (r.exit_code != 0) return json();
    return json::parse(r.out, nullptr, false);
  }

  RunResult aws(std::vector<std::string> args, const std::string& who = "alice") {
    args.insert(args.begin(), "aws");
    args.insert(args.end(), {"--endpoint-url", m_endpoint, "--region", "us-east-1", "--output", "json"});
    const bool alice = who == "alice";
    return run_program(
        m_dir.path(), args,
        {{"AWS_ACCESS_KEY_ID", alice ? "AKIAALICE00000000001" : "AKIABOB0000000000001"},
         {"AWS_SECRET_ACCESS_KEY", alice ? "alice-secret-0123456789" : "bob-secret-0123456789"},
         {"AWS_MAX_ATTEMPTS", "1"}});
  }

  // Every file under the test's folder, relative: to show that nothing was written where it should not be.
  std::vector<std::string> files_named(const std::string& name) {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::recursive_directory_iterator(m_dir.path()))
      if (e.path().filename() == name) out.push_back(e.path().string());
    return out;
  }

  TempDir m_dir;
  std::unique_ptr<Background> m_serve;
  std::string m_endpoint;
};

TEST_F(ServeTest, AwsCliCreatesAndInvokesBoto3ListsGetsUpdatesAndItAllSurvivesARestart) {
  json zip = py(
      "open('f.zip', 'wb').write(make_zip({'app.py': APP}))\n"
      "import hashlib\n"
      "print(json.dumps(base64.b64encode(hashlib.sha256(open('f.zip','rb').read()).digest()).decode()))\n");
  RunResult r =
      aws({"lambda", "create-function", "--function-name", "hello", "--runtime", "python3.12", "--handler",
           "app.handler", "--role", "arn:aws:iam::111111111111:role/r", "--memory-size", "256", "--timeout",
           "10", "--environment", "Variables={TAG=first}", "--zip-file", "fileb://f.zip"});
  ASSERT_EQ(r.exit_code, 0) << r.err << m_serve->err();
  const json created = json::parse(r.out);
  EXPECT_EQ(created.at("FunctionArn"), "arn:aws:lambda:us-east-1:111111111111:function:hello");
  EXPECT_EQ(created.at("CodeSha256"), zip);
  EXPECT_EQ(created.at("State"), "Active");
  EXPECT_EQ(created.at("LastUpdateStatus"), "Successful");
  EXPECT_EQ(created.at("Version"), "$LATEST");
  EXPECT_EQ(created.at("MemorySize"), 256);
  EXPECT_EQ(created.at("Timeout"), 10);
  EXPECT_GT(created.at("CodeSize").get<int>(), 0);
  EXPECT_TRUE(std::filesystem::exists(m_dir.path() / "data/functions/111111111111/hello/code/app.py"));

  r = aws({"lambda", "invoke", "--function-name", "hello", "--payload", R"({"a":1})", "--log-type", "Tail",
           "out.json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(read_file(m_dir.path() / "out.json")),
            json::parse(R"({"got": {"a": 1}, "tag": "first", "v": 1})"));
  EXPECT_TRUE(json::parse(r.out).contains("LogResult"));

  r = aws({"lambda", "create-function", "--function-name", "hello", "--runtime", "python3.12", "--handler",
           "app.handler", "--role", "arn:aws:iam::111111111111:role/r", "--zip-file", "fileb://f.zip"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("ResourceConflictException"), std::string::npos) << r.err;

  json out = py(
      "c = client()\n"
      "g = c.get_function(FunctionName='hello')['Configuration']\n"
      "names = [f['FunctionName'] for f in c.list_functions()['Functions']]\n"
      "c.update_function_configuration(FunctionName='hello', Environment={'Variables': {'TAG': 'second'}})\n"
      "u = c.update_function_code(FunctionName='hello', ZipFile=make_zip({'app.py': APP.replace(\"'v': 1\", "
      "\"'v': "
      "2\")}))\n"
      "inv = json.loads(c.invoke(FunctionName='hello', Payload=b'{}')['Payload'].read())\n"
      "ev = c.invoke(FunctionName='hello', InvocationType='Event', Payload=b'{}')['StatusCode']\n"
      "dry = c.invoke(FunctionName='hello', InvocationType='DryRun')['StatusCode']\n"
      "bad = error(lambda: create(c, 'big', MemorySize=99999))\n"
      "print(json.dumps({'get': g, 'names': names, 'sha_changed': u['CodeSha256'] != g['CodeSha256'],\n"
      "                  'inv': inv, 'event': ev, 'dry': dry, 'bad': bad}))\n");
  EXPECT_EQ(out["get"]["Runtime"], "python3.12");
  EXPECT_EQ(out["get"]["Handler"], "app.handler");
  EXPECT_EQ(out["get"]["Role"], "arn:aws:iam::111111111111:role/r");
  EXPECT_EQ(out["get"]["Environment"]["Variables"]["TAG"], "first");
  EXPECT_EQ(out["names"], json::parse(R"(["hello"])"));
  EXPECT_EQ(out["sha_changed"], true);
  EXPECT_EQ(out["inv"], json::parse(R"({"got": {}, "tag": "second", "v": 2})"));
  EXPECT_EQ(out["event"], 202);
  EXPECT_EQ(out["dry"], 204);
  EXPECT_EQ(out["bad"][0], 400);
  EXPECT_EQ(out["bad"][1], "InvalidParameterValueException");

  stop();
  start();
  out =
      py("c = client()\n"
         "inv = json.loads(c.invoke(FunctionName='hello', Payload=b'{\"again\": true}')['Payload'].read())\n"
         "cfg = c.get_function_configuration(FunctionName='hello')\n"
         "c.delete_function(FunctionName='hello')\n"
         "gone = error(lambda: c.get_function(FunctionName='hello'))\n"
         "print(json.dumps({'inv': inv, 'tag': cfg['Environment']['Variables']['TAG'], 'gone': gone,\n"
         "                  'left': c.list_functions()['Functions']}))\n");
  EXPECT_EQ(out["inv"], json::parse(R"({"got": {"again": true}, "tag": "second", "v": 2})"));
  EXPECT_EQ(out["tag"], "second");
  EXPECT_EQ(out["gone"], json::parse(R"([404, "ResourceNotFoundException",
      "Function not found: arn:aws:lambda:us-east-1:111111111111:function:hello"])"));
  EXPECT_EQ(out["left"], json::array());
  EXPECT_FALSE(std::filesystem::exists(m_dir.path() / "data/functions/111111111111/hello"));
}

TEST_F(ServeTest, EveryAuthFailureIs403WithAwsErrorShapeAndChangesNothing) {
  const json out = py(
      "body = json.dumps({'FunctionName': 'sneaky', 'Runtime': 'python3.12', 'Role': "
      "'arn:aws:iam::1:role/r',\n"
      "                   'Handler': 'app.handler', 'Code': {'ZipFile': base64.b64encode(make_zip({'app.py': "
      "APP})).decode()}}).encode()\n"
      "path = '/2015-03-31/functions'\n"
      "res = {\n"
      "  'wrong_secret': error(lambda: create(client(secret='not-the-secret-000000'), 'sneaky')),\n"
      "  'unknown_key': error(lambda: create(client(key='AKIANOBODY0000000000'), 'sneaky')),\n"
      "  'tampered': raw('POST', path, body, tamper=body.replace(b'sneaky', b'sneakz')),\n"
      "  'skewed': raw('POST', path, body, skew_minutes=-20),\n"
      "  'missing': raw('POST', path, body, sign=False),\n"
      "  'control': raw('GET', path),\n"
      "}\n"
      "res['left'] = [f['FunctionName'] for f in client().list_functions()['Functions']]\n"
      "print(json.dumps(res))\n");
  EXPECT_EQ(out["wrong_secret"][0], 403);
  EXPECT_EQ(out["wrong_secret"][1], "InvalidSignatureException");
  EXPECT_EQ(out["unknown_key"][0], 403);
  EXPECT_EQ(out["unknown_key"][1], "UnrecognizedClientException");
  EXPECT_EQ(out["unknown_key"][2], "The security token included in the request is invalid.");
  for (const char* key : {"tampered", "skewed", "missing"}) {
    SCOPED_TRACE(key);
    EXPECT_EQ(out[key][0], 403);
    const json body = json::parse(out[key][2].get<std::string>());
    EXPECT_EQ(body["Type"], "User");
    EXPECT_TRUE(body["message"].is_string());
  }
  EXPECT_EQ(out["tampered"][1], "InvalidSignatureException");
  EXPECT_EQ(out["skewed"][1], "InvalidSignatureException");
  EXPECT_EQ(out["missing"][1], "MissingAuthenticationTokenException");
  EXPECT_EQ(out["control"][0], 200);  // the same request, signed right, goes through
  EXPECT_EQ(out["left"], json::array());
  EXPECT_FALSE(std::filesystem::exists(m_dir.path() / "data/functions/111111111111/sneaky"));
}

TEST_F(ServeTest, TwoAccountsNeverSeeInvokeOrChangeEachOthersFunctions) {
  const json out =
      py("a, b = client('alice'), client('bob')\n"
         "create(a, 'shared', code=APP.replace(\"'v': 1\", \"'v': 'alice'\"))\n"
         "create(a, 'only-alice')\n"
         "bob_shared = create(b, 'shared', code=APP.replace(\"'v': 1\", \"'v': 'bob'\"))\n"
         "alice_arn = 'arn:aws:lambda:us-east-1:111111111111:function:only-alice'\n"
         "print(json.dumps({\n"
         "  'bob_arn': bob_shared['FunctionArn'],\n"
         "  'bob_list': [f['FunctionName'] for f in b.list_functions()['Functions']],\n"
         "  'alice_list': [f['FunctionName'] for f in a.list_functions()['Functions']],\n"
         "  'get': error(lambda: b.get_function(FunctionName='only-alice')),\n"
         "  'get_arn': error(lambda: b.get_function(FunctionName=alice_arn)),\n"
         "  'invoke': error(lambda: b.invoke(FunctionName='only-alice')),\n"
         "  'invoke_arn': error(lambda: b.invoke(FunctionName=alice_arn)),\n"
         "  'update': error(lambda: b.update_function_configuration(FunctionName='only-alice', Timeout=5)),\n"
         "  'delete': error(lambda: b.delete_function(FunctionName='only-alice')),\n"
         "  'alice_v': json.loads(a.invoke(FunctionName='shared')['Payload'].read())['v'],\n"
         "  'bob_v': json.loads(b.invoke(FunctionName='shared')['Payload'].read())['v'],\n"
         "  'still': a.get_function(FunctionName='only-alice')['Configuration']['Timeout'],\n"
         "}))\n");
  EXPECT_EQ(out["bob_arn"], "arn:aws:lambda:us-east-1:222222222222:function:shared");
  EXPECT_EQ(out["bob_list"], json::parse(R"(["shared"])"));
  EXPECT_EQ(out["alice_list"], json::parse(R"(["only-alice", "shared"])"));
  const json not_found = json::parse(R"([404, "ResourceNotFoundException",
      "Function not found: arn:aws:lambda:us-east-1:222222222222:function:only-alice"])");
  for (const char* key : {"get", "get_arn", "invoke", "invoke_arn", "update", "delete"}) {
    SCOPED_TRACE(key);
    EXPECT_EQ(out[key], not_found);
  }
  EXPECT_EQ(out["alice_v"], "alice");
  EXPECT_EQ(out["bob_v"], "bob");
  EXPECT_EQ(out["still"], 3);
  (void)kAlice;
  (void)kBob;
}

TEST_F(ServeTest, ZipSlipUploadsAre400AndWriteNothingOutside) {
  const json out =
      py("c = client()\n"
         "def up(name, **zip_args):\n"
         "    return error(lambda: c.create_function(FunctionName=name, Runtime='python3.12', "
         "Role='arn:aws:iam::1:role/r',\n"
         "                 Handler='app.handler', Code={'ZipFile': make_zip(**zip_args)}))\n"
         "res = {\n"
         "  'dotdot': up('slip1', files={'app.py': APP, '../../escaped-dotdot.txt': 'x'}),\n"
         "  'absolute': up('slip2', files={'app.py': APP, '/tmp/escaped-absolute.txt': 'x'}),\n"
         "  'link': up('slip3', files={'app.py': APP}, links={'out': '../../..'}),\n"
         "  'through_link': up('slip4', files={'app.py': APP, 'out/escaped-through.txt': 'x'}, links={'out': "
         "'..'}),\n"
         "  'not_zip': error(lambda: c.create_function(FunctionName='slip5', Runtime='python3.12', "
         "Role='arn:aws:iam::1:role/r', Handler='app.handler', Code={'ZipFile': b'not a zip'})),\n"
         "}\n"
         "create(c, 'ok')\n"
         "res['update'] = error(lambda: c.update_function_code(FunctionName='ok', "
         "ZipFile=make_zip({'../x.txt': 'x'})))\n"
         "res['still_v'] = json.loads(c.invoke(FunctionName='ok')['Payload'].read())['v']\n"
         "res['left'] = [f['FunctionName'] for f in c.list_functions()['Functions']]\n"
         "print(json.dumps(res))\n");
  for (const char* key : {"dotdot", "absolute", "link", "through_link", "not_zip", "update"}) {
    SCOPED_TRACE(key);
    ASSERT_TRUE(out[key].is_array()) << out.dump();
    EXPECT_EQ(out[key][0], 400);
    EXPECT_EQ(out[key][1], "InvalidParameterValueException");
    EXPECT_NE(out[key][2].get<std::string>().find("Could not unzip uploaded file"), std::string::npos)
        << out[key];
  }
  EXPECT_EQ(out["still_v"], 1);  // the refused update left the code as it was
  EXPECT_EQ(out["left"], json::parse(R"(["ok"])"));
  for (const char* name : {"escaped-dotdot.txt", "escaped-absolute.txt", "escaped-through.txt", "x.txt"})
    EXPECT_EQ(files_named(name), std::vector<std::string>{}) << name;
  EXPECT_FALSE(std::filesystem::exists("/tmp/escaped-absolute.txt"));
  std::vector<std::string> dirs;
  for (const auto& e : std::filesystem::directory_iterator(m_dir.path() / "data/functions/111111111111"))
    dirs.push_back(e.path().filename().string());
  EXPECT_EQ(dirs, std::vector<std::string>{"ok"});
}

// Lambda's 250 MB unzipped limit and zip bombs, through the real API: each upload is refused with 400
// before it fills the disk, and leaves no function folder behind.
TEST_F(ServeTest, OversizedAndBombUploadsAre400AndLeaveNothing) {
  const json out =
      py("import os, zipfile\n"
         "c = client()\n"
         "def deflated(entries):\n"
         "    out = io.BytesIO()\n"
         "    with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:\n"
         "        for name, size, chunk in entries:\n"
         "            with z.open(name, 'w', force_zip64=True) as f:\n"
         "                for _ in range(size // len(chunk)): f.write(chunk)\n"
         "    return out.getvalue()\n"
         "# 260 MB that deflates about 16:1 (each random byte repeated 32 times): too large, not a bomb\n"
         "block = bytes(b for b in os.urandom(1 << 15) for _ in range(32))\n"
         "big = deflated([('app.py', len(APP), APP.encode()), ('data.bin', 260 * 1024 * 1024, block)])\n"
         "bomb = deflated([('app.py', len(APP), APP.encode()), ('zeros.bin', 64 * 1024 * 1024, bytes(1 << "
         "20))])\n"
         "def up(name, z):\n"
         "    return error(lambda: c.create_function(FunctionName=name, Runtime='python3.12', "
         "Role='arn:aws:iam::1:role/r', Handler='app.handler', Code={'ZipFile': z}))\n"
         "print(json.dumps({'big_zip_mb': len(big) >> 20, 'bomb_zip_kb': len(bomb) >> 10,\n"
         "                  'big': up('big', big), 'bomb': up('bomb', bomb),\n"
         "                  'left': [f['FunctionName'] for f in c.list_functions()['Functions']]}))\n");
  ASSERT_TRUE(out["big"].is_array()) << out.dump();
  EXPECT_LT(out["big_zip_mb"].get<int>(), 50) << "the big zip must be uploadable directly";
  EXPECT_EQ(out["big"][0], 400);
  EXPECT_EQ(out["big"][1], "InvalidParameterValueException");
  EXPECT_NE(out["big"][2].get<std::string>().find("Unzipped size must be smaller than 262144000 bytes"),
            std::string::npos)
      << out["big"];
  ASSERT_TRUE(out["bomb"].is_array()) << out.dump();
  EXPECT_EQ(out["bomb"][0], 400);
  EXPECT_NE(out["bomb"][2].get<std::string>().find("zip bomb"), std::string::npos) << out["bomb"];
  EXPECT_EQ(out["left"], json::array());
  std::error_code ec;
  std::vector<std::string> dirs;
  for (const auto& e : std::filesystem::directory_iterator(m_dir.path() / "data/functions/111111111111", ec))
    dirs.push_back(e.path().filename().string());
  EXPECT_EQ(dirs, std::vector<std::string>{});
}

TEST_F(ServeTest, FunctionUrlServesPayload2WithoutSignature) {
  const json out = py(
      "c = client()\n"
      "create(c, 'web', code=\"import json\\ndef handler(event, context):\\n    return {'statusCode': 201, "
      "'headers': {'x-fn': 'web'}, 'body': json.dumps(event)}\\n\")\n"
      "u = c.create_function_url_config(FunctionName='web', AuthType='NONE')\n"
      "again = error(lambda: c.create_function_url_config(FunctionName='web', AuthType='NONE'))\n"
      "g = c.get_function_url_config(FunctionName='web')\n"
      "with urllib.request.urlopen(u['FunctionUrl'] + 'items/7?q=1') as r:\n"
      "    status, header, event = r.status, r.headers.get('x-fn'), json.loads(r.read())\n"
      "print(json.dumps({'url': u['FunctionUrl'], 'auth': u['AuthType'], 'same': g['FunctionUrl'] == "
      "u['FunctionUrl'],\n"
      "  'again': again, 'status': status, 'header': header, 'event': event}))\n");
  EXPECT_EQ(out["auth"], "NONE");
  EXPECT_TRUE(out["same"]);
  EXPECT_EQ(out["again"][0], 409);
  EXPECT_EQ(out["again"][1], "ResourceConflictException");
  EXPECT_EQ(out["status"], 201);
  EXPECT_EQ(out["header"], "web");
  EXPECT_EQ(out["event"]["version"], "2.0");
  EXPECT_EQ(out["event"]["rawPath"], "/items/7");
  EXPECT_EQ(out["event"]["rawQueryString"], "q=1");
  EXPECT_EQ(out["event"]["requestContext"]["http"]["method"], "GET");
  // And it stays after a restart.
  const std::string url = out["url"];
  stop();
  start();
  const json after =
      py("u = client().get_function_url_config(FunctionName='web')['FunctionUrl']\n"
         "with urllib.request.urlopen(u + 'x') as r:\n    print(json.dumps([u.split('/_url/')[1], "
         "r.status]))\n");
  EXPECT_EQ(after, json::array({url.substr(url.find("/_url/") + 6), 201}));
}

}  // namespace
}  // namespace stratus::e2e
