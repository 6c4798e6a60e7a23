// stratus info: the deployed service next to the manifest: each function deployed or not, its
// settings, whether its code is the local package's, its URL.
#include <CLI/CLI.hpp>

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

std::string code_state(const deploy::FunctionReport& f) {
  if (!f.deployed) return "-";
  if (!f.code_matches) return "unknown";
  return *f.code_matches ? "same as local" : "differs from local";
}

void run_info(Context& ctx, const deploy::RemoteFlags& flags) {
  const manifest::Service& service = ctx.manifest().service;
  auto& out = ctx.out();
  std::vector<std::string> warnings;
  // Packaging is incremental: unchanged zips are reused, so this only hashes what changed.
  deploy::Artifacts artifacts = deploy::package_artifacts(service, nullptr, warnings);
  // On a terminal a status line says which reads are under way; it is gone before the answer prints.
  ui::ProgressDisplay status(stderr, commands::status_style(ctx), "reading", "");
  status.begin("account", 0);
  deploy::Session session = deploy::open_session(service, ctx.options, flags);
  status.end("account", "");
  const deploy::Target& target = session.target;
  auto counted = [&status](const char* task) {
    return [&status, task](std::size_t done, std::size_t total) {
      if (done == 0) status.begin(task, total);
      status.advance(task, done);
      if (done == total) status.end(task, "");
    };
  };
  std::vector<deploy::FunctionReport> functions =
      deploy::describe_functions(target, service, artifacts, counted("functions"));
  const std::vector<deploy::Endpoint> endpoints =
      deploy::describe_triggers(target, service, counted("triggers"));
  if (ctx.options.json) {
    JsonWriter w;
    w.begin_object().key("service").value(service.name).key("stage").value(target.stage);
    w.key("region").value(target.region).key("endpoint").value(commands::where_to(session.remote));
    w.key("functions").begin_array();
    for (const auto& f : functions) {
      w.begin_object().key("key").value(f.key).key("name").value(f.name).key("deployed").value(f.deployed);
      if (f.deployed) {
        w.key("arn").value(f.arn).key("runtime").value(f.runtime).key("memorySize").value(f.memory_size);
        w.key("timeout").value(f.timeout).key("lastModified").value(f.last_modified);
        w.key("codeSha256").value(f.code_sha256);
        w.key("codeMatchesLocal").value(f.code_matches);
        w.key("reservedConcurrency").value(f.reserved_concurrency);
        w.key("url").text_or_null(f.url);
        w.key("provisionedConcurrency");
        if (f.provisioned_version.empty()) {
          w.null();
        } else {
          w.begin_object()
              .key("alias")
              .value(deploy::kProvisionedAlias)
              .key("version")
              .value(f.provisioned_version);
          if (f.provisioned) {
            w.key("requested")
                .value(f.provisioned->requested)
                .key("allocated")
                .value(f.provisioned->allocated);
            w.key("available").value(f.provisioned->available).key("status").value(f.provisioned->status);
          }
          w.end_object();
        }
      }
      w.end_object();
    }
    w.end_array();
    commands::write_endpoints(w, endpoints);
    w.end_object();
    out.data(w.str() + "\n");
    return;
  }
  std::string text = "service: " + service.name + "\nstage: " + target.stage + "\nregion: " + target.region +
                     "\nendpoint: " + commands::where_to(session.remote) + "\nfunctions:\n";
  for (const auto& f : functions) {
    text += "  " + f.key + " (" + f.name + "): ";
    if (!f.deployed) {
      text += "not deployed\n";
      continue;
    }
    text += "deployed, " + f.runtime + ", " + std::to_string(f.memory_size) + " MB, " +
            std::to_string(f.timeout) + " s, modified " + f.last_modified + ", code " + code_state(f) + "\n";
    if (!f.url.empty()) text += "    url: " + f.url + "\n";
    if (!f.provisioned_version.empty())
      text += "    provisioned concurrency: " +
              (f.provisioned ? std::to_string(f.provisioned->requested) + " (" + f.provisioned->status + ")"
                             : std::string("none set")) +
              " on alias " + deploy::kProvisionedAlias + " -> version " + f.provisioned_version + "\n";
  }
  out.data(text + commands::endpoint_lines(endpoints));
}

}  // namespace

void register_info(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<deploy::RemoteFlags>();
  auto* cmd = app.add_subcommand("info", "Show the deployed service: functions, settings, URLs");
  deploy::add_remote_flags(*cmd, *flags);
  cmd->callback([&ctx, flags] { run_info(ctx, *flags); });
}

}  // namespace stratus
