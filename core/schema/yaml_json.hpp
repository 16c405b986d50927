// YAML -> JSON conversion that remembers where every node came from.
//
// Used to load the API contract (schemas/openapi.yaml) and the YAML files users
// write (config, sync jobs, environments), so that a problem found later at a
// JSON pointer can be reported as file:line:column.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace daoctl::schema {

// A 1-based position in a source text.
struct SourcePosition {
  int line = 0;
  int column = 0;
  friend bool operator==(const SourcePosition&, const SourcePosition&) = default;
};

// JSON pointer (RFC 6901, "" is the document) -> position of the node's value.
class SourceMap {
 public:
  void record(std::string pointer, SourcePosition position);
  // The position of `pointer`, or of its nearest recorded ancestor (a missing
  // property is reported where its parent object starts); nullopt when not
  // even the document root was recorded.
  std::optional<SourcePosition> find(std::string_view pointer) const;
  // Only the exact pointer, no ancestor fallback.
  std::optional<SourcePosition> find_exact(std::string_view pointer) const;
  // Where the key of the object member at `pointer` is written ("mappings:"
  // in a YAML block, not its value, which may start on the next line).
  void record_key(std::string pointer, SourcePosition position);
  std::optional<SourcePosition> find_key(std::string_view pointer) const;
  std::size_t size() const noexcept { return positions_.size(); }

 private:
  std::map<std::string, SourcePosition, std::less<>> positions_;
  std::map<std::string, SourcePosition, std::less<>> keys_;
};

struct YamlDocument {
  nlohmann::json value;
  SourceMap positions;
};

// Converts one YAML document to JSON with the YAML 1.2 core schema: quoted and
// block scalars and explicit !!str stay strings; plain scalars become null
// (~, null, empty), booleans (true/false in any of YAML's three casings),
// integers (decimal, 0x, 0o), floats (incl. .inf/.nan) or else strings.
// Mapping keys are always strings. Aliases are expanded, up to 2 nodes per byte
// of text plus 100,000 (more is a Parse error: a "billion laughs" document).
// Errors (kind Parse) name `source_name:line:column`: malformed YAML, duplicate
// keys, non-scalar keys, more than one document.
Result<YamlDocument> parse_yaml(std::string_view text, std::string_view source_name);

// Escapes one reference token for a JSON pointer ("~" -> "~0", "/" -> "~1").
std::string escape_pointer_token(std::string_view token);
// The inverse of escape_pointer_token.
std::string unescape_pointer_token(std::string_view token);

}  // namespace daoctl::schema
