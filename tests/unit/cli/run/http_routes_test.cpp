// From `http`, `httpApi` and `url` events (and custom.serverless-offline) to the HTTP trigger's routes.
#include "cli/run/http_routes.hpp"

#include <gtest/gtest.h>

#include "cli/manifest/build.hpp"
#include "cli/manifest/load.hpp"
#include "cli/manifest/model.hpp"

namespace stratus::run {
namespace {

using triggers::http::ApiKind;

HttpRoutes routes_of(const std::string& text, const std::string& stage = "dev") {
  manifest::Sources sources;
  manifest::Diagnostics diags;
  manifest::Value root = manifest::parse_document(text, "serverless.yml", sources, diags);
  manifest::Service service = manifest::build_service(root, "/svc/serverless.yml", stage, "us-east-1", diags);
  for (const auto& d : diags.items()) ADD_FAILURE() << d.message;
  return http_routes(service);
}

TEST(HttpRoutesFromManifest, EveryKindOfEvent) {
  const HttpRoutes r = routes_of(R"(service: shop
provider:
  name: aws
  runtime: python3.12
  stage: prod
  httpApi:
    payload: '1.0'
    cors:
      allowedOrigins: [https://a.example]
      maxAge: 60
functions:
  api:
    handler: h.api
    timeout: 40
    url:
      cors: true
    events:
      - httpApi: GET /items/{id}
      - httpApi: '*'
      - http:
          method: post
          path: orders
          cors:
            origin: https://b.example
            headers: [X-One]
      - http:
          method: get
          path: legacy
          integration: lambda
      - http:
          method: get
          path: proxied
          integration: http-proxy
)",
                                 "prod");
  EXPECT_EQ(r.stage, "prod");
  EXPECT_TRUE(r.prepend_stage);
  EXPECT_FALSE(r.no_timeout);
  ASSERT_EQ(r.routes.size(), 5u);
  EXPECT_EQ(r.routes[0].kind, ApiKind::http_api);
  EXPECT_EQ(r.routes[0].method, "GET");
  EXPECT_EQ(r.routes[0].path, "/items/{id}");
  EXPECT_EQ(r.routes[0].payload, "1.0");
  EXPECT_EQ(r.routes[0].function, "shop-prod-api");
  EXPECT_EQ(r.routes[0].display_name, "api");
  EXPECT_EQ(r.routes[0].timeout_ms, 40000);
  EXPECT_TRUE(r.routes[0].cors.enabled);
  EXPECT_EQ(r.routes[0].cors.allow_origins, std::vector<std::string>{"https://a.example"});
  EXPECT_EQ(r.routes[0].cors.max_age, 60);
  EXPECT_EQ(r.routes[1].path, "*");
  EXPECT_EQ(r.routes[2].kind, ApiKind::rest);
  EXPECT_EQ(r.routes[2].method, "POST");
  EXPECT_EQ(r.routes[2].path, "/orders");
  EXPECT_EQ(r.routes[2].cors.allow_origins, std::vector<std::string>{"https://b.example"});
  EXPECT_EQ(r.routes[2].cors.allow_headers, std::vector<std::string>{"X-One"});
  EXPECT_TRUE(r.routes[3].lambda_integration);
  EXPECT_FALSE(r.routes[3].cors.enabled);
  EXPECT_EQ(r.routes[4].kind, ApiKind::function_url);
  EXPECT_TRUE(r.routes[4].cors.enabled);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0],
            "functions.api: http GET /proxied uses integration 'http-proxy', which is not run locally");
}

TEST(HttpRoutesFromManifest, ServerlessOfflineSettings) {
  const HttpRoutes r = routes_of(R"(service: shop
provider:
  name: aws
  runtime: python3.12
custom:
  serverless-offline:
    noPrependStageInUrl: true
    noTimeout: true
    prefix: api
    corsAllowOrigin: https://x.example,https://y.example
    corsAllowHeaders: a,b
    corsExposedHeaders: X-Total,X-Page
functions:
  api:
    handler: h.api
    events:
      - http:
          method: get
          path: /a
          cors: true
)");
  EXPECT_FALSE(r.prepend_stage);
  EXPECT_TRUE(r.no_timeout);
  EXPECT_EQ(r.prefix, "api");
  ASSERT_EQ(r.routes.size(), 1u);
  EXPECT_EQ(r.routes[0].cors.allow_origins,
            (std::vector<std::string>{"https://x.example", "https://y.example"}));
  EXPECT_EQ(r.routes[0].cors.allow_headers, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(r.routes[0].cors.expose_headers, (std::vector<std::string>{"X-Total", "X-Page"}));
}

// Without allowedMethods, the HTTP API's CORS allows OPTIONS and its routes' methods, as Serverless
// deploys it; with them, those.
TEST(HttpRoutesFromManifest, HttpApiCorsMethodsAreTheRoutesUnlessGiven) {
  const std::string head = "service: shop\nprovider:\n  name: aws\n  runtime: python3.12\n  httpApi:\n";
  const std::string functions =
      "functions:\n  api:\n    handler: h.api\n    events:\n      - httpApi: GET /a\n"
      "      - httpApi: POST /a\n      - httpApi: GET /b\n      - httpApi: ANY /c\n";
  HttpRoutes r = routes_of(head + "    cors: true\n" + functions);
  ASSERT_EQ(r.routes.size(), 4u);
  for (const auto& route : r.routes)
    EXPECT_EQ(route.cors.allow_methods, (std::vector<std::string>{"OPTIONS", "GET", "POST", "*"}));
  r = routes_of(head + "    cors:\n      allowedMethods: [GET]\n" + functions);
  EXPECT_EQ(r.routes[0].cors.allow_methods, std::vector<std::string>{"GET"});
}

TEST(HttpRoutesFromManifest, BinaryMediaTypesFromProviderApiGateway) {
  const HttpRoutes r = routes_of(R"(service: img
provider:
  name: aws
  runtime: python3.12
  apiGateway:
    binaryMediaTypes: ['image/*', 'application/pdf']
functions:
  thumb:
    handler: h.thumb
    events:
      - http: GET thumb
)");
  EXPECT_EQ(r.binary_media_types, (std::vector<std::string>{"image/*", "application/pdf"}));
  EXPECT_TRUE(routes_of(R"(service: plain
provider: {name: aws, runtime: python3.12}
functions:
  f:
    handler: h.f
    events:
      - http: GET f
)")
                  .binary_media_types.empty());
}

}  // namespace
}  // namespace stratus::run
