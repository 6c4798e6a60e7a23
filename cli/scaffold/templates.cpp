#include "cli/scaffold/templates.hpp"

#include <algorithm>
#include <map>

namespace stratus::scaffold {

namespace {

// "python/handler.py" -> {"python", "handler.py"}; top-level files (templates/README.md) belong
// to no template.
std::optional<std::pair<std::string_view, std::string_view>> split_template_path(std::string_view path) {
  auto slash = path.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == path.size()) return std::nullopt;
  return std::pair{path.substr(0, slash), path.substr(slash + 1)};
}

std::string description_of(std::string_view manifest) {
  // Line 1 is the yaml-language-server modeline; line 2 is "# <description>".
  auto first_end = manifest.find('\n');
  if (first_end == std::string_view::npos) return {};
  auto rest = manifest.substr(first_end + 1);
  auto line = rest.substr(0, rest.find('\n'));
  if (!line.starts_with("# ")) return {};
  line.remove_prefix(2);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
  return std::string(line);
}

std::string replace_all(std::string_view text, std::string_view from, std::string_view to) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  for (auto hit = text.find(from); hit != std::string_view::npos; hit = text.find(from, pos)) {
    out.append(text.substr(pos, hit - pos)).append(to);
    pos = hit + from.size();
  }
  out.append(text.substr(pos));
  return out;
}

bool is_ascii_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_ascii_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

std::vector<TemplateInfo> list_templates(std::span<const EmbeddedFile> files) {
  std::map<std::string, std::string, std::less<>> descriptions;  // sorted by name
  for (const auto& f : files) {
    auto parts = split_template_path(f.path);
    if (!parts) continue;
    auto& description = descriptions[std::string(parts->first)];
    if (parts->second == "serverless.yml") description = description_of(f.data);
  }
  std::vector<TemplateInfo> out;
  for (auto& [name, description] : descriptions) out.push_back({name, description});
  return out;
}

std::vector<std::string> template_names(std::span<const EmbeddedFile> files) {
  std::vector<std::string> names;
  for (auto& t : list_templates(files)) names.push_back(std::move(t.name));
  return names;
}

std::optional<std::vector<ProjectFile>> render_template(std::string_view name, std::string_view service,
                                                        std::span<const EmbeddedFile> files,
                                                        std::span<const EmbeddedFile> schemas) {
  std::vector<ProjectFile> out;
  for (const auto& f : files) {
    auto parts = split_template_path(f.path);
    if (!parts || parts->first != name) continue;
    std::string path(parts->second);
    out.push_back({path, replace_all(f.data, kServiceToken, service), is_executable_path(path)});
  }
  if (out.empty()) return std::nullopt;
  bool has_schema = std::any_of(out.begin(), out.end(), [](const auto& f) { return f.path == kSchemaFile; });
  if (const auto* schema = find_embedded(schemas, kSchemaFile); schema && !has_schema)
    out.push_back({std::string(kSchemaFile), std::string(schema->data), false});
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  return out;
}

bool is_executable_path(std::string_view path) {
  auto slash = path.rfind('/');
  auto base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  return base == "bootstrap" || base.ends_with(".sh");
}

bool is_valid_service_name(std::string_view name) {
  if (name.size() < 2 || name.size() > kMaxServiceNameLength || !is_ascii_letter(name[0])) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return is_ascii_letter(c) || is_ascii_digit(c) || c == '-'; });
}

std::string service_name_from_folder(std::string_view folder) {
  std::string name;
  for (char c : folder) {
    if (is_ascii_letter(c) || is_ascii_digit(c)) {
      name.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
    } else if (!name.empty() && name.back() != '-') {
      name.push_back('-');
    }
  }
  while (!name.empty() && name.back() == '-') name.pop_back();
  if (name.empty()) return "service";
  if (!is_ascii_letter(name[0]) || name.size() < 2) name = "service-" + name;
  if (name.size() > kMaxServiceNameLength) name.resize(kMaxServiceNameLength);
  while (name.back() == '-') name.pop_back();
  return name;
}

}  // namespace stratus::scaffold
