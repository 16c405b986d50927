// daoctl-sim holds itself to schemas/openapi.yaml: every JSON request body is
// checked against the operation's documented schema before a handler sees it
// (400 naming the JSON pointer and the reason, as stripe-mock answers), and -
// when asked, as the test suite does - every response is checked before it
// leaves: one that breaks the contract becomes a 500 and a line
// "daoctl-sim: contract violation: ..." on stderr, which the e2e harness
// fails on. A reference server more lenient than its contract would hide
// client bugs from every test.
#pragma once

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/schema/openapi_contract.hpp"

namespace daoctl::sim {

class ContractCheck {
 public:
  // Loads the embedded contract; schemas compile lazily, once each.
  explicit ContractCheck(bool check_responses);

  // Problems of the request's body (JSON bodies only; a body that is not
  // JSON is left to the handler, which answers invalidSyntax). PATCH values
  // of a SCIM resource are checked against the resource's attribute schema
  // ("/Operations/0/value: ..."). Empty when the request may go on.
  std::vector<schema::Problem> request_problems(const httplib::Request& req) const;

  // Answers 400 for a request with problems; true when it did.
  bool reject(const httplib::Request& req, httplib::Response& res) const;

  // With response checks on: a response that breaks the contract is logged
  // and replaced by a 500 naming the problems.
  void check_response(const httplib::Request& req, httplib::Response& res) const;

  bool checks_responses() const noexcept { return check_responses_; }

 private:
  std::vector<schema::Problem> patch_problems(const httplib::Request& req,
                                              const nlohmann::json& body) const;
  schema::OpenApiContract contract_;
  bool check_responses_;
};

// "DAOCTL_SIM_CHECK_RESPONSES" set to anything but "" or "0".
bool response_checks_from_environment();

}  // namespace daoctl::sim
