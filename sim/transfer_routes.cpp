// POST /api/v1/users/{id}/transfer: moves ownership of a user's content to
// another user as a job (202 + Location, poll GET /api/v1/jobs/{id}).
//
// The simulator keeps ownership in its own table, owned_content (one row per
// post, community, event or file with its owner's user id), created at
// start-up (Store::create_owned_content_table, sim/store_ownership.cpp).
// Tests seed it with SQL (sqlite3 DATA/platform.db). The job moves the rows
// of the requested kinds in one transaction and records
// {"moved": {"posts": N, ...}} as its result. The 202 answer shows the job as
// it was created (queued); by the time a client polls it has finished.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "sim/job_wire.hpp"
#include "sim/routes.hpp"
#include "sim/sqlite_db.hpp"  // SqliteFailure
#include "sim/text.hpp"

namespace daoctl::sim {

using nlohmann::json;

namespace {

const std::set<std::string>& transfer_kinds() {
  static const std::set<std::string> kinds = {"posts", "communities", "events", "files"};
  return kinds;
}

ApiError invalid(std::string field, std::string message) {
  ApiError e;
  e.status = 422;
  e.detail = message;
  e.errors.push_back(FieldError{std::move(field), std::move(message)});
  return e;
}

bool is_active(const StoredUser& u) {
  json body = json::parse(u.body, nullptr, false);
  return body.is_discarded() || body.value("active", true);
}

// Moves the rows and returns the per-kind counts (every requested kind listed).
json move_content(Store& store, std::int64_t from, std::int64_t to, const std::vector<std::string>& what) {
  json moved = json::object();
  for (const auto& [kind, count] : store.move_owned_content(from, to, what)) moved[kind] = count;
  return moved;
}

}  // namespace

void add_transfer_routes(RouteTable& routes, Store& store) {
  store.create_owned_content_table();

  routes.post(R"(/api/v1/users/([^/]+)/transfer)", [&store](const httplib::Request& req, httplib::Response& res) {
    const std::string raw_id = req.matches[1].str();
    auto from = parse_id(raw_id);
    auto from_user = from ? store.find_user(*from) : std::nullopt;
    if (!from_user) return send_error(req, res, 404, fmt::format("user {} does not exist", raw_id));
    auto body = read_json_body(req);
    if (!body) return send_error(req, res, body.error());
    if (!body->is_object()) return send_error(req, res, 400, "the body must be a JSON object");
    for (const auto& [key, value] : body->items())
      if (key != "to_user_id" && key != "what")
        return send_error(req, res, invalid(key, fmt::format("unknown member \"{}\"", key)));
    if (!body->contains("to_user_id") || !(*body)["to_user_id"].is_string() ||
        (*body)["to_user_id"].get<std::string>().empty())
      return send_error(req, res, invalid("to_user_id", "to_user_id is required: the id of the new owner"));
    const std::string to_raw = (*body)["to_user_id"].get<std::string>();
    if (!body->contains("what") || !(*body)["what"].is_array() || (*body)["what"].empty())
      return send_error(req, res, invalid("what", "what is required: a non-empty array of posts, communities, events, files"));
    std::vector<std::string> what;
    for (const auto& w : (*body)["what"]) {
      if (!w.is_string() || !transfer_kinds().count(w.get<std::string>()))
        return send_error(req, res, invalid("what", fmt::format("{} is not one of posts, communities, events, files", w.dump())));
      if (std::find(what.begin(), what.end(), w.get<std::string>()) != what.end())
        return send_error(req, res, invalid("what", fmt::format("{} is listed twice", w.dump())));
      what.push_back(w.get<std::string>());
    }
    auto to = parse_id(to_raw);
    auto to_user = to ? store.find_user(*to) : std::nullopt;
    if (!to_user) return send_error(req, res, invalid("to_user_id", fmt::format("user {} does not exist", to_raw)));
    if (*to == *from) return send_error(req, res, invalid("to_user_id", "cannot transfer content to its own owner"));
    if (!is_active(*to_user))
      return send_error(req, res, invalid("to_user_id", fmt::format("user {} is blocked and cannot own content", to_raw)));

    Job job = store.create_job("transfer");
    res.set_header("Location", fmt::format("/api/v1/jobs/{}", job.id));
    send_body(res, 202, job_wire(job).dump(), kJson);
    try {
      json moved = move_content(store, *from, *to, what);
      store.update_job(job.id, "running", 0.5, std::nullopt, std::nullopt);
      store.update_job(job.id, "succeeded", 1.0, std::nullopt, json{{"moved", moved}}.dump());
    } catch (const SqliteFailure& e) {
      store.update_job(job.id, "failed", 0.0, json{{"title", "transfer failed"}, {"detail", e.what()}}.dump(),
                       std::nullopt);
    }
  });
}

}  // namespace daoctl::sim
