#include "emulator/triggers/http/routes.hpp"

#include "emulator/net/http_wire.hpp"

namespace stratus::triggers::http {

namespace {

// "/a/b/" -> {"a", "b"}; "/" -> {}. A trailing slash is ignored, as API Gateway does.
std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.empty()) return out;
  for (std::size_t at = 0;;) {
    const std::size_t end = path.find('/', at);
    out.push_back(path.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at));
    if (end == std::string_view::npos) break;
    at = end + 1;
  }
  return out;
}

bool any_method(const std::string& method) {
  return method == "ANY" || method == "*";
}

}  // namespace

std::optional<std::vector<int>> match_path(std::string_view pattern, std::string_view path,
                                           std::map<std::string, std::string>* parameters) {
  const auto want = segments(pattern);
  const auto got = segments(path);
  std::vector<int> rank;
  std::map<std::string, std::string> found;
  std::size_t i = 0;
  for (; i < want.size(); ++i) {
    const std::string_view w = want[i];
    const bool variable = w.size() > 2 && w.front() == '{' && w.back() == '}';
    if (variable && w[w.size() - 2] == '+') {
      // A greedy variable comes last and takes at least one segment.
      if (i + 1 != want.size() || i >= got.size()) return std::nullopt;
      std::string rest;
      for (std::size_t j = i; j < got.size(); ++j) rest += (j > i ? "/" : "") + std::string(got[j]);
      found[std::string(w.substr(1, w.size() - 3))] = net::wire::percent_decode(rest, false);
      rank.push_back(1);
      if (parameters) *parameters = std::move(found);
      return rank;
    }
    if (i >= got.size()) return std::nullopt;
    if (variable) {
      if (got[i].empty()) return std::nullopt;
      found[std::string(w.substr(1, w.size() - 2))] = net::wire::percent_decode(got[i], false);
      rank.push_back(2);
    } else {
      if (w != got[i] && net::wire::percent_decode(got[i], false) != w) return std::nullopt;
      rank.push_back(3);
    }
  }
  if (i != got.size()) return std::nullopt;
  if (parameters) *parameters = std::move(found);
  return rank;
}

RouteTable::RouteTable(std::vector<RouteSpec> routes, std::string stage, bool prepend_stage,
                       std::string prefix)
    : m_routes(std::move(routes)), m_stage(std::move(stage)), m_prepend_stage(prepend_stage) {
  const auto first = prefix.find_first_not_of('/');
  if (first != std::string::npos)
    m_prefix = "/" + prefix.substr(first, prefix.find_last_not_of('/') - first + 1);
}

std::optional<std::string> RouteTable::strip(ApiKind kind, std::string_view path,
                                             std::string* function) const {
  if (kind == ApiKind::function_url) {
    if (!path.starts_with(kFunctionUrlPrefix)) return std::nullopt;
    path.remove_prefix(kFunctionUrlPrefix.size());
    const std::size_t slash = path.find('/');
    if (function) *function = std::string(path.substr(0, slash));
    return slash == std::string_view::npos ? std::string("/") : std::string(path.substr(slash));
  }
  if (!m_prefix.empty()) {
    if (path == m_prefix)
      path = "/";
    else if (path.starts_with(m_prefix + "/"))
      path.remove_prefix(m_prefix.size());
    else
      return std::nullopt;
  }
  if (kind == ApiKind::http_api || !m_prepend_stage) return std::string(path);
  const std::string stage = "/" + m_stage;
  if (path == stage) return std::string("/");
  if (!path.starts_with(stage + "/")) return std::nullopt;
  return std::string(path.substr(stage.size()));
}

std::vector<ApiKind> RouteTable::apis_for(std::string_view path) const {
  bool rest = false, http_api = false, url = false;
  for (const auto& r : m_routes) {
    rest = rest || r.kind == ApiKind::rest;
    http_api = http_api || r.kind == ApiKind::http_api;
    url = url || r.kind == ApiKind::function_url;
  }
  if (url && path.starts_with(kFunctionUrlPrefix)) return {ApiKind::function_url};
  std::vector<ApiKind> out;
  if (rest && strip(ApiKind::rest, path, nullptr)) out.push_back(ApiKind::rest);
  if (http_api) out.push_back(ApiKind::http_api);
  if (out.empty() && rest) out.push_back(ApiKind::rest);
  return out;
}

std::optional<ApiKind> RouteTable::api_for(std::string_view path) const {
  const auto kinds = apis_for(path);
  return kinds.empty() ? std::nullopt : std::optional<ApiKind>(kinds.front());
}

std::optional<RouteMatch> RouteTable::match(std::string_view method, std::string_view path) const {
  for (const ApiKind kind : apis_for(path)) {
    std::string function;
    const auto inner = strip(kind, path, &function);
    if (!inner) continue;
    std::optional<RouteMatch> best;
    std::vector<int> best_rank;
    const RouteSpec* fallback = nullptr;  // HTTP API $default
    for (const auto& r : m_routes) {
      if (r.kind != kind) continue;
      if (r.kind == ApiKind::function_url) {
        if (r.display_name == function) return RouteMatch{&r, {}, *inner};
        continue;
      }
      if (r.kind == ApiKind::http_api && r.path == "*") {
        fallback = &r;
        continue;
      }
      if (r.method != method && !any_method(r.method)) continue;
      std::map<std::string, std::string> parameters;
      auto rank = match_path(r.path, *inner, &parameters);
      if (!rank) continue;
      rank->push_back(any_method(r.method) ? 0 : 1);  // the exact method beats ANY on equal paths
      if (!best || *rank > best_rank) {
        best = RouteMatch{&r, std::move(parameters), *inner};
        best_rank = std::move(*rank);
      }
    }
    if (!best && fallback) best = RouteMatch{fallback, {}, *inner};
    if (best) return best;
  }
  return std::nullopt;
}

std::vector<const RouteSpec*> RouteTable::routes_for_path(ApiKind kind, std::string_view path) const {
  std::vector<const RouteSpec*> out;
  const auto inner = strip(kind, path, nullptr);
  if (!inner) return out;
  std::vector<int> best_rank;
  for (const auto& r : m_routes) {
    if (r.kind != kind) continue;
    if (r.path == "*") {  // HTTP API $default: any path
      out.push_back(&r);
      continue;
    }
    auto rank = match_path(r.path, *inner, nullptr);
    if (!rank || *rank < best_rank) continue;
    if (*rank > best_rank) {  // a more specific resource: the ones before are not this path's
      std::erase_if(out, [](const RouteSpec* o) { return o->path != "*"; });
      best_rank = std::move(*rank);
    }
    out.push_back(&r);
  }
  return out;
}

std::string RouteTable::url_path(const RouteSpec& route) const {
  switch (route.kind) {
    case ApiKind::function_url: return std::string(kFunctionUrlPrefix) + route.display_name + "/";
    case ApiKind::rest: return m_prefix + (m_prepend_stage ? "/" + m_stage : "") + route.path;
    case ApiKind::http_api: return m_prefix + (route.path == "*" ? "/*" : route.path);
  }
  return route.path;
}

std::string RouteTable::route_key(const RouteSpec& route) {
  if (route.kind == ApiKind::function_url || route.path == "*") return "$default";
  if (route.kind == ApiKind::rest) return route.path;
  return (route.method == "*" ? "ANY" : route.method) + " " + route.path;
}

}  // namespace stratus::triggers::http
