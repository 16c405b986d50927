// sync::Fields, the flat map of a user's mapped fields: it must behave like
// the std::map it replaced wherever the sync relies on it (name order for
// plans and hashes, first-wins initialisation, lookup by view).
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <thread>
#include <vector>

#include "core/sync/model.hpp"

using daoctl::mapping::Value;
using daoctl::sync::Fields;

namespace {

std::vector<std::string> names(const Fields& f) {
  std::vector<std::string> out;
  for (const auto& [name, value] : f) out.push_back(name);
  return out;
}

}  // namespace

TEST_CASE("Fields iterate in name order whatever the order of insertion", "[sync][fields]") {
  Fields f;
  f["title"] = Value("Engineer");
  f["email"] = Value("a@b.c");
  f["name.givenName"] = Value("Иван");
  f["active"] = Value(true);
  f["name.familyName"] = Value("Петров");
  f["department"] = Value("Sales/EMEA");
  // The order std::map<std::string, Value, std::less<>> gave: bytewise.
  std::map<std::string, Value, std::less<>> reference;
  for (const auto& [name, value] : f) reference[name] = value;
  std::vector<std::string> expected;
  for (const auto& [name, value] : reference) expected.push_back(name);
  CHECK(names(f) == expected);
  CHECK(names(f) == std::vector<std::string>{"active", "department", "email", "name.familyName", "name.givenName",
                                             "title"});
}

TEST_CASE("Fields: find, at, count, [], erase and emplace keep one entry per name", "[sync][fields]") {
  Fields f{{"email", Value("first@x")}, {"title", Value("Boss")}, {"email", Value("second@x")}};
  REQUIRE(f.size() == 2);
  CHECK(*f.at("email").string() == "first@x");  // the first of equal names wins, as in std::map
  CHECK(f.count("title") == 1);
  CHECK(f.count("titl") == 0);
  CHECK(f.find(std::string_view("phone")) == f.end());
  CHECK_THROWS_AS(f.at("phone"), std::out_of_range);

  f["email"] = Value("third@x");  // assignment through [] replaces
  CHECK(*f.at("email").string() == "third@x");
  CHECK(f.size() == 2);

  auto [it, fresh] = f.emplace("title", Value("Other"));
  CHECK_FALSE(fresh);
  CHECK(*it->second.string() == "Boss");
  auto [it2, fresh2] = f.emplace("manager", Value(std::string()));
  CHECK(fresh2);
  CHECK(it2->first == "manager");
  CHECK(names(f) == std::vector<std::string>{"email", "manager", "title"});

  CHECK(f.erase("manager") == 1);
  CHECK(f.erase("manager") == 0);
  f.erase(f.find(std::string_view("email")));
  CHECK(names(f) == std::vector<std::string>{"title"});

  Fields g{{"title", Value("Boss")}};
  CHECK(f == g);
  g["title"] = Value("Chief");
  CHECK_FALSE(f == g);
}

TEST_CASE("Fields: reserve and shrink_to_fit change no content", "[sync][fields]") {
  Fields f;
  f.reserve(8);
  f["b"] = Value(std::vector<std::string>{"x", "y"});
  f["a"] = Value(false);
  f.shrink_to_fit();
  REQUIRE(f.size() == 2);
  CHECK(names(f) == std::vector<std::string>{"a", "b"});
  CHECK(*f.at("a").boolean() == false);
  CHECK(f.at("b").list()->size() == 2);
}

TEST_CASE("Field names are interned: one copy per text, shared by users and threads", "[sync][fields]") {
  using daoctl::sync::FieldName;
  // Built from different buffers, on different threads: the same text is the
  // same stored name; different texts stay apart, also by prefix.
  std::string a = "name.givenName", b = std::string("name.") + "givenName";
  const std::string* from_thread = nullptr;
  std::thread t([&] { from_thread = &FieldName(std::string_view("name.givenName")).str(); });
  t.join();
  CHECK(&FieldName(a).str() == &FieldName(b).str());
  CHECK(&FieldName(a).str() == from_thread);
  CHECK(FieldName("name.given") != FieldName(a));
  CHECK(FieldName("name.given") < FieldName(a));  // ordered by text, not by address
  CHECK(FieldName("") == std::string_view(""));

  Fields f, g;
  f["email"] = Value("a@b.c");
  g["email"] = Value("a@b.c");
  CHECK(&f.begin()->first.str() == &g.begin()->first.str());
  CHECK(f == g);
  g["title"] = Value("x");
  CHECK(f != g);
  // insert keeps first-wins and name order, with the pair's own name
  Fields h{{"title", Value("t")}, {"active", Value(true)}, {"title", Value("ignored")}};
  CHECK(h.insert({FieldName("email"), Value("e")}).second);
  CHECK_FALSE(h.insert({FieldName("title"), Value("u")}).second);
  CHECK(names(h) == std::vector<std::string>{"active", "email", "title"});
  CHECK(*h.at("title").string() == "t");
}
