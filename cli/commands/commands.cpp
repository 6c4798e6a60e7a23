#include "cli/commands/commands.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "cli/context.hpp"
#include "cli/errors.hpp"
#include "cli/manifest/diagnostics.hpp"

#ifndef STRATUS_VERSION
#define STRATUS_VERSION "0.0.0"
#endif

namespace stratus {

namespace {

void add_global_options(CLI::App& app, GlobalOptions& o) {
  app.add_option("-c,--config", o.config, "Manifest file (default: serverless.yml, .yaml or .json here)");
  app.add_option("-s,--stage", o.stage, "Stage (default: provider.stage, else dev)");
  app.add_option("-r,--region", o.region, "Region (default: provider.region, else us-east-1)");
  app.add_option("--param", o.params, "Parameter for ${param:key}, as key=value (repeatable)")
      ->type_name("KEY=VALUE");
  app.add_flag("--json", o.json, "Machine-readable output on stdout");
  app.add_flag("--verbose", o.verbose, "Print each step with its timing");
  app.add_flag("--no-color", o.no_color, "No colours (also when NO_COLOR is set)");
}

std::vector<std::string> command_names(const CLI::App& app) {
  std::vector<std::string> out;
  // Hidden commands (empty group, like __complete) are never suggested.
  for (const auto* sub : app.get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); }))
    out.push_back(sub->get_name());
  return out;
}

}  // namespace

int run_cli(int argc, char** argv) {
  Context ctx;
  CLI::App app{"stratus: serverless.yml projects, packaged and run like AWS Lambda", "stratus"};
  app.set_version_flag("--version", "stratus " STRATUS_VERSION);
  app.fallthrough();  // global options are accepted after the command name too
  app.require_subcommand(1);
  add_global_options(app, ctx.options);

  // The commands, in the order --help lists them.
  register_init(app, ctx);
  register_validate(app, ctx);
  register_print(app, ctx);
  register_package(app, ctx);
  register_invoke(app, ctx);
  register_offline(app, ctx);
  register_trigger(app, ctx);
  register_generate_event(app, ctx);
  register_billing(app, ctx);
  register_deploy(app, ctx);
  register_info(app, ctx);
  register_remove(app, ctx);
  register_logs(app, ctx);
  register_serve(app, ctx);
  register_completion(app, ctx);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // An unknown command gets a suggestion instead of CLI11's generic "not expected".
    if (app.get_subcommands().empty() && argc > 1 && argv[1][0] != '-') {
      auto names = command_names(app);
      std::fprintf(stderr, "stratus: error: unknown command '%s'%s\nRun 'stratus --help' for the commands.\n",
                   argv[1], manifest::did_you_mean_suffix(argv[1], names).c_str());
      return kExitUsage;
    }
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::RequiredError) &&
        app.get_subcommands().empty()) {
      // No command: either a mistyped option ("--versio") or nothing at all.
      for (const std::string& extra : app.remaining()) {
        if (extra.rfind("-", 0) != 0) continue;
        std::vector<std::string> options;
        for (const auto* opt : app.get_options()) options.push_back(opt->get_name(false, true));
        std::fprintf(stderr, "stratus: error: unknown option '%s'%s\nRun 'stratus --help' for the options.\n",
                     extra.c_str(), manifest::did_you_mean_suffix(extra, options).c_str());
        return kExitUsage;
      }
      std::cerr << app.help();
      return kExitUsage;
    }
    std::fprintf(stderr, "stratus: error: %s\n", e.what());
    return kExitUsage;
  } catch (const UserError& e) {
    // Commands run inside parse(); whatever ends one is reported here, once.
    if (e.diagnostics().empty()) {
      std::fprintf(stderr, "stratus: error: %s\n", e.what());
    } else {
      bool color = ui::should_color(ctx.options.no_color, stderr);
      for (const auto& d : e.diagnostics())
        std::fputs(manifest::render(d, e.sources(), color).c_str(), stderr);
      std::size_t errors = 0;
      for (const auto& d : e.diagnostics()) errors += d.severity == manifest::Severity::Error;
      std::fprintf(stderr, "stratus: %zu error%s in the manifest\n", errors, errors == 1 ? "" : "s");
    }
    return e.exit_code();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "stratus: error: %s\n", e.what());
    return kExitFailure;
  }
  return ctx.exit_code;
}

}  // namespace stratus
