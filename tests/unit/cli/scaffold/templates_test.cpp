#include "cli/scaffold/templates.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "cli/manifest/diagnostics.hpp"
#include "cli/manifest/load.hpp"

namespace stratus::scaffold {
namespace {

const EmbeddedFile kFake[] = {
    {"README.md", "not a template"},
    {"a/bin/run.sh", "echo stratus-template-service"},
    {"a/bootstrap", "#!/bin/sh"},
    {"a/serverless.yml", "# modeline\n# First template  \nservice: stratus-template-service\n"},
    {"b/serverless.yml", "service: stratus-template-service\n"},
};
const EmbeddedFile kSchema[] = {{"serverless.schema.json", "{\"type\":\"object\"}"}};

TEST(Templates, ListsFoldersSortedWithTheirDescriptions) {
  auto list = list_templates(kFake);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].name, "a");
  EXPECT_EQ(list[0].description, "First template");
  EXPECT_EQ(list[1].name, "b");
  EXPECT_EQ(list[1].description, "");  // no comment on line 2
  EXPECT_EQ(template_names(kFake), (std::vector<std::string>{"a", "b"}));
}

TEST(Templates, RenderSubstitutesTheNameMarksExecutablesAndAddsTheSchema) {
  auto files = render_template("a", "my-api", kFake, kSchema);
  ASSERT_TRUE(files);
  ASSERT_EQ(files->size(), 4u);
  EXPECT_EQ((*files)[0].path, "bin/run.sh");
  EXPECT_EQ((*files)[0].content, "echo my-api");
  EXPECT_TRUE((*files)[0].executable);
  EXPECT_EQ((*files)[1].path, "bootstrap");
  EXPECT_TRUE((*files)[1].executable);
  EXPECT_EQ((*files)[2].path, "serverless.schema.json");
  EXPECT_EQ((*files)[2].content, "{\"type\":\"object\"}");
  EXPECT_FALSE((*files)[2].executable);
  EXPECT_EQ((*files)[3].path, "serverless.yml");
  EXPECT_EQ((*files)[3].content, "# modeline\n# First template  \nservice: my-api\n");
  EXPECT_FALSE((*files)[3].executable);
}

TEST(Templates, RenderOfAnUnknownTemplateIsNothing) {
  EXPECT_FALSE(render_template("c", "x", kFake, kSchema));
  EXPECT_FALSE(render_template("README.md", "x", kFake, kSchema));
  EXPECT_FALSE(render_template("", "x", kFake, kSchema));
}

TEST(Templates, ExecutablePaths) {
  EXPECT_TRUE(is_executable_path("bootstrap"));
  EXPECT_TRUE(is_executable_path("bin/bootstrap"));
  EXPECT_TRUE(is_executable_path("scripts/build.sh"));
  EXPECT_FALSE(is_executable_path("bootstrap.py"));
  EXPECT_FALSE(is_executable_path("handler.py"));
  EXPECT_FALSE(is_executable_path("sh"));
}

TEST(ServiceName, FollowsTheServerlessRule) {
  EXPECT_TRUE(is_valid_service_name("my-api"));
  EXPECT_TRUE(is_valid_service_name("MyApi2"));
  EXPECT_TRUE(is_valid_service_name("ab"));
  EXPECT_TRUE(is_valid_service_name(std::string(128, 'a')));
  EXPECT_FALSE(is_valid_service_name(std::string(129, 'a')));
  EXPECT_FALSE(is_valid_service_name("a"));  // the pattern needs two characters
  EXPECT_FALSE(is_valid_service_name(""));
  EXPECT_FALSE(is_valid_service_name("2fast"));
  EXPECT_FALSE(is_valid_service_name("-api"));
  EXPECT_FALSE(is_valid_service_name("my_api"));
  EXPECT_FALSE(is_valid_service_name("my.api"));
  EXPECT_FALSE(is_valid_service_name("my api"));
  EXPECT_FALSE(is_valid_service_name("caf\xc3\xa9"));
}

TEST(ServiceName, MadeFromAFolderName) {
  EXPECT_EQ(service_name_from_folder("my-api"), "my-api");
  EXPECT_EQ(service_name_from_folder("My API"), "my-api");
  EXPECT_EQ(service_name_from_folder("hello_world.v2"), "hello-world-v2");
  EXPECT_EQ(service_name_from_folder("--weird--!"), "weird");
  EXPECT_EQ(service_name_from_folder("2024"), "service-2024");
  EXPECT_EQ(service_name_from_folder("x"), "service-x");
  EXPECT_EQ(service_name_from_folder(""), "service");
  EXPECT_EQ(service_name_from_folder("\xc3\xa9t\xc3\xa9"), "service-t");  // non-ASCII becomes '-'
  auto long_name = service_name_from_folder(std::string(127, 'a') + "-b");
  EXPECT_EQ(long_name, std::string(127, 'a'));  // cut at 128, no trailing hyphen
  for (const std::string& folder :
       {std::string("My API"), std::string("2024"), std::string("x"), std::string(), std::string("___"),
        std::string("a-"), std::string(300, 'z')})
    EXPECT_TRUE(is_valid_service_name(service_name_from_folder(folder))) << folder;
}

