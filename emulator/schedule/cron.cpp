#include "emulator/schedule/cron.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace stratus::schedule {
namespace {

enum class Names { none, months, week_days };

struct Field {
  std::string_view name;
  int lo;
  int hi;
  int max_step;
  Names names;
  bool cyclic;               // a reversed range wraps around (22-2 hours); not for years
  std::string_view allowed;  // the AWS documentation's table row, for "cannot read" errors
};

constexpr int minutes_field = 0, hours_field = 1, day_of_month_field = 2, month_field = 3,
              day_of_week_field = 4, year_field = 5;

constexpr std::array<Field, 6> fields = {{
    {"minutes", 0, 59, 59, Names::none, true, "0-59 and , - * /"},
    {"hours", 0, 23, 23, Names::none, true, "0-23 and , - * /"},
    {"day-of-month", 1, 31, 31, Names::none, true, "1-31 and , - * ? / L W"},
    {"month", 1, 12, 12, Names::months, true, "1-12, JAN-DEC and , - * /"},
    {"day-of-week", 1, 7, 7, Names::week_days, true, "1-7, SUN-SAT and , - * ? / L #"},
    {"year", first_cron_year, last_cron_year, last_cron_year - first_cron_year, Names::none, false,
     "1970-2199 and , - * /"},
}};

constexpr std::array<std::string_view, 12> month_names = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                          "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr std::array<std::string_view, 7> week_day_names = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

using ValueSet = std::bitset<last_cron_year - first_cron_year + 1>;  // bit v - field.lo; the widest field

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_digit(c)) return false;
  return true;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

// Parses one field. The work is done on an upper-cased copy (names and L/W are
// case-insensitive); messages quote the user's own spelling of the piece they are about.
// Failures leave the message in error() and return nullopt or false.
class FieldParser {
 public:
  FieldParser(const Field& field, std::string_view raw) : m_field(field), m_raw(raw), m_text(upper(raw)) {}

  std::string_view text() const { return m_text; }
  const std::string& error() const { return m_error; }

  std::optional<ValueSet> parse_list(std::string_view list) {
    ValueSet set;
    std::size_t start = 0;
    while (true) {
      const std::size_t comma = list.find(',', start);
      const std::string_view item = list.substr(start, comma == list.npos ? list.npos : comma - start);
      if (item.empty())
        return fail(std::string(m_field.name) + " has an empty value in '" + original(list) + "'");
      if (!add_item(item, set)) return std::nullopt;
      if (comma == list.npos) break;
      start = comma + 1;
    }
    return set;
  }

  // A value: digits, or a month or day name where the field has them. `item` is the list item
  // it came from, quoted when the token cannot be read at all.
  std::optional<int> read_value(std::string_view token, std::string_view item) {
    if (all_digits(token)) {
      // Seven digits or more are out of every range; cap before converting so nothing overflows.
      int value = m_field.hi + 1;
      if (token.size() <= 6) value = std::stoi(std::string(token));
      if (value < m_field.lo || value > m_field.hi) return fail(range_message(token));
      return value;
    }
    if (m_field.names == Names::months)
      for (std::size_t i = 0; i < month_names.size(); ++i)
        if (token == month_names[i]) return static_cast<int>(i) + 1;
    if (m_field.names == Names::week_days)
      for (std::size_t i = 0; i < week_day_names.size(); ++i)
        if (token == week_day_names[i]) return static_cast<int>(i) + 1;
    return fail(cannot_read(item));
  }

  std::string cannot_read(std::string_view item) const {
    return std::string(m_field.name) + ": cannot read '" + original(item) +
           "' (allowed: " + std::string(m_field.allowed) + ")";
  }

  // The user's spelling of `piece`, a view into text().
  std::string original(std::string_view piece) const {
    return std::string(m_raw.substr(static_cast<std::size_t>(piece.data() - m_text.data()), piece.size()));
  }

  std::nullopt_t fail(std::string message) {
    m_error = std::move(message);
    return std::nullopt;
  }

 private:
  bool reject(std::string message) {
    m_error = std::move(message);
    return false;
  }

  std::string range_message(std::string_view got) const {
    std::string allowed = std::to_string(m_field.lo) + "-" + std::to_string(m_field.hi);
    if (m_field.names == Names::months) allowed += " or JAN-DEC";
    if (m_field.names == Names::week_days) allowed += " or SUN-SAT";
    return std::string(m_field.name) + " must be " + allowed + " (got " + original(got) + ")";
  }

