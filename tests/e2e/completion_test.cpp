// `stratus completion` and the scripts it prints, run in the real shells.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "tests/e2e/harness.hpp"

namespace stratus::e2e {
namespace {

namespace fs = std::filesystem;

const fs::path kCompletions = fs::path(STRATUS_SOURCE_DIR) / "completions";

// PATH with the stratus under test first, so the scripts' `stratus __complete` reaches it.
std::map<std::string, std::string> env_with_stratus() {
  const char* path = std::getenv("PATH");
  return {{"PATH", fs::path(STRATUS_BINARY).parent_path().string() + ":" + (path ? path : "/usr/bin:/bin")}};
}

bool installed(const std::string& program) {
  TempDir dir;
  return run_program(dir.path(), {program, "-c", "true"}).exit_code != 127;
}

TEST(Completion, PrintsEachEmbeddedScriptByteForByte) {
  TempDir dir;
  for (const auto& [shell, file] : std::map<std::string, std::string>{
           {"bash", "stratus.bash"}, {"zsh", "_stratus"}, {"fish", "stratus.fish"}}) {
    auto r = run_stratus(dir.path(), {"completion", shell});
    EXPECT_EQ(r.exit_code, 0) << shell;
    EXPECT_EQ(r.out, read_file(kCompletions / file)) << shell;
    EXPECT_EQ(r.err, "") << shell;
  }
}

TEST(Completion, UnknownShell) {
  TempDir dir;
  auto r = run_stratus(dir.path(), {"completion", "bsh"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "stratus: error: no completion script for shell 'bsh' (did you mean 'bash'?); the shells are "
            "bash, fish, "
            "zsh\n");
  r = run_stratus(dir.path(), {"completion", "powershell"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "stratus: error: no completion script for shell 'powershell'; the shells are bash, fish, zsh\n");
}

TEST(Completion, ShellIsRequired) {
  TempDir dir;
  auto r = run_stratus(dir.path(), {"completion"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "stratus: error: completion needs a shell: one of bash, fish, zsh\n");
}

TEST(Complete, AnswersFromTheCommandTree) {
  TempDir dir;
  auto r = run_stratus(dir.path(), {"__complete", "--", "in"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "init\ninvoke\ninfo\n");
  EXPECT_EQ(run_stratus(dir.path(), {"__complete", "--", "init", "--json", "--template", ""}).out,
            "node\nprovided\npython\n");
  EXPECT_EQ(run_stratus(dir.path(), {"__complete", "--", "init", "--te"}).out, "--template\n");
  EXPECT_EQ(run_stratus(dir.path(), {"__complete", "--", "completion", ""}).out, "bash\nfish\nzsh\n");
  EXPECT_EQ(run_stratus(dir.path(), {"__complete", "--", "offline", "--http"}).out, "--http-port\n");
  EXPECT_EQ(run_stratus(dir.path(), {"__complete"}).out.find("__complete"), std::string::npos);
}

TEST(Complete, TriggerSubcommandsAndTheReloadFlag) {
  TempDir dir;
  EXPECT_EQ(run_stratus(dir.path(), {"__complete", "--", "trigger", ""}).out, "schedule\nsqs\ns3\n");
  EXPECT_EQ(run_stratus(dir.path(), {"__complete", "--", "offline", "--no-r"}).out, "--no-reload\n");
  EXPECT_EQ(
      run_stratus(dir.path(), {"__complete", "--", "trigger", "s3", "--event", "s3:ObjectRemoved:"}).out,
      "s3:ObjectRemoved:Delete\ns3:ObjectRemoved:DeleteMarkerCreated\n");
  const std::string sqs = run_stratus(dir.path(), {"__complete", "--", "trigger", "sqs", "--"}).out;
  for (const char* option : {"--function", "--body", "--path", "--queue", "--lambda-port", "--endpoint"})
    EXPECT_NE(sqs.find(std::string(option) + "\n"), std::string::npos) << option << " in " << sqs;
}

TEST(Complete, IsHiddenFromHelp) {
  TempDir dir;
  auto r = run_stratus(dir.path(), {"--help"});
  EXPECT_NE(r.out.find("completion"), std::string::npos);
  EXPECT_EQ(r.out.find("__complete"), std::string::npos);
}

// Runs the bash script's completion function on a command line and returns COMPREPLY, one per line.
std::string bash_complete(const std::vector<std::string>& words) {
  TempDir dir;
  std::string script = "source '" + (kCompletions / "stratus.bash").string() + "'\nCOMP_WORDS=(";
  for (const auto& w : words) script += "'" + w + "' ";
  script += ")\nCOMP_CWORD=" + std::to_string(words.size() - 1) +
            "\n_stratus\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n";
  auto r = run_program(dir.path(), {"bash", "--norc", "--noprofile", "-c", script}, env_with_stratus());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

TEST(BashCompletion, SyntaxAndRegistration) {
  TempDir dir;
  auto r = run_program(dir.path(), {"bash", "-n", (kCompletions / "stratus.bash").string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = run_program(dir.path(),
                  {"bash", "--norc", "-c", "source <(stratus completion bash) && complete -p stratus"},
                  env_with_stratus());
  EXPECT_EQ(r.out, "complete -o default -F _stratus stratus\n") << r.err;
}

TEST(BashCompletion, CompletesCommandsTemplatesAndShells) {
  EXPECT_EQ(bash_complete({"stratus", "in"}), "init\ninvoke\ninfo\n");
  EXPECT_EQ(bash_complete({"stratus", "completion", ""}), "bash\nfish\nzsh\n");
  EXPECT_EQ(bash_complete({"stratus", "init", "--template", ""}), "node\nprovided\npython\n");
  EXPECT_EQ(bash_complete({"stratus", "init", "-t", "py"}), "python\n");
  // bash splits "--template=py" at the '='.
  EXPECT_EQ(bash_complete({"stratus", "init", "--template", "=", "py"}), "python\n");
  EXPECT_EQ(bash_complete({"stratus", "init", "--template", "="}), "node\nprovided\npython\n");
  EXPECT_EQ(bash_complete({"stratus", "init", "--li"}), "--list\n");
  EXPECT_EQ(bash_complete({"stratus", "offline", "--http-"}), "--http-port\n");
  EXPECT_EQ(bash_complete({"stratus", "init", "--path", ""}), "\n");  // nothing: bash lists files
}

TEST(ZshCompletion, SyntaxAndCandidates) {
  if (!installed("zsh")) GTEST_SKIP() << "zsh is not installed";
  TempDir dir;
  auto file = (kCompletions / "_stratus").string();
  auto r = run_program(dir.path(), {"zsh", "-n", file});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // Without compinit, stand-ins for compdef, compadd and _files show what the script asks for.
  std::string script =
      "compdef() { print -r -- \"compdef $*\" }\n"
      "compadd() { [[ $1 == -- ]] && shift; print -rl -- \"$@\" }\n"
      "_files() { print -r -- '<files>' }\n"
      "source '" +
      file +
      "'\n"
      "words=(stratus init --template ''); CURRENT=4; _stratus\n"
      "words=(stratus in); CURRENT=2; _stratus\n"
      "words=(stratus init --template=p); CURRENT=3; _stratus\n"
      "words=(stratus init --path ''); CURRENT=4; _stratus\n";
  r = run_program(dir.path(), {"zsh", "-f", "-c", script}, env_with_stratus());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "compdef _stratus "
            "stratus\nnode\nprovided\npython\ninit\ninvoke\ninfo\n--template=provided\n--template=python\n"
            "<files>\n");
}

TEST(FishCompletion, SyntaxAndCandidates) {
  if (!installed("fish")) GTEST_SKIP() << "fish is not installed";
  TempDir dir;
  auto file = (kCompletions / "stratus.fish").string();
  auto r = run_program(dir.path(), {"fish", "--no-execute", file});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string script = "source '" + file +
                       "'\n"
                       "complete -C 'stratus init --template '\n"
                       "complete -C 'stratus in'\n"
                       "complete -C 'stratus completion z'\n";
  r = run_program(dir.path(), {"fish", "--no-config", "-c", script}, env_with_stratus());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "node\nprovided\npython\ninfo\ninit\ninvoke\nzsh\n");
}

}  // namespace
}  // namespace stratus::e2e
