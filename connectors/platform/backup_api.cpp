#include "connectors/platform/backup_api.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

namespace daoctl::platform {

namespace {

const char* type_name(const json& v) {
  if (v.is_string()) return "a string";
  if (v.is_boolean()) return "a boolean";
  if (v.is_number_float()) return "a fractional number";
  if (v.is_number_integer()) return v.is_number_unsigned() || v.get<std::int64_t>() >= 0 ? "an integer"
                                                                                            : "a negative integer";
  if (v.is_array()) return "an array";
  if (v.is_object()) return "an object";
  return "null";
}

std::unexpected<Error> wrong_type(const std::string& field, const std::string& object, const json& v,
                                  const char* expected) {
  std::string shown = v.dump();
  if (shown.size() > 60) shown = shown.substr(0, 57) + "...";
  return fail(ErrorKind::Remote,
              fmt::format("unexpected answer from the server: field {} of {} is {}, expected {}", field, object,
                          type_name(v), expected),
              object, fmt::format("{} = {}", field, shown),
              "the server does not follow the API contract (schemas/openapi.yaml); report it to its operator");
}

Result<json> parse_body(const http::Response& response, const std::string& object) {
  if (response.body.empty()) return json(nullptr);
  auto parsed = json::parse(response.body, nullptr, false);
  if (parsed.is_discarded())
    return fail(ErrorKind::Remote, "unexpected answer from the server: the body is not JSON", object,
                response.body.substr(0, 80));
  return parsed;
}

}  // namespace

Result<std::optional<std::string>> optional_string_field(const json& obj, const std::string& field,
                                                         const std::string& object) {
  if (!obj.is_object()) return wrong_type("(the answer)", object, obj, "an object");
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return std::optional<std::string>{};
  if (!it->is_string()) return wrong_type(field, object, *it, "a string");
  return std::optional<std::string>(it->get<std::string>());
}

Result<std::string> required_string_field(const json& obj, const std::string& field, const std::string& object) {
  auto v = optional_string_field(obj, field, object);
  if (!v) return std::unexpected(std::move(v.error()));
  if (!*v)
    return fail(ErrorKind::Remote, fmt::format("unexpected answer from the server: {} has no field {}", object, field),
                object, "", "the server does not follow the API contract (schemas/openapi.yaml); report it to its operator");
  return std::move(**v);
}

Result<std::optional<std::uint64_t>> optional_size_field(const json& obj, const std::string& field,
                                                         const std::string& object) {
  if (!obj.is_object()) return wrong_type("(the answer)", object, obj, "an object");
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return std::optional<std::uint64_t>{};
  if (it->is_number_unsigned()) return std::optional<std::uint64_t>(it->get<std::uint64_t>());
  if (it->is_number_integer() && it->get<std::int64_t>() >= 0)
    return std::optional<std::uint64_t>(static_cast<std::uint64_t>(it->get<std::int64_t>()));
  return wrong_type(field, object, *it, "an integer >= 0");
}

Result<BackupInfo> parse_backup(const json& answer, const std::string& object) {
  BackupInfo b;
  auto id = required_string_field(answer, "id", object);
  if (!id) return std::unexpected(std::move(id.error()));
  b.id = std::move(*id);
  std::string named = "backup " + b.id;
  auto state = required_string_field(answer, "state", named);
  if (!state) return std::unexpected(std::move(state.error()));
  b.state = std::move(*state);
  for (auto [field, out] : {std::pair{"created_at", &b.created_at}, std::pair{"kind", &b.kind}}) {
    auto v = optional_string_field(answer, field, named);
    if (!v) return std::unexpected(std::move(v.error()));
    *out = v->value_or("");
  }
  auto size = optional_size_field(answer, "size", named);
  if (!size) return std::unexpected(std::move(size.error()));
  b.size = *size;
  auto sha = optional_string_field(answer, "sha256", named);
  if (!sha) return std::unexpected(std::move(sha.error()));
  b.sha256 = std::move(*sha);
  b.raw = answer;
  return b;
}

Result<JobInfo> parse_job(const json& answer, const std::string& object) {
  JobInfo j;
  auto id = required_string_field(answer, "id", object);
  if (!id) return std::unexpected(std::move(id.error()));
  j.id = std::move(*id);
  std::string named = "job " + j.id;
  auto state = required_string_field(answer, "state", named);
  if (!state) return std::unexpected(std::move(state.error()));
  j.state = std::move(*state);
  if (auto it = answer.find("progress"); it != answer.end() && !it->is_null()) {
    if (!it->is_number()) return wrong_type("progress", named, *it, "a number");
    j.progress = it->get<double>();
  }
  if (auto it = answer.find("error"); it != answer.end() && !it->is_null()) {
    if (!it->is_object()) return wrong_type("error", named, *it, "an object");
    auto detail = optional_string_field(*it, "detail", named + " error");
    if (!detail) return std::unexpected(std::move(detail.error()));
    auto title = optional_string_field(*it, "title", named + " error");
    if (!title) return std::unexpected(std::move(title.error()));
    j.error_detail = detail->value_or(title->value_or(""));
  }
  if (auto it = answer.find("result"); it != answer.end() && !it->is_null()) {
    if (!it->is_object()) return wrong_type("result", named, *it, "an object");
    j.result = *it;
  }
  j.raw = answer;
  return j;
}

std::chrono::milliseconds next_poll_interval(std::chrono::milliseconds previous, std::chrono::milliseconds waited) {
  using std::chrono::milliseconds;
  auto cap = std::clamp(waited / 10, milliseconds(1000), milliseconds(10'000));
  return std::min(previous * 2, cap);
}

Result<BackupInfo> BackupApi::get(const std::string& id) {
  std::string object = "backup " + id;
  auto answer = client_.get_json("/api/v1/backups/" + url_encode_segment(id), object);
  if (!answer) return std::unexpected(std::move(answer.error()));
  return parse_backup(*answer, object);
}

Result<std::vector<BackupInfo>> BackupApi::list(const std::string& kind, const std::string& state) {
  std::string query;
  auto add = [&](const char* name, const std::string& value) {
    if (value.empty()) return;
    query += (query.empty() ? "?" : "&") + std::string(name) + "=" + url_encode_query(value);
  };
  add("kind", kind);
  add("state", state);
  std::vector<BackupInfo> out;
  std::optional<Error> bad;
  auto st = client_.cursor_list("/api/v1/backups" + query, 1000, [&](const json& items) {
    if (bad) return;
    if (!items.is_array()) {
      bad = wrong_type("items", "the backup list", items, "an array").error();
      return;
    }
    for (const auto& item : items) {
      auto b = parse_backup(item, fmt::format("backup #{} of the list", out.size() + 1));
      if (!b) {
        bad = std::move(b.error());
        return;
      }
      out.push_back(std::move(*b));
    }
  });
  if (!st) return std::unexpected(std::move(st.error()));
  if (bad) return std::unexpected(std::move(*bad));
  return out;
}

PlannedRequest BackupApi::create_request(const std::vector<std::string>& include, const std::string& note) {
  json body = {{"include", include}};
  if (!note.empty()) body["note"] = note;
  return {"POST", "/api/v1/backups", std::move(body)};
}
PlannedRequest BackupApi::restore_request(const std::string& id) {
  return {"POST", "/api/v1/backups/" + url_encode_segment(id) + "/restore", json{{"confirm", id}}};
}
PlannedRequest BackupApi::restore_upload_request() { return {"POST", "/api/v1/restore", std::nullopt}; }

Result<JobInfo> BackupApi::create(const std::vector<std::string>& include, const std::string& note) {
  const PlannedRequest r = create_request(include, note);
  auto answer = client_.send_json(r.method, r.path, "new backup", r.body);
  if (!answer) return std::unexpected(std::move(answer.error()));
  return parse_job(*answer, "the job of the new backup");
}

Status BackupApi::remove(const std::string& id) {
  auto r = client_.send_json("DELETE", "/api/v1/backups/" + url_encode_segment(id), "backup " + id);
  if (!r && r.error().kind != ErrorKind::NotFound) return std::unexpected(std::move(r.error()));
  return {};
}

Result<JobInfo> BackupApi::restore(const std::string& id) {
  std::string object = "backup " + id;
  const PlannedRequest r = restore_request(id);
  auto answer = client_.send_json(r.method, r.path, object, r.body);
  if (!answer) return std::unexpected(std::move(answer.error()));
  return parse_job(*answer, "the restore job of " + object);
}

Result<JobInfo> BackupApi::restore_upload(const std::string& archive_path, const std::string& sha256,
                                          std::chrono::milliseconds stall) {
  std::string object = "restore from " + archive_path;
  std::ifstream in(archive_path, std::ios::binary);
  if (!in) return fail(ErrorKind::Io, "cannot read the backup archive", archive_path);
  std::stringstream data;
  data << in.rdbuf();
  std::string boundary = fmt::format("daoctl-{:016x}", std::random_device{}() * 0x9E3779B97F4A7C15ull);
  std::string body;
  body.reserve(static_cast<std::size_t>(data.tellp()) + 512);
  body += "--" + boundary + "\r\n";
  body += "Content-Disposition: form-data; name=\"archive\"; filename=\"backup.tar.zst\"\r\n";
  body += "Content-Type: application/octet-stream\r\n\r\n";
  body += data.str();
  body += "\r\n--" + boundary + "\r\n";
  body += "Content-Disposition: form-data; name=\"confirm\"\r\n\r\n";
  body += sha256;
  body += "\r\n--" + boundary + "--\r\n";
  auto req = client_.make_request(restore_upload_request().method, restore_upload_request().path, object);
  req.headers.push_back({"Content-Type", "multipart/form-data; boundary=" + boundary});
  req.body = std::move(body);
  req.timeout = std::chrono::hours(1);
  req.stall_timeout = stall;
  auto response = client_.send(std::move(req));
  if (!response) return std::unexpected(std::move(response.error()));
  auto answer = parse_body(*response, object);
  if (!answer) return std::unexpected(std::move(answer.error()));
  return parse_job(*answer, "the job of the " + object);
}

Result<JobInfo> BackupApi::job(const std::string& id) {
  std::string object = "job " + id;
  auto answer = client_.get_json("/api/v1/jobs/" + url_encode_segment(id), object);
  if (!answer) return std::unexpected(std::move(answer.error()));
  return parse_job(*answer, object);
}

Result<JobInfo> BackupApi::wait(const JobInfo& job, const std::string& what, const JobWait& wait) {
  auto sleep = wait.sleep ? wait.sleep : [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  auto now = wait.now ? wait.now : [] { return std::chrono::steady_clock::now(); };
  const auto started = now();
  const auto deadline = started + wait.timeout;
  auto interval = wait.first_interval;
  JobInfo current = job;
  while (true) {
    if (wait.on_poll) wait.on_poll(current);
    if (current.state == "succeeded") return current;
    if (current.state == "failed")
      return fail(ErrorKind::Remote, what + " failed", "job " + current.id,
                  current.error_detail.empty() ? "no reason given" : current.error_detail);
    auto t = now();
    if (t >= deadline) break;
    // Rounded up: a remainder under a millisecond truncated to 0 would poll in a busy loop.
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - t);
    sleep(std::min(interval, left));
    interval = next_poll_interval(interval, std::chrono::duration_cast<std::chrono::milliseconds>(now() - started));
    auto next = this->job(current.id);
    if (!next) return std::unexpected(std::move(next.error()));
    current = std::move(*next);
  }
  // The bound passed. Name the backup being made when the server says which
  // (one backup or restore runs at a time, so one in state creating is ours).
  std::string object = "job " + current.id;
  if (wait.name_creating_backup) {
    auto creating = list("", "creating");
    if (creating && creating->size() == 1) object = fmt::format("backup {}, job {}", creating->front().id, current.id);
  }
  auto waited = std::chrono::duration_cast<std::chrono::seconds>(now() - started).count();
  return fail(ErrorKind::Remote, fmt::format("{} did not finish within {} s", what, waited), object,
              fmt::format("its last state was {} at {:.0f}%", current.state, current.progress * 100),
              fmt::format("the job goes on on the server: follow it with daoctl api GET /api/v1/jobs/{}",
                          current.id));
}

Result<long> BackupApi::download(const std::string& id, const std::string& sha256, std::uint64_t offset,
                                 std::chrono::milliseconds stall,
                                 const std::function<bool(const char*, std::size_t)>& sink) {
  auto req = client_.make_request("GET", "/api/v1/backups/" + url_encode_segment(id) + "/download", "backup " + id);
  req.headers.push_back({"Accept", "application/octet-stream"});
  // A large archive may take hours, but never a silent peer: no byte for
  // `stall` ends the attempt, and the caller resumes with Range.
  req.timeout = std::chrono::hours(12);
  req.stall_timeout = stall;
  if (offset > 0) {
    req.headers.push_back({"Range", fmt::format("bytes={}-", offset)});
    req.headers.push_back({"If-Range", fmt::format("W/\"{}\"", sha256)});
  }
  req.sink = sink;
  auto response = client_.send(std::move(req));
  if (!response) return std::unexpected(std::move(response.error()));
  return response->status;
}

namespace {
Result<std::string> get_body(PlatformClient& client, const std::string& path, const std::string& object,
                             const char* accept) {
  auto req = client.make_request("GET", path, object);
  for (auto& h : req.headers)
    if (h.name == "Accept") h.value = accept;
  auto resp = client.send(std::move(req));
  if (!resp) return std::unexpected(std::move(resp.error()));
  return std::move(resp->body);
}
}  // namespace

Result<std::string> BackupApi::signed_manifest(const std::string& id) {
  return get_body(client_, "/api/v1/backups/" + url_encode_segment(id) + "/manifest",
                  "the signed manifest of backup " + id, "application/json");
}

Result<std::string> BackupApi::manifest_signature(const std::string& id) {
  return get_body(client_, "/api/v1/backups/" + url_encode_segment(id) + "/manifest.minisig",
                  "the signature of backup " + id, "text/plain");
}

Result<std::string> BackupApi::signing_key() {
  return get_body(client_, "/api/v1/backup-signing-key", "the backup signing key", "text/plain");
}

Result<std::optional<std::int64_t>> BackupApi::count_users() {
  auto users = client_.get_json("/scim/v2/Users?count=0", "user count");
  if (!users) return std::unexpected(std::move(users.error()));
  if (!users->is_object()) return std::optional<std::int64_t>();
  auto it = users->find("totalResults");
  if (it == users->end() || !it->is_number_integer()) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(it->get<std::int64_t>());
}

std::optional<std::int64_t> BackupApi::user_count() {
  auto users = count_users();
  return users ? *users : std::nullopt;
}

}  // namespace daoctl::platform
