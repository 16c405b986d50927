// The platform API contract (schemas/openapi.yaml, OpenAPI 3.1) as data:
// find the documented operation for a request, check a request body and a
// response against it,
// and lint the contract itself.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/schema/json_schema_validator.hpp"
#include "core/schema/yaml_json.hpp"

namespace daoctl::schema {

struct Operation {
  std::string method;         // upper case: "GET"
  std::string path_template;  // "/scim/v2/Users/{id}"
  std::string operation_id;   // "" when the contract lacks one (lint reports it)
  std::string pointer;        // JSON pointer of the operation object in the contract
};

struct OperationMatch {
  const Operation* operation = nullptr;
  std::map<std::string, std::string> path_parameters;  // {"id": "42"}
};

// Response headers by name; names compare case-insensitively.
struct HeaderNameLess {
  bool operator()(std::string_view a, std::string_view b) const;
  using is_transparent = void;
};
using Headers = std::map<std::string, std::string, HeaderNameLess>;

class OpenApiContract {
 public:
  // The contract built into the binary (schemas/openapi.yaml).
  static Result<OpenApiContract> load_embedded();
  // A contract from text; `source_name` is used in positions ("openapi.yaml").
  // Errors: YAML syntax (Parse, file:line:column), no "paths" object (Validation).
  static Result<OpenApiContract> parse(std::string_view yaml_text, std::string_view source_name);

  const nlohmann::json& document() const noexcept { return state_->document; }
  const SourceMap& positions() const noexcept { return state_->positions; }
  const std::string& source_name() const noexcept { return state_->source_name; }
  const std::vector<Operation>& operations() const noexcept { return state_->operations; }

  // The operation for METHOD and a concrete path ("/scim/v2/Users/42", query
  // string ignored). A template segment "{id}" matches one non-empty segment;
  // when several templates match, the one with more literal segments wins.
  std::optional<OperationMatch> find_operation(std::string_view method,
                                               std::string_view path) const;

  // Problems of a response: undocumented path/method/status, a content type the
  // response does not document (parameters such as charset ignored), a body
  // where none is documented, schema violations (paths into the body), and —
  // when `headers` is given — documented required headers that are missing.
  // `body` is null for an empty body. Problem paths outside the body start
  // with "(response)".
  std::vector<Problem> validate_response(std::string_view method, std::string_view path, int status,
                                         std::string_view content_type, const nlohmann::json& body,
                                         const Headers* headers = nullptr) const;

  // Problems of a request body: the documented request body schema of the
  // operation for METHOD and `path`, applied to `body` (JSON). Paths of
  // problems point into the body ("/hireDate"); problems about the request
  // itself (undocumented operation, no body documented, a body missing where
  // one is required, an undocumented content type) start with "(request)".
  // A body of a documented non-JSON media type (photos) is not inspected;
  // a JSON body sent as another JSON type (application/json to a SCIM
  // endpoint, RFC 7644 section 3.1) is checked against the documented one.
  std::vector<Problem> validate_request(std::string_view method, std::string_view path,
                                        std::string_view content_type,
                                        const nlohmann::json& body) const;

  // The compiled validator of one schema of the contract, e.g.
  // "/components/schemas/ScimUser"; compiled once, then shared.
  Result<JsonSchemaValidator> validator_for(const std::string& schema_pointer) const;

  // Checks of the contract itself, paths being JSON pointers into it: every
  // $ref resolves, every operation has a unique operationId and at least one
  // response, every path template parameter is declared as a required path
  // parameter (and no undeclared one is), every schema compiles.
  std::vector<Problem> lint() const;

  // "openapi.yaml:12:5: /paths/...: message".
  std::string format(const Problem& problem) const {
    return format_problem(problem, state_->source_name, state_->positions);
  }

 private:
  struct State {
    nlohmann::json document;
    SourceMap positions;
    std::string source_name;
    std::vector<Operation> operations;
    mutable std::mutex cache_mutex;
    mutable std::map<std::string, Result<JsonSchemaValidator>> validators;  // by schema pointer
  };
  explicit OpenApiContract(std::shared_ptr<State> state) : state_(std::move(state)) {}

  std::shared_ptr<State> state_;
};

}  // namespace daoctl::schema
