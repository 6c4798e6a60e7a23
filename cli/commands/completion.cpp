// `stratus completion <shell>` prints a completion script; the hidden `stratus __complete`
// answers it. The scripts only relay words, so what completes is decided here, from the
// command tree itself (CLI11's subcommands and options) and from the few value lists below.
#include "cli/commands/completion.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <memory>
#include <string_view>

#include "cli/commands/commands.hpp"
#include "cli/context.hpp"
#include "cli/errors.hpp"
#include "cli/manifest/diagnostics.hpp"
#include "cli/run/sample_events.hpp"
#include "cli/scaffold/templates.hpp"
#include "emulator/common/embedded.hpp"

namespace stratus {

namespace {

struct ShellScript {
  std::string_view shell;
  std::string_view file;  // in embedded_completions()
};
constexpr ShellScript kScripts[] = {{"bash", "stratus.bash"}, {"fish", "stratus.fish"}, {"zsh", "_stratus"}};

// Values the binary can offer for an option's argument or a positional.
// (Function names for -f/--function will come from the manifest once Context::manifest() loads it.)
struct ValueSource {
  std::string_view command;  // the command path ("init", "invoke local"); "" for any command
  std::string_view option;   // "--long-name", or a positional's name
  std::vector<std::string> (*values)();
};
const ValueSource kValueSources[] = {
    {"init", "--template", [] { return scaffold::template_names(); }},
    {"", "--format",
     []() -> std::vector<std::string> {
       return {"yaml", "json"};
     }},
    {"completion", "shell", [] { return completion_shells(); }},
    {"trigger s3", "--event", [] { return run::s3_event_names(); }},
};

bool visible(const CLI::App* app) {
  return !app->get_name().empty() && !app->get_group().empty();
}

std::vector<const CLI::App*> subcommands(const CLI::App* app) {
  return app->get_subcommands([](const CLI::App* sub) { return visible(sub); });
}

const CLI::App* find_subcommand(const CLI::App* app, std::string_view word) {
  for (const auto* sub : subcommands(app))
    if (sub->get_name() == word) return sub;
  return nullptr;
}

// Flags expect no items (their type size is still 1).
bool takes_value(const CLI::Option* opt) {
  return opt->get_items_expected_max() > 0;
}

// The option named by "--long" or "-s" on app or, since options fall through, on its parents.
const CLI::Option* find_option(const CLI::App* app, std::string_view word) {
  bool is_long = word.starts_with("--");
  auto name = word.substr(is_long ? 2 : 1);
  for (; app != nullptr; app = app->get_parent()) {
    for (const auto* opt : app->get_options()) {
      const auto& names = is_long ? opt->get_lnames() : opt->get_snames();
      if (std::find(names.begin(), names.end(), name) != names.end()) return opt;
    }
  }
  return nullptr;
}

std::string command_path(const CLI::App* app) {
  std::string path;
  for (; app != nullptr && app->get_parent() != nullptr; app = app->get_parent())
    path = path.empty() ? app->get_name() : app->get_name() + " " + path;
  return path;
}

std::vector<std::string> values_for(const CLI::App* app, const CLI::Option* opt) {
  std::string key = opt->get_lnames().empty() ? opt->get_name(true) : "--" + opt->get_lnames()[0];
  std::string command = command_path(app);
  for (const auto& source : kValueSources)
    if (source.option == key && (source.command.empty() || source.command == command)) return source.values();
  return {};
}

// The option names offered after '-': the command's own, then the global ones.
std::vector<std::string> option_names(const CLI::App* app) {
  std::vector<std::string> out;
  for (; app != nullptr; app = app->get_parent()) {
    for (const auto* opt : app->get_options()) {
      if (opt->get_group().empty()) continue;  // hidden
      for (const auto& l : opt->get_lnames()) out.push_back("--" + l);
      for (const auto& s : opt->get_snames()) out.push_back("-" + s);
    }
  }
  return out;
}

std::vector<std::string> starting_with(const std::vector<std::string>& candidates, std::string_view prefix,
                                       std::string_view prepend = {}) {
  std::vector<std::string> out;
  for (const auto& c : candidates)
    if (c.starts_with(prefix) && std::find(out.begin(), out.end(), std::string(prepend) + c) == out.end())
      out.push_back(std::string(prepend) + c);
  return out;
}

std::string shell_list() {
  std::string list;
  for (const auto& s : completion_shells()) list += (list.empty() ? "" : ", ") + s;
  return list;
}

void print_script(Context& ctx, const std::string& shell) {
  for (const auto& s : kScripts) {
    if (s.shell != shell) continue;
    if (const auto* f = find_embedded(embedded_completions(), s.file)) return ctx.out().data(f->data);
  }
  if (shell.empty()) throw UserError("completion needs a shell: one of " + shell_list());
  throw UserError("no completion script for shell '" + shell + "'" +
                  manifest::did_you_mean_suffix(shell, completion_shells()) + "; the shells are " +
                  shell_list());
}

}  // namespace

std::vector<std::string> completion_shells() {
  std::vector<std::string> out;
  for (const auto& s : kScripts)
    if (find_embedded(embedded_completions(), s.file)) out.emplace_back(s.shell);
  return out;
}

std::vector<std::string> complete_words(const CLI::App& root, std::span<const std::string> words) {
  static const std::string kEmpty;
  const std::string& last = words.empty() ? kEmpty : words.back();
  auto before = words.empty() ? words : words.first(words.size() - 1);

  // Walk the words before the cursor: descend into subcommands, skip options and their values.
  const CLI::App* app = &root;
  const CLI::Option* pending = nullptr;  // an option whose value comes next
  std::size_t positionals = 0;
  bool only_positionals = false;  // after "--"
  for (const auto& w : before) {
    if (pending != nullptr) {
      if (w != "=") pending = nullptr;  // bash splits "--opt=value" into "--opt", "=", "value"
      continue;
    }
    if (!only_positionals && w == "--") {
      only_positionals = true;
    } else if (!only_positionals && w.size() > 1 && w[0] == '-') {
      bool attached = w.find('=') != std::string::npos || (w[1] != '-' && w.size() > 2);  // --o=v, -ov
      const auto* opt =
          find_option(app, attached && w[1] == '-' ? std::string_view(w).substr(0, w.find('=')) : w);
      if (opt != nullptr && takes_value(opt) && !attached) pending = opt;
    } else if (const auto* sub = only_positionals ? nullptr : find_subcommand(app, w)) {
      app = sub;
      positionals = 0;
    } else {
      ++positionals;
    }
  }

  std::string_view word = last;
  if (pending != nullptr) return starting_with(values_for(app, pending), word == "=" ? "" : word);
  if (!only_positionals && word.starts_with("-")) {
    if (auto eq = word.find('='); eq != std::string_view::npos && word.starts_with("--")) {
      const auto* opt = find_option(app, word.substr(0, eq));
      if (opt == nullptr || !takes_value(opt)) return {};
      return starting_with(values_for(app, opt), word.substr(eq + 1), word.substr(0, eq + 1));
    }
    return starting_with(option_names(app), word);
  }
  if (auto subs = subcommands(app); !subs.empty() && positionals == 0 && !only_positionals) {
    std::vector<std::string> names;
    for (const auto* sub : subs) names.push_back(sub->get_name());
    return starting_with(names, word);
  }
  auto positional_options = app->get_options([](const CLI::Option* o) { return !o->nonpositional(); });
  if (positional_options.empty()) return {};
  const auto* opt = positional_options[std::min(positionals, positional_options.size() - 1)];
  if (positionals >= positional_options.size() && opt->get_expected_max() <= 1) return {};
  return starting_with(values_for(app, opt), word);
}

void register_completion(CLI::App& app, Context& ctx) {
  auto shell = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("completion", "Print the shell completion script (" + shell_list() + ")");
  cmd->add_option("shell", *shell, "One of " + shell_list());
  cmd->callback([&ctx, shell] { print_script(ctx, *shell); });

  // Hidden (empty group): what the completion scripts call.
  auto words = std::make_shared<std::vector<std::string>>();
  auto* complete = app.add_subcommand("__complete", "Completion candidates for the last word")->group("");
  complete->add_option("words", *words);
  complete->callback([&ctx, &app, words] {
    std::string text;
    for (const auto& c : complete_words(app, *words)) text += c + "\n";
    ctx.out().data(text);
  });
}

}  // namespace stratus
