// contract_probe --url URL   (token in $DAOCTL_TOKEN)
//
// Walks a scripted sequence of real requests over every endpoint daoctl-sim
// implements (SCIM discovery, Users, Groups; native health, me, departments,
// sessions, tokens, jobs) including the error answers the conventions fix
// (401, 404, 409, 412, 422, 400 invalidFilter), and checks for each answer
// that the status is the one the conventions require and that status, content
// type, required headers and body match schemas/openapi.yaml. Prints one line
// per request and "N passed, M failed"; exits 1 on any failure, 2 on usage.
// Objects are named with a per-run suffix, so reruns against one sim work.
#include <curl/curl.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "core/schema/openapi_contract.hpp"

namespace {

using daoctl::schema::Headers;
using daoctl::schema::OpenApiContract;
using nlohmann::json;

struct Reply {
  int status = 0;
  Headers headers;
  std::string body;
  json parsed;  // null when the body is empty or not JSON
  std::string transport_error;
};

struct Request {
  std::string method;
  std::string path;
  std::optional<json> body;
  Headers headers;
  bool authenticate = true;
};

class CurlSession {
 public:
  CurlSession(std::string base_url, std::string token)
      : base_url_(std::move(base_url)), token_(std::move(token)), curl_(curl_easy_init()) {}
  ~CurlSession() { curl_easy_cleanup(curl_); }
  CurlSession(const CurlSession&) = delete;
  CurlSession& operator=(const CurlSession&) = delete;

  Reply send(const Request& request) {
    Reply reply;
    curl_easy_reset(curl_);
    const std::string url = base_url_ + request.path;
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT, 30L);
    if (request.method == "HEAD") curl_easy_setopt(curl_, CURLOPT_NOBODY, 1L);
    curl_slist* list = nullptr;
    const bool scim = request.path.starts_with("/scim/");
    std::string payload;
    if (request.body) {
      // A string body starting with "<raw>" is sent as is (malformed JSON on purpose).
      payload = request.body->is_string() && request.body->get<std::string>().starts_with("<raw>")
                    ? request.body->get<std::string>().substr(5)
                    : request.body->dump();
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, payload.c_str());
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE, static_cast<long>(payload.size()));
      list = curl_slist_append(
          list, scim ? "Content-Type: application/scim+json" : "Content-Type: application/json");
    }
    list = curl_slist_append(list,
                             scim ? "Accept: application/scim+json" : "Accept: application/json");
    if (request.authenticate) {
      const std::string auth = "Authorization: Bearer " + token_;
      list = curl_slist_append(list, auth.c_str());
    }
    for (const auto& [name, value] : request.headers) {
      const std::string line = name + ": " + value;
      list = curl_slist_append(list, line.c_str());
    }
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &CurlSession::on_body);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &reply.body);
    curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, &CurlSession::on_header);
    curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &reply.headers);
    const CURLcode code = curl_easy_perform(curl_);
    curl_slist_free_all(list);
    if (code != CURLE_OK) {
      reply.transport_error = curl_easy_strerror(code);
      return reply;
    }
    long status = 0;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
    reply.status = static_cast<int>(status);
    if (!reply.body.empty()) reply.parsed = json::parse(reply.body, nullptr, false);
    return reply;
  }

 private:
  static size_t on_body(char* data, size_t size, size_t count, void* user) {
    static_cast<std::string*>(user)->append(data, size * count);
    return size * count;
  }
  static size_t on_header(char* data, size_t size, size_t count, void* user) {
    auto& headers = *static_cast<Headers*>(user);
    std::string line(data, size * count);
    // A new status line (after 100 Continue or a redirect) starts a new header set.
    if (line.starts_with("HTTP/")) headers.clear();
    const auto colon = line.find(':');
    if (colon != std::string::npos) {
      std::string value = line.substr(colon + 1);
      const auto first = value.find_first_not_of(" \t");
      const auto last = value.find_last_not_of(" \t\r\n");
      value = first == std::string::npos ? "" : value.substr(first, last - first + 1);
      headers[line.substr(0, colon)] = value;
    }
    return size * count;
  }

  std::string base_url_;
  std::string token_;
  CURL* curl_;
};

class Probe {
 public:
  Probe(CurlSession& session, const OpenApiContract& contract)
      : session_(session), contract_(contract) {}

