// Runs every manifest fixture under tests/fixtures/manifests/ through the whole pipeline
// (load, variables, schema, model) and compares with what the fixture pins:
//   expected-diagnostics.txt  every error and warning, rendered as users see them (no colour);
//                             absent = none expected
//   expected.json             the resolved manifest (valid fixtures only; optional)
//   fixture.yml               optional inputs: stage, region, params, env (the environment is
//                             otherwise empty, so fixtures are hermetic)
// STRATUS_UPDATE_FIXTURES=1 rewrites the expected files from the current behaviour (then review
// the diff by eye).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/manifest/emit.hpp"
#include "cli/manifest/load.hpp"
#include "cli/manifest/manifest.hpp"
#include "emulator/common/local_account.hpp"

namespace stratus::manifest {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> fixture_names() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(fs::path(STRATUS_FIXTURES_DIR) / "manifests"))
    if (e.is_directory()) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

LoadOptions options_for(const fs::path& dir) {
  LoadOptions o;
  o.cwd = dir;
  o.account_id = kLocalAccountId;  // as the CLI does for local commands
  if (!fs::exists(dir / "fixture.yml")) return o;
  Sources sources;
  Diagnostics diags;
  Value meta = load_file(dir / "fixture.yml", "fixture.yml", sources, diags);
  if (const Value* v = meta.find("config")) o.config = v->as_string();
  for (const char* key : {"stage", "region"})
    if (const Value* v = meta.find(key)) o.options[key] = v->to_text();
  for (auto [key, target] : {std::pair{"params", &o.params}, {"env", &o.env}, {"options", &o.options}})
    if (const Value* m = meta.find(key))
      for (const auto& e : m->entries()) (*target)[e.key] = e.value.to_text();
  if (auto it = o.env.find("AWS_ACCOUNT_ID"); it != o.env.end()) o.account_id = it->second;
  return o;
}

class ManifestFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(ManifestFixture, MatchesExpected) {
  const fs::path dir = fs::path(STRATUS_FIXTURES_DIR) / "manifests" / GetParam();
  ManifestReport r = inspect_manifest(options_for(dir));
  std::string diagnostics;
  for (const auto& d : r.diagnostics.sorted()) diagnostics += render(d, r.sources, false);
  const bool update = std::getenv("STRATUS_UPDATE_FIXTURES") != nullptr;

  const fs::path diag_file = dir / "expected-diagnostics.txt";
  if (update) {
    if (diagnostics.empty())
      fs::remove(diag_file);
    else
      std::ofstream(diag_file, std::ios::binary) << diagnostics;
  }
  std::string expected_diagnostics = fs::exists(diag_file) ? read_text(diag_file) : "";
  EXPECT_EQ(diagnostics, expected_diagnostics);

  const fs::path json_file = dir / "expected.json";
  if (r.service) {
    std::string json = to_json(r.resolved) + "\n";
    if (update) std::ofstream(json_file, std::ios::binary) << json;
    if (fs::exists(json_file)) {
      EXPECT_EQ(json, read_text(json_file));
    }
  } else {
    EXPECT_FALSE(fs::exists(json_file)) << "an invalid fixture has expected.json";
  }
}

INSTANTIATE_TEST_SUITE_P(Manifests, ManifestFixture, ::testing::ValuesIn(fixture_names()),
                         [](const auto& param_info) {
                           std::string n = param_info.param;
                           for (char& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

TEST(ManifestFixtures, EnoughOfEachKind) {
  int broken = 0, total = 0;
  for (const auto& name : fixture_names()) {
    ++total;
    const fs::path diag = fs::path(STRATUS_FIXTURES_DIR) / "manifests" / name / "expected-diagnostics.txt";
    if (fs::exists(diag) && read_text(diag).find("stratus: error:") != std::string::npos) ++broken;
  }
  EXPECT_GE(total, 40);
  EXPECT_GE(broken, 15);
}

}  // namespace
}  // namespace stratus::manifest
