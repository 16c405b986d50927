#include "core/schema/yaml_json.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>

#include "../timing_scale.hpp"

using daoctl::schema::parse_yaml;
using daoctl::schema::SourcePosition;
using nlohmann::json;

TEST_CASE("YAML scalars keep their types: quoted stays string, plain resolves (YAML 1.2 core)") {
  const char* text =
      "quoted_number: \"8\"\n"
      "single_quoted_bool: 'true'\n"
      "plain_int: 8\n"
      "negative: -3\n"
      "hex: 0x1F\n"
      "octal: 0o17\n"
      "float: 0.25\n"
      "exponent: 1e3\n"
      "bool_true: true\n"
      "bool_false: False\n"
      "null_tilde: ~\n"
      "null_empty:\n"
      "yes_is_string: yes\n"
      "version: 1.2.3\n"
      "colour: '#0a66c2'\n"
      "forced: !!str 42\n"
      "forced_float: !!float 1\n"
      "block: |\n"
      "  line 1\n"
      "  line 2\n"
      "list: [1, \"2\", three]\n"
      "nested: {a: {b: null}}\n";
  auto doc = parse_yaml(text, "t.yaml");
  REQUIRE(doc.has_value());
  const json expected = {
      {"quoted_number", "8"},
      {"single_quoted_bool", "true"},
      {"plain_int", 8},
      {"negative", -3},
      {"hex", 31},
      {"octal", 15},
      {"float", 0.25},
      {"exponent", 1000.0},
      {"bool_true", true},
      {"bool_false", false},
      {"null_tilde", nullptr},
      {"null_empty", nullptr},
      {"yes_is_string", "yes"},
      {"version", "1.2.3"},
      {"colour", "#0a66c2"},
      {"forced", "42"},
      {"forced_float", 1.0},
      {"block", "line 1\nline 2\n"},
      {"list", {1, "2", "three"}},
      {"nested", {{"a", {{"b", nullptr}}}}},
  };
  CHECK(doc->value == expected);
  CHECK(doc->value["plain_int"].is_number_integer());
  CHECK(doc->value["exponent"].is_number_float());
  CHECK(doc->value["forced_float"].is_number_float());
}

TEST_CASE("SourceMap records 1-based line:column of every node's value") {
  const char* text =
      "policies:\n"          // line 1
      "  password:\n"        // line 2
      "    min_length: 4\n"  // line 3
      "    history: 30\n"    // line 4
      "domains:\n"           // line 5
      "  - corp.example\n"   // line 6
      "  - \"a/b~c\": x\n";  // line 7
  auto doc = parse_yaml(text, "policy.yaml");
  REQUIRE(doc.has_value());
  const auto& map = doc->positions;
  struct Row {
    const char* pointer;
    SourcePosition position;
  };
  const Row rows[] = {
      {"", {1, 1}},
      {"/policies", {2, 3}},
      {"/policies/password", {3, 5}},
      {"/policies/password/min_length", {3, 17}},
      {"/policies/password/history", {4, 14}},
      {"/domains/0", {6, 5}},
      {"/domains/1/a~1b~0c", {7, 14}},
  };
  for (const auto& row : rows) {
    INFO(row.pointer);
    auto found = map.find_exact(row.pointer);
    REQUIRE(found.has_value());
    CHECK(*found == row.position);
  }
  // A node that does not exist is placed at its nearest ancestor.
  CHECK(map.find("/policies/password/lockout_minutes") == SourcePosition{3, 5});
  CHECK_FALSE(map.find_exact("/policies/password/lockout_minutes").has_value());
}

TEST_CASE("positions after non-ASCII text count characters, not bytes") {
  auto doc = parse_yaml("department: \"Отдел продаж\"\nmanager: {name: Иван, id: x}\n", "job.yaml");
  REQUIRE(doc);
  CHECK(doc->positions.find("/manager/id") == SourcePosition{2, 27});
  CHECK(doc->positions.find_key("/manager/id") == SourcePosition{2, 23});
}

TEST_CASE("YAML errors name file:line:column and the cause") {
  struct Row {
    const char* text;
    const char* object;
    const char* detail;
  };
  const Row rows[] = {
      {"a: 1\nb: [1, 2\n", "bad.yaml:3:1", "end of sequence flow not found"},
      {"a: 1\nb:\n  c: 1\n  c: 2\n", "bad.yaml:4:3", "duplicate key \"c\""},
      {"x: !!int twelve\n", "bad.yaml:1:4", "\"twelve\" is not a valid !!int"},
      {"a: 1\n---\nb: 2\n", "bad.yaml:3:1", "expected one document, found 2"},
      // Found by fuzzing: strings that are not UTF-8 made nlohmann's dump() throw later
      // (yaml-cpp itself refuses escapes such as "\\uD800").
      {"color: ab\xD8\xDC" "0B\n", "bad.yaml:1:8", "the text is not valid UTF-8 (byte 3 of the value)"},
      {"\xFF: 1\n", "bad.yaml:1:1", "the text is not valid UTF-8 (byte 1 of the value)"},
      // Columns count characters, as editors show them, not bytes: six
      // Cyrillic letters are 12 bytes.
      {"x: [Привет, !!int twelve]\n", "bad.yaml:1:13", "\"twelve\" is not a valid !!int"},
      {"отдел: 1\nотдел: 2\n", "bad.yaml:2:1", "duplicate key \"отдел\""},
  };
  for (const auto& row : rows) {
    INFO(row.text);
    auto doc = parse_yaml(row.text, "bad.yaml");
    REQUIRE_FALSE(doc.has_value());
    CHECK(doc.error().kind == daoctl::ErrorKind::Parse);
    CHECK(doc.error().object == row.object);
    CHECK(doc.error().detail == row.detail);
  }
}

