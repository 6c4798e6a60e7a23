// stratus billing: what the invocations recorded in the ledger would cost on AWS Lambda, per
// function and in total, and optionally a month projected at a request rate.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands/commands.hpp"
#include "cli/context.hpp"
#include "cli/errors.hpp"
#include "cli/manifest/diagnostics.hpp"
#include "cli/manifest/manifest.hpp"
#include "emulator/billing/report.hpp"
#include "emulator/common/clock.hpp"
#include "emulator/common/since.hpp"
#include "emulator/common/utc_time.hpp"
#include "emulator/store/store.hpp"

namespace stratus {

namespace {

struct BillingCommandOptions {
  std::string function;  // --function/-f: a manifest key or a deployed name
  std::string monthly;   // --monthly RATE
  std::string since;     // --since 1h | ISO time
};

std::string fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

std::string usd(double value, int decimals) {
  return "$" + fixed(value, decimals);
}

std::string format_ms_time(std::int64_t unix_ms) {
  return format_iso8601(unix_ms / 1000);
}

// Columns padded to their widest cell: the first left-aligned, the rest right-aligned.
std::string render_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      const std::string pad(widths[c] - row[c].size(), ' ');
      if (c > 0) line += "  ";
      line += c == 0 ? row[c] + pad : pad + row[c];
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

// --- the inputs -----------------------------------------------------------------------------

// The deployed name a --function argument means: a manifest key maps to its function's name,
// anything else is taken as a deployed name.
std::string resolve_function(const manifest::Service& service, const std::string& given) {
  if (const manifest::Function* f = service.find_function(given)) return f->name;
  return given;
}

void check_known_function(const manifest::Service& service, const std::string& given,
                          const std::vector<billing::LedgerRow>& all_rows) {
  std::vector<std::string> names;
  for (const auto& f : service.functions) {
    if (f.key == given || f.name == given) return;
    names.push_back(f.key);
  }
  for (const auto& row : all_rows)
    if (row.function == given) return;  // a function since removed from the manifest
  throw UserError("--function: unknown function '" + given + "'" +
                  manifest::did_you_mean_suffix(given, names) +
                  "; the functions are listed by 'stratus print --path functions'");
}

// --- JSON -----------------------------------------------------------------------------------

nlohmann::ordered_json cost_json(const billing::MonthlyCost& c) {
  return {{"requests", c.requests},
          {"x86_64_duration", c.x86_64_duration},
          {"arm64_duration", c.arm64_duration},
          {"ephemeral", c.ephemeral},
          {"total", c.total()}};
}

nlohmann::ordered_json stats_json(const billing::InvocationStats& s) {
  return {{"invocations", s.invocations},
          {"errors", s.errors},
          {"throttles", s.throttles},
          {"cold_starts", s.cold_starts},
          {"duration_ms", {{"p50", s.p50_ms}, {"p95", s.p95_ms}, {"p99", s.p99_ms}}},
          {"avg_billed_ms", s.avg_billed_ms},
          {"billed_ms", s.billed_ms},
          {"gb_seconds", s.gb_seconds},
          {"cost_usd", cost_json(s.cost)},
          {"cost_free_tier_usd", cost_json(s.cost_free_tier)}};
}

nlohmann::ordered_json projection_json(const billing::MonthlyProjection& p) {
  nlohmann::ordered_json functions = nlohmann::ordered_json::array();
  for (const auto& f : p.functions)
    functions.push_back(
        {{"function", f.function},
         {"requests_per_second", f.requests_per_second},
         {"requests", f.projection.usage.requests},
         {"gb_seconds", f.projection.usage.x86_64_gb_seconds + f.projection.usage.arm64_gb_seconds},
         {"cost_usd", cost_json(f.projection.cost)}});
  return {{"requests_per_second", p.requests_per_second},
          {"seconds", billing::seconds_per_month},
          {"requests", p.usage.requests},
          {"gb_seconds", p.usage.x86_64_gb_seconds + p.usage.arm64_gb_seconds},
          {"functions", std::move(functions)},
          {"cost_usd", cost_json(p.cost)},
          {"cost_free_tier_usd", cost_json(p.cost_free_tier)}};
}

std::string report_json(const billing::Report& report,
                        const std::optional<billing::MonthlyProjection>& projection,
                        const std::optional<std::string>& function, std::optional<std::int64_t> since,
                        const billing::PriceTable& prices) {
  nlohmann::ordered_json functions = nlohmann::ordered_json::array();
  for (const auto& f : report.functions) {
    nlohmann::ordered_json j = {{"function", f.function},
                                {"memory_mb", f.memory_mb},
                                {"architecture", std::string(billing::architecture_name(f.architecture))}};
    j.update(stats_json(f.stats));
    functions.push_back(std::move(j));
  }
  nlohmann::ordered_json doc = {
      {"prices", {{"region", prices.region}, {"as_of", prices.as_of}}},
      {"function", function ? nlohmann::ordered_json(*function) : nullptr},
      {"since_unix_ms", since ? nlohmann::ordered_json(*since) : nullptr},
      {"first_start_unix_ms",
       report.functions.empty() ? nullptr : nlohmann::ordered_json(report.first_start_unix_ms)},
      {"last_start_unix_ms",
       report.functions.empty() ? nullptr : nlohmann::ordered_json(report.last_start_unix_ms)},
      {"functions", std::move(functions)},
      {"total", stats_json(report.total)},
      {"projection", projection ? projection_json(*projection) : nullptr}};
  return doc.dump(2) + "\n";
}

// --- the table ------------------------------------------------------------------------------

std::vector<std::string> stats_cells(const std::string& name, const billing::InvocationStats& s) {
  return {name,
          std::to_string(s.invocations),
          std::to_string(s.errors),
          std::to_string(s.throttles),
          std::to_string(s.cold_starts),
          fixed(s.p50_ms, 2),
          fixed(s.p95_ms, 2),
          fixed(s.p99_ms, 2),
          fixed(s.avg_billed_ms, 1),
          fixed(s.gb_seconds, 3),
          usd(s.cost.total(), 7)};
}

std::string report_text(const billing::Report& report,
                        const std::optional<billing::MonthlyProjection>& projection,
                        const std::string& rate_text, const billing::PriceTable& prices) {
  std::string out = "Lambda cost of " + std::to_string(report.total.invocations + report.total.throttles) +
                    " recorded request(s), " + format_ms_time(report.first_start_unix_ms) + " to " +
                    format_ms_time(report.last_start_unix_ms) + " (prices: " + prices.region + ", as of " +
                    prices.as_of + ")\n\n";
  std::vector<std::vector<std::string>> rows{{"FUNCTION", "INVOCATIONS", "ERRORS", "THROTTLES", "COLD",
                                              "P50 MS", "P95 MS", "P99 MS", "AVG BILLED MS", "GB-S", "COST"}};
  for (const auto& f : report.functions) rows.push_back(stats_cells(f.function, f.stats));
  rows.push_back(stats_cells("total", report.total));
  out += render_table(rows);
  out += "\nAt list price " + usd(report.total.cost.total(), 7) + "; within the monthly free tier " +
         usd(report.total.cost_free_tier.total(), 7) + ".\n";
  if (!projection) return out;

  const auto& p = *projection;
  out += "\nProjected 30-day month at " + rate_text + " (" + fixed(p.requests_per_second, 3) +
         " requests/s, split by the measured mix):\n\n";
  std::vector<std::vector<std::string>> prows{{"FUNCTION", "REQUESTS/S", "REQUESTS", "GB-S", "COST"}};
  for (const auto& f : p.functions)
    prows.push_back({f.function, fixed(f.requests_per_second, 3), fixed(f.projection.usage.requests, 0),
                     fixed(f.projection.usage.x86_64_gb_seconds + f.projection.usage.arm64_gb_seconds, 1),
                     usd(f.projection.cost.total(), 2)});
  prows.push_back({"total", fixed(p.requests_per_second, 3), fixed(p.usage.requests, 0),
                   fixed(p.usage.x86_64_gb_seconds + p.usage.arm64_gb_seconds, 1), usd(p.cost.total(), 2)});
  out += render_table(prows);
  out += "\nAt list price " + usd(p.cost.total(), 2) + " a month; with the monthly free tier " +
         usd(p.cost_free_tier.total(), 2) + ".\n";
  return out;
}

// --- the command ----------------------------------------------------------------------------

void run_billing(Context& ctx, const BillingCommandOptions& o) {
  // The arguments first, so a typo is reported before any file is read.
  std::optional<double> rate;
  if (!o.monthly.empty()) {
    const billing::RateParse parsed = billing::parse_rate(o.monthly);
    if (!parsed.per_second) throw UserError("--monthly: " + parsed.error);
    rate = parsed.per_second;
  }
  std::optional<std::int64_t> since;
  if (!o.since.empty()) {
    const SinceParse parsed = parse_since(o.since, unix_ms_now());
    if (!parsed.unix_ms) throw UserError("--since: " + parsed.error);
    since = parsed.unix_ms;
  }

  const manifest::Service& service = ctx.manifest().service;
  const std::filesystem::path db_path = store::stratus_db_path(service.dir);
  const billing::PriceTable& prices = billing::us_east_1_prices();
  std::optional<std::string> function;
  if (!o.function.empty()) function = resolve_function(service, o.function);

  std::vector<billing::LedgerRow> rows;
  if (std::filesystem::exists(db_path)) {  // reading never creates the state folder
    store::Store store(db_path);
    rows = store.ledger_rows(function, since);
    if (function && rows.empty()) check_known_function(service, o.function, store.ledger_rows());
  } else if (function) {
    check_known_function(service, o.function, {});
  }

  const billing::Report report = billing::build_report(rows, prices);
  std::optional<billing::MonthlyProjection> projection;
  if (rate && !rows.empty()) projection = billing::project_report(report, *rate, prices);

  if (ctx.options.json) ctx.out().data(report_json(report, projection, function, since, prices));
  if (rows.empty()) {
    const std::string which = function ? "no invocations of " + *function : std::string("no invocations");
    ctx.out().info(which + " recorded yet; run stratus invoke local or stratus offline");
    return;
  }
  if (!ctx.options.json) ctx.out().data(report_text(report, projection, o.monthly, prices));
}

}  // namespace

void register_billing(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<BillingCommandOptions>();
  auto* cmd = app.add_subcommand("billing", "What the recorded invocations would cost on AWS Lambda");
  cmd->add_option("-f,--function", opts->function, "Only this function (manifest key or deployed name)")
      ->type_name("FN");
  cmd->add_option("--monthly", opts->monthly,
                  "Project a 30-day month at a request rate: 50/s, 3000/min, 1e6/month")
      ->type_name("RATE");
  cmd->add_option("--since", opts->since, "Only invocations since a span ago (30m, 1h, 2d) or a UTC time")
      ->type_name("SPAN|TIME");
  cmd->callback([&ctx, opts] { run_billing(ctx, *opts); });
}

}  // namespace stratus
