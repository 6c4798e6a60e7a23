// The main path a new user takes, through the real binary: init -> validate -> print -> package,
// the zip's listing, and a second package that is byte-identical and not rebuilt.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/e2e/harness.hpp"

namespace stratus::e2e {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> zip_listing(const fs::path& zip) {
  // `unzip -Z1` prints one entry name per line.
  auto r = run_program(zip.parent_path(), {"unzip", "-Z1", zip.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> names;
  std::size_t start = 0;
  while (start < r.out.size()) {
    auto nl = r.out.find('\n', start);
    names.push_back(r.out.substr(start, nl - start));
    start = nl + 1;
  }
  return names;
}

TEST(MainPath, InitPrintPackageAndRepackageByteIdentical) {
  TempDir dir;
  ASSERT_EQ(run_stratus(dir.path(), {"init", "--template", "python", "--path", "app"}).exit_code, 0);
  const fs::path app = dir.path() / "app";

  auto v = run_stratus(app, {"validate"});
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_EQ(v.err, "serverless.yml is valid: service app, 1 function(s), 1 event(s)\n");

  auto p = run_stratus(app, {"print", "--format", "json", "--path", "functions.hello"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  auto fn = nlohmann::json::parse(p.out);
  EXPECT_EQ(fn["handler"], "handler.hello");
  EXPECT_EQ(fn["events"][0]["httpApi"], "GET /hello");

  auto first = run_stratus(app, {"package", "--json"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto doc = nlohmann::json::parse(first.out);
  ASSERT_EQ(doc["artifacts"].size(), 1u);
  EXPECT_EQ(doc["artifacts"][0]["path"], ".stratus/app.zip");
  EXPECT_EQ(doc["artifacts"][0]["reused"], false);
  const fs::path zip = app / ".stratus" / "app.zip";
  auto names = zip_listing(zip);
  EXPECT_NE(std::find(names.begin(), names.end(), "handler.py"), names.end());
  EXPECT_EQ(std::find(names.begin(), names.end(), "serverless.yml"), names.end())
      << "the manifest is excluded";
  for (const auto& n : names) EXPECT_NE(n.rfind(".stratus/", 0), 0u) << n;
  const std::string bytes = read_file(zip);

  auto second = run_stratus(app, {"package", "--json"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(nlohmann::json::parse(second.out)["artifacts"][0]["reused"], true);
  EXPECT_EQ(read_file(zip), bytes);

  // Touching every file changes mtimes, not content: a rebuild gives the same bytes.
  for (const auto& e : fs::recursive_directory_iterator(app))
    if (e.is_regular_file() && e.path().string().find(".stratus") == std::string::npos)
      fs::last_write_time(e.path(), fs::file_time_type::clock::now());
  auto third = run_stratus(app, {"package", "--json"});
  ASSERT_EQ(third.exit_code, 0) << third.err;
  EXPECT_EQ(read_file(zip), bytes);
  EXPECT_EQ(nlohmann::json::parse(third.out)["artifacts"][0]["sha256"], doc["artifacts"][0]["sha256"]);
}

TEST(MainPath, ProvidedBootstrapStaysExecutableInTheZip) {
  TempDir dir;
  ASSERT_EQ(run_stratus(dir.path(), {"init", "--template", "provided", "--path", "app"}).exit_code, 0);
  auto r = run_stratus(dir.path() / "app", {"package", "--package", "out"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto z = run_program(dir.path(), {"unzip", "-Z", (dir.path() / "app/out/app.zip").string(), "bootstrap"});
  ASSERT_EQ(z.exit_code, 0) << z.err;
  EXPECT_EQ(z.out.rfind("-rwxr-xr-x", 0), 0u) << z.out;
}

TEST(Errors, BrokenManifestExitsTwoWithEveryProblem) {
  TempDir dir;
  dir.write("serverless.yml",
            "service: demo\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n  a:\n    handler: a\n"
            "    timeout: 1200\n");
  auto r = run_stratus(dir.path(), {"package"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(
      r.err,
      "stratus: error: serverless.yml:7:14: functions.a.handler must be 'file.function' (e.g. handler.hello "
      "for hello() in handler.py or handler.js), got 'a'\n    handler: a\n             ^\n"
      "stratus: error: serverless.yml:8:14: functions.a.timeout must be at most 900 (got 1200)\n"
      "    timeout: 1200\n             ^\n"
      "stratus: 2 errors in the manifest\n");
  EXPECT_FALSE(fs::exists(dir.path() / ".stratus"));
}

TEST(Errors, ValidateJsonListsProblemsForCi) {
  TempDir dir;
  dir.write("serverless.yml",
            "service: demo\nprovider:\n  name: aws\n  memorysize: 5\nfunctions:\n  a:\n    handler: a.b\n"
            "    events:\n      - htpApi: GET /\n");
  auto r = run_stratus(dir.path(), {"validate", "--json"});
  EXPECT_EQ(r.exit_code, 2);
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["valid"], false);
  EXPECT_EQ(doc["errors"], 1);
  EXPECT_EQ(doc["warnings"], 1);
  ASSERT_EQ(doc["problems"].size(), 2u);
  EXPECT_EQ(doc["problems"][0],
            nlohmann::json::parse(R"j({"severity":"error","file":"serverless.yml","line":9,"column":9,
              "path":"functions.a.events.0.htpApi","message":"unknown event type 'htpApi' (did you mean 'httpApi'?)"})j"));
  EXPECT_EQ(doc["problems"][1]["severity"], "warning");
  EXPECT_EQ(doc["problems"][1]["path"], "provider.memorysize");
}

TEST(Errors, NoManifestSaysHowToGetOne) {
  TempDir dir;
  auto r = run_stratus(dir.path(), {"print"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no serverless.yml, serverless.yaml or serverless.json in "), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("stratus init --template python"), std::string::npos);
}

TEST(Errors, JavaScriptManifestIsNamedNotIgnored) {
  TempDir dir;
  dir.write("serverless.js", "module.exports = { service: 'demo' };\n");
  auto r = run_stratus(dir.path(), {"validate"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(
      r.err,
      "stratus: error: serverless.js: stratus does not run JavaScript manifests; write the configuration "
      "this file exports as serverless.yml (`sls print` prints it as YAML)\nstratus: no manifest\n");
}

TEST(Errors, PrintPathThatDoesNotExistSuggests) {
  TempDir dir;
  dir.write("serverless.yml", "service: demo\nprovider:\n  name: aws\n");
  auto r = run_stratus(dir.path(), {"print", "--path", "provider.nmae"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "stratus: error: --path provider.nmae: 'provider' has no 'nmae' (did you mean 'name'?)\n");
}

TEST(Options, StageRegionAndParamsReachTheManifest) {
  TempDir dir;
  dir.write(
      "serverless.yml",
      "service: demo\nprovider:\n  name: aws\n  environment:\n    S: ${sls:stage}\n    R: ${aws:region}\n"
      "    P: ${param:color}\n");
  auto r = run_stratus(dir.path(), {"print", "--json", "--path", "provider", "-s", "prod", "--region",
                                    "eu-west-3", "--param", "color=blue"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["environment"], nlohmann::json::parse(R"({"S":"prod","R":"eu-west-3","P":"blue"})"));
  EXPECT_EQ(doc["stage"], "prod");

  auto bad = run_stratus(dir.path(), {"print", "--param", "novalue"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.err,
            "stratus: error: --param 'novalue' must be key=value, e.g. --param domain=example.com\n");
}

TEST(Options, ConfigPointsAtAnotherFile) {
  TempDir dir;
  dir.write("svc/custom-name.yml", "service: demo\nprovider:\n  name: aws\n");
  auto r = run_stratus(dir.path(),
                       {"print", "-c", "svc/custom-name.yml", "--format", "text", "--path", "service"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "demo\n");
  auto missing = run_stratus(dir.path(), {"print", "-c", "nope.yml"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(missing.err,
            "stratus: error: --config nope.yml: no such file\nstratus: 1 error in the manifest\n");
}

TEST(Usage, HelpListsOnlyWorkingCommands) {
  TempDir dir;
  auto r = run_stratus(dir.path(), {"--help"});
  EXPECT_EQ(r.exit_code, 0);
  // In this order: the inner loop's commands first, `trigger` right after the offline it talks to,
  // then the remote ones.
  std::size_t previous = 0;
  for (const char* cmd :
       {"init", "validate", "print", "package", "invoke", "offline", "trigger", "generate-event", "billing",
        "deploy", "info", "remove", "logs", "serve", "completion"}) {
    const std::size_t at = r.out.find(std::string("  ") + cmd);
    ASSERT_NE(at, std::string::npos) << cmd;
    EXPECT_GT(at, previous) << cmd << " is out of order in\n" << r.out;
    previous = at;
  }
  for (const char* cmd : {"__complete"})
    EXPECT_EQ(r.out.find(std::string("  ") + cmd + " "), std::string::npos) << cmd;
}

}  // namespace
}  // namespace stratus::e2e
