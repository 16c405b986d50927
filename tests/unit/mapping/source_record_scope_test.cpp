#include <catch2/catch.hpp>

#include "core/mapping/mapping.hpp"
#include "core/mapping/source_record_scope.hpp"
#include "record_scope.hpp"

namespace daoctl::mapping {
namespace {

TEST_CASE("SourceRecordScope maps joined hr::SourceRecords by source name", "[mapping][scope]") {
  hr::SourceRecord ad;
  ad.add("mail", "Ivan.Petrov@Corp.Example");
  ad.add("memberOf", "CN=a");
  ad.add("memberOf", "CN=b");
  hr::SourceRecord hr_row;
  hr_row.add("Фамилия", "Петров");
  hr_row.field("Дата увольнения");  // an empty CSV cell: the field exists with no values

  CompileOptions options;
  options.today = "2024-06-01";
  const auto mapping = Mapping::compile(
      {{"email", "{ad.mail | email}"},
       {"groups", "{ad.memberOf}"},
       {"login", "{hr.Фамилия | login}"},
       {"active", "{not hr.'Дата увольнения'}"}},
      options);
  REQUIRE(mapping);

  SourceRecordScope scope;
  scope.bind("ad", &ad);
  scope.bind("hr", &hr_row);
  const MappedRecord joined = mapping->evaluate(scope);
  REQUIRE(joined.ok());
  CHECK(*joined.find("email") == Value{"ivan.petrov@corp.example"});
  CHECK(*joined.find("groups") == Value{List{"CN=a", "CN=b"}});
  CHECK(*joined.find("login") == Value{"petrov"});
  CHECK(*joined.find("active") == Value{true});

  // An employee found in AD only: every hr reference is null.
  scope.clear();
  scope.bind("ad", &ad);
  const MappedRecord ad_only = mapping->evaluate(scope);
  REQUIRE(ad_only.ok());
  CHECK(ad_only.find("login")->is_null());
  CHECK(*ad_only.find("email") == Value{"ivan.petrov@corp.example"});
  CHECK(scope.find("ldap", "mail") == nullptr);
}

}  // namespace
}  // namespace daoctl::mapping