// The real templates, as embedded in the binary.

class RealTemplate : public testing::TestWithParam<std::string> {};

const EmbeddedFile* file_of(const std::string& tmpl, const std::string& path) {
  return find_embedded(embedded_templates(), tmpl + "/" + path);
}

TEST(RealTemplates, AreNodeProvidedAndPython) {
  EXPECT_EQ(template_names(), (std::vector<std::string>{"node", "provided", "python"}));
  for (const auto& t : list_templates()) EXPECT_FALSE(t.description.empty()) << t.name;
}

TEST_P(RealTemplate, ManifestIsAValidServerlessV3Service) {
  const auto* manifest = file_of(GetParam(), "serverless.yml");
  ASSERT_NE(manifest, nullptr);
  EXPECT_TRUE(manifest->data.starts_with("# yaml-language-server: $schema=./serverless.schema.json\n"));

  manifest::Sources sources;
  manifest::Diagnostics diags;
  auto doc = manifest::parse_document(std::string(manifest->data), "serverless.yml", sources, diags);
  ASSERT_FALSE(diags.has_errors());
  ASSERT_NE(doc.find("service"), nullptr);
  EXPECT_EQ(doc.find("service")->as_string(), kServiceToken);
  EXPECT_TRUE(is_valid_service_name(kServiceToken));
  EXPECT_EQ(doc.at_path("frameworkVersion")->as_string(), "3");
  EXPECT_EQ(doc.at_path("provider.name")->as_string(), "aws");
  const std::map<std::string, std::string> runtimes = {
      {"node", "nodejs22.x"}, {"provided", "provided.al2023"}, {"python", "python3.12"}};
  EXPECT_EQ(doc.at_path("provider.runtime")->as_string(), runtimes.at(GetParam()));
  ASSERT_NE(doc.at_path("functions.hello.handler"), nullptr);
  EXPECT_EQ(doc.at_path("functions.hello.handler")->as_string(), "handler.hello");
  ASSERT_NE(doc.at_path("functions.hello.events.0.httpApi"), nullptr);
  EXPECT_EQ(doc.at_path("functions.hello.events.0.httpApi")->as_string(), "GET /hello");
  ASSERT_NE(doc.at_path("package.patterns"), nullptr);
  EXPECT_TRUE(doc.at_path("package.patterns")->is_sequence());
}

TEST_P(RealTemplate, HasItsHandlerSampleEventAndGitignore) {
  const std::map<std::string, std::string> handlers = {
      {"node", "handler.mjs"}, {"provided", "handler.sh"}, {"python", "handler.py"}};
  ASSERT_NE(file_of(GetParam(), handlers.at(GetParam())), nullptr);

  const auto* event = file_of(GetParam(), "events/hello.json");
  ASSERT_NE(event, nullptr);
  auto json = nlohmann::json::parse(event->data);
  EXPECT_EQ(json["version"], "2.0");
  EXPECT_EQ(json["routeKey"], "GET /hello");
  EXPECT_EQ(json["rawPath"], "/hello");
  EXPECT_EQ(json["requestContext"]["http"]["method"], "GET");
  EXPECT_EQ(json["requestContext"]["routeKey"], "GET /hello");

  const auto* gitignore = file_of(GetParam(), ".gitignore");
  ASSERT_NE(gitignore, nullptr);
  EXPECT_NE(gitignore->data.find(".stratus/\n"), std::string_view::npos);
  EXPECT_NE(gitignore->data.find("node_modules/\n"), std::string_view::npos);
}

TEST_P(RealTemplate, RendersWithTheSchemaAndTheName) {
  auto files = render_template(GetParam(), "my-api");
  ASSERT_TRUE(files);
  auto schema =
      std::find_if(files->begin(), files->end(), [](const auto& f) { return f.path == kSchemaFile; });
  ASSERT_NE(schema, files->end());
  EXPECT_EQ(schema->content, find_embedded(embedded_schemas(), kSchemaFile)->data);
  for (const auto& f : *files) EXPECT_EQ(f.content.find(kServiceToken), std::string::npos) << f.path;
}

INSTANTIATE_TEST_SUITE_P(All, RealTemplate, testing::Values("node", "provided", "python"));

TEST(RealTemplates, ProvidedHasAnExecutableBootstrapUsingTheRuntimeApi) {
  auto files = render_template("provided", "x");
  ASSERT_TRUE(files);
  auto bootstrap =
      std::find_if(files->begin(), files->end(), [](const auto& f) { return f.path == "bootstrap"; });
  ASSERT_NE(bootstrap, files->end());
  EXPECT_TRUE(bootstrap->executable);
  EXPECT_TRUE(bootstrap->content.starts_with("#!/bin/sh\n"));
  EXPECT_NE(bootstrap->content.find("/2018-06-01/runtime"), std::string::npos);
  EXPECT_NE(bootstrap->content.find("invocation/next"), std::string::npos);
  EXPECT_NE(bootstrap->content.find("/response"), std::string::npos);
}

}  // namespace
}  // namespace stratus::scaffold
