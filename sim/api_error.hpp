// An error as the simulator answers it on the wire. The HTTP layer renders it
// as SCIM error (RFC 7644 §3.12) under /scim/v2 and as problem details
// (RFC 9457) under /api/v1, so the store and the resource logic stay
// independent of the wire shape.
#pragma once

#include <expected>
#include <string>
#include <utility>
#include <vector>

namespace daoctl::sim {

struct FieldError {
  std::string field;
  std::string message;
};

struct ApiError {
  int status = 500;
  std::string detail;
  std::string scim_type;    // SCIM only: uniqueness, invalidFilter, invalidValue, ...
  std::string existing_id;  // 409 for an existing external id
  std::vector<FieldError> errors;  // 422 validation details
};

template <class T>
using ApiResult = std::expected<T, ApiError>;
using ApiStatus = std::expected<void, ApiError>;

inline std::unexpected<ApiError> api_fail(int status, std::string detail, std::string scim_type = {}) {
  ApiError e;
  e.status = status;
  e.detail = std::move(detail);
  e.scim_type = std::move(scim_type);
  return std::unexpected<ApiError>(std::move(e));
}

// 422 naming the field that failed validation.
inline ApiError validation_error(std::string field, std::string message) {
  ApiError e;
  e.status = 422;
  e.detail = message;
  e.errors.push_back(FieldError{std::move(field), std::move(message)});
  return e;
}

}  // namespace daoctl::sim
