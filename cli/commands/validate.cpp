// stratus validate: every problem in the manifest at once; --json for CI annotations.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/commands/commands.hpp"
#include "cli/context.hpp"
#include "cli/errors.hpp"
#include "cli/manifest/emit.hpp"
#include "cli/manifest/manifest.hpp"

namespace stratus {

namespace {

manifest::Value problem_json(const manifest::Diagnostic& d) {
  using manifest::Value;
  Value p = Value::map();
  p.set("severity", Value(d.severity == manifest::Severity::Error ? "error" : "warning"));
  p.set("file", d.mark.file.empty() ? Value() : Value(d.mark.file));
  p.set("line", d.mark.known() ? Value(d.mark.line) : Value());
  p.set("column", d.mark.known() ? Value(d.mark.column) : Value());
  p.set("path", Value(d.path));
  p.set("message", Value(d.message));
  return p;
}

void run_validate(Context& ctx) {
  manifest::ManifestReport r = manifest::inspect_manifest(ctx.load_options());
  ctx.print_steps(r.steps);
  auto problems = r.diagnostics.sorted();
  std::size_t errors = r.diagnostics.error_count(), warnings = 0;
  for (const auto& d : problems) warnings += d.severity == manifest::Severity::Warning;

  if (ctx.options.json) {
    using manifest::Value;
    Value doc = Value::map();
    doc.set("valid", Value(errors == 0));
    doc.set("file", Value(r.display_name));
    doc.set("errors", Value(static_cast<std::int64_t>(errors)));
    doc.set("warnings", Value(static_cast<std::int64_t>(warnings)));
    Value list = Value::sequence();
    for (const auto& d : problems) list.push_back(problem_json(d));
    doc.set("problems", std::move(list));
    ctx.out().data(manifest::to_json(doc) + "\n");
  } else {
    for (const auto& d : problems)
      std::fputs(manifest::render(d, r.sources, ctx.out().color()).c_str(), stderr);
    if (errors == 0) {
      std::size_t events = 0;
      for (const auto& f : r.service->functions) events += f.events.size();
      ctx.out().info(r.display_name + " is valid: service " + r.service->name + ", " +
                     std::to_string(r.service->functions.size()) + " function(s), " + std::to_string(events) +
                     " event(s)" + (warnings ? ", " + std::to_string(warnings) + " warning(s)" : ""));
    } else {
      ctx.out().info(r.display_name.empty() ? "stratus: no manifest"
                                            : r.display_name + ": " + std::to_string(errors) + " error(s), " +
                                                  std::to_string(warnings) + " warning(s)");
    }
  }
  if (errors) ctx.exit_code = kExitUsage;
}

}  // namespace

void register_validate(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("validate", "Check the manifest and report every problem at once");
  cmd->callback([&ctx] { run_validate(ctx); });
}

}  // namespace stratus