  // `*`, `a`, `a-b`, each optionally followed by `/step`.
  bool add_item(std::string_view item, ValueSet& set) {
    const std::size_t slash = item.find('/');
    const std::string_view base = item.substr(0, slash);
    int step = 1;
    if (slash != item.npos) {
      const std::string_view step_text = item.substr(slash + 1);
      if (!all_digits(step_text)) return reject(cannot_read(item));
      const int max = m_field.max_step;
      step = step_text.size() > 6 ? max + 1 : std::stoi(std::string(step_text));
      if (step < 1 || step > max)
        return reject(std::string(m_field.name) + " step must be 1-" + std::to_string(max) + " (got " +
                      original(step_text) + ")");
    }
    int first = m_field.lo;
    int last = m_field.hi;
    if (base != "*") {
      const std::size_t dash = base.find('-');
      const auto a = read_value(base.substr(0, dash), item);
      if (!a) return false;
      first = *a;
      last = slash == item.npos ? first : m_field.hi;  // `a/n` runs to the field's end
      if (dash != base.npos) {
        const auto b = read_value(base.substr(dash + 1), item);
        if (!b) return false;
        last = *b;
        if (last < first && !m_field.cyclic)
          return reject(std::string(m_field.name) + " range " + original(base) + " is reversed; write " +
                        std::to_string(last) + "-" + std::to_string(first));
      }
    }
    // A reversed range of a cyclic field runs past the end and wraps to the start.
    const int span = m_field.hi - m_field.lo + 1;
    const int count = (last >= first ? last - first : last - first + span) + 1;
    for (int i = 0; i < count; i += step) set.set(static_cast<std::size_t>((first - m_field.lo + i) % span));
    return true;
  }

  const Field& m_field;
  std::string_view m_raw;
  std::string m_text;
  std::string m_error;
};

// What one of the two day fields says: `?`, or a rule for the days it selects.
struct DayField {
  bool question = false;
  DayRule rule;
};

std::optional<DayField> parse_day_of_month(FieldParser& p) {
  const std::string_view text = p.text();
  DayField out;
  if (text == "?") {
    out.question = true;
  } else if (text == "L") {
    out.rule.kind = DayRule::Kind::last_day;
  } else if (text == "LW") {
    out.rule.kind = DayRule::Kind::last_weekday;
  } else if (text.ends_with('W')) {
    const std::string_view day = text.substr(0, text.size() - 1);
    if (!all_digits(day))
      return p.fail("day-of-month 'W' needs one day before it, e.g. 15W (got '" + p.original(text) + "')");
    const auto n = p.read_value(day, text);
    if (!n) return std::nullopt;
    out.rule.kind = DayRule::Kind::nearest_weekday;
    out.rule.day = *n;
  } else if (text.find_first_of("LW") != text.npos) {
    return p.fail(p.cannot_read(text));
  } else {
    const auto set = p.parse_list(text);
    if (!set) return std::nullopt;
    for (int d = 1; d <= 31; ++d)
      if (set->test(static_cast<std::size_t>(d - 1))) out.rule.mask |= 1u << d;
  }
  return out;
}

std::optional<DayField> parse_day_of_week(FieldParser& p) {
  const std::string_view text = p.text();
  DayField out;
  if (text == "?") {
    out.question = true;
  } else if (text == "L") {  // the last day of the week: Saturday
    out.rule.kind = DayRule::Kind::week_days;
    out.rule.mask = 1u << 7;
  } else if (const std::size_t hash = text.find('#'); hash != text.npos) {
    const auto day = p.read_value(text.substr(0, hash), text);
    if (!day) return std::nullopt;
    const std::string_view nth = text.substr(hash + 1);
    if (!all_digits(nth)) return p.fail(p.cannot_read(text));
    if (nth.size() > 1 || nth[0] < '1' || nth[0] > '5')
      return p.fail("day-of-week occurrence after '#' must be 1-5 (got " + p.original(nth) + ")");
    out.rule.kind = DayRule::Kind::nth_week_day;
    out.rule.week_day = *day;
    out.rule.nth = nth[0] - '0';
  } else if (text.ends_with('L')) {
    const auto day = p.read_value(text.substr(0, text.size() - 1), text);
    if (!day) return std::nullopt;
    out.rule.kind = DayRule::Kind::last_week_day;
    out.rule.week_day = *day;
  } else {
    const auto set = p.parse_list(text);
    if (!set) return std::nullopt;
    out.rule.kind = DayRule::Kind::week_days;
    for (int w = 1; w <= 7; ++w)
      if (set->test(static_cast<std::size_t>(w - 1))) out.rule.mask |= 1u << w;
  }
  return out;
}

