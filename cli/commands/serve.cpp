// stratus serve: the engine as a self-hosted function platform. Lambda's API on one port (--port,
// 9000), every request SigV4-signed with a key of the --keys file; functions deployed with
// CreateFunction (aws lambda create-function --endpoint-url …, boto3, stratus deploy) live under
// --data-dir and survive a restart. Function URLs are served on the same port under /_url/.
// Ctrl-C (or SIGTERM) drains what is in flight and exits 0.
#include <pthread.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/commands/commands.hpp"
#include "cli/context.hpp"
#include "cli/errors.hpp"
#include "cli/run/console_sink.hpp"
#include "emulator/engine/launch.hpp"
#include "emulator/net/http_server.hpp"
#include "emulator/platform/keys.hpp"
#include "emulator/platform/platform.hpp"

namespace stratus {

namespace {

struct ServeOptions {
  std::string data_dir;
  std::string keys;
  std::string host = "127.0.0.1";
  int port = 9000;
};

void run_serve(Context& ctx, const ServeOptions& o) {
  // Recipe: keys, the platform (registry, engines, functions), the port, then wait for a signal.
  platform::PlatformSettings settings;
  try {
    settings.keys = platform::load_keys(o.keys);
  } catch (const std::runtime_error& e) {
    throw UserError(e.what(), kExitUsage);
  }
  settings.data_dir = std::filesystem::absolute(o.data_dir);
  settings.host = engine::HostEnv::capture(false);
  // Function logs (START / END / REPORT and what handlers print) on stderr, prefixed with the
  // function's name, written in batches off the engine's threads.
  run::ConsoleSink console(stderr, true, false, {}, false, std::chrono::milliseconds(10));
  settings.sink = &console;

  // Block the stop signals before any thread starts, so they all inherit the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  const std::size_t accounts = settings.keys.accounts().size();
  std::unique_ptr<platform::Platform> platform;
  try {
    platform = std::make_unique<platform::Platform>(std::move(settings));
  } catch (const std::runtime_error& e) {
    throw UserError(e.what(), kExitFailure);
  }
  for (const auto& w : platform->warnings()) ctx.out().warning(w);
  std::unique_ptr<net::HttpServer> server;
  try {
    server = std::make_unique<net::HttpServer>(
        o.host, o.port,
        [&platform](const net::Request& request, net::Responder responder) {
          platform->handle(request, std::move(responder));
        },
        platform::Platform::server_options());
  } catch (const net::BindError& e) {
    throw UserError(e.what(), kExitFailure);
  }
  const std::string endpoint = "http://" + o.host + ":" + std::to_string(server->port());
  if (ctx.options.json) {
    nlohmann::json banner = {{"endpoint", endpoint},
                             {"dataDir", std::filesystem::absolute(o.data_dir).string()},
                             {"accounts", accounts},
                             {"functions", platform->function_count()}};
    ctx.out().data(banner.dump() + "\n");
  } else {
    ctx.out().data("stratus serve: Lambda API on " + endpoint + " (" + std::to_string(accounts) + " account" +
                   (accounts == 1 ? "" : "s") + ", " + std::to_string(platform->function_count()) +
                   " functions); function URLs under " + endpoint + "/_url/\n");
  }
  std::fflush(stdout);

  int sig = 0;
  sigwait(&stop_signals, &sig);
  ctx.out().info(std::string("stratus serve: ") + (sig == SIGINT ? "interrupted" : "terminated") +
                 ", draining invocations in flight");
  server->stop();
  platform->stop(std::chrono::seconds(5));
  ctx.exit_code = kExitOk;
}

}  // namespace

void register_serve(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<ServeOptions>();
  auto* cmd = app.add_subcommand(
      "serve", "Run a self-hosted function platform: Lambda's API (SigV4, accounts from --keys) on --port");
  cmd->add_option("--data-dir", o->data_dir, "Folder of the platform's state: functions, code, registry")
      ->required();
  cmd->add_option(
         "--keys", o->keys,
         "JSON file of access keys: {\"keys\": [{\"accessKeyId\", \"secretAccessKey\", \"accountId\"}]}")
      ->required();
  cmd->add_option("--port", o->port, "Port of the Lambda API and function URLs (default: 9000)")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--host", o->host, "Address to listen on (default: 127.0.0.1)");
  cmd->callback([&ctx, o] { run_serve(ctx, *o); });
}

}  // namespace stratus
