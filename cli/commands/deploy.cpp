// stratus deploy: the service to AWS Lambda (or a `stratus serve` platform), by the service APIs
// directly; and `stratus deploy function -f FN`: one function's code in one call.
#include <CLI/CLI.hpp>
#include <chrono>

#include "cli/commands/commands.hpp"
#include "cli/commands/remote_output.hpp"
#include "cli/context.hpp"
#include "cli/deploy/deployer.hpp"
#include "cli/deploy/triggers.hpp"
#include "cli/manifest/manifest.hpp"
#include "cli/ui/progress.hpp"
#include "emulator/common/json_writer.hpp"

namespace stratus {

namespace {

struct DeployCommandOptions {
  deploy::RemoteFlags remote;
  std::string function;        // deploy function -f
  bool update_config = false;  // deploy function --update-config
};

void run_deploy(Context& ctx, const DeployCommandOptions& o) {
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  const manifest::Service& service = ctx.manifest().service;
  auto& out = ctx.out();
  std::vector<std::string> warnings;

  ui::ProgressDisplay packaging(stderr, ui::choose_progress_style(out.interactive(), ctx.options.json));
  deploy::Artifacts artifacts = deploy::package_artifacts(service, &packaging, warnings);
  ctx.print_steps({{"package", commands::ms_since(t0)}});

  deploy::Session session = deploy::open_session(service, ctx.options, o.remote);
  const deploy::Target& target = session.target;
  out.verbose("deploying to " + commands::where_to(session.remote) + ", account " + target.account_id);

  deploy::Plan plan = deploy::plan_deploy(target, service, artifacts, warnings);
  for (const auto& w : warnings) out.warning(w);
  if (!ctx.options.json)
    out.info(out.bold("stratus deploy") + ": " + service.name + " (stage " + target.stage + ", region " +
             target.region + ") to " + commands::where_to(session.remote));

  std::vector<std::string> applied;
  commands::apply_with_progress(ctx, plan, applied);

  std::vector<deploy::FunctionReport> functions = deploy::describe_functions(target, service, artifacts);
  const std::vector<deploy::Endpoint> endpoints = deploy::describe_triggers(target, service);
  const long long total_ms = static_cast<long long>(commands::ms_since(t0));
  if (ctx.options.json) {
    JsonWriter w;
    w.begin_object();
    w.key("service").value(service.name).key("stage").value(target.stage).key("region").value(target.region);
    w.key("changed").value(!plan.empty());
    w.key("functions").begin_array();
    for (const auto& f : functions) {
      w.begin_object().key("key").value(f.key).key("name").value(f.name).key("arn").value(f.arn);
      w.key("status").value(f.deployed ? "deployed" : "missing");
      w.key("url").text_or_null(f.url);
      w.end_object();
    }
    w.end_array();
    commands::write_endpoints(w, endpoints);
    commands::write_strings(w, "actions", applied);
    commands::write_strings(w, "warnings", warnings);
    w.key("ms").value(static_cast<std::int64_t>(total_ms));
    w.end_object();
    out.data(w.str() + "\n");
    return;
  }
  if (plan.empty())
    out.info("no changes: " + std::to_string(functions.size()) + " function(s) already up to date (" +
             std::to_string(total_ms) + " ms)");
  else
    out.info("deployed " + service.name + ": " + std::to_string(plan.size()) + " change(s) in " +
             std::to_string(total_ms) + " ms");
  for (const auto& f : functions)
    out.data("  " + f.key + ": " + f.arn + (f.url.empty() ? "" : "  " + f.url) + "\n");
  out.data(commands::endpoint_lines(endpoints));
}

void run_deploy_function(Context& ctx, const DeployCommandOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  const manifest::Service& service = ctx.manifest().service;
  // The key is checked before anything is packaged or called.
  deploy::require_function(service, o.function);
  std::vector<std::string> warnings;
  ui::ProgressDisplay packaging(stderr, ui::choose_progress_style(ctx.out().interactive(), ctx.options.json));
  deploy::Artifacts artifacts = deploy::package_artifacts(service, &packaging, warnings);
  deploy::Session session = deploy::open_session(service, ctx.options, o.remote);
  for (const auto& w : warnings) ctx.out().warning(w);
  std::vector<std::string> done =
      deploy::deploy_one_function(session.target, service, artifacts, o.function, o.update_config);
  const long long ms = static_cast<long long>(commands::ms_since(t0));
  if (ctx.options.json) {
    JsonWriter w;
    w.begin_object().key("function").value(o.function);
    commands::write_strings(w, "actions", done);
    commands::write_strings(w, "warnings", warnings);
    w.key("ms").value(static_cast<std::int64_t>(ms)).end_object();
    ctx.out().data(w.str() + "\n");
    return;
  }
  for (const auto& line : done) ctx.out().info(line);
  ctx.out().info("deployed function " + o.function + " in " + std::to_string(ms) + " ms");
}

}  // namespace

void register_deploy(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<DeployCommandOptions>();
  auto* cmd = app.add_subcommand(
      "deploy",
      "Deploy the service to AWS Lambda or a `stratus serve` platform (unchanged parts are skipped)");
  deploy::add_remote_flags(*cmd, opts->remote);
  cmd->fallthrough();
  auto* fn = cmd->add_subcommand("function", "Update one function's code (and configuration) in one call");
  fn->add_option("-f,--function", opts->function, "The function's key under `functions:`")->required();
  fn->add_flag("--update-config", opts->update_config, "Update its configuration too");
  fn->fallthrough();
  fn->callback([&ctx, opts] { run_deploy_function(ctx, *opts); });
  cmd->callback([&ctx, opts, fn] {
    if (!fn->parsed()) run_deploy(ctx, *opts);
  });
}

}  // namespace stratus
