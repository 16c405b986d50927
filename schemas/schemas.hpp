// Files of schemas/ embedded into the binaries: openapi.yaml -> openapi_yaml,
// config.schema.json -> config_schema_json (non-alphanumerics become '_').
#pragma once
#include <optional>
#include <string_view>

namespace daoctl::schemas {
// The embedded file of that name ("openapi.yaml"), or nullopt.
std::optional<std::string_view> find(std::string_view file_name);
}  // namespace daoctl::schemas
