// PlannedRequest: a request a connector will send, as data: what a command's
// --dry-run prints ({"method", "path", "body"}) and what the real run sends
// are built by the same connector function, so they cannot drift apart and
// no command names an API path.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace daoctl::platform {

struct PlannedRequest {
  std::string method;
  std::string path;  // segments already encoded, as sent
  std::optional<nlohmann::json> body;

  // {"method": ..., "path": ...} plus "body" when there is one.
  nlohmann::json describe() const {
    nlohmann::json d = {{"method", method}, {"path", path}};
    if (body) d["body"] = *body;
    return d;
  }
};

}  // namespace daoctl::platform
