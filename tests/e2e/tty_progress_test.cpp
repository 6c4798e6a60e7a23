// The remote commands on a terminal and off one, against a `stratus serve` platform: info, invoke
// and logs draw a status line on stderr when it is a terminal (a pseudo-terminal here) and erase
// it, so the screen ends as a run off a terminal prints; off a terminal and with --json they add
// nothing to stderr. And every remote command's --json is one JSON document on stdout.
#include <signal.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "tests/e2e/platform_fixture.hpp"
#include "tests/support/pty_process.hpp"

namespace stratus::e2e {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using test_support::PtyProcess;
using test_support::screen_text;

constexpr const char* kApp =
    "def handler(event, context):\n"
    "    print('handled', event.get('n'))\n"
    "    return {'ok': True}\n";

class TtyProgressTest : public PlatformTest {
 protected:
  void SetUp() override {
    PlatformTest::SetUp();
    if (HasFatalFailure()) return;
    m_dir.write("svc/app.py", kApp);
    RunResult deployed = stratus({"deploy"});
    ASSERT_EQ(deployed.exit_code, 0) << deployed.err << m_serve->err();
    RunResult called = stratus({"invoke", "-f", "hello", "-d", R"({"n":1})"});
    ASSERT_EQ(called.exit_code, 0) << called.err;
  }

  // `stratus args...` in the service folder with stderr on a terminal; ended within 30 s.
  struct PtyRun {
    int exit_code = -1;
    std::string out;
    std::string pty;
  };
  PtyRun on_pty(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {stratus_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    PtyProcess p(m_dir.path() / "svc", argv, stratus_environment(m_dir.path() / "svc", keys()));
    PtyRun r;
    r.exit_code = p.wait(milliseconds(30000));
    r.out = p.out();
    r.pty = p.pty();
    return r;
  }

  // The same command on a terminal and off one: the status line is drawn on the terminal and
  // erased, stdout is the same, and off the terminal stderr carries no trace of it.
  void expect_status_then_same_screen(const std::vector<std::string>& args, const std::string& status) {
    SCOPED_TRACE(args.front());
    const PtyRun tty = on_pty(args);
    const RunResult plain = stratus(args);
    ASSERT_EQ(tty.exit_code, 0) << tty.pty;
    ASSERT_EQ(plain.exit_code, 0) << plain.err;
    EXPECT_NE(tty.pty.find(status), std::string::npos) << tty.pty;
    EXPECT_EQ(screen_text(tty.pty), plain.err) << tty.pty;
    // Colours aside (logs dims the platform's lines when stderr is a terminal).
    EXPECT_EQ(screen_text(tty.out), plain.out);
    EXPECT_EQ(plain.err.find('\r'), std::string::npos) << plain.err;
    EXPECT_EQ(plain.err.find(status), std::string::npos) << plain.err;
  }
};

TEST_F(TtyProgressTest, InfoInvokeAndLogsDrawAStatusLineOnATerminalAndEraseIt) {
  // info reads the account, then each function (2 here); a stratus serve platform has no triggers.
  expect_status_then_same_screen({"info"}, "reading functions [");
  expect_status_then_same_screen({"info"}, "| reading account... 0.0s");
  expect_status_then_same_screen({"invoke", "-f", "hello", "-d", R"({"n":2})"},
                                 "| invoking hello (app-dev-hello)... 0.0s");
  expect_status_then_same_screen({"logs", "-f", "hello"}, "fetching logs: page 1, ");
}

TEST_F(TtyProgressTest, JsonDrawsNothingOnATerminal) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"info", "--json"}, {"invoke", "-f", "hello", "--json"}, {"logs", "-f", "hello", "--json"}}) {
    const PtyRun r = on_pty(args);
    EXPECT_EQ(r.exit_code, 0) << args.front() << r.pty;
    EXPECT_EQ(r.pty, "") << args.front();
    EXPECT_TRUE(json::accept(r.out)) << args.front() << r.out;
  }
  // --verbose prints each call instead of a status line.
  const PtyRun verbose = on_pty({"invoke", "-f", "hello", "--verbose"});
  EXPECT_EQ(verbose.exit_code, 0) << verbose.pty;
  EXPECT_EQ(verbose.pty.find("invoking hello"), std::string::npos) << verbose.pty;
  EXPECT_NE(verbose.pty.find("POST "), std::string::npos) << verbose.pty;
}

TEST_F(TtyProgressTest, FailedInvokeErasesItsStatusBeforeTheError) {
  RunResult removed = stratus({"remove"});
  ASSERT_EQ(removed.exit_code, 0) << removed.err;
  const PtyRun tty = on_pty({"invoke", "-f", "hello"});
  const RunResult plain = stratus({"invoke", "-f", "hello"});
  EXPECT_EQ(tty.exit_code, 1);
  EXPECT_EQ(plain.exit_code, 1);
  EXPECT_NE(tty.pty.find("invoking hello (app-dev-hello)"), std::string::npos) << tty.pty;
  EXPECT_NE(plain.err.find("stratus: error: "), std::string::npos) << plain.err;
  const std::regex request_id("request id [0-9a-f-]+");
  EXPECT_EQ(std::regex_replace(screen_text(tty.pty), request_id, "request id X"),
            std::regex_replace(plain.err, request_id, "request id X"))
      << tty.pty;
}

