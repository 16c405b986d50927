// Lets Catch print schema problems in failed comparisons.
#pragma once
#include <catch2/catch.hpp>

#include "core/schema/json_schema_validator.hpp"

namespace Catch {
template <>
struct StringMaker<daoctl::schema::Problem> {
  static std::string convert(const daoctl::schema::Problem& p) {
    return daoctl::schema::to_string(p);
  }
};
}  // namespace Catch
