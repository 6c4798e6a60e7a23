// The route matcher: which route API Gateway would pick, and the parameters it extracts.
#include "emulator/triggers/http/routes.hpp"

#include <gtest/gtest.h>

namespace stratus::triggers::http {
namespace {

RouteSpec route(ApiKind kind, std::string method, std::string path, std::string function) {
  RouteSpec r;
  r.kind = kind;
  r.method = std::move(method);
  r.path = std::move(path);
  r.function = function;
  r.display_name = std::move(function);
  return r;
}

TEST(MatchPath, StaticParamAndGreedySegments) {
  std::map<std::string, std::string> params;
  auto rank = match_path("/items/{id}", "/items/42", &params);
  ASSERT_TRUE(rank);
  EXPECT_EQ(*rank, (std::vector<int>{3, 2}));
  EXPECT_EQ(params, (std::map<std::string, std::string>{{"id", "42"}}));

  rank = match_path("/files/{path+}", "/files/a/b%20c/d", &params);
  ASSERT_TRUE(rank);
  EXPECT_EQ(*rank, (std::vector<int>{3, 1}));
  EXPECT_EQ(params.at("path"), "a/b c/d");

  EXPECT_FALSE(match_path("/files/{path+}", "/files", nullptr));  // greedy takes one segment at least
  EXPECT_FALSE(match_path("/items/{id}", "/items", nullptr));
  EXPECT_FALSE(match_path("/items/{id}", "/items/1/2", nullptr));
  EXPECT_FALSE(match_path("/items", "/other", nullptr));
  EXPECT_TRUE(match_path("/", "/", nullptr));
  EXPECT_TRUE(match_path("/items", "/items/", nullptr));  // a trailing slash is ignored
}

TEST(RouteTable, MostSpecificRouteWins) {
  RouteTable table(
      {route(ApiKind::http_api, "GET", "/{proxy+}", "greedy"),
       route(ApiKind::http_api, "GET", "/items/{id}", "param"),
       route(ApiKind::http_api, "GET", "/items/special", "static"),
       route(ApiKind::http_api, "*", "/items/special", "any"), route(ApiKind::http_api, "*", "*", "default")},
      "dev", true);
  auto m = table.match("GET", "/items/special");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->route->function, "static");  // the exact method beats ANY on the same path
  m = table.match("POST", "/items/special");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->route->function, "any");
  m = table.match("GET", "/items/7");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->route->function, "param");
  EXPECT_EQ(m->path_parameters.at("id"), "7");
  m = table.match("GET", "/items/7/parts");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->route->function, "greedy");
  EXPECT_EQ(m->path_parameters.at("proxy"), "items/7/parts");
  m = table.match("DELETE", "/items/7");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->route->function, "default");  // $default takes what no route does
  EXPECT_EQ(m->path, "/items/7");
  EXPECT_EQ(RouteTable::route_key(*table.match("GET", "/items/7")->route), "GET /items/{id}");
  EXPECT_EQ(RouteTable::route_key(*m->route), "$default");
  EXPECT_EQ(RouteTable::route_key(*table.match("POST", "/items/special")->route), "ANY /items/special");
}

TEST(RouteTable, RestRoutesLiveUnderTheStage) {
  RouteTable table(
      {route(ApiKind::rest, "GET", "/users/{id}", "get"), route(ApiKind::rest, "ANY", "/", "root")}, "dev",
      true);
  auto m = table.match("GET", "/dev/users/5");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->route->function, "get");
  EXPECT_EQ(m->path, "/users/5");  // the event's path has no stage
  m = table.match("PUT", "/dev");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->route->function, "root");
  EXPECT_EQ(m->path, "/");
  EXPECT_FALSE(table.match("GET", "/users/5"));
  EXPECT_FALSE(table.match("POST", "/dev/users/5"));  // no route for the method
  EXPECT_EQ(table.api_for("/users/5"), ApiKind::rest);
  EXPECT_EQ(table.url_path(table.routes()[0]), "/dev/users/{id}");
  EXPECT_EQ(RouteTable::route_key(table.routes()[0]), "/users/{id}");

  RouteTable bare({route(ApiKind::rest, "GET", "/users/{id}", "get")}, "dev", false);
  ASSERT_TRUE(bare.match("GET", "/users/5"));
  EXPECT_FALSE(bare.match("GET", "/dev/users/5"));
  EXPECT_EQ(bare.url_path(bare.routes()[0]), "/users/{id}");
}

