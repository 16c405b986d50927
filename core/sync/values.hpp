// Small helpers the sync's plan, executor and desired-user builder share.
#pragma once

#include <string>

#include "core/mapping/value.hpp"

namespace daoctl::sync {

// The single string a field holds: the string, the first element of a list,
// "" for null and for a bool (a bool is not a department, e-mail or id).
inline std::string first_string(const mapping::Value& v) {
  if (const auto* s = v.string()) return *s;
  if (const auto* l = v.list()) return l->empty() ? std::string() : l->front();
  return {};
}

// "Company/IT/Backend" -> "Company/IT"; "" for a root.
inline std::string parent_of(const std::string& path) {
  auto pos = path.rfind('/');
  return pos == std::string::npos ? std::string() : path.substr(0, pos);
}

// "Company/IT/Backend" -> "Backend".
inline std::string leaf_of(const std::string& path) {
  auto pos = path.rfind('/');
  return pos == std::string::npos ? path : path.substr(pos + 1);
}

}  // namespace daoctl::sync