TEST_CASE("an empty YAML text is a null document") {
  auto doc = parse_yaml("", "empty.yaml");
  REQUIRE(doc.has_value());
  CHECK(doc->value.is_null());
}

TEST_CASE("floats beyond double become infinity or zero, never an exception") {
  // Found by fuzzing: std::stod threw out_of_range for 99999e999.
  auto doc = parse_yaml("big: 99999e999\nneg: -1e400\ntiny: 1e-999\nhuge_int: 1" + std::string(400, '0') + "\n",
                        "f.yaml");
  REQUIRE(doc.has_value());
  CHECK(std::isinf(doc->value["big"].get<double>()));
  CHECK(doc->value["neg"].get<double>() < 0);
  CHECK(std::isinf(doc->value["neg"].get<double>()));
  CHECK(doc->value["tiny"].get<double>() == 0.0);
  CHECK(std::isinf(doc->value["huge_int"].get<double>()));
}

TEST_CASE("JSON pointer tokens escape ~ and /") {
  CHECK(daoctl::schema::escape_pointer_token("/scim/v2/Users/{id}") == "~1scim~1v2~1Users~1{id}");
  CHECK(daoctl::schema::escape_pointer_token("a~b") == "a~0b");
  CHECK(daoctl::schema::unescape_pointer_token("~1a~0b~01") == "/a~b~1");
}

TEST_CASE("nested aliases cannot expand without bound (billion laughs)") {
  // Found by fuzzing (tests/fuzz/regressions/yaml/billion-laughs): 300 bytes
  // expanding to 10^8 nodes used to run for minutes.
  std::string text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'h'; ++c) {
    text += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 10; ++i) text += std::string(i ? ", *" : "*") + static_cast<char>(c - 1);
    text += "]\n";
  }
  auto doc = parse_yaml(text, "laughs.yaml");
  REQUIRE_FALSE(doc.has_value());
  CHECK(doc.error().kind == daoctl::ErrorKind::Parse);
  CHECK(doc.error().detail == "the document expands to too many nodes through aliases");

  // Ordinary use of aliases still works.
  auto ok = parse_yaml("base: &b {x: 1}\nuse: [*b, *b]\n", "ok.yaml");
  REQUIRE(ok.has_value());
  CHECK(ok->value["use"][1]["x"] == 1);
}

TEST_CASE("streams that make yaml-cpp's LoadAll loop for ever are errors") {
  // Found by fuzzing (tests/fuzz/regressions/yaml/comma-after-sequence-loops-yaml-cpp):
  // yaml-cpp 0.7 returns null documents without end for these.
  for (const char* text : {"- x\n,\n", ", }\n", "# c\n,\n"}) {
    INFO(text);
    auto doc = parse_yaml(text, "bad.yaml");
    REQUIRE_FALSE(doc.has_value());
    CHECK(doc.error().kind == daoctl::ErrorKind::Parse);
    CHECK(doc.error().detail.starts_with("expected one document, found"));
  }
}

TEST_CASE("YAML number forms resolve exactly as the core schema's patterns say") {
  struct Case {
    const char* scalar;
    json expected;
  };
  const std::vector<Case> cases = {
      {"0", 0},          {"+7", 7},           {"-0", 0},          {"007", 7},
      {"0o", "0o"},      {"0o8", "0o8"},      {"0o-1", "0o-1"},   {"0x", "0x"},
      {"0xfF", 255},     {"0xg", "0xg"},      {"-0x1", "-0x1"},   {"+", "+"},
      {"-1-", "-1-"},    {".", "."},          {"1.", 1.0},        {".5", 0.5},
      {"-.5", -0.5},     {"+1.5e+2", 150.0},  {"1e", "1e"},       {"1e+", "1e+"},
      {"e3", "e3"},      {"1.2.3", "1.2.3"},  {".e1", ".e1"},     {"1_000", "1_000"},
      {"1E-2", 0.01},    {"--1", "--1"},      {"1 ", 1},          {"0x1F ", 31},
  };
  for (const auto& c : cases) {
    auto doc = parse_yaml(std::string("v: ") + c.scalar + "\n", "t.yaml");
    INFO("scalar: '" << c.scalar << "'");
    REQUIRE(doc.has_value());
    CHECK(doc->value["v"] == c.expected);
  }
}

TEST_CASE("a document expanded through aliases to 100k scalars converts quickly or is refused") {
  // The fuzzer's billion-laughs regression: converting up to the node bound
  // took 8-10 s under instrumentation while numbers went through std::regex.
  std::string text = "a: &a [x,1,x,2.5,x,x,x,x,x,x]\n";
  for (char c = 'b'; c <= 'h'; ++c)
    text += std::string(1, c) + ": &" + c + " [" + [&] {
      std::string items;
      for (int i = 0; i < 10; ++i) items += std::string(i ? "," : "") + "*" + static_cast<char>(c - 1);
      return items;
    }() + "]\n";
  const auto started = std::chrono::steady_clock::now();
  auto doc = parse_yaml(text, "laughs.yaml");
  const auto took = std::chrono::steady_clock::now() - started;
  REQUIRE_FALSE(doc.has_value());
  CHECK(doc.error().detail.find("too many nodes") != std::string::npos);
  CHECK(took < std::chrono::duration<double>(2.0 * daoctl::testing::kTimingScale));
}
