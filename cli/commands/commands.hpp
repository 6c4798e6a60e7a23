#pragma once
// The command tree. Each command lives in its own file and exposes register_<name>(app, ctx);
// register_commands() calls them from one explicit list, so `--help` shows exactly what works.
namespace CLI {
class App;
}

namespace stratus {

class Context;

void register_print(CLI::App& app, Context& ctx);
void register_validate(CLI::App& app, Context& ctx);
void register_package(CLI::App& app, Context& ctx);
void register_init(CLI::App& app, Context& ctx);
void register_invoke(CLI::App& app, Context& ctx);
void register_offline(CLI::App& app, Context& ctx);
void register_serve(CLI::App& app, Context& ctx);
void register_trigger(CLI::App& app, Context& ctx);
void register_generate_event(CLI::App& app, Context& ctx);
void register_completion(CLI::App& app, Context& ctx);
void register_billing(CLI::App& app, Context& ctx);
void register_deploy(CLI::App& app, Context& ctx);
void register_info(CLI::App& app, Context& ctx);
void register_remove(CLI::App& app, Context& ctx);
void register_logs(CLI::App& app, Context& ctx);

// Parses argv, runs the chosen command and returns the process exit code (0 ok, 1 failure,
// 2 usage or manifest error). Every UserError ends up here and nowhere else.
int run_cli(int argc, char** argv);

}  // namespace stratus
