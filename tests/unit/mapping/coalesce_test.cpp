// Coalescing (`or`, `default(expression)`), the conditional `if(c, a, b)` and
// the call form of transforms (`login(hr.Фамилия)`), on records the first
// fixtures lacked: Cyrillic headers, a column that is empty vs. one that is
// missing, 0/1 flags from an HR export, nested fallbacks.
#include <catch2/catch.hpp>

#include "core/mapping/expression.hpp"
#include "record_scope.hpp"

namespace daoctl::mapping {
namespace {

using Catch::Matchers::Contains;
using testing::RecordScope;

CompileOptions options() {
  CompileOptions o;
  o.today = "2024-06-01";
  o.known_sources = {"ad", "hr"};
  return o;
}

// A 1C export row: the e-mail column exists but is empty, there is no
// 'Отчество' column at all, dismissal is a 0/1 flag.
const RecordScope& row() {
  static const RecordScope r{
      {"hr", "Фамилия", {"Щукин"}},
      {"hr", "Имя", {"Юлия"}},
      {"hr", "email", {""}},
      {"hr", "Уволен", {"0"}},
      {"hr", "Декрет", {"1"}},
      {"hr", "Дата увольнения", {"31.02.2024"}},  // not a date
      {"hr", "blank", {"   "}},
      {"ad", "mail", {"Y.Shchukina@corp.example"}},
      {"ad", "memberOf", {"CN=a", "CN=b"}},
      {"ad", "no_values", {}},
  };
  return r;
}

Value eval(std::string_view text) {
  auto t = Template::parse(text, options());
  INFO("template: " << text);
  if (!t) FAIL("parse error at column " << t.error().column << ": " << t.error().message);
  auto v = t->evaluate(row());
  if (!v) FAIL("evaluation error: " << v.error().message);
  return *v;
}

struct Case {
  const char* text;
  Value expected;
};

const Case cases[] = {
    // `or` yields the first operand that is true, not `true`.
    {"{hr.email or login(hr.Фамилия)}", "shchukin"},
    {"{hr.email or hr.Фамилия | login}", "shchukin"},  // | binds tighter than or
    {"{hr.Отчество or hr.Имя}", "Юлия"},                // missing column
    {"{hr.email or hr.Имя}", "Юлия"},                   // empty column
    {"{ad.mail or hr.Имя}", "Y.Shchukina@corp.example"},
    {"{hr.email or hr.Отчество or 'n/a'}", "n/a"},
    {"{hr.Отчество or (hr.email or ad.mail | lower)}", "y.shchukina@corp.example"},
    {"{ad.no_values or ad.memberOf}", List{"CN=a", "CN=b"}},
    // Nothing true: the last operand's value, whatever it is.
    {"{hr.Отчество or hr.email}", ""},
    {"{hr.email or hr.Отчество}", Value{}},
    {"{hr.Уволен or false}", false},
    // Text around it.
    {"{hr.Имя} <{hr.email or ad.mail | lower}>", "Юлия <y.shchukina@corp.example>"},
    // Logic keeps its meaning: the truth of `a or b` is `a` true or `b` true.
    {"{not (hr.Уволен or hr.Декрет)}", false},
    {"{not (hr.Уволен or hr.Отчество)}", true},
    {"{hr.Уволен or hr.Декрет | bool}", true},
    {"{hr.Имя == 'Юлия' or hr.Уволен}", true},
    {"{hr.Имя == 'Анна' or hr.Уволен == '1'}", false},
    {"{hr.Имя and hr.Фамилия}", true},  // and stays boolean
    {"{not hr.Уволен and hr.Декрет}", true},
    // `or` stops at the first true operand: a bad value after it is not read.
    {"{hr.Имя or hr.'Дата увольнения' | date('dd.MM.yyyy')}", "Юлия"},
    // default(): the value unless it is null, "" or an empty list; "0" is a value.
    {"{hr.email | default(ad.mail)}", "Y.Shchukina@corp.example"},
    {"{hr.email | default(login(hr.Фамилия))}", "shchukin"},
    {"{hr.Отчество | default(hr.email | default('нет'))}", "нет"},
    {"{hr.Уволен | default('x')}", "0"},
    {"{hr.Уволен or 'x'}", "x"},
    {"{hr.blank | default('x')}", "   "},  // blank is not empty: trim first
    {"{hr.blank | trim | default('x')}", "x"},
    {"{hr.email | default(hr.Имя) | upper}", "ЮЛИЯ"},
    {"{default(hr.email, hr.Отчество, ad.mail | lower)}", "y.shchukina@corp.example"},
    {"{default(hr.Отчество, hr.email)}", ""},
    {"{hr.Фамилия | default(hr.'Дата увольнения' | date('dd.MM.yyyy'))}", "Щукин"},  // lazy
    // The call form of any transform: t(x, args) is x | t(args).
    {"{upper(hr.Имя)}", "ЮЛИЯ"},
    {"{replace(hr.Фамилия, 'ук', 'УК')}", "ЩУКин"},
    {"{login(hr.Имя) | suffix('@corp.example')}", "iuliia@corp.example"},
    {"{join(ad.memberOf, ';')}", "CN=a;CN=b"},
    // if(condition, then, else): only the branch taken is evaluated.
    {"{if(hr.Уволен, 'dismissed', 'active')}", "active"},
    {"{if(hr.Декрет, 'leave', 'active')}", "leave"},
    {"{if(hr.Отчество, hr.Отчество)}", Value{}},
    {"{if(hr.email, hr.email, ad.mail | lower)}", "y.shchukina@corp.example"},
    {"{if(hr.Имя == 'Юлия', hr.Фамилия | translit, hr.'Дата увольнения' | date('dd.MM.yyyy'))}",
     "Shchukin"},
    {"{if(hr.Уволен == '1' or hr.Декрет == '1', false, true)}", false},
    {"{if(not hr.Уволен, ad.memberOf)}", List{"CN=a", "CN=b"}},
    {"{if(hr.Декрет, 'a', 'b') | upper}", "A"},
};

TEST_CASE("or coalesces, default takes expressions, if chooses", "[mapping][coalesce]") {
  for (const Case& c : cases) {
    INFO("template: " << c.text);
    CHECK(eval(c.text) == c.expected);
  }
}

TEST_CASE("a dismissal rule with or is true when either side is", "[mapping][coalesce]") {
  auto rule = Expression::parse("hr.Уволен or hr.Декрет", options());
  REQUIRE(rule);
  auto v = rule->evaluate(row());
  REQUIRE(v);
  CHECK(truthy(*v));
  auto neither = Expression::parse("hr.Уволен or hr.Отчество", options());
  REQUIRE(neither);
  CHECK_FALSE(truthy(*neither->evaluate(row())));
}

TEST_CASE("references inside default(), if() and calls are listed", "[mapping][coalesce]") {
  auto t = Template::parse("{if(hr.a, login(hr.b), hr.c | default(ad.d))}", options());
  REQUIRE(t);
  CHECK(t->references() ==
        std::vector<Reference>{{"ad", "d"}, {"hr", "a"}, {"hr", "b"}, {"hr", "c"}});
  REQUIRE(t->uses().size() == 4);
  CHECK(t->uses()[3].reference == Reference{"ad", "d"});
  CHECK(t->uses()[3].column == 39);
}

TEST_CASE("the branch not taken does not fail, the one taken does", "[mapping][coalesce]") {
  auto t = Template::parse("{if(hr.Декрет, hr.'Дата увольнения' | date('dd.MM.yyyy'), 'x')}", options());
  REQUIRE(t);
  auto v = t->evaluate(row());
  REQUIRE_FALSE(v);
  CHECK_THAT(v.error().message, Contains("'31.02.2024' is not a date in the pattern dd.MM.yyyy"));
}

struct ErrorCase {
  const char* text;
  std::size_t column;
  const char* message_part;
};

const ErrorCase errors[] = {
    {"{if(hr.a)}", 2, "if takes 2 or 3 arguments (condition, then, else), not 1"},
    {"{if(hr.a, 'x', 'y', 'z')}", 21, "if takes 2 or 3 arguments"},
    {"{if hr.a}", 2, "'if' is not a value"},
    {"{login(hr.a, 'x')}", 14, "login takes 0 arguments after its value, not 1: write login(value)"},
    {"{replace(hr.a)}", 2, "replace takes 1 to 2 arguments after its value, not 0"},
    {"{lowr(hr.a)}", 2, "unknown transform 'lowr'; did you mean 'lower'?"},
    {"{lower}", 2, "'lower' is a transform: write hr.field | lower or lower(hr.field)"},
    {"{default(hr.a)}", 2, "default takes a value and at least one fallback"},
    {"{hr.a | default()}", 17, "expected a value"},
    {"{hr.a | default(hr.b, 'x')}", 21, "default takes 1 argument after '|'"},
    {"{hr.a | default(hrr.b)}", 17, "unknown source 'hrr'"},
    {"{upper(hr.a}", 12, "expected ',' or ')'"},
    {"{hr.a or}", 9, "expected a value"},
};

TEST_CASE("deep nesting is a parse error, not a stack overflow", "[mapping][coalesce][errors]") {
  const std::string parens = "{" + std::string(100000, '(') + "hr.a" + std::string(100000, ')') + "}";
  auto t = Template::parse(parens, options());
  REQUIRE_FALSE(t);
  CHECK_THAT(t.error().message, Contains("nests deeper than 64 levels"));
  std::string calls = "{";
  for (int i = 0; i < 50000; ++i) calls += "if(hr.a, ";
  auto c = Template::parse(calls, options());
  REQUIRE_FALSE(c);
  CHECK_THAT(c.error().message, Contains("nests deeper than 64 levels"));
  std::string nots = "{";
  for (int i = 0; i < 50000; ++i) nots += "not ";
  auto n = Template::parse(nots + "hr.a}", options());
  REQUIRE_FALSE(n);
  CHECK_THAT(n.error().message, Contains("nests deeper than 64 levels"));
  // 20 levels are fine.
  auto fine = Template::parse("{" + std::string(20, '(') + "hr.Имя or 'x'" + std::string(20, ')') + "}", options());
  REQUIRE(fine);
  CHECK(fine->evaluate(row()) == Value{"Юлия"});
}

TEST_CASE("errors in calls, if() and default() name the column", "[mapping][coalesce][errors]") {
  for (const ErrorCase& c : errors) {
    INFO("template: " << c.text);
    auto t = Template::parse(c.text, options());
    REQUIRE_FALSE(t);
    CHECK(t.error().column == c.column);
    CHECK_THAT(t.error().message, Contains(c.message_part));
  }
}

}  // namespace
}  // namespace daoctl::mapping