  // Sends the request, expects `expected_status`, validates against the contract.
  // `extra` may add problems of its own (semantic checks beyond the schema).
  Reply step(const Request& request, int expected_status,
             const std::function<void(const Reply&, std::vector<std::string>&)>& extra = {}) {
    Reply reply = session_.send(request);
    std::vector<std::string> problems;
    if (!reply.transport_error.empty()) {
      problems.push_back("transport: " + reply.transport_error);
    } else {
      if (reply.status != expected_status)
        problems.push_back("status " + std::to_string(reply.status) + ", expected " +
                           std::to_string(expected_status) +
                           " (body: " + reply.body.substr(0, 300) + ")");
      if (!reply.body.empty() && reply.parsed.is_discarded()) {
        const std::string type =
            reply.headers.contains("Content-Type") ? reply.headers["Content-Type"] : "";
        if (type.find("json") != std::string::npos) problems.push_back("body is not valid JSON");
        reply.parsed = nullptr;
      }
      const std::string content_type =
          reply.headers.contains("Content-Type") ? reply.headers["Content-Type"] : "";
      const json body = reply.body.empty() ? json() : reply.parsed;
      for (const auto& p : contract_.validate_response(request.method, request.path, reply.status,
                                                       content_type, body, &reply.headers))
        problems.push_back("contract: " + to_string(p));
      // SCIM resources repeat their version in meta.version (conventions, "Concurrency").
      if (reply.parsed.is_object() && reply.parsed.contains("meta") &&
          reply.parsed["meta"].is_object() && reply.parsed["meta"].contains("version")) {
        auto etag = reply.headers.find("ETag");
        if (etag == reply.headers.end() || reply.parsed["meta"]["version"] != etag->second)
          problems.push_back("meta.version must equal the ETag header");
      }
      if (extra) extra(reply, problems);
    }
    const std::string line =
        request.method + " " + request.path + " -> " +
        (reply.status ? std::to_string(reply.status) : std::string("no answer"));
    if (problems.empty()) {
      ++passed_;
      std::cout << "ok   " << line << "\n";
    } else {
      ++failed_;
      std::cout << "FAIL " << line << "\n";
      for (const auto& p : problems) std::cout << "       " << p << "\n";
    }
    return reply;
  }

  int passed() const { return passed_; }
  int failed() const { return failed_; }

 private:
  CurlSession& session_;
  const OpenApiContract& contract_;
  int passed_ = 0;
  int failed_ = 0;
};

std::string id_of(const Reply& reply) {
  if (reply.parsed.is_object() && reply.parsed.contains("id") && reply.parsed["id"].is_string())
    return reply.parsed["id"].get<std::string>();
  return "0";  // an id no object has: the dependent steps then fail visibly
}

std::string etag_of(const Reply& reply) {
  return reply.headers.contains("ETag") ? reply.headers.find("ETag")->second : "";
}

