#include "cli/commands/completion.hpp"

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>

#include "cli/commands/commands.hpp"
#include "cli/context.hpp"

namespace stratus {
namespace {

using Words = std::vector<std::string>;

// A command tree like the real one: global options, init and completion as registered by the
// binary, and stand-ins for commands other branches add.
class Complete : public testing::Test {
 protected:
  Complete() {
    m_app.fallthrough();
    m_app.add_option("-c,--config", m_text, "");
    m_app.add_flag("--json", m_flag, "");
    m_app.add_option("--param", m_list, "");
    m_app.add_option("--secret", m_text, "")->group("");  // hidden
    register_init(m_app, m_ctx);
    register_completion(m_app, m_ctx);
    m_app.add_subcommand("print", "")->add_option("--format", m_text, "");
    auto* invoke = m_app.add_subcommand("invoke", "");
    invoke->add_subcommand("local", "")->add_option("-f,--function", m_text, "");
  }

  Words complete(const Words& words) { return complete_words(m_app, words); }

  CLI::App m_app{"test", "stratus"};
  Context m_ctx;
  std::string m_text;
  bool m_flag = false;
  std::vector<std::string> m_list;
};

TEST_F(Complete, CommandNamesButNotHiddenOnes) {
  EXPECT_EQ(complete({""}), (Words{"init", "completion", "print", "invoke"}));
  EXPECT_EQ(complete({}), (Words{"init", "completion", "print", "invoke"}));
  EXPECT_EQ(complete({"in"}), (Words{"init", "invoke"}));
  EXPECT_EQ(complete({"ini"}), (Words{"init"}));
  EXPECT_EQ(complete({"__"}), Words{});
  EXPECT_EQ(complete({"zzz"}), Words{});
}

TEST_F(Complete, SkipsGlobalOptionsAndTheirValuesBeforeTheCommand) {
  EXPECT_EQ(complete({"--json", "ini"}), (Words{"init"}));
  EXPECT_EQ(complete({"-c", "serverless.yml", "ini"}), (Words{"init"}));
  EXPECT_EQ(complete({"--param", "a=b", "pr"}), (Words{"print"}));
  EXPECT_EQ(complete({"--config=x.yml", "pr"}), (Words{"print"}));
}

TEST_F(Complete, NestedCommands) {
  EXPECT_EQ(complete({"invoke", ""}), (Words{"local"}));
  EXPECT_EQ(complete({"invoke", "local", "--f"}), (Words{"--function"}));
}

TEST_F(Complete, OptionsOfTheCommandThenGlobalOnes) {
  EXPECT_EQ(complete({"init", "--"}),
            (Words{"--help", "--template", "--name", "--path", "--list", "--config", "--json", "--param"}));
  EXPECT_EQ(complete({"init", "-"}), (Words{"--help", "-h", "--template", "-t", "--name", "-n", "--path",
                                            "-p", "--list", "--config", "-c", "--json", "--param"}));
  EXPECT_EQ(complete({"init", "--t"}), (Words{"--template"}));
  EXPECT_EQ(complete({"--j"}), (Words{"--json"}));
  EXPECT_EQ(complete({"init", "--se"}), Words{});  // hidden
}

TEST_F(Complete, TemplateNames) {
  EXPECT_EQ(complete({"init", "--template", ""}), (Words{"node", "provided", "python"}));
  EXPECT_EQ(complete({"init", "-t", "p"}), (Words{"provided", "python"}));
  EXPECT_EQ(complete({"init", "--name", "x", "--json", "--template", "py"}), (Words{"python"}));
  EXPECT_EQ(complete({"init", "--template", "x"}), Words{});
}

TEST_F(Complete, OptionEqualsValue) {
  // zsh and fish pass "--template=p" as one word.
  EXPECT_EQ(complete({"init", "--template=p"}), (Words{"--template=provided", "--template=python"}));
  EXPECT_EQ(complete({"init", "--template="}),
            (Words{"--template=node", "--template=provided", "--template=python"}));
  EXPECT_EQ(complete({"init", "--list=x"}), Words{});  // a flag has no values
  EXPECT_EQ(complete({"init", "--nope=x"}), Words{});
  // bash splits it at '=': "--template", "=", "p" (and "=" alone right after the sign).
  EXPECT_EQ(complete({"init", "--template", "=", "p"}), (Words{"provided", "python"}));
  EXPECT_EQ(complete({"init", "--template", "="}), (Words{"node", "provided", "python"}));
  EXPECT_EQ(complete({"init", "--template", "=", "python", ""}), Words{});
}

TEST_F(Complete, AnAttachedValueIsNotPending) {
  EXPECT_EQ(complete({"init", "-tpython", ""}), Words{});
  EXPECT_EQ(complete({"init", "--template=python", "--n"}), (Words{"--name"}));
}

TEST_F(Complete, FormatAndShellValues) {
  EXPECT_EQ(complete({"print", "--format", ""}), (Words{"yaml", "json"}));
  EXPECT_EQ(complete({"completion", ""}), (Words{"bash", "fish", "zsh"}));
  EXPECT_EQ(complete({"completion", "f"}), (Words{"fish"}));
  EXPECT_EQ(complete({"completion", "bash", ""}), Words{});  // one shell only
}

TEST_F(Complete, NothingWhereTheBinaryKnowsNoValues) {
  EXPECT_EQ(complete({"init", "--path", ""}), Words{});  // the scripts fall back to file names
  EXPECT_EQ(complete({"-c", ""}), Words{});
  EXPECT_EQ(complete({"invoke", "local", "-f", ""}), Words{});  // function names: from the manifest, later
  EXPECT_EQ(complete({"init", ""}), Words{});
  EXPECT_EQ(complete({"--", "in"}), Words{});
  EXPECT_EQ(complete({"init", "--", "-"}), Words{});
}

}  // namespace
}  // namespace stratus
