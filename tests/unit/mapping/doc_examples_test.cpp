// Docs that run: every `examples` block of docs/MAPPING.md is evaluated here
// against the page's own `example-record` and `example-lookups` blocks, so the
// reference of the mapping language cannot drift from the code.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/mapping/expression.hpp"
#include "core/mapping/transforms.hpp"
#include "core/schema/yaml_json.hpp"
#include "record_scope.hpp"

namespace daoctl::mapping {
namespace {

using nlohmann::json;
using testing::RecordScope;

struct Block {
  std::string info;  // the fence's info string: "yaml example-record", "examples"
  std::string text;
  int line = 0;      // of the first content line
};

struct Doc {
  std::string text;
  std::vector<Block> blocks;
};

const Doc& doc() {
  static const Doc d = [] {
    Doc out;
    std::ifstream in(std::string(DAOCTL_SOURCE_DIR) + "/docs/MAPPING.md");
    std::stringstream buffer;
    buffer << in.rdbuf();
    out.text = buffer.str();
    std::istringstream lines(out.text);
    std::string line;
    int number = 0;
    Block* open = nullptr;
    std::string fence_indent;
    while (std::getline(lines, line)) {
      ++number;
      const auto first = line.find_first_not_of(' ');
      const bool fence = first != std::string::npos && line.compare(first, 3, "```") == 0;
      if (fence && !open) {
        out.blocks.push_back({line.substr(first + 3), "", number + 1});
        open = &out.blocks.back();
        fence_indent = line.substr(0, first);
      } else if (fence) {
        open = nullptr;
      } else if (open) {
        open->text += (line.starts_with(fence_indent) ? line.substr(fence_indent.size()) : line) + "\n";
      }
    }
    return out;
  }();
  return d;
}

bool has_word(const std::string& info, std::string_view word) {
  std::istringstream words(info);
  std::string w;
  while (words >> w)
    if (w == word) return true;
  return false;
}

const Block& only_block(std::string_view word) {
  const Block* found = nullptr;
  for (const Block& b : doc().blocks)
    if (has_word(b.info, word)) {
      REQUIRE(found == nullptr);
      found = &b;
    }
  INFO("docs/MAPPING.md has a ```… " << word << " block");
  REQUIRE(found != nullptr);
  return *found;
}

std::vector<std::string> strings_of(const json& v) {
  if (v.is_array()) return v.get<std::vector<std::string>>();
  return {v.get<std::string>()};
}

RecordScope record() {
  const Block& b = only_block("example-record");
  auto yaml = schema::parse_yaml(b.text, "docs/MAPPING.md example-record");
  REQUIRE(yaml);
  RecordScope scope{};
  for (const auto& [source, fields] : yaml->value.items())
    for (const auto& [field, value] : fields.items()) scope.set(source, field, strings_of(value));
  return scope;
}

CompileOptions options() {
  CompileOptions o;
  o.today = "2024-06-01";
  const Block& b = only_block("example-lookups");
  auto yaml = schema::parse_yaml(b.text, "docs/MAPPING.md example-lookups");
  REQUIRE(yaml);
  for (const auto& [name, entries] : yaml->value.at("lookups").items()) {
    LookupTable table;
    for (const auto& [key, value] : entries.items()) {
      if (key == "default") table.fallback = value.get<std::string>();
      else table.entries[key] = value.get<std::string>();
    }
    o.lookup_tables[name] = std::move(table);
  }
  return o;
}

struct Example {
  std::string text;
  std::string expected;  // JSON text, or "error: …"
  int line = 0;
};

std::vector<Example> examples() {
  std::vector<Example> out;
  for (const Block& b : doc().blocks) {
    if (!has_word(b.info, "examples")) continue;
    std::istringstream lines(b.text);
    std::string line;
    int number = b.line - 1;
    while (std::getline(lines, line)) {
      ++number;
      if (line.find_first_not_of(' ') == std::string::npos) continue;
      const auto arrow = line.find(" → ");
      INFO("docs/MAPPING.md:" << number << ": " << line);
      REQUIRE(arrow != std::string::npos);
      std::string text = line.substr(0, arrow);
      while (!text.empty() && text.back() == ' ') text.pop_back();
      std::string expected = line.substr(arrow + std::string_view(" → ").size());
      while (!expected.empty() && expected.front() == ' ') expected.erase(0, 1);
      out.push_back({text, expected, number});
    }
  }
  return out;
}

Value value_of(const json& j) {
  if (j.is_null()) return Value{};
  if (j.is_boolean()) return Value{j.get<bool>()};
  if (j.is_array()) return Value{j.get<List>()};
  return Value{j.get<std::string>()};
}

TEST_CASE("every example of docs/MAPPING.md gives the stated result", "[mapping][docs]") {
  const RecordScope scope = record();
  const CompileOptions opts = options();
  const auto all = examples();
  CHECK(all.size() > 100);
  for (const Example& e : all) {
    INFO("docs/MAPPING.md:" << e.line << ": " << e.text << "  →  " << e.expected);
    const auto parsed = Template::parse(e.text, opts);
    EvalResult value = parsed ? parsed->evaluate(scope) : EvalResult(std::unexpected(EvalError{parsed.error().message}));
    if (e.expected.starts_with("error: ")) {
      REQUIRE_FALSE(value);
      CHECK_THAT(value.error().message, Catch::Matchers::Contains(e.expected.substr(7)));
      continue;
    }
    if (!value) FAIL("error: " << value.error().message);
    const json expected = json::parse(e.expected, nullptr, false);
    REQUIRE_FALSE(expected.is_discarded());
    CHECK(*value == value_of(expected));
  }
}

TEST_CASE("every transform has a row and an example in docs/MAPPING.md", "[mapping][docs]") {
  const auto all = examples();
  for (const TransformSpec& spec : transform_catalogue()) {
    INFO("transform: " << spec.name);
    const std::string name(spec.name);
    // A row of the transform table names it in backquotes at the start.
    CHECK((doc().text.find("\n| `" + name + "`") != std::string::npos ||
           doc().text.find(", `" + name + "` |") != std::string::npos));
    bool used = false;
    for (const Example& e : all)
      used = used || e.text.find("| " + name) != std::string::npos ||
             e.text.find("{" + name + "(") != std::string::npos;
    CHECK(used);
  }
}

TEST_CASE("the page names the transliteration standard it implements", "[mapping][docs]") {
  std::string flat = doc().text;
  std::replace(flat.begin(), flat.end(), '\n', ' ');
  CHECK(flat.find("**ICAO Doc 9303**") != std::string::npos);
  CHECK(flat.find("**not** GOST 7.79-2000") != std::string::npos);
  const auto parsed = Template::parse("{'Щукин Юлия' | translit}", CompileOptions{});
  REQUIRE(parsed);
  const RecordScope empty{};
  CHECK(parsed->evaluate(empty) == Value{"Shchukin Iuliia"});  // ICAO, not GOST 7.79 (Shhukin Yuliya)
}

}  // namespace
}  // namespace daoctl::mapping
