#pragma once
// package.excludeDevDependencies (default true): node packages only development needs are left
// out of the zips. Serverless asks `npm ls --dev` and `npm ls --prod`; we read the same facts
// from disk without spawning npm:
//   - the service's package.json: `dependencies` and `optionalDependencies` are the production
//     roots, `devDependencies` the development roots;
//   - each installed package's package.json: its `dependencies`, `optionalDependencies` and
//     `peerDependencies`, found the way Node resolves them (node_modules of the package, then of
//     each parent folder up to the service folder);
//   - excluded: the packages reachable from the development roots and not from the production
//     ones (an installed package that neither reaches stays, as with Serverless), plus their
//     node_modules/.bin links that no production package provides.
// Nothing is excluded without a package.json with devDependencies and a node_modules folder.
#include <filesystem>
#include <string>
#include <unordered_set>
#include <vector>

namespace stratus::package {

struct DevDependencies {
  std::unordered_set<std::string> package_dirs;  // "node_modules/jest", "node_modules/a/node_modules/b"
  std::unordered_set<std::string> bin_links;     // "node_modules/.bin/jest"
  std::vector<std::string> warnings;             // e.g. an invalid package.json

  bool empty() const { return package_dirs.empty() && bin_links.empty(); }
};

// Never throws for bad input: an unreadable or invalid package.json gives a warning.
DevDependencies find_dev_dependencies(const std::filesystem::path& service_dir);

}  // namespace stratus::package