std::string url_encode(std::string_view text) {
  std::string out;
  static const char* hex = "0123456789ABCDEF";
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// Semantic checks the schema cannot express.
auto expect_total(int total) {
  return [total](const Reply& r, std::vector<std::string>& problems) {
    if (!r.parsed.is_object() || r.parsed.value("totalResults", -1) != total)
      problems.push_back("expected totalResults " + std::to_string(total));
  };
}
auto expect_scim_type(std::string type) {
  return [type](const Reply& r, std::vector<std::string>& problems) {
    if (!r.parsed.is_object() || r.parsed.value("scimType", "") != type)
      problems.push_back("expected scimType " + type);
  };
}
auto expect_field(std::string field) {
  return [field](const Reply& r, std::vector<std::string>& problems) {
    if (!r.parsed.is_object() || !r.parsed.contains(field))
      problems.push_back("expected a \"" + field + "\" member in the body");
  };
}

void run_sequence(Probe& probe, const std::string& run) {
  const json scim_user_schemas = {"urn:ietf:params:scim:schemas:core:2.0:User",
                                  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
                                  "urn:daoffice:scim:schemas:extension:profile:1.0:User"};
  const json group_schemas = {"urn:ietf:params:scim:schemas:core:2.0:Group"};
  const json patch_schemas = {"urn:ietf:params:scim:api:messages:2.0:PatchOp"};
  const std::string missing = "999999999";

  // ---- platform, auth, discovery
  probe.step({"GET", "/api/v1/health", {}, {}, false}, 200);
  probe.step({"GET", "/api/v1/me", {}, {}, true}, 200);
  probe.step({"GET", "/api/v1/me", {}, {}, false}, 401);
  probe.step({"GET", "/api/v1/departments", {}, {{"Authorization", "Bearer wrong-token"}}, false},
             401);
  probe.step({"GET", "/scim/v2/Users", {}, {}, false}, 401);
  probe.step({"GET", "/scim/v2/ServiceProviderConfig", {}, {}, true}, 200,
             [](const Reply& r, std::vector<std::string>& problems) {
               const json& c = r.parsed;
               if (!c.is_object() || c.value("/filter/maxResults"_json_pointer, 0) != 1000 ||
                   c.value("/patch/supported"_json_pointer, false) != true ||
                   c.value("/bulk/supported"_json_pointer, true) != false ||
                   c.value("/etag/supported"_json_pointer, false) != true)
                 problems.push_back(
                     "ServiceProviderConfig differs from the conventions "
                     "(patch true, bulk false, filter maxResults 1000, etag true)");
             });
  probe.step({"GET", "/scim/v2/ResourceTypes", {}, {}, true}, 200, expect_total(2));
  probe.step({"GET", "/scim/v2/ResourceTypes/User", {}, {}, true}, 200);
  probe.step({"GET", "/scim/v2/Schemas", {}, {}, true}, 200);
  probe.step({"GET", "/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", {}, {}, true},
             200);

  // ---- departments
  const json root_dept = {{"name", "probe-" + run}, {"external_id", "probe-dept-" + run}};
  Reply root = probe.step({"POST", "/api/v1/departments", root_dept, {}, true}, 201);
  const std::string root_id = id_of(root);
  Reply child = probe.step(
      {"POST",
       "/api/v1/departments",
       json{{"name", "child"}, {"parent_id", root_id}, {"external_id", "probe-child-" + run}},
       {},
       true},
      201);
  const std::string child_id = id_of(child);
  probe.step(
      {"POST", "/api/v1/departments", json{{"name", "child"}, {"parent_id", root_id}}, {}, true},
      409);
  probe.step({"POST",
              "/api/v1/departments",
              json{{"name", "other-" + run}, {"external_id", "probe-dept-" + run}},
              {},
              true},
             409, expect_field("existing_id"));
  probe.step({"POST",
              "/api/v1/departments",
              json{{"name", "orphan-" + run}, {"parent_id", missing}},
              {},
              true},
             422, expect_field("errors"));
  probe.step({"POST", "/api/v1/departments", json{{"name", 5}}, {}, true}, 422);
  probe.step({"POST", "/api/v1/departments", json("<raw>{\"name\": "), {}, true}, 400);
  probe.step({"POST", "/scim/v2/Users", json("<raw>{\"userName\": "), {}, true}, 400,
             expect_scim_type("invalidSyntax"));
  const json idem_body = {{"name", "idem-" + run}, {"parent_id", root_id}};
  const Headers idem_key{{"Idempotency-Key", "probe-" + run}};
  Reply first = probe.step({"POST", "/api/v1/departments", idem_body, idem_key, true}, 201);
  probe.step(
      {"POST", "/api/v1/departments", idem_body, idem_key, true}, 201,
      [&first](const Reply& r, std::vector<std::string>& problems) {
        auto it = r.headers.find("Idempotent-Replayed");
        if (it == r.headers.end() || it->second != "true")
          problems.push_back("a repeated Idempotency-Key must answer Idempotent-Replayed: true");
        if (id_of(r) != id_of(first)) problems.push_back("the replay must return the first body");
      });
  probe.step({"POST", "/api/v1/departments", json{{"name", "idem-other-" + run}}, idem_key, true},
             422);
  probe.step({"GET", "/api/v1/departments", {}, {}, true}, 200);
  probe.step({"GET", "/api/v1/departments?limit=1", {}, {}, true}, 200,
             [](const Reply& r, std::vector<std::string>& problems) {
               if (!r.parsed.is_object() || r.parsed.value("items", json::array()).size() > 1)
                 problems.push_back("limit=1 must return at most one item");
             });
  probe.step({"GET", "/api/v1/departments?parent_id=" + root_id, {}, {}, true}, 200);
  probe.step(
      {"GET", "/api/v1/departments?external_id=probe-dept-" + run, {}, {}, true}, 200,
      [&root_id](const Reply& r, std::vector<std::string>& problems) {
        const json items =
            r.parsed.is_object() ? r.parsed.value("items", json::array()) : json::array();
        if (items.size() != 1 || items[0].value("id", "") != root_id)
          problems.push_back("external_id filter must return exactly the department " + root_id);
      });
  Reply got = probe.step({"GET", "/api/v1/departments/" + child_id, {}, {}, true}, 200);
  probe.step({"GET", "/api/v1/departments/" + missing, {}, {}, true}, 404);
  probe.step({"PATCH",
              "/api/v1/departments/" + child_id,
              json{{"name", "renamed"}},
              {{"If-Match", "W/\"999999\""}},
              true},
             412);
  probe.step({"PATCH", "/api/v1/departments/" + root_id, json{{"parent_id", child_id}}, {}, true},
             422);
  probe.step({"PATCH",
              "/api/v1/departments/" + child_id,
              json{{"name", "renamed"}},
              {{"If-Match", etag_of(got)}},
              true},
             200);

  // ---- SCIM users
  auto user = [&](const std::string& suffix) {
    return json{{"schemas", scim_user_schemas},
                {"userName", "probe." + run + "." + suffix},
                {"externalId", "probe-user-" + run + "-" + suffix},
                {"name", {{"givenName", "Иван"}, {"familyName", "Иванов"}}},
                {"displayName", "Иван Иванов " + suffix},
                {"active", true},
                {"emails", json::array({{{"value", "probe." + run + "." + suffix + "@corp.example"},
                                         {"type", "work"},
                                         {"primary", true}}})},
                {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
                 {{"employeeNumber", "E" + suffix}, {"department", "IT"}}},
                {"urn:daoffice:scim:schemas:extension:profile:1.0:User",
                 {{"skills", {"C++"}},
                  {"birthday", "1990-05-01"},
                  {"departmentId", child_id},
                  {"managedBy", "daoctl"}}}};
  };
  Reply a = probe.step({"POST", "/scim/v2/Users", user("a"), {}, true}, 201);
  const std::string a_id = id_of(a);
  Reply b = probe.step({"POST", "/scim/v2/Users", user("b"), {}, true}, 201);
  const std::string b_id = id_of(b);
  json duplicate = user("c");
  duplicate["userName"] = "PROBE." + run + ".A";  // userName is case-insensitive
  probe.step({"POST", "/scim/v2/Users", duplicate, {}, true}, 409, expect_scim_type("uniqueness"));
  probe.step({"POST", "/scim/v2/Users", json{{"schemas", scim_user_schemas}}, {}, true}, 400);
  probe.step({"GET", "/scim/v2/Users/" + a_id, {}, {}, true}, 200);
  probe.step({"GET", "/scim/v2/Users/" + missing, {}, {}, true}, 404);
  const std::string by_name = url_encode("userName eq \"probe." + run + ".a\"");
  probe.step({"GET", "/scim/v2/Users?filter=" + by_name, {}, {}, true}, 200, expect_total(1));
  probe.step({"GET",
              "/scim/v2/Users?filter=" + url_encode("externalId eq \"probe-user-" + run + "-b\""),
              {},
              {},
              true},
             200, expect_total(1));
  probe.step({"GET",
              "/scim/v2/Users?filter=" +
                  url_encode("emails.value eq \"PROBE." + run + ".b@corp.example\""),
              {},
              {},
              true},
             200, expect_total(1));
  probe.step({"GET",
              "/scim/v2/Users?filter=" +
                  url_encode("userName eq \"probe." + run + ".a\" and active eq true"),
              {},
              {},
              true},
             200, expect_total(1));
  probe.step({"GET", "/scim/v2/Users?filter=" + url_encode("nickName co \"x\""), {}, {}, true}, 400,
             expect_scim_type("invalidFilter"));
  probe.step(
      {"GET", "/scim/v2/Users?startIndex=1&count=1", {}, {}, true}, 200,
      [](const Reply& r, std::vector<std::string>& problems) {
        if (!r.parsed.is_object() || r.parsed.value("itemsPerPage", -1) != 1 ||
            r.parsed.value("startIndex", -1) != 1)
          problems.push_back("startIndex=1&count=1 must answer startIndex 1, itemsPerPage 1");
      });
  probe.step({"GET", "/scim/v2/Users?startIndex=0&count=5000", {}, {}, true}, 200,
             [](const Reply& r, std::vector<std::string>& problems) {
               if (!r.parsed.is_object() || r.parsed.value("startIndex", -1) != 1 ||
                   r.parsed.value("itemsPerPage", 0) > 1000)
                 problems.push_back("startIndex 0 must be read as 1 and count clamped to 1000");
             });
  json replaced = user("a");
  replaced["title"] = "Engineer";
  probe.step({"PUT", "/scim/v2/Users/" + a_id, replaced, {{"If-Match", "W/\"999999\""}}, true},
             412);
  probe.step({"PUT", "/scim/v2/Users/" + a_id, replaced, {{"If-Match", etag_of(a)}}, true}, 200);
  probe.step({"PUT", "/scim/v2/Users/" + missing, replaced, {}, true}, 404);
  probe.step(
      {"PATCH",
       "/scim/v2/Users/" + a_id,
       json{{"schemas", patch_schemas},
            {"Operations",
             json::array({{{"op", "replace"}, {"path", "active"}, {"value", false}},
                          {{"op", "replace"}, {"path", "name.givenName"}, {"value", "Ivan"}}})}},
       {},
       true},
      200);

  // ---- SCIM groups
  const json members_a = json::array({{{"value", a_id}}});
  Reply g = probe.step({"POST",
                        "/scim/v2/Groups",
                        json{{"schemas", group_schemas},
                             {"displayName", "probe-" + run},
                             {"externalId", "probe-group-" + run},
                             {"members", members_a}},
                        {},
                        true},
                       201);
  const std::string g_id = id_of(g);
  probe.step({"POST",
              "/scim/v2/Groups",
              json{{"schemas", group_schemas}, {"displayName", "probe-" + run}},
              {},
              true},
             409, expect_scim_type("uniqueness"));
  probe.step({"POST",
              "/scim/v2/Groups",
              json{{"schemas", group_schemas},
                   {"displayName", "probe-bad-" + run},
                   {"members", json::array({{{"value", missing}}})}},
              {},
              true},
             400, expect_scim_type("invalidValue"));
  probe.step({"GET", "/scim/v2/Groups/" + g_id, {}, {}, true}, 200);
  probe.step({"GET", "/scim/v2/Groups/" + missing, {}, {}, true}, 404);
  probe.step({"GET",
              "/scim/v2/Groups?filter=" + url_encode("displayName eq \"probe-" + run + "\""),
              {},
              {},
              true},
             200, expect_total(1));
  probe.step({"GET",
              "/scim/v2/Groups?filter=" + url_encode("members.value eq \"" + a_id + "\""),
              {},
              {},
              true},
             200);
  probe.step({"GET", "/scim/v2/Users/" + a_id, {}, {}, true}, 200,
             [&g_id](const Reply& r, std::vector<std::string>& problems) {
               bool found = false;
               for (const auto& group : r.parsed.value("groups", json::array()))
                 if (group.value("value", "") == g_id) found = true;
               if (!found)
                 problems.push_back("the user's read-only groups must list group " + g_id);
             });
  probe.step({"PATCH",
              "/scim/v2/Groups/" + g_id,
              json{{"schemas", patch_schemas},
                   {"Operations", json::array({{{"op", "add"},
                                                {"path", "members"},
                                                {"value", json::array({{{"value", b_id}}})}}})}},
              {},
              true},
             200);
  probe.step(
      {"PATCH",
       "/scim/v2/Groups/" + g_id,
       json{{"schemas", patch_schemas},
            {"Operations",
             json::array({{{"op", "remove"}, {"path", "members[value eq \"" + a_id + "\"]"}}})}},
       {},
       true},
      200);
  json too_many = json::array();
  for (int i = 0; i < 1001; ++i)
    too_many.push_back(
        {{"op", "add"}, {"path", "members"}, {"value", json::array({{{"value", b_id}}})}});
  probe.step({"PATCH",
              "/scim/v2/Groups/" + g_id,
              json{{"schemas", patch_schemas}, {"Operations", too_many}},
              {},
              true},
             400, expect_scim_type("tooMany"));
  Reply current = probe.step({"GET", "/scim/v2/Groups/" + g_id, {}, {}, true}, 200);
  probe.step({"PUT",
              "/scim/v2/Groups/" + g_id,
              json{{"schemas", group_schemas},
                   {"displayName", "probe-" + run + "-renamed"},
                   {"members", members_a}},
              {{"If-Match", etag_of(current)}},
              true},
             200);
  probe.step({"DELETE", "/scim/v2/Groups/" + g_id, {}, {{"If-Match", "W/\"999999\""}}, true}, 412);

  // ---- departments with members
  probe.step({"DELETE", "/api/v1/departments/" + child_id, {}, {}, true}, 409);
  probe.step({"DELETE", "/api/v1/departments/" + root_id, {}, {}, true}, 409);

  // ---- sessions and tokens (a is blocked since the PATCH above)
  probe.step(
      {"POST", "/api/v1/users/" + b_id + "/sessions", json{{"client", "contract-probe"}}, {}, true},
      201);
  probe.step(
      {"POST", "/api/v1/users/" + a_id + "/sessions", json{{"client", "contract-probe"}}, {}, true},
      403);
  probe.step({"GET", "/api/v1/users/" + b_id + "/sessions", {}, {}, true}, 200);
  probe.step({"DELETE", "/api/v1/users/" + b_id + "/sessions", {}, {}, true}, 200,
             [](const Reply& r, std::vector<std::string>& problems) {
               if (!r.parsed.is_object() || r.parsed.value("revoked", -1) != 1)
                 problems.push_back("expected revoked 1");
             });
  probe.step({"GET", "/api/v1/users/" + missing + "/sessions", {}, {}, true}, 404);
  probe.step({"POST", "/api/v1/users/" + b_id + "/tokens", json{{"name", "probe-token"}}, {}, true},
             201);
  probe.step({"GET", "/api/v1/users/" + b_id + "/tokens", {}, {}, true}, 200);
  probe.step({"DELETE", "/api/v1/users/" + b_id + "/tokens", {}, {}, true}, 200);
  probe.step({"DELETE", "/api/v1/users/" + missing + "/tokens", {}, {}, true}, 404);

  // ---- jobs
  probe.step({"GET", "/api/v1/jobs", {}, {}, true}, 200);
  probe.step({"GET", "/api/v1/jobs?kind=backup&limit=10", {}, {}, true}, 200);
  probe.step({"GET", "/api/v1/jobs/" + missing, {}, {}, true}, 404);

  // ---- clean up (also checks the DELETE answers)
  Reply group_now = probe.step({"GET", "/scim/v2/Groups/" + g_id, {}, {}, true}, 200);
  probe.step({"DELETE", "/scim/v2/Groups/" + g_id, {}, {{"If-Match", etag_of(group_now)}}, true},
             204);
  probe.step({"DELETE", "/scim/v2/Users/" + a_id, {}, {}, true}, 204);
  probe.step({"DELETE", "/scim/v2/Users/" + b_id, {}, {}, true}, 204);
  probe.step({"GET", "/scim/v2/Users/" + a_id, {}, {}, true}, 404);
  probe.step({"DELETE", "/scim/v2/Users/" + a_id, {}, {}, true}, 404);
  probe.step({"DELETE", "/api/v1/departments/" + id_of(first), {}, {}, true}, 204);
  probe.step({"DELETE", "/api/v1/departments/" + child_id, {}, {}, true}, 204);
  probe.step({"DELETE", "/api/v1/departments/" + root_id, {}, {}, true}, 204);
  probe.step({"DELETE", "/api/v1/departments/" + root_id, {}, {}, true}, 404);
}

}  // namespace

int main(int argc, char** argv) {
  std::string url;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--url" && i + 1 < argc) {
      url = argv[++i];
    } else if (arg.starts_with("--url=")) {
      url = arg.substr(6);
    } else {
      std::cerr << "contract_probe: error: unknown argument " << arg
                << "\nusage: contract_probe --url URL  (token in DAOCTL_TOKEN)\n";
      return 2;
    }
  }
  const char* token = std::getenv("DAOCTL_TOKEN");
  if (url.empty() || !token || !*token) {
    std::cerr << "contract_probe: error: need --url URL and the token in DAOCTL_TOKEN\n";
    return 2;
  }
  while (url.ends_with('/')) url.pop_back();
  auto contract = OpenApiContract::load_embedded();
  if (!contract) {
    std::cerr << "contract_probe: error: " << contract.error().describe() << "\n";
    return 1;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  int failed = 0;
  {
    CurlSession session(url, token);
    Probe probe(session, *contract);
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    run_sequence(
        probe, std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(now).count()));
    std::cout << probe.passed() << " passed, " << probe.failed() << " failed\n";
    failed = probe.failed();
  }
  curl_global_cleanup();
  return failed == 0 ? 0 : 1;
}