TEST(RouteTable, RestAndHttpApiShareThePort) {
  RouteTable table({route(ApiKind::rest, "GET", "/a", "rest"), route(ApiKind::http_api, "GET", "/a", "api")},
                   "dev", true);
  EXPECT_EQ(table.match("GET", "/dev/a")->route->function, "rest");
  EXPECT_EQ(table.match("GET", "/a")->route->function, "api");
  EXPECT_EQ(table.api_for("/dev/b"), ApiKind::rest);  // unknown under the stage: REST's 403
  EXPECT_EQ(table.api_for("/b"), ApiKind::http_api);  // elsewhere: HTTP API's 404
  EXPECT_EQ(table.match("GET", "/dev/a")->route->kind, ApiKind::rest);
}

TEST(RouteTable, FunctionUrlsUnderTheirPrefix) {
  RouteSpec url = route(ApiKind::function_url, "*", "", "svc-dev-hello");
  url.display_name = "hello";
  RouteTable table({url}, "dev", true);
  auto m = table.match("PATCH", "/_url/hello/some/path");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->route->function, "svc-dev-hello");
  EXPECT_EQ(m->path, "/some/path");
  EXPECT_EQ(table.match("GET", "/_url/hello")->path, "/");
  EXPECT_FALSE(table.match("GET", "/_url/other/x"));
  EXPECT_EQ(table.url_path(table.routes()[0]), "/_url/hello/");
  EXPECT_EQ(RouteTable::route_key(table.routes()[0]), "$default");
}

TEST(RouteTable, RoutesForPathListsEveryMethod) {
  RouteTable table({route(ApiKind::rest, "GET", "/a/{id}", "g"), route(ApiKind::rest, "POST", "/a/{id}", "p"),
                    route(ApiKind::rest, "GET", "/b", "b")},
                   "dev", true);
  const auto found = table.routes_for_path(ApiKind::rest, "/dev/a/1");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0]->function, "g");
  EXPECT_EQ(found[1]->function, "p");
  EXPECT_TRUE(table.routes_for_path(ApiKind::rest, "/a/1").empty());
}

// serverless-offline's prefix goes before REST (and its stage) and HTTP API paths, not Function URLs.
TEST(RouteTable, APrefixGoesBeforeRestAndHttpApiPaths) {
  RouteSpec url = route(ApiKind::function_url, "*", "", "svc-dev-hello");
  url.display_name = "hello";
  RouteTable table(
      {route(ApiKind::rest, "GET", "/a/{id}", "rest"), route(ApiKind::http_api, "GET", "/b", "api"), url},
      "dev", true, "/api/");
  auto m = table.match("GET", "/api/dev/a/1");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->route->function, "rest");
  EXPECT_EQ(m->path, "/a/1");
  ASSERT_TRUE(table.match("GET", "/api/b"));
  EXPECT_EQ(table.match("GET", "/api/b")->route->function, "api");
  EXPECT_FALSE(table.match("GET", "/dev/a/1"));
  EXPECT_FALSE(table.match("GET", "/b"));
  EXPECT_FALSE(table.match("GET", "/apib"));
  EXPECT_TRUE(table.match("GET", "/_url/hello/x"));
  EXPECT_EQ(table.url_path(table.routes()[0]), "/api/dev/a/{id}");
  EXPECT_EQ(table.url_path(table.routes()[1]), "/api/b");
  EXPECT_EQ(table.url_path(table.routes()[2]), "/_url/hello/");
  ASSERT_EQ(table.routes_for_path(ApiKind::rest, "/api/dev/a/1").size(), 1u);
}

TEST(RouteTable, RoutesForPathAreTheMostSpecificResources) {
  RouteTable table({route(ApiKind::rest, "GET", "/a/{id}", "param"), route(ApiKind::rest, "GET", "/a/x", "x"),
                    route(ApiKind::rest, "POST", "/a/{proxy+}", "greedy")},
                   "dev", true);
  auto found = table.routes_for_path(ApiKind::rest, "/dev/a/x");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0]->function, "x");
  found = table.routes_for_path(ApiKind::rest, "/dev/a/y");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0]->function, "param");
  found = table.routes_for_path(ApiKind::rest, "/dev/a/y/z");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0]->function, "greedy");
}

}  // namespace
}  // namespace stratus::triggers::http
