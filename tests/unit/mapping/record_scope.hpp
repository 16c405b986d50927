// A Scope over literal test records: source → field → values.
#pragma once

#include <catch2/catch.hpp>
#include <initializer_list>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "core/mapping/scope.hpp"
#include "core/mapping/value.hpp"

namespace daoctl::mapping::testing {

class RecordScope final : public Scope {
 public:
  using Entry = std::tuple<std::string, std::string, std::vector<std::string>>;

  RecordScope(std::initializer_list<Entry> entries) {
    for (const auto& [source, field, values] : entries) sources_[source][field] = values;
  }

  void set(const std::string& source, const std::string& field, std::vector<std::string> values) {
    sources_[source][field] = std::move(values);
  }

  const std::vector<std::string>* find(std::string_view source,
                                       std::string_view field) const override {
    const auto s = sources_.find(source);
    if (s == sources_.end()) return nullptr;
    const auto f = s->second.find(field);
    return f == s->second.end() ? nullptr : &f->second;
  }

 private:
  std::map<std::string, std::map<std::string, std::vector<std::string>, std::less<>>, std::less<>>
      sources_;
};

}  // namespace daoctl::mapping::testing

namespace Catch {
template <>
struct StringMaker<daoctl::mapping::Value> {
  static std::string convert(const daoctl::mapping::Value& value) {
    return daoctl::mapping::describe(value);
  }
};
}  // namespace Catch
