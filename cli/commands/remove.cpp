// stratus remove: deletes what this service and stage deployed, found by its tags, and nothing else.
#include <CLI/CLI.hpp>

#include "cli/commands/commands.hpp"
#include "cli/commands/remote_output.hpp"
#include "cli/context.hpp"
#include "cli/deploy/deployer.hpp"
#include "cli/manifest/manifest.hpp"
#include "emulator/common/json_writer.hpp"

namespace stratus {

namespace {

void run_remove(Context& ctx, const deploy::RemoteFlags& flags) {
  const auto t0 = std::chrono::steady_clock::now();
  const manifest::Service& service = ctx.manifest().service;
  auto& out = ctx.out();
  deploy::Session session = deploy::open_session(service, ctx.options, flags);
  const deploy::Target& target = session.target;
  deploy::Plan plan = deploy::plan_remove(target, service);
  if (!ctx.options.json)
    out.info(out.bold("stratus remove") + ": " + service.name + " (stage " + target.stage + ", region " +
             target.region + ") from " + commands::where_to(session.remote));
  std::vector<std::string> applied;
  commands::apply_with_progress(ctx, plan, applied);
  const long long ms = static_cast<long long>(commands::ms_since(t0));
  if (ctx.options.json) {
    JsonWriter w;
    w.begin_object().key("service").value(service.name).key("stage").value(target.stage);
    w.key("region").value(target.region);
    commands::write_strings(w, "actions", applied);
    w.key("ms").value(static_cast<std::int64_t>(ms)).end_object();
    out.data(w.str() + "\n");
    return;
  }
  if (plan.empty())
    out.info("nothing to remove: no function or role of " + service.name + " (stage " + target.stage + ")");
  else
    out.info("removed " + service.name + ": " + std::to_string(plan.size()) + " deletion(s) in " +
             std::to_string(ms) + " ms");
}

}  // namespace

void register_remove(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<deploy::RemoteFlags>();
  auto* cmd = app.add_subcommand("remove", "Delete what `stratus deploy` created for this service and stage");
  deploy::add_remote_flags(*cmd, *flags);
  cmd->callback([&ctx, flags] { run_remove(ctx, *flags); });
}

}  // namespace stratus
