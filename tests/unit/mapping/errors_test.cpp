// Parse errors point at the exact column; evaluation errors name the
// expression, the source field and the value.
#include <catch2/catch.hpp>

#include "core/mapping/expression.hpp"
#include "core/mapping/mapping.hpp"
#include "core/mapping/transforms.hpp"
#include "record_scope.hpp"

namespace daoctl::mapping {
namespace {

using Catch::Matchers::Contains;
using testing::RecordScope;

CompileOptions options_with_sources() {
  CompileOptions options;
  options.today = "2024-06-01";
  options.known_sources = {"ad", "hr"};
  options.lookup_tables["departments"] = LookupTable{{{"IT", "Company/IT"}}, std::nullopt};
  return options;
}

struct ParseErrorCase {
  const char* text;
  std::size_t column;  // 1-based, in code points
  const char* message_part;
};

const ParseErrorCase parse_error_cases[] = {
    {"{hr.Фамилия | lowr}", 15, "unknown transform 'lowr'; did you mean 'lower'?"},
    {"{hr.Имя | join}", 11, "join takes 1 argument, not 0: write join(', ')"},
    {"{hr.Имя | trim(1)}", 16, "trim takes 0 arguments, not 1"},
    {"{hr.Имя | replace('a', 'b', 'c')}", 29, "replace takes 1 to 2 arguments, not 3"},
    {"{hr.'Дата}", 5, "unterminated string: no closing '"},
    {"{hr.Имя", 1, "unclosed '{'"},
    {"Имя: {hr.Имя", 6, "unclosed '{'"},
    {"a } b", 3, "unmatched '}'"},
    {"{}", 1, "empty placeholder"},
    {"{ }", 1, "empty placeholder"},
    {"{disabled}", 2, "'disabled' is not a value: a reference names its source"},
    {"{hr.}", 5, "expected a field name after 'hr.'"},
    {"{hr.x = 'a'}", 7, "compare with '=='"},
    {"{!hr.x}", 2, "use 'not' or '!='"},
    {"{hr.x | date('dd.mm.yyyy')}", 14, "unsupported 'mm'"},
    {"{hr.x | date_format('yyyy')}", 21, "needs a year (yyyy or yy), a month (MM) and a day"},
    {"{hr.x | replace('(')}", 17, "invalid regular expression '('"},
    {"{hr.x | lookup(nope)}", 16, "unknown lookup table 'nope' (known: departments)"},
    {"{hrr.x}", 2, "unknown source 'hrr' (the job's sources: ad, hr)"},
    {"{hr.x < 1 < 2}", 11, "comparisons cannot be chained"},
    {"{hr.x and}", 10, "expected a value (source.field, 'text', a number, today), found '}'"},
    {"{and hr.x}", 2, "expected a value before 'and'"},
    {"{hr.x | split('')}", 15, "split needs a non-empty separator"},
    {"{hr.x |}", 8, "expected a transform name after '|', found '}'"},
    {"{hr.x | 5}", 9, "expected a transform name after '|', found '5'"},
    {"{hr.x | prefix('a' 'b')}", 20, "expected ',' or ')', found ''b''"},
    {"{hr.x hr.y}", 7, "expected '}' or an operator, found 'hr'"},
    {"{(hr.x}", 7, "expected ')', found '}'"},
    {"{hr.x {hr.y}}", 7, "'{' cannot appear inside a placeholder"},
    {"{hr.x # 1}", 7, "unexpected character '#'"},
};

TEST_CASE("parse errors name the column inside the template", "[mapping][errors]") {
  const CompileOptions options = options_with_sources();
  for (const ParseErrorCase& c : parse_error_cases) {
    INFO("template: " << c.text);
    const auto parsed = Template::parse(c.text, options);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().column == c.column);
    CHECK_THAT(parsed.error().message, Contains(c.message_part));
  }
}

TEST_CASE("parse errors of bare expressions and their offsets", "[mapping][errors]") {
  const CompileOptions options = options_with_sources();
  const auto incomplete = Expression::parse("hr.'Дата увольнения' <=", options);
  REQUIRE_FALSE(incomplete);
  CHECK(incomplete.error().column == 24);
  CHECK(incomplete.error().offset == std::string_view("hr.'Дата увольнения' <=").size());
  CHECK_THAT(incomplete.error().message, Contains("found the end of the expression"));

  const auto empty = Expression::parse("   ", options);
  REQUIRE_FALSE(empty);
  CHECK_THAT(empty.error().message, Contains("empty expression"));

  const auto trailing = Expression::parse("ad.disabled }", options);
  REQUIRE_FALSE(trailing);
  CHECK(trailing.error().column == 13);
}

TEST_CASE("today needs an injected date", "[mapping][errors]") {
  CompileOptions options;
  const auto parsed = Template::parse("{hr.x <= today}", options);
  REQUIRE_FALSE(parsed);
  CHECK(parsed.error().column == 10);
  CHECK_THAT(parsed.error().message, Contains("'today' is not available: the run supplied nothing"));
  options.today = "01.06.2024";
  const auto wrong = Template::parse("{today}", options);
  REQUIRE_FALSE(wrong);
  CHECK_THAT(wrong.error().message, Contains("supplied '01.06.2024' instead of a yyyy-MM-dd date"));
}

TEST_CASE("unknown transforms suggest the nearest names and list the known ones",
          "[mapping][errors]") {
  const CompileOptions options = options_with_sources();
  const auto typo = Template::parse("{hr.x | trnaslit}", options);
  REQUIRE_FALSE(typo);
  CHECK_THAT(typo.error().message, Contains("did you mean 'translit'?"));
  CHECK_THAT(typo.error().message, Contains("(known: trim lower upper title translit slug login"));

  const auto two = Template::parse("{hr.x | uper}", options);
  REQUIRE_FALSE(two);
  CHECK_THAT(two.error().message, Contains("did you mean 'upper'?"));

  const auto nothing_close = Template::parse("{hr.x | zzzzzz}", options);
  REQUIRE_FALSE(nothing_close);
  CHECK_THAT(nothing_close.error().message, !Contains("did you mean"));
  CHECK_THAT(nothing_close.error().message, Contains("unknown transform 'zzzzzz' (known: trim"));

  CHECK(similar_transform_names("jion") == std::vector<std::string_view>{"join"});
  CHECK(similar_transform_names("dat") == std::vector<std::string_view>{"date"});
  CHECK(similar_transform_names("LOWER") == std::vector<std::string_view>{"lower"});
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(edit_distance("Имя", "Имена") == 3);
  CHECK(edit_distance("jion", "join") == 1);
  CHECK(edit_distance("", "abc") == 3);
}

TEST_CASE("ParseError converts to a Config error naming where it is", "[mapping][errors]") {
  const auto parsed = Template::parse("{hr.x | lowr}", options_with_sources());
  REQUIRE_FALSE(parsed);
  const Error e = parsed.error().to_error("sync.yaml:31:10 mapping.email");
  CHECK(e.kind == ErrorKind::Config);
  CHECK(e.object == "sync.yaml:31:10 mapping.email, column 9");
  CHECK_THAT(e.describe(), Contains("unknown transform 'lowr'"));
}

TEST_CASE("evaluation errors name the expression, the field and the value", "[mapping][errors]") {
  const CompileOptions options = options_with_sources();
  const RecordScope record{
      {"hr", "Дата увольнения", {"31.02.2024"}},
      {"hr", "email", {"ivanov at corp.example"}},
      {"ad", "dept", {"Sales"}},
      {"ad", "memberOf", {"CN=a", "CN=b"}},
      {"ad", "disabled", {"yes"}},
  };
  struct Failing {
    const char* text;
    std::vector<const char*> parts;
  };
  const Failing failing[] = {
      {"{hr.'Дата увольнения' | date('dd.MM.yyyy')}",
       {"in {hr.'Дата увольнения' | date('dd.MM.yyyy')}: ",
        "date('dd.MM.yyyy') failed on hr.'Дата увольнения': '31.02.2024' is not a date in the "
        "pattern dd.MM.yyyy"}},
      {"{'2024-13-01' | date_format('dd.MM.yyyy')}",
       {"'2024-13-01' is not an ISO date (yyyy-MM-dd)"}},
      {"{hr.email | email}", {"email failed on hr.email", "'ivanov at corp.example' is not an e-mail address: it has no '@'"}},
      {"{'a@b@c.d' | email}", {"has more than one '@'"}},
      {"{'a@localhost' | email}", {"has a domain without a dot"}},
      {"{'a@corp..example' | email}", {"has an empty label in its domain"}},
      {"{'@corp.example' | email}", {"has nothing before '@'"}},
      {"{'<a@b.c>' | email}", {"contains '<'"}},
      {"{'a b@c.d' | email}", {"contains ' '"}},
      {"{ad.dept | lookup(departments)}",
       {"lookup(departments) failed on ad.dept: 'Sales' is not a key of lookup table "
        "'departments', which has no default"}},
      {"Groups: {ad.memberOf}",
       {"{ad.memberOf} has 2 values ['CN=a', 'CN=b'] inside text; pick one with '| first'"}},
      {"{ad.memberOf < 'x'}", {"ad.memberOf < 'x' cannot order a list"}},
      {"{ad.disabled | bool > true}", {"cannot order a boolean"}},
  };
  for (const Failing& f : failing) {
    INFO("template: " << f.text);
    const auto parsed = Template::parse(f.text, options);
    REQUIRE(parsed);
    const auto value = parsed->evaluate(record);
    REQUIRE_FALSE(value);
    for (const char* part : f.parts) CHECK_THAT(value.error().message, Contains(part));
  }
}

TEST_CASE("long and binary values are cut short in messages", "[mapping][errors]") {
  const std::string long_value(200, 'x');
  CHECK(quote_for_message(long_value) == "'" + std::string(60, 'x') + "…'");
  CHECK(quote_for_message(std::string("\xFF\xD8\x01ok", 5)) == "'???ok'");
  CHECK(describe(Value{List{"1", "2", "3", "4", "5", "6", "7"}}) ==
        "['1', '2', '3', '4', '5', … 2 more]");
}

}  // namespace
}  // namespace daoctl::mapping
