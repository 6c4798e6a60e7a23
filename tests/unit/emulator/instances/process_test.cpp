#include "emulator/instances/process.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "emulator/instances/memory_cgroup.hpp"

extern char** environ;

namespace stratus::instances {
namespace {

using std::chrono::milliseconds;

LaunchSpec shell(const std::string& script) {
  return LaunchSpec{
      {"/bin/sh", "-c", script}, {"PATH=/usr/bin:/bin"}, std::filesystem::temp_directory_path(), {}};
}

// Reads a stream until end of file, bounded by `timeout`.
std::string read_all(ChildProcess& child, Stream stream, milliseconds timeout = milliseconds(5000)) {
  std::string out;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (child.fd(stream) >= 0 && std::chrono::steady_clock::now() < deadline) {
    out += child.read_available(stream);
    std::this_thread::sleep_for(milliseconds(2));
  }
  return out;
}

// True when `pid` no longer exists or is a zombie waiting for init to reap it.
bool gone(pid_t pid) {
  if (::kill(pid, 0) != 0) return true;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  auto paren = line.rfind(')');
  return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] == 'Z';
}

bool gone_within(pid_t pid, milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!gone(pid)) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return true;
}

std::string spawn_error(const LaunchSpec& spec) {
  try {
    ChildProcess::spawn(spec);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ChildProcess, CapturesStdoutStderrAndExitCode) {
  ChildProcess child = ChildProcess::spawn(shell("echo out; echo err >&2; exit 3"));
  EXPECT_GT(child.pid(), 0);
  EXPECT_EQ(read_all(child, Stream::out), "out\n");
  EXPECT_EQ(read_all(child, Stream::err), "err\n");
  auto status = child.wait_for(milliseconds(5000));
  ASSERT_TRUE(status.has_value());
  EXPECT_FALSE(status->signaled);
  EXPECT_EQ(status->code, 3);
  EXPECT_EQ(status->describe(), "exit status 3");
  EXPECT_EQ(child.try_wait()->code, 3);  // stays available once reaped
}

TEST(ChildProcess, RunsInItsOwnProcessGroupWithStdinFromDevNull) {
  ChildProcess child = ChildProcess::spawn(shell("cut -d' ' -f5 /proc/$$/stat; cat; echo end"));
  std::string out = read_all(child, Stream::out);
  EXPECT_EQ(out, std::to_string(child.pid()) + "\nend\n");
  ASSERT_TRUE(child.wait_for(milliseconds(5000)));
  EXPECT_NE(::getpgrp(), child.pid());
}

TEST(ChildProcess, EnvironmentIsExactlyTheGivenOne) {
  LaunchSpec spec{{"env"}, {"PATH=/usr/bin:/bin", "AWS_REGION=us-east-1", "EMPTY="}, "/", {}};
  ChildProcess child = ChildProcess::spawn(spec);
  std::string out = read_all(child, Stream::out);
  EXPECT_EQ(out, "PATH=/usr/bin:/bin\nAWS_REGION=us-east-1\nEMPTY=\n");
  EXPECT_EQ(child.wait_for(milliseconds(5000))->code, 0);
}

TEST(ChildProcess, APassedDescriptorIsTheChildsThirdAndNothingElseLeaks) {
  int pipe_fds[2];
  ASSERT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
  LaunchSpec spec = shell("echo through >&3 && ls /proc/$$/fd");
  spec.pass_fd = pipe_fds[1];
  ChildProcess child = ChildProcess::spawn(spec);
  ::close(pipe_fds[1]);
  EXPECT_EQ(read_all(child, Stream::out), "0\n1\n2\n3\n");  // the shell's own descriptors
  ASSERT_EQ(child.wait_for(milliseconds(5000))->code, 0);
  char buf[32] = {};
  EXPECT_EQ(::read(pipe_fds[0], buf, sizeof buf - 1), 8);
  EXPECT_STREQ(buf, "through\n");
  ::close(pipe_fds[0]);

  // Without one, descriptor 3 is not open in the child.
  ChildProcess plain = ChildProcess::spawn(shell("ls /proc/$$/fd"));
  EXPECT_EQ(read_all(plain, Stream::out), "0\n1\n2\n");
  EXPECT_EQ(plain.wait_for(milliseconds(5000))->code, 0);
}

TEST(ChildProcess, WorkingDirectoryIsHonoured) {
  LaunchSpec spec = shell("pwd");
  spec.cwd = "/usr";
  ChildProcess child = ChildProcess::spawn(spec);
  EXPECT_EQ(read_all(child, Stream::out), "/usr\n");
}

TEST(ChildProcess, MissingProgramIsReportedSynchronously) {
  EXPECT_EQ(spawn_error({{"stratus-no-such-program"}, {"PATH=/usr/bin:/bin"}, "/", {}}),
            "cannot run 'stratus-no-such-program': No such file or directory");
  EXPECT_EQ(spawn_error({{"/no/such/bootstrap"}, {}, "/", {}}),
            "cannot run '/no/such/bootstrap': No such file or directory");
}

TEST(ChildProcess, NonExecutableProgramIsReported) {
  auto file = std::filesystem::temp_directory_path() / ("stratus-not-exec-" + std::to_string(::getpid()));
  std::ofstream(file) << "#!/bin/sh\necho hi\n";
  std::filesystem::permissions(file,
                               std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::string error = spawn_error({{file.string()}, {}, "/", {}});
  std::filesystem::remove(file);
  EXPECT_EQ(error, "cannot run '" + file.string() + "': Permission denied");  // even root needs an x bit
}

TEST(ChildProcess, MissingWorkingDirectoryIsReported) {
  LaunchSpec spec = shell("true");
  spec.cwd = "/no/such/dir";
  EXPECT_EQ(spawn_error(spec),
            "cannot run '/bin/sh': working directory '/no/such/dir': No such file or directory");
}

TEST(ChildProcess, EmptyArgvIsRejected) {
  EXPECT_THROW(ChildProcess::spawn(LaunchSpec{}), std::invalid_argument);
}

TEST(ChildProcess, SignalDeathIsDescribed) {
  ChildProcess child = ChildProcess::spawn(shell("kill -9 $$"));
  auto status = child.wait_for(milliseconds(5000));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->signaled);
  EXPECT_EQ(status->signal, 9);
  EXPECT_EQ(status->describe(), "signal 9 (Killed)");
  EXPECT_EQ((ExitStatus{true, 0, SIGSEGV}.describe()), "signal 11 (Segmentation fault)");
}

TEST(ChildProcess, WaitForTimesOutOnALongSleep) {
  ChildProcess child = ChildProcess::spawn(shell("exec sleep 30"));
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(child.wait_for(milliseconds(100)).has_value());
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, milliseconds(100));
  EXPECT_LT(waited, milliseconds(2000));
  EXPECT_FALSE(child.try_wait().has_value());
}

