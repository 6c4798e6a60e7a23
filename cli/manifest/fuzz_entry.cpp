#include "cli/manifest/fuzz_entry.hpp"

#include "cli/manifest/build.hpp"
#include "cli/manifest/load.hpp"
#include "cli/manifest/validate.hpp"
#include "cli/manifest/variables.hpp"

namespace stratus::manifest {

std::size_t run_pipeline_on_text(const std::string& text) {
  Sources sources;
  Diagnostics diags;
  Value root = parse_document(text, "serverless.yml", sources, diags);
  if (diags.has_errors() || !root.is_map()) return diags.items().size();
  VariableContext ctx;
  ctx.service_dir = "/nonexistent-stratus-fuzz-dir";
  ctx.env = {{"HOME", "/root"}, {"STAGE", "dev"}};
  ctx.instance_id = "fuzz";
  resolve_variables(root, ctx, sources, diags);
  if (diags.has_errors()) return diags.items().size();
  check_schema(root, diags);
  build_service(root, "serverless.yml", effective_stage(root, ctx), effective_region(root, ctx), diags);
  return diags.items().size();
}

}  // namespace stratus::manifest
