#include <catch2/catch.hpp>
#include <sstream>

#include "core/output/render.hpp"

using namespace daoctl::output;
using nlohmann::json;

namespace {

const std::vector<Column> kColumns = {
    {"ID", "/id", {}}, {"NAME", "/name", {}}, {"ACTIVE", "/active", {}}};

std::vector<json> people() {
  return {json{{"id", "1"}, {"name", "Иван Иванов"}, {"active", true}},
          json{{"id", "22"}, {"name", "Jo"}, {"active", false}}};
}

template <class F>
std::string render(F&& f) {
  std::ostringstream out;
  f(out);
  return out.str();
}

}  // namespace

TEST_CASE("table columns align by code points, so Cyrillic lines up with ASCII") {
  const auto text = render([](std::ostream& o) { render_table(o, people(), kColumns, {}); });
  CHECK(text ==
        "ID  NAME         ACTIVE\n"
        "1   Иван Иванов  true\n"
        "22  Jo           false\n");
}

TEST_CASE("table headers are bold only when colour is on") {
  const auto plain = render([](std::ostream& o) { render_table(o, {}, kColumns, {false}); });
  CHECK(plain == "ID  NAME  ACTIVE\n");
  const auto colour = render([](std::ostream& o) { render_table(o, {}, kColumns, {true}); });
  CHECK(colour == "\x1b[1mID\x1b[0m  \x1b[1mNAME\x1b[0m  \x1b[1mACTIVE\x1b[0m\n");
}

TEST_CASE("display width counts code points, wide CJK as two, combining marks as zero") {
  struct Row {
    const char* text;
    std::size_t width;
  };
  const Row rows[] = {{"", 0},           {"abc", 3},        {"Иван", 4},
                      {"日本", 4},        {"e\u0301", 1},    {"\xff\xfe", 2},
                      {"Ёлка-2", 6},     {"\xd0", 1}};
  for (const auto& row : rows) {
    INFO(row.text);
    CHECK(display_width(row.text) == row.width);
  }
}

TEST_CASE("cells: missing and null are empty, arrays joined, control characters flattened") {
  const json item = {{"tags", {"a", "b"}},
                     {"nothing", nullptr},
                     {"n", 42},
                     {"note", "line1\nline2\tx"},
                     {"emails", {{{"value", "a@x"}}}}};
  CHECK(cell_text(item, {"", "/missing", {}}).empty());
  CHECK(cell_text(item, {"", "/nothing", {}}).empty());
  CHECK(cell_text(item, {"", "/tags", {}}) == "a, b");
  CHECK(cell_text(item, {"", "/n", {}}) == "42");
  CHECK(cell_text(item, {"", "/note", {}}) == "line1 line2 x");
  CHECK(cell_text(item, {"", "/emails/0/value", {}}) == "a@x");
  CHECK(cell_text(item, {"", "/emails/5/value", {}}).empty());
  CHECK(cell_text(item, {"", "", [](const json& j) { return j["n"].dump() + "!"; }}) == "42!");
}

TEST_CASE("csv quotes per RFC 4180 and defuses spreadsheet formulas") {
  struct Row {
    const char* in;
    const char* out;
  };
  const Row rows[] = {
      {"plain", "plain"},
      {"a,b", "\"a,b\""},
      {"say \"hi\"", "\"say \"\"hi\"\"\""},
      {"two\nlines", "\"two\nlines\""},
      {"=SUM(A1:A9)", "'=SUM(A1:A9)"},
      {"+1", "'+1"},
      {"-1", "'-1"},
      {"@cmd", "'@cmd"},
      {"\tx", "'\tx"},
      {"\rx", "\"'\rx\""},
      {"=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""},
      {"", ""},
      {"Иванов", "Иванов"},
  };
  for (const auto& row : rows) {
    INFO(row.in);
    CHECK(csv_field(row.in) == row.out);
  }
}

TEST_CASE("csv output has a header row and CRLF line ends") {
  std::vector<json> items = {json{{"id", "1"}, {"name", "=evil()"}, {"active", true}},
                             json{{"id", "2"}, {"name", "Smith, J"}, {"active", false}}};
  const auto text = render([&](std::ostream& o) { render_csv(o, items, kColumns); });
  CHECK(text ==
        "ID,NAME,ACTIVE\r\n"
        "1,'=evil(),true\r\n"
        "2,\"Smith, J\",false\r\n");
}

TEST_CASE("json output is an array pretty-printed with two spaces, key order kept") {
  const auto text = render([](std::ostream& o) {
    render_list(o, people(), kColumns, Format::Json, {});
  });
  CHECK(text ==
        "[\n"
        "  {\n"
        "    \"active\": true,\n"
        "    \"id\": \"1\",\n"
        "    \"name\": \"Иван Иванов\"\n"
        "  },\n"
        "  {\n"
        "    \"active\": false,\n"
        "    \"id\": \"22\",\n"
        "    \"name\": \"Jo\"\n"
        "  }\n"
        "]\n");
  CHECK(render([](std::ostream& o) { render_list(o, {}, kColumns, Format::Json, {}); }) ==
        "[]\n");
}

TEST_CASE("yaml output quotes strings that would read back as other types") {
  const json value = json::array({json{{"id", "42"},
                                       {"active", true},
                                       {"flag", "yes"},
                                       {"name", "Иван"},
                                       {"empty", ""},
                                       {"none", nullptr},
                                       {"count", 7}}});
  const auto text = render([&](std::ostream& o) { render_yaml(o, value); });
  CHECK(text ==
        "- active: true\n"
        "  count: 7\n"
        "  empty: \"\"\n"
        "  flag: \"yes\"\n"
        "  id: \"42\"\n"
        "  name: Иван\n"
        "  none: ~\n");
  CHECK(render([](std::ostream& o) { render_yaml(o, json::array()); }) == "[]\n");
}

TEST_CASE("output format names") {
  CHECK(parse_format("json").value() == Format::Json);
  CHECK(parse_format("csv").value() == Format::Csv);
  auto bad = parse_format("xml");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().kind == daoctl::ErrorKind::Usage);
  CHECK(bad.error().describe() ==
        "unknown output format (--output xml): accepted formats are table, json, yaml, csv");
}
