// The language by example: (template, expected value) against one record.
#include <catch2/catch.hpp>

#include "core/mapping/expression.hpp"
#include "core/mapping/transforms.hpp"
#include "record_scope.hpp"

namespace daoctl::mapping {
namespace {

using testing::RecordScope;

const RecordScope& sample_record() {
  static const RecordScope record{
      {"hr", "Фамилия", {"Щукин"}},
      {"hr", "Имя", {"Юлия"}},
      {"hr", "Табельный номер", {"00042"}},
      {"hr", "Дата увольнения", {"15.01.2024"}},
      {"hr", "hired", {"01.02.2020"}},
      {"hr", "future", {"31.12.2030"}},
      {"hr", "Компетенции", {"C++, SQL ,, Linux,"}},
      {"hr", "Телефон", {"8 (495) 123-45-67 доб. 12"}},
      {"hr", "email", {"  Yulia.Shchukina@Corp.Example "}},
      {"hr", "empty", {""}},
      {"hr", "no_values", {}},
      {"ad", "sAMAccountName", {"YShchukina"}},
      {"ad", "title", {"  ведущий инженер  "}},
      {"ad", "disabled", {"FALSE"}},
      {"ad", "locked", {"1"}},
      {"ad", "memberOf", {"CN=a", "CN=b"}},
      {"ad", "dept", {"IT"}},
      {"ad", "count", {"10"}},
      {"ad", "count2", {"9"}},
      {"ad", "phone_intl", {"+44 20 7946 0958"}},
  };
  return record;
}

CompileOptions sample_options() {
  CompileOptions options;
  options.today = "2024-06-01";
  options.lookup_tables["departments"] = LookupTable{{{"IT", "Company/IT"}}, std::nullopt};
  options.lookup_tables["cities"] = LookupTable{{{"Москва", "Moscow"}}, "Other"};
  return options;
}

struct Case {
  const char* text;
  Value expected;
};

const List cpp_sql_linux{"C++", "SQL", "Linux"};

const Case cases[] = {
    // Templates, literals and references.
    {"no placeholders", "no placeholders"},
    {"{hr.Фамилия}", "Щукин"},
    {"{hr.Фамилия} {hr.Имя}", "Щукин Юлия"},
    {"{{literal}} {hr.Имя}", "{literal} Юлия"},
    {"{hr.missing}", Value{}},
    {"{hr.no_values}", Value{}},
    {"{nosource.field}", Value{}},
    {"{hr.missing} {ad.missing}", Value{}},
    {"{hr.missing} {hr.Имя}", " Юлия"},
    {"{ad.memberOf}", List{"CN=a", "CN=b"}},
    {"{hr.\"Табельный номер\"}", "00042"},
    {"{hr.'Табельный номер'}", "00042"},
    {"{'it''s'}", "it's"},
    {"{\"say \"\"hi\"\"\"}", "say \"hi\""},
    {"{42}", "42"},
    {"{-1.5}", "-1.5"},
    {"{true}", true},
    {"{null}", Value{}},
    {"{today}", "2024-06-01"},
    {"{ hr.Имя\n   | upper }", "ЮЛИЯ"},
    {"{(hr.Имя)}", "Юлия"},
    {"[{ad.locked}]", "[1]"},
    {"on: {ad.locked == '1'}", "on: true"},
    // Case and white space.
    {"{ad.sAMAccountName | lower}", "yshchukina"},
    {"{ad.title | trim}", "ведущий инженер"},
    {"{ad.title | trim | upper}", "ВЕДУЩИЙ ИНЖЕНЕР"},
    {"{ad.title | title}", "  Ведущий Инженер  "},
    {"{hr.Фамилия | upper}", "ЩУКИН"},
    {"{'ÉCOLE ÀÉÎÕÜ Ÿ' | lower}", "école àéîõü ÿ"},
    {"{'straße ёж' | upper}", "STRAßE ЁЖ"},
    // Transliteration and logins.
    {"{hr.Фамилия | translit}", "Shchukin"},
    {"{hr.Фамилия | upper | translit}", "SHCHUKIN"},
    {"{'Щукин Ёжиков' | translit | lower}", "shchukin ezhikov"},
    {"{hr.Имя | slug}", "iuliia"},
    {"{hr.Имя | login}.{hr.Фамилия | login}", "iuliia.shchukin"},
    {"{'  Пётр Иванов-Водкин ' | slug}", "petr.ivanov.vodkin"},
    {"{'Ь' | slug}", Value{}},
    // Dates.
    {"{hr.'Дата увольнения' | date('dd.MM.yyyy')}", "2024-01-15"},
    {"{hr.hired | date('dd.MM.yyyy') | date_format('MM/dd/yyyy')}", "02/01/2020"},
    {"{'2024-03-05' | date('dd.MM.yyyy')}", "2024-03-05"},
    {"{'5.3.24' | date('d.M.yy')}", "2024-03-05"},
    {"{'29.02.2024' | date('dd.MM.yyyy')}", "2024-02-29"},
    {"{hr.empty | date('dd.MM.yyyy')}", Value{}},
    {"{'2024-03-05T10:00:00Z' | date_format('d.M.yyyy')}", "5.3.2024"},
    // default, replace, lookup.
    {"{hr.missing | default('n/a')}", "n/a"},
    {"{hr.empty | default('n/a')}", "n/a"},
    {"{hr.Имя | default('n/a')}", "Юлия"},
    {"{ad.sAMAccountName | replace('^Y', 'J')}", "JShchukina"},
    {"{'a1b22c' | replace('[0-9]+')}", "abc"},
    {"{'Ivanov Ivan' | replace('(\\w+) (\\w+)', '$2 $1')}", "Ivan Ivanov"},
    {"{ad.dept | lookup(departments)}", "Company/IT"},
    {"{'Москва' | lookup(cities)}", "Moscow"},
    {"{'Омск' | lookup(cities)}", "Other"},
    // Lists.
    {"{hr.Компетенции | split(',') | trim}", cpp_sql_linux},
    {"{hr.Компетенции | split(',') | trim | join('; ')}", "C++; SQL; Linux"},
    {"{ad.memberOf | split('=')}", List{"CN", "a", "CN", "b"}},
    {"{ad.memberOf | first}", "CN=a"},
    {"{ad.memberOf | first | lower}", "cn=a"},
    {"{hr.Имя | first}", "Юлия"},
    {"{ad.memberOf | join(', ')}", "CN=a, CN=b"},
    {"{ad.memberOf | lower}", List{"cn=a", "cn=b"}},
    {"{ad.memberOf | prefix('g:')}", List{"g:CN=a", "g:CN=b"}},
    {"{hr.Имя | suffix('!')}", "Юлия!"},
    {"{hr.missing | prefix('x')}", Value{}},
    {"{hr.empty | prefix('x')}", ""},
    {"{hr.missing | split(',')}", Value{}},
    {"{'' | split(',') | join(',')}", Value{}},
    // Phones, digits, e-mail.
    {"{hr.Телефон | digits}", "8495123456712"},
    {"{hr.Телефон | phone}", "+74951234567"},
    {"{'+7 916 000-11-22' | phone}", "+79160001122"},
    {"{'79160001122' | phone}", "+79160001122"},
    {"{ad.phone_intl | phone}", "+442079460958"},
    {"{'12-34' | phone}", "1234"},
    {"{'n/a' | phone}", Value{}},
    {"{'abc' | digits}", Value{}},
    {"{hr.email | email}", "yulia.shchukina@corp.example"},
    {"{'  ' | email}", Value{}},
    // Truth.
    {"{ad.disabled | bool}", false},
    {"{ad.locked | bool}", true},
    {"{hr.missing | bool}", false},
    {"{'0' | bool}", false},
    {"{'нет' | bool}", true},
    {"{ad.memberOf | bool}", true},
    {"{ad.disabled | not}", true},
    {"{not ad.disabled}", true},
    {"{not not ad.locked}", true},
    {"{not ad.disabled and not hr.'Дата увольнения'}", false},
    {"{not ad.disabled and not hr.missing}", true},
    // `or` yields the first true operand, else the last operand (coalesce_test.cpp).
    {"{ad.locked or hr.missing}", "1"},
    {"{hr.missing or ad.disabled}", "FALSE"},
    {"{(hr.missing or ad.locked) | bool}", true},
    {"{not (ad.locked and ad.disabled)}", true},
    {"{ad.disabled or ad.locked and hr.missing}", false},
    // Comparisons: dates, then numbers, then strings.
    {"{hr.'Дата увольнения' <= today}", true},
    {"{hr.'Дата увольнения' > today}", false},
    {"{hr.future <= today}", false},
    {"{hr.future >= today}", true},
    {"{hr.'Дата увольнения' | date('dd.MM.yyyy') < today}", true},
    {"{'01.02.2020' == '2020-02-01'}", true},
    {"{hr.missing <= today}", false},
    {"{hr.empty <= today}", false},
    {"{hr.missing > today}", false},
    {"{hr.missing == ''}", true},
    {"{hr.empty == null}", true},
    {"{hr.Имя != null}", true},
    {"{ad.count > ad.count2}", true},
    {"{'10' == '10.0'}", true},
    {"{'-2' < '1'}", true},
    {"{ad.dept == 'IT'}", true},
    {"{ad.dept != 'IT'}", false},
    {"{'apple' < 'banana'}", true},
    {"{'Б' > 'А'}", true},
    {"{'b' >= 'b'}", true},
    {"{ad.memberOf == ad.memberOf}", true},
    {"{ad.memberOf != hr.Имя}", true},
    {"{ad.disabled == false}", true},
    {"{ad.locked == true}", true},
};

TEST_CASE("mapping templates evaluate to the expected values", "[mapping][template]") {
  const CompileOptions options = sample_options();
  for (const Case& c : cases) {
    INFO("template: " << c.text);
    const auto parsed = Template::parse(c.text, options);
    if (!parsed) FAIL("parse error at column " << parsed.error().column << ": " << parsed.error().message);
    const auto value = parsed->evaluate(sample_record());
    if (!value) FAIL("evaluation error: " << value.error().message);
    CHECK(*value == c.expected);
  }
}

TEST_CASE("every transform of the catalogue appears in the case table", "[mapping][template]") {
  for (const auto& spec : transform_catalogue()) {
    const std::string call = "| " + std::string(spec.name);
    bool used = false;
    for (const Case& c : cases) used = used || std::string_view(c.text).find(call) != std::string_view::npos;
    INFO("transform: " << spec.name);
    CHECK(used);
  }
}

TEST_CASE("bare expressions evaluate without braces", "[mapping][expression]") {
  const CompileOptions options = sample_options();
  const auto rule = Expression::parse("hr.'Дата увольнения' <= today", options);
  REQUIRE(rule);
  CHECK(rule->evaluate(sample_record()) == Value{true});
  CHECK(rule->references() == std::vector<Reference>{{"hr", "Дата увольнения"}});

  const auto disabled = Expression::parse("ad.disabled", options);
  REQUIRE(disabled);
  CHECK(disabled->evaluate(sample_record()) == Value{"FALSE"});
}

TEST_CASE("templates list the source fields they read", "[mapping][template]") {
  const auto parsed = Template::parse(
      "{hr.Фамилия} {hr.Имя | upper} {ad.mail or hr.Имя} {hr.Фамилия}", sample_options());
  REQUIRE(parsed);
  CHECK(parsed->references() ==
        std::vector<Reference>{{"ad", "mail"}, {"hr", "Имя"}, {"hr", "Фамилия"}});
}

}  // namespace
}  // namespace daoctl::mapping