TEST(ChildProcess, KillGroupDeliversTheSignal) {
  ChildProcess child = ChildProcess::spawn(shell("exec sleep 30"));
  child.kill_group(SIGINT);
  auto status = child.wait_for(milliseconds(5000));
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->describe(), "signal 2 (Interrupt)");
}

TEST(ChildProcess, StopKillsTheWholeGroupIncludingAGrandchild) {
  // The shell ignores SIGTERM, so stop() has to escalate to SIGKILL after the grace.
  ChildProcess child = ChildProcess::spawn(shell("trap '' TERM; sleep 30 & echo $!; wait"));
  std::string line;
  auto deadline = std::chrono::steady_clock::now() + milliseconds(5000);
  while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    line += child.read_available(Stream::out);
    std::this_thread::sleep_for(milliseconds(2));
  }
  pid_t grandchild = std::stoi(line);
  pid_t pid = child.pid();
  ASSERT_FALSE(gone(grandchild));
  auto start = std::chrono::steady_clock::now();
  ExitStatus status = child.stop(milliseconds(100));
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(2000));
  EXPECT_EQ(status.describe(), "signal 9 (Killed)");
  EXPECT_TRUE(gone(pid));  // reaped by stop(), not a zombie
  EXPECT_TRUE(gone_within(grandchild, milliseconds(2000)));
}

TEST(ChildProcess, StopWithinGraceReportsTheTermSignal) {
  ChildProcess child = ChildProcess::spawn(shell("exec sleep 30"));
  EXPECT_EQ(child.stop(milliseconds(2000)).describe(), "signal 15 (Terminated)");
}

