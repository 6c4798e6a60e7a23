// stratus print: the manifest after variables, like `sls print`.
#include <CLI/CLI.hpp>

#include "cli/commands/commands.hpp"
#include "cli/context.hpp"
#include "cli/errors.hpp"
#include "cli/manifest/emit.hpp"
#include "cli/manifest/manifest.hpp"

namespace stratus {

namespace {

struct PrintOptions {
  std::string format = "yaml";
  std::string path;
};

const manifest::Value& select(const manifest::Value& root, const std::string& path) {
  if (path.empty()) return root;
  const manifest::Value* cur = &root;
  std::string walked;
  for (const auto& seg : manifest::split_path(path)) {
    const manifest::Value* next = cur->is_map() || cur->is_sequence() ? cur->at_path(seg) : nullptr;
    if (!next) {
      std::vector<std::string> keys;
      if (cur->is_map())
        for (const auto& e : cur->entries()) keys.push_back(e.key);
      std::string where = walked.empty() ? "the manifest" : "'" + walked + "'";
      throw UserError("--path " + path + ": " + where + " has no '" + seg + "'" +
                      manifest::did_you_mean_suffix(seg, keys));
    }
    walked += (walked.empty() ? "" : ".") + seg;
    cur = next;
  }
  return *cur;
}

void run_print(Context& ctx, const PrintOptions& o) {
  const auto& m = ctx.manifest();
  const manifest::Value& v = select(m.resolved, o.path);
  std::string format = ctx.options.json ? "json" : o.format;
  if (format == "json") {
    ctx.out().data(manifest::to_json(v) + "\n");
  } else if (format == "text") {
    if (!v.is_scalar())
      throw UserError("--format text prints a single value; '" + (o.path.empty() ? "the manifest" : o.path) +
                      "' is " + manifest::kind_name(v.kind()) + ": use --format yaml or json");
    ctx.out().data(v.to_text() + "\n");
  } else {
    ctx.out().data(manifest::to_yaml(v));
  }
}

}  // namespace

void register_print(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<PrintOptions>();
  auto* cmd = app.add_subcommand("print", "Print the manifest with every variable resolved");
  cmd->add_option("--format", opts->format, "Output format")->check(CLI::IsMember({"yaml", "json", "text"}));
  cmd->add_option("--path", opts->path, "Print only this part, e.g. provider.environment");
  cmd->callback([&ctx, opts] { run_print(ctx, *opts); });
}

}  // namespace stratus
