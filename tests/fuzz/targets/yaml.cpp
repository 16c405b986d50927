// YAML -> JSON with source positions (core/schema), the base of every file
// users write, and the content import's author mapping file on top of it.
#include <string>

#include "common.hpp"
#include "core/content/authors.hpp"
#include "core/schema/yaml_json.hpp"

using namespace daoctl;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in = fuzz::as_text(data, size);
  auto doc = schema::parse_yaml(in, "f.yaml");
  if (doc) {
    // Every recorded position is inside the text.
    (void)doc->positions.find("");
    (void)doc->value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    FUZZ_CHECK(doc.error().kind == ErrorKind::Parse);
  }
  (void)content::parse_author_mapping(in, "authors.yaml");
  std::string token(in.substr(0, 64));
  FUZZ_CHECK(schema::unescape_pointer_token(schema::escape_pointer_token(token)) == token);
  return 0;
}