TEST(ChildProcess, DestructorStopsAndReaps) {
  pid_t pid = -1;
  {
    ChildProcess child = ChildProcess::spawn(shell("exec sleep 30"));
    pid = child.pid();
    ASSERT_FALSE(gone(pid));
  }
  EXPECT_TRUE(::kill(pid, 0) != 0 && errno == ESRCH);  // no zombie left behind
}

TEST(ChildProcess, MoveTransfersOwnership) {
  ChildProcess first = ChildProcess::spawn(shell("echo moved"));
  pid_t pid = first.pid();
  ChildProcess second = std::move(first);
  EXPECT_EQ(first.pid(), -1);  // NOLINT(bugprone-use-after-move): the moved-from state is specified
  EXPECT_EQ(second.pid(), pid);
  EXPECT_EQ(read_all(second, Stream::out), "moved\n");
  first = std::move(second);
  EXPECT_EQ(first.pid(), pid);
  EXPECT_EQ(first.wait_for(milliseconds(5000))->code, 0);
}

TEST(TreeRss, MeasuresAFiftyMegabyteChild) {
  // python3 may be a pyenv shim that needs the caller's variables, so pass our whole environment.
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) env.emplace_back(*entry);
  LaunchSpec spec{{"python3", "-c",
                   "b=bytearray(50_000_000); import sys; print('ready', flush=True); import time; "
                   "time.sleep(30)"},
                  env,
                  "/",
                  {}};
  ChildProcess child = ChildProcess::spawn(spec);
  std::string out;
  auto deadline = std::chrono::steady_clock::now() + milliseconds(10000);
  while (out.find("ready") == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    out += child.read_available(Stream::out);
    std::this_thread::sleep_for(milliseconds(5));
  }
  ASSERT_NE(out.find("ready"), std::string::npos) << child.read_available(Stream::err);
  std::uint64_t peak = 0;
  for (int i = 0; i < 10; ++i) peak = std::max(peak, tree_rss_bytes(child.pid()));
  EXPECT_GE(peak, 45'000'000U);
  EXPECT_LE(peak, 200'000'000U);
  child.stop(milliseconds(100));
  EXPECT_EQ(tree_rss_bytes(child.pid()), 0U);
}

TEST(TreeRss, UnknownGroupIsZero) {
  EXPECT_EQ(tree_rss_bytes(0x7ffffff0), 0U);
}

}  // namespace
}  // namespace stratus::instances

namespace stratus::instances {
namespace {

TEST(MemoryCgroup, TheKernelKillsAChildOverTheLimitAndSaysSo) {
  if (!memory_cgroups_available()) GTEST_SKIP() << "no memory cgroup can be made on this machine";
  auto group = MemoryCgroup::create(64ULL * 1024 * 1024);
  ASSERT_NE(group, nullptr);
  const std::filesystem::path dir = group->path();
  EXPECT_TRUE(std::filesystem::exists(dir));
  LaunchSpec spec{{"/bin/sh", "-c", "x=a; while true; do x=$x$x; done"}, {"PATH=/usr/bin:/bin"}, "/", dir};
  ChildProcess child = ChildProcess::spawn(spec);
  const auto status = child.wait_for(std::chrono::seconds(20));
  ASSERT_TRUE(status.has_value()) << "still running past the limit";
  EXPECT_TRUE(status->signaled);
  EXPECT_EQ(status->signal, SIGKILL);
  EXPECT_TRUE(group->oom_killed());
  group.reset();
  EXPECT_FALSE(std::filesystem::exists(dir)) << "the group folder is removed";
}

TEST(MemoryCgroup, AChildUnderTheLimitIsNotKilled) {
  if (!memory_cgroups_available()) GTEST_SKIP() << "no memory cgroup can be made on this machine";
  auto group = MemoryCgroup::create(64ULL * 1024 * 1024);
  ASSERT_NE(group, nullptr);
  ChildProcess child =
      ChildProcess::spawn({{"/bin/sh", "-c", "exit 0"}, {"PATH=/usr/bin:/bin"}, "/", group->path()});
  const auto status = child.wait_for(std::chrono::seconds(10));
  ASSERT_TRUE(status.has_value());
  EXPECT_FALSE(status->signaled);
  EXPECT_FALSE(group->oom_killed());
}

}  // namespace
}  // namespace stratus::instances
