#include "sim/contract_check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#include "core/text/ascii.hpp"
#include "sim/http_reply.hpp"
#include "sim/scim.hpp"

namespace daoctl::sim {

using text::iequals;

using nlohmann::json;

namespace {

// RFC 7643 read-only attributes: a client may send them back (a PUT of the
// resource it read), and the server SHALL ignore them (RFC 7644 section
// 3.5.1), so they are not the request's to break the contract with.
void strip_read_only(json& body) {
  body.erase("id");
  body.erase("meta");
  body.erase("groups");
  if (auto it = body.find(scim::kProfileSchema); it != body.end() && it->is_object()) {
    it->erase("photo");
    it->erase("photoSha256");
  }
}

// The contract is immutable: one parse per process, shared by every server
// (the unit tests start many).
const schema::OpenApiContract& embedded_contract() {
  static const schema::OpenApiContract contract = [] {
    auto loaded = schema::OpenApiContract::load_embedded();
    if (!loaded)
      throw std::runtime_error("the embedded contract does not load: " + loaded.error().describe());
    return std::move(*loaded);
  }();
  return contract;
}

std::string media_type(const std::string& content_type) {
  std::string type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.pop_back();
  return text::lower_ascii(type);
}

bool is_json(const std::string& type) { return type == "application/json" || type.ends_with("+json"); }

std::string joined(const std::vector<schema::Problem>& problems) {
  std::string out;
  for (const auto& p : problems) out += (out.empty() ? "" : "; ") + schema::to_string(p);
  return out;
}

// The attribute steps of a SCIM PATCH path: "name.givenName" -> [name,
// givenName]; "urn:...:User:hireDate" -> ["urn:...:User", "hireDate"]. Empty
// for value-filter paths ("members[value eq \"1\"]"), which are not checked.
std::vector<std::string> patch_steps(const std::string& path) {
  if (path.find('[') != std::string::npos) return {};
  std::vector<std::string> steps;
  std::string rest = path;
  if (path.starts_with("urn:")) {
    const auto colon = path.rfind(':');
    steps.push_back(path.substr(0, colon));
    rest = path.substr(colon + 1);
  }
  std::size_t start = 0;
  for (;;) {
    const auto dot = rest.find('.', start);
    steps.push_back(rest.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return steps;
}

}  // namespace

bool response_checks_from_environment() {
  const char* value = std::getenv("DAOCTL_SIM_CHECK_RESPONSES");
  return value && *value && std::string_view(value) != "0";
}

ContractCheck::ContractCheck(bool check_responses)
    : contract_(embedded_contract()), check_responses_(check_responses) {}

std::vector<schema::Problem> ContractCheck::patch_problems(const httplib::Request& req,
                                                           const json& body) const {
  // The resource schema whose attributes a PATCH of this path writes.
  std::string resource;
  if (req.path.starts_with("/scim/v2/Users/")) resource = "ScimUser";
  else if (req.path.starts_with("/scim/v2/Groups/")) resource = "ScimGroup";
  if (resource.empty() || !body.is_object() || !body.contains("Operations") || !body["Operations"].is_array())
    return {};
  auto validator = contract_.validator_for("/components/schemas/" + resource);
  if (!validator) return {};
  const json base = resource == "ScimUser" ? json{{"schemas", {"x"}}, {"userName", "x"}}
                                           : json{{"schemas", {"x"}}, {"displayName", "x"}};
  std::vector<schema::Problem> problems;
  const auto& ops = body["Operations"];
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const json& op = ops[i];
    if (!op.is_object() || !op.contains("value") || !op.contains("op") || !op["op"].is_string() ||
        iequals(op["op"].get<std::string>(), "remove"))
      continue;
    const std::string where = fmt::format("/Operations/{}/value", i);
    json doc = base;
    std::string prefix;  // pointer of the value inside `doc`
    if (!op.contains("path")) {
      if (!op["value"].is_object()) continue;  // the handler says what is wrong
      for (const auto& [k, v] : op["value"].items()) doc[k] = v;
    } else {
      if (!op["path"].is_string()) continue;
      const auto steps = patch_steps(op["path"].get<std::string>());
      if (steps.empty()) continue;
      json* node = &doc;
      for (std::size_t s = 0; s + 1 < steps.size(); ++s) {
        node = &(*node)[steps[s]];
        prefix += "/" + schema::escape_pointer_token(steps[s]);
      }
      (*node)[steps.back()] = op["value"];
      prefix += "/" + schema::escape_pointer_token(steps.back());
    }
    for (auto& p : validator->validate(doc)) {
      if (!p.path.starts_with(prefix)) continue;  // the filled-in base, or a sibling
      if (prefix.empty() && (p.path == "/schemas" || p.path.starts_with("/schemas/"))) continue;
      problems.push_back({where + p.path.substr(prefix.size()), p.message});
    }
  }
  return problems;
}

std::vector<schema::Problem> ContractCheck::request_problems(const httplib::Request& req) const {
  if (req.body.empty()) return {};
  const std::string type = media_type(req.get_header_value("Content-Type"));
  if (!type.empty() && !is_json(type)) return {};
  json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded()) return {};  // the handler answers invalidSyntax with line and column
  // A body that is not an object is the handler's to refuse (invalidSyntax).
  if (!body.is_object()) return {};
  if (is_scim_path(req.path)) strip_read_only(body);
  auto problems = contract_.validate_request(req.method, req.path, type, body);
  // Documented leniencies of the sim (as of real SCIM clients): a SCIM
  // resource without "schemas" is read as the endpoint's resource, and
  // "True"/"False" strings are booleans (Azure AD sends them in PATCH).
  std::erase_if(problems, [&](const schema::Problem& p) {
    if (is_scim_path(req.path) && p.path.empty() && p.message == "missing required property \"schemas\"")
      return true;
    return p.message.starts_with("expected boolean, found string \"") &&
           (p.message.ends_with("\"True\"") || p.message.ends_with("\"False\"") ||
            p.message.ends_with("\"true\"") || p.message.ends_with("\"false\""));
  });
  if (problems.empty() && req.method == "PATCH") {
    problems = patch_problems(req, body);
    std::erase_if(problems, [](const schema::Problem& p) {
      return p.message.starts_with("expected boolean, found string \"") &&
             (p.message.ends_with("\"True\"") || p.message.ends_with("\"False\"") ||
              p.message.ends_with("\"true\"") || p.message.ends_with("\"false\""));
    });
  }
  return problems;
}

bool ContractCheck::reject(const httplib::Request& req, httplib::Response& res) const {
  auto problems = request_problems(req);
  if (problems.empty()) return false;
  ApiError error;
  // SCIM: 400 invalidValue (RFC 7644 section 3.12). Native: 422 with field
  // errors where the operation documents it (the API's convention for a
  // body that breaks its schema), else 400.
  error.status = 400;
  if (!is_scim_path(req.path))
    if (auto match = contract_.find_operation(req.method, req.path)) {
      const json& operation = contract_.document().at(json::json_pointer(match->operation->pointer));
      if (operation.contains("responses") && operation["responses"].contains("422")) error.status = 422;
    }
  // An operation that is not add/remove/replace is a malformed PATCH request
  // (invalidSyntax); a value the attribute cannot take is invalidValue.
  const bool bad_op = std::any_of(problems.begin(), problems.end(), [](const schema::Problem& p) {
    return p.path.starts_with("/Operations/") && p.path.ends_with("/op");
  });
  error.scim_type = bad_op ? "invalidSyntax" : "invalidValue";
  error.detail = fmt::format("request body of {} {} does not match the API contract: {}", req.method, req.path,
                             joined(problems));
  for (const auto& p : problems)
    error.errors.push_back({p.path.empty() ? std::string("(root)") : p.path.substr(1), p.message});
  send_error(req, res, error);
  return true;
}

void ContractCheck::check_response(const httplib::Request& req, httplib::Response& res) const {
  if (!check_responses_ || req.method == "HEAD" || res.status <= 0) return;
  const std::string type = res.get_header_value("Content-Type");
  json body;
  if (!res.body.empty()) {
    if (is_json(media_type(type))) {
      body = json::parse(res.body, nullptr, false);
      if (body.is_discarded()) {
        fmt::print(stderr, "daoctl-sim: contract violation: {} {} {}: the {} body is not JSON\n", req.method,
                   req.path, res.status, type);
        send_error(req, res, 500, fmt::format("contract violation: the {} body is not JSON", type));
        return;
      }
    } else {
      body = "(bytes)";  // any non-null: a body was sent
    }
  }
  schema::Headers headers;
  for (const auto& [name, value] : res.headers) headers[name] = value;
  // A streamed body (a content provider: backup downloads) has no body yet,
  // and httplib writes its Content-Length when it sends the headers.
  if (res.content_provider_) {
    if (body.is_null()) body = "(bytes)";
    if (!res.is_chunked_content_provider_ && !res.has_header("Content-Length"))
      headers["Content-Length"] = std::to_string(res.content_length_);
  }
  auto problems = contract_.validate_response(req.method, req.path, res.status, type, body, &headers);
  if (problems.empty()) return;
  const std::string text = joined(problems);
  fmt::print(stderr, "daoctl-sim: contract violation: {} {} answered {}: {}\n", req.method, req.path,
             res.status, text);
  const int original = res.status;
  res.headers.erase("Content-Type");
  res.headers.erase("ETag");
  res.headers.erase("Location");
  send_error(req, res, 500,
             fmt::format("contract violation: the {} answer to {} {} breaks schemas/openapi.yaml: {}", original,
                         req.method, req.path, text));
}

}  // namespace daoctl::sim
