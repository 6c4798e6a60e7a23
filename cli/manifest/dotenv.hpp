#pragma once
// .env files, read the way the Serverless Framework v3 reads them when `useDotenv: true`:
// `.env.{stage}` in the service folder when it exists, otherwise `.env` (never both), parsed as
// the dotenv package (v16) parses, then expanded as dotenv-expand (v10) expands.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace stratus::manifest {

// KEY=VALUE lines (also `KEY: VALUE` and `export KEY=VALUE`); keys are [A-Za-z0-9_.-]+.
// Unquoted values end at `#` and are trimmed; '…', "…" and `…` values may span lines and keep
// their inside as is, except that "…" turns \n and \r into newlines. Lines that do not match
// are skipped; a later duplicate key wins. Pairs come back in first-seen order.
std::vector<std::pair<std::string, std::string>> parse_dotenv(std::string_view text);

// Expands $NAME, ${NAME} and ${NAME:-default} inside the values (\$ is a literal $). A name is
// looked up in env first (the process environment wins, as with dotenv-expand), then among the
// parsed pairs (themselves expanded), then the default, else it becomes "". Chains of
// references are followed to a bounded depth, so A=$B, B=$A terminates (as "").
void expand_dotenv(std::vector<std::pair<std::string, std::string>>& pairs,
                   const std::map<std::string, std::string>& env);

struct DotenvFile {
  std::optional<std::filesystem::path> path;  // the file read; nullopt when neither exists
  std::map<std::string, std::string> values;  // parsed and expanded
  std::string error;                          // non-empty when a file exists but cannot be read
};

// Reads `.env.<stage>` from dir, or `.env` when that one does not exist, and expands it against env.
DotenvFile load_dotenv(const std::filesystem::path& dir, const std::string& stage,
                       const std::map<std::string, std::string>& env);

}  // namespace stratus::manifest
