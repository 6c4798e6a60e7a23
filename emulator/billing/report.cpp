#include "emulator/billing/report.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

namespace stratus::billing {

namespace {

Architecture parse_architecture(std::string_view name) {
  return name == "arm64" ? Architecture::arm64 : Architecture::x86_64;
}

bool is_failure(Outcome outcome) {
  return outcome == Outcome::error || outcome == Outcome::timeout || outcome == Outcome::oom;
}

// Accumulates rows into InvocationStats; finish() derives the averages, percentiles and costs.
class Accumulator {
 public:
  void add(const LedgerRow& row) {
    if (row.outcome == Outcome::throttled) {
      ++m_stats.throttles;
      return;
    }
    ++m_stats.invocations;
    m_stats.errors += is_failure(row.outcome);
    m_stats.cold_starts += row.cold;
    m_durations.push_back(row.duration_ms);
    m_stats.billed_ms += row.billed_ms;
    const double gb_s = gb_seconds(row.memory_mb, row.billed_ms);
    m_stats.gb_seconds += gb_s;
    if (parse_architecture(row.architecture) == Architecture::arm64) {
      m_stats.usage.arm64_gb_seconds += gb_s;
    } else {
      m_stats.usage.x86_64_gb_seconds += gb_s;
    }
  }

  InvocationStats finish(const PriceTable& prices) {
    m_stats.usage.requests = static_cast<double>(m_stats.invocations);
    if (m_stats.invocations > 0)
      m_stats.avg_billed_ms =
          static_cast<double>(m_stats.billed_ms) / static_cast<double>(m_stats.invocations);
    std::sort(m_durations.begin(), m_durations.end());
    m_stats.p50_ms = percentile(m_durations, 50);
    m_stats.p95_ms = percentile(m_durations, 95);
    m_stats.p99_ms = percentile(m_durations, 99);
    m_stats.cost = monthly_cost(m_stats.usage, prices, false);
    m_stats.cost_free_tier = monthly_cost(m_stats.usage, prices, true);
    return m_stats;
  }

 private:
  InvocationStats m_stats;
  std::vector<double> m_durations;
};

void add_usage(MonthlyUsage& sum, const MonthlyUsage& part) {
  sum.requests += part.requests;
  sum.x86_64_gb_seconds += part.x86_64_gb_seconds;
  sum.arm64_gb_seconds += part.arm64_gb_seconds;
  sum.ephemeral_gb_seconds += part.ephemeral_gb_seconds;
}

std::optional<double> seconds_per_unit(std::string_view unit) {
  if (unit == "s" || unit == "sec" || unit == "second") return 1.0;
  if (unit == "min" || unit == "minute") return 60.0;
  if (unit == "h" || unit == "hour") return 3600.0;
  if (unit == "day") return 86400.0;
  if (unit == "month") return seconds_per_month;
  return std::nullopt;
}

}  // namespace

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  if (!std::is_sorted(values.begin(), values.end())) std::sort(values.begin(), values.end());
  const double rank = std::clamp(p, 0.0, 100.0) / 100.0 * static_cast<double>(values.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(rank));
  const std::size_t above = std::min(below + 1, values.size() - 1);
  const double fraction = rank - static_cast<double>(below);
  return values[below] + (values[above] - values[below]) * fraction;
}

Report build_report(std::span<const LedgerRow> rows, const PriceTable& prices) {
  Report report;
  std::map<std::string, Accumulator, std::less<>> per_function;
  std::map<std::string, const LedgerRow*, std::less<>> latest;
  Accumulator total;
  for (const LedgerRow& row : rows) {
    per_function[row.function].add(row);
    total.add(row);
    const LedgerRow*& last = latest[row.function];
    if (!last || row.start_unix_ms >= last->start_unix_ms) last = &row;
    const bool first = &row == rows.data();
    if (first || row.start_unix_ms < report.first_start_unix_ms)
      report.first_start_unix_ms = row.start_unix_ms;
    if (first || row.start_unix_ms > report.last_start_unix_ms) report.last_start_unix_ms = row.start_unix_ms;
  }
  for (auto& [name, acc] : per_function) {
    FunctionReport f;
    f.function = name;
    f.memory_mb = latest[name]->memory_mb;
    f.architecture = parse_architecture(latest[name]->architecture);
    f.stats = acc.finish(prices);
    report.functions.push_back(std::move(f));
  }
  report.total = total.finish(prices);
  return report;
}

MonthlyProjection project_report(const Report& report, double requests_per_second, const PriceTable& prices) {
  MonthlyProjection out;
  out.requests_per_second =
      std::isfinite(requests_per_second) && requests_per_second > 0 ? requests_per_second : 0;
  const auto measured = static_cast<double>(report.total.invocations);
  for (const FunctionReport& f : report.functions) {
    FunctionProjection p;
    p.function = f.function;
    if (measured > 0)
      p.requests_per_second = out.requests_per_second * static_cast<double>(f.stats.invocations) / measured;
    Workload w;
    w.avg_billed_ms = f.stats.avg_billed_ms;
    w.memory_mb = f.memory_mb;
    w.architecture = f.architecture;
    w.requests_per_second = p.requests_per_second;
    p.projection = project_monthly(w, prices, false);
    add_usage(out.usage, p.projection.usage);
    out.functions.push_back(std::move(p));
  }
  out.cost = monthly_cost(out.usage, prices, false);
  out.cost_free_tier = monthly_cost(out.usage, prices, true);
  return out;
}

RateParse parse_rate(std::string_view text) {
  const std::string expected = "expected RATE/UNIT such as 50/s (got '" + std::string(text) + "')";
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return {std::nullopt, expected};
  const std::string_view number = text.substr(0, slash);
  const std::string_view unit = text.substr(slash + 1);
  double value = 0;
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (number.empty() || ec != std::errc() || end != number.data() + number.size())
    return {std::nullopt, expected};
  if (!std::isfinite(value) || value < 0)
    return {std::nullopt, "the rate must be a number at or above 0 (got '" + std::string(text) + "')"};
  const auto seconds = seconds_per_unit(unit);
  if (!seconds)
    return {std::nullopt, "unknown unit '" + std::string(unit) + "' in '" + std::string(text) +
                              "' (use s, min, h, day or month)"};
  return {value / *seconds, ""};
}

}  // namespace stratus::billing
