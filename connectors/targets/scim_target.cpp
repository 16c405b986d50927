#include "connectors/targets/scim_target.hpp"

#include <openssl/evp.h>
#include <set>
#include <strings.h>

#include <fmt/format.h>

#include "connectors/platform/answer.hpp"
#include "connectors/platform/departments_api.hpp"
#include "core/sync/scim_mapping.hpp"

namespace daoctl::targets {

using nlohmann::json;
using platform::Answer;
using platform::url_encode_segment;

namespace {

constexpr const char* kPatchOp = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

// The "id" of a created resource. A 2xx answer without one is a broken
// server, reported as such rather than as a created object with no id.
Result<std::string> id_of(const http::Response& resp, const std::string& object) {
  json body = json::parse(resp.body, nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("id") || !body["id"].is_string())
    return fail(ErrorKind::Remote, "the server's answer has no id", object,
                "expected a JSON object with a string \"id\"");
  return body["id"].get<std::string>();
}

std::string scim_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string idempotency_key(std::string_view managed_by, std::string_view object, std::string_view body) {
  std::string data = std::string(managed_by) + "\n" + std::string(object) + "\n" + std::string(body);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned i = 0; i < 16 && i < len; ++i) hex += fmt::format("{:02x}", md[i]);
  return "daoctl-" + hex;
}

std::string scim_root_for(sync::TargetKind kind, std::string_view base_url) {
  if (kind == sync::TargetKind::Platform) return "/scim/v2";
  const auto scheme = base_url.find("://");
  const auto slash = base_url.find('/', scheme == std::string_view::npos ? 0 : scheme + 3);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : base_url.substr(slash);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  return path.empty() ? "/scim/v2" : "";
}

ScimSyncTarget::ScimSyncTarget(platform::PlatformClient& client, ScimTargetOptions options)
    : client_(client),
      options_(std::move(options)),
      root_(scim_root_for(options_.kind, client.options().base_url)) {}

http::Request ScimSyncTarget::scim_request(const std::string& method, const std::string& path,
                                           const std::string& object, std::optional<json> body) const {
  const bool has_body = body.has_value();
  auto req = client_.make_request(method, root_ + path, object, std::move(body));
  http::set_header(req, "Accept", "application/scim+json, application/json");
  if (has_body) http::set_header(req, "Content-Type", "application/scim+json");
  return req;
}

Status ScimSyncTarget::discover() {
  const std::string url = client_.options().base_url + root_ + "/ServiceProviderConfig";
  auto spc = client_.get_json(root_ + "/ServiceProviderConfig", "SCIM ServiceProviderConfig");
  if (!spc) {
    Error e = spc.error();
    if (e.http_status == 404) {
      e.message = "no SCIM service at " + url;
      e.hint = options_.kind == sync::TargetKind::Platform
                   ? "platform.url is the platform's address; daoctl adds /scim/v2"
                   : "platform.url of a scim target is the SCIM root as the service documents it (the URL "
                     "that /Users and /ServiceProviderConfig are under, e.g. https://idp.example/scim/v2); a "
                     "URL without a path gets /scim/v2";
    }
    return std::unexpected(std::move(e));
  }
  const Answer config(*spc, "SCIM ServiceProviderConfig");
  auto patch = config.find<bool>("/patch/supported");
  if (!patch) return std::unexpected(patch.error());
  if (spc->is_object() && spc->contains("patch") && !patch->value_or(false))
    return fail(ErrorKind::Config, "the SCIM service does not support PATCH", "ServiceProviderConfig",
                "patch.supported is false", "daoctl sync needs RFC 7644 PATCH");
  auto max_results = config.get_or<int>("/filter/maxResults", options_.page_size);
  if (!max_results) return std::unexpected(max_results.error());
  if (*max_results > 0) options_.page_size = std::min(options_.page_size, *max_results);
  auto max_ops = config.get_or<int>("/urn:daoffice:scim:config:1.0/maxPatchOperations", options_.max_patch_operations);
  if (!max_ops) return std::unexpected(max_ops.error());
  options_.max_patch_operations = *max_ops;
  return {};
}

Result<sync::PlatformState> ScimSyncTarget::read_state() {
  sync::PlatformState state;
  std::map<std::string, std::string> paths;
  // The first wrongly typed field of a page (platform::Answer); the pages
  // after it are read but not used.
  std::optional<Error> bad;
  auto text = [&bad](const Answer& a, std::string_view pointer) {
    auto v = a.get_or<std::string>(pointer, "");
    if (!v && !bad) bad = v.error();
    return v ? *v : std::string();
  };
  long long page = 0;
  if (options_.kind == sync::TargetKind::Platform) {
    auto st = client_.cursor_list("/api/v1/departments", 1000, [&](const json& items) {
      const std::string object = "page " + std::to_string(++page) + " of /api/v1/departments";
      for (std::size_t i = 0; i < items.size() && !bad; ++i) {
        const Answer d(items[i], object, "/items/" + std::to_string(i));
        sync::PlatformDepartment dep;
        dep.id = text(d, "/id");
        dep.name = text(d, "/name");
        dep.parent_id = text(d, "/parent_id");
        dep.path = text(d, "/path");
        dep.external_id = text(d, "/external_id");
        dep.version = text(d, "/updated_at");
        auto members = d.get_or<long>("/member_count", 0L);
        if (!members && !bad) bad = members.error();
        dep.member_count = members.value_or(0);
        paths[dep.id] = dep.path;
        state.departments.push_back(std::move(dep));
      }
    });
    if (!st) return std::unexpected(st.error());
    if (bad) return std::unexpected(*bad);
  }
  auto st = client_.scim_list_raw(root_ + "/Users", "", options_.page_size, [&](std::string& body) {
    return sync::users_from_scim_page(body, paths, state.users);
  });
  if (!st) return std::unexpected(st.error());
  // A plain SCIM service has nowhere to keep managedBy. Its accounts with an
  // externalId were written by a provisioning client (RFC 7643 section 3.1),
  // which for a service this job syncs is this job: they count as managed, so
  // missing_from_sources and the guards work as on the platform. Accounts
  // without an externalId are never deactivated.
  if (options_.kind == sync::TargetKind::Scim)
    for (auto& u : state.users)
      if (!u.external_id.empty() && u.managed_by.empty()) u.managed_by = options_.managed_by;
  auto groups = read_groups_only();
  if (!groups) return std::unexpected(groups.error());
  state.groups = std::move(*groups);
  return state;
}

Result<std::vector<sync::PlatformGroup>> ScimSyncTarget::read_groups_only() {
  std::vector<sync::PlatformGroup> out;
  std::optional<Error> bad;
  auto text = [&bad](const Answer& a, std::string_view pointer) {
    auto v = a.get_or<std::string>(pointer, "");
    if (!v && !bad) bad = v.error();
    return v ? *v : std::string();
  };
  long long page = 0;
  auto st = client_.scim_list(root_ + "/Groups", "", options_.page_size, [&](const json& resources) {
    const std::string object = "page " + std::to_string(++page) + " of " + root_ + "/Groups";
    for (std::size_t i = 0; i < resources.size() && !bad; ++i) {
      const Answer g(resources[i], object, "/Resources/" + std::to_string(i));
      sync::PlatformGroup group;
      group.id = text(g, "/id");
      group.display_name = text(g, "/displayName");
      group.external_id = text(g, "/externalId");
      group.version = text(g, "/meta/version");
      auto members = g.find_kind("/members", platform::JsonKind::Array);
      if (!members && !bad) bad = members.error();
      if (members && *members)
        for (std::size_t m = 0; m < (*members)->size(); ++m)
          group.member_ids.push_back(text(g, "/members/" + std::to_string(m) + "/value"));
      out.push_back(std::move(group));
    }
  });
  if (!st) return std::unexpected(st.error());
  if (bad) return std::unexpected(*bad);
  return out;
}

Result<sync::PlatformState> ScimSyncTarget::read_state_for(
    const std::vector<std::pair<std::string, std::string>>& users, bool with_groups) {
  sync::PlatformState state;
  std::map<std::string, std::string> paths;
  if (options_.kind == sync::TargetKind::Platform) {
    std::optional<Error> bad;
    auto st = client_.cursor_list("/api/v1/departments", 1000, [&](const json& items) {
      for (std::size_t i = 0; i < items.size() && !bad; ++i) {
        const Answer d(items[i], "/api/v1/departments", "/items/" + std::to_string(i));
        sync::PlatformDepartment dep;
        auto text = [&](std::string_view pointer) {
          auto v = d.get_or<std::string>(pointer, "");
          if (!v && !bad) bad = v.error();
          return v ? *v : std::string();
        };
        dep.id = text("/id");
        dep.name = text("/name");
        dep.parent_id = text("/parent_id");
        dep.path = text("/path");
        dep.external_id = text("/external_id");
        dep.version = text("/updated_at");
        dep.member_count = d.get_or<long>("/member_count", 0L).value_or(0);
        paths[dep.id] = dep.path;
        state.departments.push_back(std::move(dep));
      }
    });
    if (!st) return std::unexpected(st.error());
    if (bad) return std::unexpected(*bad);
  }
  std::vector<platform::Call> calls;
  std::optional<Error> failed;
  std::vector<sync::PlatformUser> found;
  for (const auto& [attr, value] : users) {
    if (value.empty()) continue;
    std::string object = "user with " + attr + " " + value;
    auto req = client_.make_request(
        "GET", root_ + "/Users?filter=" + platform::url_encode_query(attr + " eq " + scim_quote(value)), object);
    calls.push_back({std::move(req), [&, object](Result<http::Response> r) {
                       if (!r) {
                         if (!failed) failed = r.error();
                         return;
                       }
                       if (auto st = sync::users_from_scim_page(r->body, paths, found); !st && !failed) {
                         failed = st.error();
                         failed->object = object;
                       }
                     }});
  }
  client_.send_all(std::move(calls));
  if (failed) return std::unexpected(*failed);
  std::set<std::string> ids;
  for (auto& u : found)
    if (ids.insert(u.id).second) state.users.push_back(std::move(u));
  if (options_.kind == sync::TargetKind::Scim)
    for (auto& u : state.users)
      if (!u.external_id.empty() && u.managed_by.empty()) u.managed_by = options_.managed_by;
  if (with_groups) {
    auto full = read_groups_only();
    if (!full) return std::unexpected(full.error());
    state.groups = std::move(*full);
  }
  return state;
}

Result<std::string> ScimSyncTarget::create_department(const std::string& name, const std::string& parent_id,
                                                      const std::string& external_id) {
  // The key hashes the body sent, so a re-run's POST is answered with the first result.
  using platform::DepartmentsApi;
  const std::string key =
      idempotency_key(options_.managed_by, external_id, DepartmentsApi::create_body(name, parent_id, external_id).dump());
  return DepartmentsApi(client_).create(name, parent_id, external_id, "department " + name, key);
}

Status ScimSyncTarget::delete_department(const std::string& id, const std::string& path) {
  auto removed = platform::DepartmentsApi(client_).remove(id, "department " + path);
  if (!removed && removed.error().http_status != 404) return std::unexpected(removed.error());
  return {};
}

Result<std::string> ScimSyncTarget::find_user_by_external_id(const std::string& external_id) {
  auto found = client_.get_json(
      root_ + "/Users?filter=" + platform::url_encode_query("externalId eq " + scim_quote(external_id)),
      "user with externalId " + external_id);
  if (!found) return std::unexpected(found.error());
  const Answer answer(*found, "user with externalId " + external_id);
  auto total = answer.get_or<long long>("/totalResults", 0);
  if (!total) return std::unexpected(total.error());
  if (*total < 1) return std::string();
  return answer.get<std::string>("/Resources/0/id");
}

std::vector<Result<std::string>> ScimSyncTarget::create_users(const std::vector<json>& resources) {
  std::vector<Result<std::string>> results(resources.size(), std::string());
  std::vector<platform::Call> calls;
  std::vector<std::size_t> conflicts;
  for (std::size_t i = 0; i < resources.size(); ++i) {
    std::string object = "user " + resources[i].value("userName", "");
    auto req = scim_request("POST", "/Users", object, resources[i]);
    http::set_header(req, "Idempotency-Key",
               idempotency_key(options_.managed_by, resources[i].value("externalId", ""), resources[i].dump()));
    calls.push_back({std::move(req), [&, i](Result<http::Response> r) {
                       if (r) {
                         results[i] = id_of(*r, "user " + resources[i].value("userName", ""));
                       } else {
                         results[i] = std::unexpected(r.error());
                         if (r.error().http_status == 409) conflicts.push_back(i);
                       }
                     }});
  }
  client_.send_all(std::move(calls));
  // A 409 for an externalId this job wrote before (a run killed after the
  // POST reached the server) is that account, not a failure.
  for (std::size_t i : conflicts) {
    auto id = find_user_by_external_id(resources[i].value("externalId", ""));
    if (id && !id->empty()) results[i] = *id;
  }
  return results;
}

std::vector<Status> ScimSyncTarget::patch_users(const std::vector<sync::UserPatch>& patches) {
  std::vector<Status> results(patches.size());
  std::vector<platform::Call> calls;
  for (std::size_t i = 0; i < patches.size(); ++i) {
    // A PATCH with no operations is never sent (RFC 7644 requires at least
    // one); a change the target cannot store leaves none.
    if (patches[i].operations.empty()) continue;
    json body = {{"schemas", {kPatchOp}}, {"Operations", patches[i].operations}};
    auto req = scim_request("PATCH", "/Users/" + url_encode_segment(patches[i].id), patches[i].object, body);
    calls.push_back({std::move(req), [&, i](Result<http::Response> r) {
                       if (!r) results[i] = std::unexpected(r.error());
                     }});
  }
  client_.send_all(std::move(calls));
  // Blocking is login disabled AND every session and token revoked.
  std::vector<platform::Call> revokes;
  for (std::size_t i = 0; i < patches.size(); ++i) {
    if (!results[i] || options_.kind != sync::TargetKind::Platform) continue;
    for (const char* what : {"sessions", "tokens"}) {
      if (std::string_view(what) == "sessions" ? !patches[i].revoke_sessions : !patches[i].revoke_tokens) continue;
      auto req = client_.make_request(
          "DELETE", "/api/v1/users/" + url_encode_segment(patches[i].id) + "/" + what,
          patches[i].object + " " + what);
      revokes.push_back({std::move(req), [&, i](Result<http::Response> r) {
                           if (!r && results[i]) results[i] = std::unexpected(r.error());
                         }});
    }
  }
  client_.send_all(std::move(revokes));
  return results;
}

std::vector<Status> ScimSyncTarget::upload_photos(const std::vector<sync::PhotoUpload>& uploads) {
  std::vector<Status> results(uploads.size());
  if (options_.kind != sync::TargetKind::Platform) {
    for (std::size_t i = 0; i < uploads.size(); ++i)
      results[i] = fail(ErrorKind::Config, "a plain SCIM target has no photo API", uploads[i].object, "",
                        "photos are synced only with target: platform");
    return results;
  }
  // PUT is idempotent, so the client retries it like a GET. A batch holds
  // one copy of its photos' bytes in the requests, never all of them.
  std::vector<platform::Call> calls;
  for (std::size_t i = 0; i < uploads.size(); ++i) {
    auto req = client_.make_request("PUT", "/api/v1/users/" + url_encode_segment(uploads[i].id) + "/photo",
                                    uploads[i].object);
    http::set_header(req, "Content-Type", uploads[i].content_type);
    req.body.assign(uploads[i].bytes);
    calls.push_back({std::move(req), [&, i](Result<http::Response> r) {
                       if (!r) results[i] = std::unexpected(r.error());
                     }});
  }
  client_.send_all(std::move(calls));
  return results;
}

Result<std::string> ScimSyncTarget::create_group(const std::string& name, const std::string& external_id) {
  json body = {{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:Group"}},
               {"displayName", name},
               {"externalId", external_id},
               {"members", json::array()}};
  auto req = scim_request("POST", "/Groups", "group " + name, body);
  http::set_header(req, "Idempotency-Key", idempotency_key(options_.managed_by, external_id, body.dump()));
  auto resp = client_.send(std::move(req));
  if (resp) return id_of(*resp, "group " + name);
  if (resp.error().http_status == 409) {
    auto found = client_.get_json(
        root_ + "/Groups?filter=" + platform::url_encode_query("displayName eq " + scim_quote(name)),
        "group " + name);
    if (found) {
      const Answer answer(*found, "group " + name);
      auto total = answer.get_or<long long>("/totalResults", 0);
      if (!total) return std::unexpected(total.error());
      if (*total > 0) return answer.get<std::string>("/Resources/0/id");
    }
  }
  return std::unexpected(resp.error());
}

Status ScimSyncTarget::update_group(const std::string& group_id, const std::string& object, const std::string& name,
                                    const std::string& external_id) {
  json ops = json::array({{{"op", "replace"}, {"path", "displayName"}, {"value", name}}});
  if (!external_id.empty()) ops.push_back({{"op", "replace"}, {"path", "externalId"}, {"value", external_id}});
  json body = {{"schemas", {kPatchOp}}, {"Operations", ops}};
  auto resp = client_.send(scim_request("PATCH", "/Groups/" + url_encode_segment(group_id), object, body));
  if (!resp) return std::unexpected(resp.error());
  return {};
}

Status ScimSyncTarget::change_group_members(const std::string& group_id, const std::string& group_name,
                                            const std::vector<std::string>& add,
                                            const std::vector<std::string>& remove) {
  // One operation per removed member (RFC 7644 value-filter paths) and one
  // add operation per chunk of members; chunks respect the service's limit.
  json ops = json::array();
  std::size_t member_ops = 0;
  auto flush = [&]() -> Status {
    if (ops.empty()) return {};
    json body = {{"schemas", {kPatchOp}}, {"Operations", ops}};
    auto resp = client_.send(
        scim_request("PATCH", "/Groups/" + url_encode_segment(group_id), "group " + group_name, body));
    ops = json::array();
    member_ops = 0;
    if (!resp) return std::unexpected(resp.error());
    return {};
  };
  const std::size_t limit = static_cast<std::size_t>(std::max(1, options_.max_patch_operations));
  json members = json::array();
  for (const auto& id : add) {
    members.push_back({{"value", id}});
    if (++member_ops >= limit) {
      ops.push_back({{"op", "add"}, {"path", "members"}, {"value", members}});
      members = json::array();
      if (auto st = flush(); !st) return st;
    }
  }
  if (!members.empty()) ops.push_back({{"op", "add"}, {"path", "members"}, {"value", members}});
  for (const auto& id : remove) {
    ops.push_back({{"op", "remove"}, {"path", "members[value eq " + scim_quote(id) + "]"}});
    if (++member_ops >= limit)
      if (auto st = flush(); !st) return st;
  }
  return flush();
}

}  // namespace daoctl::targets
