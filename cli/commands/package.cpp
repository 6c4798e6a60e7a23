// stratus package: the service's deployment artifacts, reproducible and incremental.
#include <CLI/CLI.hpp>
#include <chrono>

#include "cli/commands/commands.hpp"
#include "cli/context.hpp"
#include "cli/manifest/emit.hpp"
#include "cli/manifest/manifest.hpp"
#include "cli/package/packager.hpp"
#include "cli/ui/progress.hpp"

namespace stratus {

namespace {

struct PackageCommandOptions {
  std::string directory;  // --package
};

std::string display_path(const std::filesystem::path& p, const std::filesystem::path& cwd) {
  auto rel = p.lexically_relative(cwd);
  return !rel.empty() && rel.native().rfind("..", 0) != 0 ? rel.string() : p.string();
}

manifest::Value artifact_json(const package::ArtifactResult& a, const std::filesystem::path& cwd) {
  using manifest::Value;
  Value v = Value::map();
  v.set("path", Value(display_path(a.path, cwd)));
  Value fns = Value::sequence();
  for (const auto& f : a.functions) fns.push_back(Value(f));
  v.set("functions", std::move(fns));
  v.set("size", Value(static_cast<std::int64_t>(a.size)));
  v.set("sha256", a.sha256.empty() ? Value() : Value(a.sha256));
  v.set("files", Value(static_cast<std::int64_t>(a.files)));
  v.set("reused", Value(a.reused));
  v.set("given", Value(a.given));
  return v;
}

void run_package(Context& ctx, const PackageCommandOptions& o) {
  using clock = std::chrono::steady_clock;
  auto t0 = clock::now();
  const auto& m = ctx.manifest();
  auto t1 = clock::now();
  auto ms = [](clock::duration d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  };

  const std::filesystem::path cwd = ctx.cwd();
  std::filesystem::path out_dir =
      o.directory.empty() ? m.service.dir / ".stratus" : std::filesystem::path(o.directory);
  if (out_dir.is_relative()) out_dir = cwd / out_dir;

  ui::ProgressDisplay progress(stderr, ui::choose_progress_style(ctx.out().interactive(), ctx.options.json));
  package::PackageResult result = package::package_service(m.service, out_dir, &progress);
  auto t2 = clock::now();
  ctx.out().verbose("packaged in " + std::to_string(ms(t2 - t1)) + " ms");
  for (const auto& w : result.warnings) ctx.out().warning(w);

  if (ctx.options.json) {
    using manifest::Value;
    Value doc = Value::map();
    doc.set("service", Value(m.service.name));
    doc.set("directory", Value(display_path(out_dir, cwd)));
    Value list = Value::sequence();
    for (const auto& a : result.artifacts) list.push_back(artifact_json(a, cwd));
    doc.set("artifacts", std::move(list));
    ctx.out().data(manifest::to_json(doc) + "\n");
    return;
  }
  // People read one line per artifact from the progress display (stderr), then this summary.
  std::size_t reused = 0;
  for (const auto& a : result.artifacts) reused += a.reused;
  ctx.out().info("packaged " + m.service.name + " into " + display_path(out_dir, cwd) +
                 "/: " + std::to_string(result.artifacts.size()) + " artifact(s), " + std::to_string(reused) +
                 " unchanged, in " + std::to_string(ms(t2 - t0)) + " ms");
}

}  // namespace

void register_package(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<PackageCommandOptions>();
  auto* cmd =
      app.add_subcommand("package", "Build the deployment zips (reproducible; unchanged ones are reused)");
  cmd->add_option("-p,--package", opts->directory,
                  "Output folder (default: .stratus/ in the service folder)");
  cmd->callback([&ctx, opts] { run_package(ctx, *opts); });
}

}  // namespace stratus
