// `stratus init` driven through the real binary.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/e2e/harness.hpp"

namespace stratus::e2e {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> listing(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out.push_back(e.path().lexically_relative(dir).string());
  std::sort(out.begin(), out.end());
  return out;
}

unsigned mode(const fs::path& p) {
  struct stat st;
  EXPECT_EQ(stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 0777;
}

std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text + "\n").find("\n" + line + "\n") != std::string::npos;
}

const std::map<std::string, std::vector<std::string>> kFiles = {
    {"node", {".gitignore", "events/hello.json", "handler.mjs", "serverless.schema.json", "serverless.yml"}},
    {"provided",
     {".gitignore", "bootstrap", "events/hello.json", "handler.sh", "serverless.schema.json",
      "serverless.yml"}},
    {"python", {".gitignore", "events/hello.json", "handler.py", "serverless.schema.json", "serverless.yml"}},
};

class InitTemplate : public testing::TestWithParam<std::string> {};

TEST_P(InitTemplate, CreatesTheProjectInANewFolder) {
  TempDir dir;
  auto r = run_stratus(dir.path(), {"init", "--template", GetParam(), "--path", "hello-app"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  auto project = dir.path() / "hello-app";
  EXPECT_EQ(listing(project), kFiles.at(GetParam()));

  auto manifest = read_file(project / "serverless.yml");
  EXPECT_EQ(first_line(manifest), "# yaml-language-server: $schema=./serverless.schema.json");
  EXPECT_TRUE(has_line(manifest, "service: hello-app")) << manifest;
  EXPECT_EQ(read_file(project / "serverless.schema.json"),
            read_file(fs::path(STRATUS_SOURCE_DIR) / "schemas/serverless.schema.json"));
  for (const auto& f : kFiles.at(GetParam())) {
    bool executable = f == "bootstrap" || f.ends_with(".sh");
    EXPECT_EQ(mode(project / f) & 0111, executable ? 0111u : 0u) << f;
    EXPECT_EQ(read_file(project / f).find("stratus-template-service"), std::string::npos) << f;
  }
  EXPECT_EQ(r.err, "Created " + GetParam() + " service 'hello-app' in hello-app (" +
                       std::to_string(kFiles.at(GetParam()).size()) +
                       " files)\nNext steps:\n  cd hello-app\n  stratus print      # the manifest, resolved\n"
                       "  stratus package    # the deployment zip\n");
  // No staging folder left behind.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);
}

TEST_P(InitTemplate, JsonReportsWhatWasWritten) {
  TempDir dir;
  auto r = run_stratus(dir.path(), {"init", "-t", GetParam(), "-p", "svc", "-n", "MyService", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["path"], (dir.path() / "svc").string());
  EXPECT_EQ(doc["template"], GetParam());
  EXPECT_EQ(doc["service"], "MyService");
  EXPECT_EQ(doc["files"].get<std::vector<std::string>>(), kFiles.at(GetParam()));
  EXPECT_TRUE(has_line(read_file(dir.path() / "svc/serverless.yml"), "service: MyService"));
}

INSTANTIATE_TEST_SUITE_P(All, InitTemplate, testing::Values("node", "provided", "python"));

TEST(Init, WithoutPathWritesIntoTheCurrentFolderNamedAfterIt) {
  TempDir dir;
  auto cwd = dir.path() / "Billing API";
  fs::create_directories(cwd);
  std::ofstream(cwd / "README.md") << "mine";
  auto r = run_stratus(cwd, {"init", "-t", "python"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(has_line(read_file(cwd / "serverless.yml"), "service: billing-api"));
  EXPECT_EQ(read_file(cwd / "README.md"), "mine");
  EXPECT_NE(r.err.find("in the current folder"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("cd "), std::string::npos) << r.err;
}

TEST(Init, TheProvidedBootstrapIsAShellScript) {
  TempDir dir;
  ASSERT_EQ(run_stratus(dir.path(), {"init", "-t", "provided", "-p", "p"}).exit_code, 0);
  for (const char* shell : {"bash", "sh"}) {
    for (const char* file : {"p/bootstrap", "p/handler.sh"}) {
      auto r = run_program(dir.path(), {shell, "-n", file});
      EXPECT_EQ(r.exit_code, 0) << shell << " " << file << ": " << r.err;
    }
  }
  EXPECT_EQ(first_line(read_file(dir.path() / "p/bootstrap")), "#!/bin/sh");
}

TEST(Init, ThePythonHandlerAnswersTheSampleEvent) {
  TempDir dir;
  ASSERT_EQ(run_stratus(dir.path(), {"init", "-t", "python", "-p", "p"}).exit_code, 0);
  auto r = run_program(dir.path() / "p",
                       {"python3", "-B", "-c",
                        "import json, handler\n"
                        "class Context: aws_request_id = 'req-1'\n"
                        "print(json.dumps(handler.hello(json.load(open('events/hello.json')), Context())))"});
  if (r.exit_code == 127) GTEST_SKIP() << "python3 is not installed";
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto response = nlohmann::json::parse(r.out);
  EXPECT_EQ(response["statusCode"], 200);
  EXPECT_EQ(nlohmann::json::parse(response["body"].get<std::string>())["message"], "Hello, stratus!");
}

TEST(Init, TheNodeHandlerAnswersTheSampleEvent) {
  TempDir dir;
  ASSERT_EQ(run_stratus(dir.path(), {"init", "-t", "node", "-p", "p"}).exit_code, 0);
  auto r = run_program(dir.path() / "p",
                       {"node", "--input-type=module", "-e",
                        "import { hello } from './handler.mjs';\n"
                        "import { readFileSync } from 'node:fs';\n"
                        "const event = JSON.parse(readFileSync('events/hello.json', 'utf8'));\n"
                        "console.log(JSON.stringify(await hello(event, { awsRequestId: 'req-1' })));"});
  if (r.exit_code == 127) GTEST_SKIP() << "node is not installed";
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto response = nlohmann::json::parse(r.out);
  EXPECT_EQ(response["statusCode"], 200);
  EXPECT_EQ(nlohmann::json::parse(response["body"].get<std::string>())["message"], "Hello, stratus!");
}

TEST(Init, RefusesToOverwriteAndWritesNothing) {
  TempDir dir;
  dir.write("app/serverless.yml", "service: theirs\n");
  auto r = run_stratus(dir.path(), {"init", "-t", "node", "-p", "app"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(
      r.err,
      "stratus: error: 'app/serverless.yml' already exists and init never overwrites files; choose another "
      "--path or remove it\n");
  EXPECT_EQ(listing(dir.path()), (std::vector<std::string>{"app/serverless.yml"}));
  EXPECT_EQ(read_file(dir.path() / "app/serverless.yml"), "service: theirs\n");
}

TEST(Init, NamesEveryFileInTheWay) {
  TempDir dir;
  ASSERT_EQ(run_stratus(dir.path(), {"init", "-t", "python"}).exit_code, 0);
  auto r = run_stratus(dir.path(), {"init", "-t", "python"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "stratus: error: 5 files already exist and init never overwrites files: '.gitignore', "
            "'events/hello.json', 'handler.py', 'serverless.schema.json', 'serverless.yml'; choose another "
            "--path or "
            "remove them\n");
}

TEST(Init, AFileWhereTheFolderGoes) {
  TempDir dir;
  dir.write("app", "x");
  auto r = run_stratus(dir.path(), {"init", "-t", "python", "-p", "app"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "stratus: error: 'app' exists and is not a folder; choose another --path or remove it\n");
}

TEST(Init, UnknownTemplateSuggestsOne) {
  TempDir dir;
  auto r = run_stratus(dir.path(), {"init", "-t", "pyhton"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(
      r.err,
      "stratus: error: unknown template 'pyhton' (did you mean 'python'?); the templates are node, provided, "
      "python\n");
  EXPECT_TRUE(listing(dir.path()).empty());
}

TEST(Init, TemplateIsRequired) {
  TempDir dir;
  auto r = run_stratus(dir.path(), {"init", "-p", "x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(
      r.err,
      "stratus: error: init needs --template: one of node, provided, python ('stratus init --list' describes "
      "them)\n");
  EXPECT_FALSE(fs::exists(dir.path() / "x"));
}

TEST(Init, InvalidServiceName) {
  TempDir dir;
  auto r = run_stratus(dir.path(), {"init", "-t", "node", "-n", "my_service"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(
      r.err,
      "stratus: error: invalid service name 'my_service': use letters, digits and hyphens, starting with a "
      "letter, 2 to 128 characters\n");
  EXPECT_TRUE(listing(dir.path()).empty());
}

TEST(Init, ListsTemplates) {
  TempDir dir;
  auto r = run_stratus(dir.path(), {"init", "--list"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(
      r.out,
      "node      Node.js 22 function (ES module) behind an HTTP API (GET /hello)\n"
      "provided  Shell function with its own bootstrap (provided.al2023) behind an HTTP API (GET /hello)\n"
      "python    Python 3.12 function behind an HTTP API (GET /hello)\n");
  EXPECT_TRUE(listing(dir.path()).empty());
}

TEST(Init, ListsTemplatesAsJson) {
  TempDir dir;
  auto r = run_stratus(dir.path(), {"init", "--list", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = nlohmann::json::parse(r.out);
  ASSERT_TRUE(doc.is_array());
  ASSERT_EQ(doc.size(), 3u);
  EXPECT_EQ(doc[0]["name"], "node");
  EXPECT_EQ(doc[2]["name"], "python");
  EXPECT_EQ(doc[2]["description"], "Python 3.12 function behind an HTTP API (GET /hello)");
}

TEST(Init, ListTakesNoOtherOptions) {
  TempDir dir;
  auto r = run_stratus(dir.path(), {"init", "--list", "-t", "node"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "stratus: error: init --list takes no --template, --name or --path\n");
}

}  // namespace
}  // namespace stratus::e2e
