#include "cli/commands/remote_output.hpp"

#include "cli/context.hpp"
#include "cli/deploy/deployer.hpp"
#include "cli/deploy/remote.hpp"
#include "cli/ui/progress.hpp"
#include "emulator/common/json_writer.hpp"

namespace stratus::commands {

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

std::string where_to(const deploy::Remote& remote) {
  if (remote.is_platform()) return remote.endpoint + " (stratus serve)";
  if (!remote.endpoint.empty()) return remote.endpoint;
  // AWS_ENDPOINT_URL (moto, LocalStack) shows here; AWS itself is named as such.
  const std::string url = remote.client ? remote.client->endpoint("lambda").url : "";
  return url.empty() || url.ends_with(".amazonaws.com") ? "AWS" : url;
}

ui::ProgressStyle status_style(Context& ctx) {
  return ui::choose_status_style(ctx.out().interactive(), ctx.options.json || ctx.options.verbose);
}

void apply_with_progress(Context& ctx, const deploy::Plan& plan, std::vector<std::string>& applied) {
  ui::ProgressDisplay progress(stderr, ui::choose_progress_style(ctx.out().interactive(), ctx.options.json),
                               "applying", "steps");
  deploy::apply(
      plan,
      [&](std::size_t index, std::size_t total, const std::string& what) {
        progress.begin("[" + std::to_string(index + 1) + "/" + std::to_string(total) + "] " + what, 1);
      },
      [&](std::size_t index, const std::string& what, long long ms) {
        progress.end("[" + std::to_string(index + 1) + "/" + std::to_string(plan.size()) + "] " + what,
                     "  " + what + " (" + std::to_string(ms) + " ms)");
        applied.push_back(what);
      });
}

void write_strings(JsonWriter& w, const char* name, const std::vector<std::string>& items) {
  w.key(name).begin_array();
  for (const auto& s : items) w.value(s);
  w.end_array();
}

void write_endpoints(JsonWriter& w, const std::vector<deploy::Endpoint>& endpoints) {
  w.key("endpoints").begin_array();
  for (const auto& e : endpoints) {
    w.begin_object().key("kind").value(e.kind).key("function").value(e.function_key);
    w.key("description").value(e.description);
    w.key("url").text_or_null(e.url);
    w.end_object();
  }
  w.end_array();
}

std::string endpoint_lines(const std::vector<deploy::Endpoint>& endpoints) {
  if (endpoints.empty()) return "";
  std::string text = "endpoints:\n";
  for (const auto& e : endpoints)
    text += "  " + e.kind + " " + e.description + (e.url.empty() ? "" : " - " + e.url) + " (" +
            e.function_key + ")\n";
  return text;
}

}  // namespace stratus::commands
