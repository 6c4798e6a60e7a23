#pragma once
// The project templates of `stratus init`: the folders under templates/, embedded in the binary.
// A template is every embedded file under "<name>/"; its description is the comment on the
// second line of its serverless.yml (the first holds the schema reference for editors).
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/common/embedded.hpp"

namespace stratus::scaffold {

// Replaced by the service name in every template file. A valid name itself, so a template
// folder is a working service as it stands.
inline constexpr std::string_view kServiceToken = "stratus-template-service";
// The JSON Schema of serverless.yml, written next to it so editors can use it offline.
inline constexpr std::string_view kSchemaFile = "serverless.schema.json";

struct TemplateInfo {
  std::string name;         // the folder name: "python"
  std::string description;  // one line, for `init --list`
};

// A file of a new project: path relative to the project, '/'-separated.
struct ProjectFile {
  std::string path;
  std::string content;
  bool executable = false;  // `bootstrap` and *.sh
};

// The templates in `files`, sorted by name.
std::vector<TemplateInfo> list_templates(std::span<const EmbeddedFile> files = embedded_templates());
std::vector<std::string> template_names(std::span<const EmbeddedFile> files = embedded_templates());

// The files of template `name` with the service name substituted, plus the schema file from
// `schemas` (when the template has none), sorted by path; nullopt when there is no such template.
std::optional<std::vector<ProjectFile>> render_template(
    std::string_view name, std::string_view service,
    std::span<const EmbeddedFile> files = embedded_templates(),
    std::span<const EmbeddedFile> schemas = embedded_schemas());

// Whether a file at this path gets the executable bit.
bool is_executable_path(std::string_view path);

// The Serverless Framework's rule for `service`: a letter, then letters, digits and hyphens
// (at least 2 characters in all), and at most 128 so the stack name stays within CloudFormation's limit.
bool is_valid_service_name(std::string_view name);
inline constexpr std::size_t kMaxServiceNameLength = 128;

// A valid service name made from a folder name, as `serverless create` makes one: lower case,
// runs of other characters become '-', and "service-" in front when it would not start with a
// letter ("My API" -> "my-api", "2024" -> "service-2024").
std::string service_name_from_folder(std::string_view folder);

}  // namespace stratus::scaffold