TEST_F(TtyProgressTest, TailedLogsNeverShareALineWithTheStatus) {
  // stdout on the terminal too: the screen a person sees, where events and the status line meet.
  std::vector<std::string> argv = {stratus_binary(), "logs", "-f", "hello", "--tail", "--interval", "200"};
  PtyProcess tail(m_dir.path() / "svc", argv, stratus_environment(m_dir.path() / "svc", keys()), true);
  ASSERT_TRUE(tail.wait_for_pty("handled 1", milliseconds(15000))) << tail.pty();
  ASSERT_TRUE(tail.wait_for_pty("waiting for new events", milliseconds(15000))) << tail.pty();
  RunResult called = stratus({"invoke", "-f", "hello", "-d", R"({"n":"tail-555"})"});
  ASSERT_EQ(called.exit_code, 0) << called.err;
  ASSERT_TRUE(tail.wait_for_pty("handled tail-555", milliseconds(15000))) << tail.pty();
  // After the batch the status line comes back.
  const std::size_t batch = tail.pty().find("handled tail-555");
  EXPECT_TRUE(tail.wait_for_pty("waiting for new events", milliseconds(5000), batch)) << tail.pty();
  tail.signal(SIGINT);
  EXPECT_EQ(tail.wait(milliseconds(15000)), 0) << tail.pty();

  // Every line on the screen is an event: the status line was erased before each batch.
  const std::string screen = screen_text(tail.pty());
  const std::regex event(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z .+)");
  std::size_t lines = 0;
  for (std::size_t start = 0, nl; (nl = screen.find('\n', start)) != std::string::npos; start = nl + 1) {
    const std::string line = screen.substr(start, nl - start);
    EXPECT_TRUE(std::regex_match(line, event)) << "[" << line << "]\n" << tail.pty();
    ++lines;
  }
  EXPECT_GE(lines, 6u) << screen;  // START, the line, END, REPORT of both invocations (and more)
  EXPECT_TRUE(screen.ends_with("\n")) << "nothing left after the last line: [" << screen << "]";
}

TEST_F(TtyProgressTest, EveryRemoteCommandsJsonIsOneDocument) {
  // json::parse throws on a second document after the first, and on none.
  const auto one_document = [&](const std::vector<std::string>& args, int code = 0) {
    SCOPED_TRACE(args.front());
    const RunResult r = stratus(args);
    EXPECT_EQ(r.exit_code, code) << r.err;
    json doc;
    EXPECT_NO_THROW(doc = json::parse(r.out)) << r.out;
    return doc;
  };
  EXPECT_EQ(one_document({"package", "--json"})["service"], "app");
  EXPECT_EQ(one_document({"deploy", "--json"})["changed"], false);
  EXPECT_EQ(one_document({"deploy", "function", "-f", "hello", "--json"})["function"], "hello");
  EXPECT_EQ(one_document({"info", "--json"})["functions"].size(), 2u);
  EXPECT_EQ(one_document({"invoke", "-f", "hello", "--json", "-d", R"({"n":3})"})["StatusCode"], 200);
  EXPECT_EQ(one_document({"invoke", "local", "-f", "hello", "--json", "-d", R"({"n":4})"})["status"], "ok");
  // logs: one document with every event (not one line per event, which only --tail prints).
  const json logs = one_document({"logs", "-f", "hello", "--json", "--filter", "handled"});
  EXPECT_EQ(logs["function"], "hello");
  EXPECT_EQ(logs["name"], "app-dev-hello");
  EXPECT_EQ(logs["logGroup"], "/aws/lambda/app-dev-hello");
  ASSERT_EQ(logs["events"].size(), 2u) << logs;
  EXPECT_EQ(logs["events"][0]["message"], "handled 1\n");
  EXPECT_EQ(logs["events"][1]["message"], "handled 3\n");
  const json none = one_document({"logs", "-f", "hello", "--json", "--startTime", "4102444800000"});
  EXPECT_EQ(none["events"], json::array());
  EXPECT_TRUE(one_document({"remove", "--json"})["actions"].is_array());
  // A failed call under --json: the error on stderr as without --json, stdout empty.
  const RunResult failed = stratus({"invoke", "-f", "hello", "--json"});
  EXPECT_EQ(failed.exit_code, 1);
  EXPECT_EQ(failed.out, "");
  EXPECT_NE(failed.err.find("stratus: error: "), std::string::npos) << failed.err;
}

}  // namespace
}  // namespace stratus::e2e
