// `stratus init`: a new service from one of the embedded templates.
//
// Where it goes mirrors `serverless create`: with --path, into that folder (created when
// missing); without, into the current folder. The service name defaults to the destination
// folder's name, made valid the way `serverless create` does it. Existing files are never
// overwritten, and the files are staged and renamed into place (cli/scaffold/write_tree.hpp).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands/commands.hpp"
#include "cli/context.hpp"
#include "cli/errors.hpp"
#include "cli/manifest/diagnostics.hpp"
#include "cli/scaffold/templates.hpp"
#include "cli/scaffold/write_tree.hpp"

namespace stratus {

namespace fs = std::filesystem;

namespace {

struct InitOptions {
  std::string template_name;
  std::string name;
  std::string path;
  bool list = false;
};

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : std::string(separator)) + item;
  return out;
}

// A path as a shell word, for the `cd` hint.
std::string shell_quote(const std::string& s) {
  if (!s.empty() &&
      s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./+:@%") ==
          std::string::npos)
    return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

void print_list(Context& ctx) {
  auto templates = scaffold::list_templates();
  if (ctx.options.json) {
    auto doc = nlohmann::json::array();
    for (const auto& t : templates) doc.push_back({{"name", t.name}, {"description", t.description}});
    ctx.out().data(doc.dump(2) + "\n");
    return;
  }
  std::size_t width = 0;
  for (const auto& t : templates) width = std::max(width, t.name.size());
  std::string text;
  for (const auto& t : templates)
    text += t.name + std::string(width + 2 - t.name.size(), ' ') + t.description + "\n";
  ctx.out().data(text);
}

std::string choose_service_name(const InitOptions& o, const fs::path& dest) {
  if (!o.name.empty()) {
    if (!scaffold::is_valid_service_name(o.name))
      throw UserError("invalid service name '" + o.name +
                      "': use letters, digits and hyphens, starting with a letter, 2 to " +
                      std::to_string(scaffold::kMaxServiceNameLength) + " characters");
    return o.name;
  }
  return scaffold::service_name_from_folder(dest.filename().string());
}

void refuse_conflicts(const std::vector<std::string>& conflicts, const fs::path& shown_dest) {
  if (conflicts.empty()) return;
  std::vector<std::string> shown;
  for (const auto& c : conflicts) shown.push_back("'" + (shown_dest / c).lexically_normal().string() + "'");
  if (shown.size() == 1)
    throw UserError(shown[0] +
                    " already exists and init never overwrites files; choose another --path or remove it");
  throw UserError(std::to_string(shown.size()) + " files already exist and init never overwrites files: " +
                  join(shown, ", ") + "; choose another --path or remove them");
}

void run_init(Context& ctx, const InitOptions& o) {
  if (o.list) {
    if (!o.template_name.empty() || !o.name.empty() || !o.path.empty())
      throw UserError("init --list takes no --template, --name or --path");
    return print_list(ctx);
  }

  auto names = scaffold::template_names();
  if (o.template_name.empty())
    throw UserError("init needs --template: one of " + join(names, ", ") +
                    " ('stratus init --list' describes them)");
  if (std::find(names.begin(), names.end(), o.template_name) == names.end())
    throw UserError("unknown template '" + o.template_name + "'" +
                    manifest::did_you_mean_suffix(o.template_name, names) + "; the templates are " +
                    join(names, ", "));

  // `shown` is the destination as the user wrote it (messages); `dest` is absolute (work, --json).
  fs::path shown = o.path.empty() ? fs::path(".") : fs::path(o.path);
  fs::path dest = (ctx.cwd() / shown).lexically_normal();
  if (dest.has_relative_path() && !dest.has_filename()) dest = dest.parent_path();  // "my-api/" -> "my-api"
  std::error_code ec;
  if (fs::exists(dest, ec) && !fs::is_directory(dest, ec))
    throw UserError("'" + shown.string() +
                    "' exists and is not a folder; choose another --path or remove it");

  std::string service = choose_service_name(o, dest);
  auto files = scaffold::render_template(o.template_name, service);
  refuse_conflicts(scaffold::find_conflicts(dest, *files), shown);
  scaffold::write_tree(dest, *files);

  std::vector<std::string> paths;
  for (const auto& f : *files) paths.push_back(f.path);
  if (ctx.options.json)
    ctx.out().data(
        nlohmann::json{
            {"path", dest.string()}, {"template", o.template_name}, {"service", service}, {"files", paths}}
            .dump(2) +
        "\n");

  auto& out = ctx.out();
  out.info("Created " + o.template_name + " service '" + out.bold(service) + "' in " +
           (o.path.empty() ? std::string("the current folder") : shell_quote(o.path)) + " (" +
           std::to_string(paths.size()) + " files)");
  out.info("Next steps:");
  if (std::error_code same_ec; !fs::equivalent(dest, ctx.cwd(), same_ec))
    out.info("  cd " + shell_quote(o.path));
  out.info("  stratus print      # the manifest, resolved");
  out.info("  stratus package    # the deployment zip");
}

}  // namespace

void register_init(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<InitOptions>();
  auto names = join(scaffold::template_names(), ", ");
  auto* cmd = app.add_subcommand("init", "Create a service from a template (" + names + ")");
  cmd->add_option("-t,--template", opts->template_name, "Template: " + names + " (required)");
  cmd->add_option("-n,--name", opts->name, "Service name (default: the folder's name)");
  cmd->add_option("-p,--path", opts->path, "Folder to create the service in (default: this one)");
  cmd->add_flag("--list", opts->list, "List the templates");
  cmd->callback([&ctx, opts] { run_init(ctx, *opts); });
}

}  // namespace stratus
