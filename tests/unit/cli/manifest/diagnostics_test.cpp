#include "cli/manifest/diagnostics.hpp"

#include <gtest/gtest.h>

namespace stratus::manifest {
namespace {

TEST(Diagnostics, RenderQuotesTheLineWithACaret) {
  Sources sources;
  sources.add("serverless.yml", "service: x\nfunctions:\n  hello:\n    timeout: 1200\n");
  Diagnostic d{Severity::Error, Mark{"serverless.yml", 4, 14}, "functions.hello.timeout", "too long"};
  EXPECT_EQ(render(d, sources, false),
            "stratus: error: serverless.yml:4:14: too long\n"
            "    timeout: 1200\n"
            "             ^\n");
}

TEST(Diagnostics, RenderWithoutSourceOrPosition) {
  Sources sources;
  Diagnostic d{Severity::Warning, Mark{}, "", "no manifest"};
  EXPECT_EQ(render(d, sources, false), "stratus: warning: no manifest\n");
  Diagnostic f{Severity::Error, Mark{"a.yml", 0, 0}, "", "bad"};
  EXPECT_EQ(render(f, sources, false), "stratus: error: a.yml: bad\n");
}

TEST(Diagnostics, ColourOnlyWhenAsked) {
  Sources sources;
  Diagnostic d{Severity::Error, Mark{}, "", "m"};
  EXPECT_EQ(render(d, sources, true), "stratus: \033[1;31merror\033[0m: m\n");
}

TEST(Diagnostics, TabsKeptSoTheCaretLinesUp) {
  Sources sources;
  sources.add("f", "\tkey: v\n");
  Diagnostic d{Severity::Error, Mark{"f", 1, 7}, "", "m"};
  EXPECT_EQ(render(d, sources, false), "stratus: error: f:1:7: m\n\tkey: v\n\t     ^\n");
}

TEST(Diagnostics, SortedPutsErrorsFirstInFileOrderAndDropsDuplicates) {
  Diagnostics diags;
  diags.warning(Mark{"f", 1, 1}, "", "w");
  diags.error(Mark{"f", 5, 1}, "", "late");
  diags.error(Mark{"f", 2, 1}, "", "early");
  diags.error(Mark{"f", 2, 1}, "", "early");
  auto s = diags.sorted();
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].message, "early");
  EXPECT_EQ(s[1].message, "late");
  EXPECT_EQ(s[2].message, "w");
  EXPECT_EQ(diags.error_count(), 3u);
}

TEST(DidYouMean, PicksThePlausibleTypoOnly) {
  std::vector<std::string> keys = {"handler", "events", "runtime", "timeout", "httpApi", "http"};
  EXPECT_EQ(did_you_mean("handlr", keys), "handler");
  EXPECT_EQ(did_you_mean("htpApi", keys), "httpApi");
  EXPECT_EQ(did_you_mean("timout", keys), "timeout");
  EXPECT_EQ(did_you_mean("HTTPAPI", keys), "httpApi");
  EXPECT_EQ(did_you_mean("completely-different", keys), std::nullopt);
  EXPECT_EQ(did_you_mean_suffix("evnets", keys), " (did you mean 'events'?)");
  EXPECT_EQ(did_you_mean_suffix("zzz", keys), "");
}

}  // namespace
}  // namespace stratus::manifest