// Items that must be their field's only content (AWS: "3#1,6#3" is not valid); upper-cased.
bool is_standalone_item(int field, std::string_view item) {
  if (item == "?") return true;
  if (field == day_of_month_field) return item.find_first_of("LW") != item.npos;
  if (field == day_of_week_field) return item.find('#') != item.npos || item.ends_with('L');
  return false;
}

// The first standalone item of a list in a day field, as an error; nullopt when there is none.
std::optional<std::string> check_standalone(int field, const FieldParser& p) {
  const std::string_view text = p.text();
  if (text.find(',') == text.npos) return std::nullopt;
  for (std::size_t start = 0; start <= text.size();) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string_view item = text.substr(start, comma - start);
    if (is_standalone_item(field, item))
      return std::string(fields[static_cast<std::size_t>(field)].name) + " '" + p.original(item) +
             "' must be the only value in its field (got '" + p.original(text) + "')";
    start = comma + 1;
  }
  return std::nullopt;
}

std::string join_with(const std::array<std::string_view, 6>& parts, int replaced, std::string_view with) {
  std::string out = "cron(";
  for (int i = 0; i < 6; ++i) {
    if (i) out += ' ';
    out += i == replaced ? with : parts[static_cast<std::size_t>(i)];
  }
  return out + ")";
}

// AWS takes exactly one of day-of-month and day-of-week as `?`. The suggestion rewrites the
// user's expression: a `*` gives way to `?`; with two real values, day-of-week does.
std::optional<std::string> check_day_pairing(const DayField& dom, const DayField& dow,
                                             const std::array<std::string_view, 6>& raw) {
  const std::string_view dom_text = raw[day_of_month_field];
  const std::string_view dow_text = raw[day_of_week_field];
  if (dom.question && dow.question)
    return "day-of-month and day-of-week cannot both be '?'; use '*' in one of them, e.g. " +
           join_with(raw, day_of_month_field, "*");
  if (dom.question || dow.question) return std::nullopt;
  if (dom_text == "*" && dow_text == "*")
    return "day-of-month and day-of-week cannot both be '*'; use '?' in one of them, e.g. " +
           join_with(raw, day_of_week_field, "?");
  const int replaced = dom_text == "*" ? day_of_month_field : day_of_week_field;
  return "day-of-month and day-of-week cannot both be given; use '?' in one of them, e.g. " +
         join_with(raw, replaced, "?");
}

}  // namespace

CronParseResult parse_cron_fields(std::string_view text) {
  std::vector<std::string_view> parts;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t end = i;
    while (end < text.size() && !is_space(text[end])) ++end;
    if (end > i) parts.push_back(text.substr(i, end - i));
    i = end + 1;
  }
  if (parts.size() != 6)
    return {std::nullopt, "expected 6 fields (minutes hours day-of-month month day-of-week year), got " +
                              std::to_string(parts.size())};
  std::array<std::string_view, 6> raw;
  std::copy(parts.begin(), parts.end(), raw.begin());

  CronSchedule schedule;
  DayField dom, dow;
  for (int i = 0; i < 6; ++i) {
    const Field& field = fields[static_cast<std::size_t>(i)];
    FieldParser p(field, raw[static_cast<std::size_t>(i)]);
    if (i == day_of_month_field || i == day_of_week_field) {
      if (auto error = check_standalone(i, p)) return {std::nullopt, std::move(*error)};
      auto parsed = i == day_of_month_field ? parse_day_of_month(p) : parse_day_of_week(p);
      if (!parsed) return {std::nullopt, p.error()};
      (i == day_of_month_field ? dom : dow) = *parsed;
      continue;
    }
    if (p.text().find('?') != std::string_view::npos)
      return {std::nullopt, "'?' is only allowed in day-of-month or day-of-week (found in " +
                                std::string(field.name) + ")"};
    const auto set = p.parse_list(p.text());
    if (!set) return {std::nullopt, p.error()};
    for (int v = field.lo; v <= field.hi; ++v) {
      if (!set->test(static_cast<std::size_t>(v - field.lo))) continue;
      if (i == minutes_field) schedule.minutes |= std::uint64_t{1} << v;
      if (i == hours_field) schedule.hours |= std::uint32_t{1} << v;
      if (i == month_field) schedule.months |= static_cast<std::uint16_t>(1u << v);
      if (i == year_field) schedule.years.set(static_cast<std::size_t>(v - first_cron_year));
    }
  }
  if (auto error = check_day_pairing(dom, dow, raw)) return {std::nullopt, std::move(*error)};
  schedule.days = dom.question ? dow.rule : dom.rule;
  return {std::move(schedule), {}};
}

}  // namespace stratus::schedule
