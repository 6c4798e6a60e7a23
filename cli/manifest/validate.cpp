#include "cli/manifest/validate.hpp"

#include "cli/manifest/schema.hpp"

namespace stratus::manifest {

void check_schema(const Value& root, Diagnostics& diags) {
  const Value* mode_value = root.find("configValidationMode");
  std::string mode = mode_value && mode_value->is_string() ? mode_value->as_string() : "warn";

  // The schema describes the aws provider and stratus (a `stratus serve` platform, which takes the same
  // manifest); another provider's keys are its own business.
  const Value* provider_name = root.at_path("provider.name");
  const bool ours = !provider_name || !provider_name->is_string() || provider_name->as_string() == "aws" ||
                    provider_name->as_string() == "stratus";
  if (!ours) {
    diags.warning(provider_name->mark, "provider.name",
                  "provider '" + provider_name->as_string() +
                      "' is not aws or stratus: stratus prints and packages this service as written, but "
                      "does not check it "
                      "and cannot run or deploy it");
    return;
  }

  std::vector<SchemaError> errors;
  serverless_schema().validate(root, errors);
  for (auto& e : errors) {
    if (e.kind != SchemaError::Kind::Other) {
      if (mode == "off") continue;
      if (mode == "error")
        diags.error(e.mark, e.path, e.message);
      else
        diags.warning(e.mark, e.path, e.message);
      continue;
    }
    diags.error(e.mark, e.path, e.message);
  }
}

}  // namespace stratus::manifest
