#pragma once
// Brace expansion as the `braces` package (behind micromatch) does it, for package patterns:
// "a{b,c{d,e}}f" -> abf, acdf, acef; "v{1..3}" -> v1, v2, v3; "{01..10}" zero-padded;
// "{a..e}"; "{1..9..2}" with a step. Braces without a top-level comma or a range stay literal
// ("{a}"); a backslash escapes. Expands without recursion.
#include <string>
#include <string_view>
#include <vector>

namespace stratus::package {

// The alternatives in written order. Throws UserError naming the pattern when they would be
// more than 1024.
std::vector<std::string> expand_braces(std::string_view pattern);

}  // namespace stratus::package
