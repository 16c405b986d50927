// /api/v1/backups and /api/v1/restore: server-side backups of daoctl-sim.
//
// Layout under the data directory:
//   backups/<id>.tar.zst   the archive (core/backup/manifest.hpp)
//   backups/<id>.json      its catalogue entry (the Backup object + version)
//   backups/<id>.manifest.json         the signed manifest (MANIFEST.json + the
//                                      archive's size and sha256)
//   backups/<id>.manifest.json.minisig its minisign signature by the server key
//   backup-signing.key/.pub            the Ed25519 signing key (sim/backup_signing.hpp)
//   files/                 the platform's stored files, included in "files"
// The catalogue lives beside the archives, not in platform.db, so restoring
// an old database neither forgets newer backups nor lists deleted ones.
//
// One backup or restore runs at a time (409 otherwise), on a worker thread
// that reports through a Job. A restore unpacks and verifies the archive into
// a staging directory first; only a fully verified archive replaces the data:
// the files directory by rename(2), then the database in one SQLite
// transaction (Store::restore_database).
//
// A scheduled backup is enabled by DAOCTL_SIM_BACKUP_SCHEDULE: "daily"
// (00:00 UTC), "daily@HH:MM" (UTC), or "every:SECONDS" (demos and tests).
// DAOCTL_SIM_BACKUP_SECONDS=N makes every backup job run at least N seconds
// (progress 0-50 % while it waits), for tests of clients that wait for jobs.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <condition_variable>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <thread>

#include "sim/backup_archive.hpp"
#include "sim/backup_signing.hpp"
#include "sim/job_wire.hpp"
#include "sim/routes.hpp"
#include "sim/sqlite_db.hpp"
#include "sim/text.hpp"

namespace daoctl::sim {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json render_job(const Job& j) { return job_wire(j); }

BackupSigner open_signer(const fs::path& data_dir) {
  auto signer = BackupSigner::open(data_dir);
  if (!signer) throw std::runtime_error(signer.error().describe());
  return std::move(*signer);
}

struct BackupEntry {
  std::int64_t id = 0;
  std::string created_at;
  std::optional<std::uint64_t> size;
  std::optional<std::string> sha256;
  std::string state = "creating";
  std::string kind = "manual";
  std::vector<std::string> include;
  std::optional<std::string> note;
  std::int64_t version = 1;

  json to_json() const {
    return {{"id", std::to_string(id)},
            {"created_at", created_at},
            {"size", size ? json(*size) : json(nullptr)},
            {"sha256", sha256 ? json(*sha256) : json(nullptr)},
            {"state", state},
            {"kind", kind},
            {"include", include},
            {"note", note ? json(*note) : json(nullptr)}};
  }
  static std::optional<BackupEntry> from_json(const json& j) {
    try {
      BackupEntry e;
      e.id = std::stoll(j.at("id").get<std::string>());
      e.created_at = j.at("created_at").get<std::string>();
      if (!j.at("size").is_null()) e.size = j["size"].get<std::uint64_t>();
      if (!j.at("sha256").is_null()) e.sha256 = j["sha256"].get<std::string>();
      e.state = j.at("state").get<std::string>();
      e.kind = j.at("kind").get<std::string>();
      e.include = j.at("include").get<std::vector<std::string>>();
      if (!j.at("note").is_null()) e.note = j["note"].get<std::string>();
      e.version = j.value("version", std::int64_t{1});
      return e;
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
};

void write_file_atomically(const fs::path& path, const std::string& content) {
  auto tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
    out.flush();
    if (!out) throw std::runtime_error("cannot write " + tmp.string());
  }
  fs::rename(tmp, path);
}

// The Range header of a download: one range, "bytes=first-" or "bytes=first-last".
struct ByteRange {
  std::uint64_t first = 0;
  std::optional<std::uint64_t> last;
};
std::optional<ByteRange> parse_byte_range(const std::string& header) {
  constexpr std::string_view prefix = "bytes=";
  if (!header.starts_with(prefix)) return std::nullopt;
  auto spec = header.substr(prefix.size());
  auto dash = spec.find('-');
  if (dash == std::string::npos || spec.find(',') != std::string::npos) return std::nullopt;
  auto first = parse_id(spec.substr(0, dash));
  if (!first) return std::nullopt;
  ByteRange r{static_cast<std::uint64_t>(*first), std::nullopt};
  if (dash + 1 < spec.size()) {
    auto last = parse_id(spec.substr(dash + 1));
    if (!last || *last < *first) return std::nullopt;
    r.last = static_cast<std::uint64_t>(*last);
  }
  return r;
}

class BackupService {
 public:
  BackupService(Store& store, fs::path data_dir)
      : store_(store),
        data_dir_(std::move(data_dir)),
        backup_dir_(data_dir_ / "backups"),
        signer_(open_signer(data_dir_)) {
    fs::create_directories(backup_dir_);
    fs::create_directories(data_dir_ / "files");
    // A backup that was being written when the server stopped never finished.
    for (auto& e : list()) {
      next_id_ = std::max(next_id_, e.id + 1);
      if (e.state == "creating") {
        e.state = "failed";
        e.version++;
        save(e);
        fs::remove(archive_path(e.id));
        remove_signature_files(e.id);
      }
    }
    for (const auto& entry : fs::directory_iterator(backup_dir_))
      if (entry.path().filename().string().starts_with(".work-")) fs::remove_all(entry.path());
    start_schedule();
  }

  ~BackupService() {
    {
      std::lock_guard lock(schedule_mutex_);
      stopping_ = true;
    }
    schedule_cv_.notify_all();
    if (scheduler_.joinable()) scheduler_.join();
    // Joined without the lock: the worker takes it once more to clear busy_.
    std::thread worker;
    {
      std::lock_guard lock(worker_mutex_);
      worker = std::move(worker_);
    }
    if (worker.joinable()) worker.join();
  }

  fs::path archive_path(std::int64_t id) const { return backup_dir_ / fmt::format("{}.tar.zst", id); }
  fs::path entry_path(std::int64_t id) const { return backup_dir_ / fmt::format("{}.json", id); }
  fs::path manifest_path(std::int64_t id) const { return backup_dir_ / fmt::format("{}.manifest.json", id); }
  fs::path signature_path(std::int64_t id) const {
    return backup_dir_ / fmt::format("{}.manifest.json.minisig", id);
  }
  const BackupSigner& signer() const { return signer_; }
  void remove_signature_files(std::int64_t id) {
    std::error_code ec;
    fs::remove(manifest_path(id), ec);
    fs::remove(signature_path(id), ec);
  }

  std::optional<BackupEntry> find(std::int64_t id) {
    std::lock_guard lock(catalogue_mutex_);
    return load(id);
  }

  // Every backup, newest first.
  std::vector<BackupEntry> list() {
    std::lock_guard lock(catalogue_mutex_);
    std::vector<BackupEntry> out;
    for (const auto& entry : fs::directory_iterator(backup_dir_)) {
      auto name = entry.path().filename().string();
      if (!name.ends_with(".json") || name.starts_with(".")) continue;
      auto id = parse_id(name.substr(0, name.size() - 5));
      if (!id) continue;
      if (auto e = load(*id)) out.push_back(std::move(*e));
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id > b.id; });
    return out;
  }

  void save(const BackupEntry& e) {
    std::lock_guard lock(catalogue_mutex_);
    auto j = e.to_json();
    j["version"] = e.version;
    write_file_atomically(entry_path(e.id), j.dump());
  }

  ApiStatus remove(std::int64_t id, const Precondition& pre) {
    std::lock_guard lock(catalogue_mutex_);
    auto e = load(id);
    if (!e) return api_fail(404, fmt::format("backup {} does not exist", id));
    if (!pre.matches(e->version))
      return api_fail(412, fmt::format("backup {} is at version {}; If-Match did not match", id, e->version));
    if (e->state == "creating")
      return api_fail(409, fmt::format("backup {} is still being created; delete it when it is ready", id));
    std::error_code ec;
    fs::remove(archive_path(id), ec);
    fs::remove(entry_path(id), ec);
    remove_signature_files(id);
    return {};
  }

  // Starts a backup job. 409 while another backup or restore runs.
  ApiResult<Job> start_backup(std::vector<std::string> include, std::optional<std::string> note, std::string kind) {
    std::unique_lock lock(worker_mutex_);
    if (busy_) return api_fail(409, fmt::format("{} job {} is running; try again when it has finished", busy_kind_, busy_job_));
    if (worker_.joinable()) worker_.join();
    BackupEntry entry;
    {
      std::lock_guard cl(catalogue_mutex_);
      entry.id = next_id_++;
    }
    entry.created_at = rfc3339_now();
    entry.include = std::move(include);
    entry.note = std::move(note);
    entry.kind = std::move(kind);
    save(entry);
    Job job = store_.create_job("backup");
    mark_busy(job, "backup");
    worker_ = std::thread([this, job, entry]() mutable { run_backup(job, entry); });
    return job;
  }

  // Starts a restore from an archive file the service may consume (moved
  // into the work directory). `backup_id` is empty for an uploaded archive.
  ApiResult<Job> start_restore(const fs::path& archive, bool consume_archive, std::string origin) {
    std::unique_lock lock(worker_mutex_);
    if (busy_) {
      if (consume_archive) fs::remove(archive);
      return api_fail(409, fmt::format("{} job {} is running; try again when it has finished", busy_kind_, busy_job_));
    }
    if (worker_.joinable()) worker_.join();
    Job job = store_.create_job("restore");
    mark_busy(job, "restore");
    worker_ = std::thread([this, job, archive, consume_archive, origin] {
      run_restore(job, archive, consume_archive, origin);
    });
    return job;
  }

  fs::path upload_path() {
    std::lock_guard lock(catalogue_mutex_);
    return backup_dir_ / fmt::format(".upload-{}-{}", ::getpid(), upload_counter_++);
  }

 private:
  std::optional<BackupEntry> load(std::int64_t id) {
    std::ifstream in(entry_path(id), std::ios::binary);
    if (!in) return std::nullopt;
    std::stringstream text;
    text << in.rdbuf();
    try {
      return BackupEntry::from_json(json::parse(text.str()));
    } catch (const json::exception&) {
      return std::nullopt;
    }
  }

  void mark_busy(const Job& job, const char* kind) {
    busy_ = true;
    busy_job_ = job.id;
    busy_kind_ = kind;
  }
  void clear_busy() {
    std::lock_guard lock(worker_mutex_);
    busy_ = false;
  }

  void progress(const Job& job, double p) {
    // Coarse steps: a job row per percent, not per megabyte.
    auto step = std::floor(p * 100) / 100;
    if (step <= last_progress_) return;
    last_progress_ = step;
    store_.update_job(job.id, "running", std::min(step, 0.99), std::nullopt, std::nullopt);
  }

  static std::string error_json(const std::string& title, const std::string& detail) {
    return json{{"title", title}, {"detail", detail}}.dump();
  }

  // DAOCTL_SIM_BACKUP_SECONDS: how long a backup job takes at least (0: as fast as it can).
  static std::chrono::milliseconds slow_backup_duration() {
    const char* v = std::getenv("DAOCTL_SIM_BACKUP_SECONDS");
    if (!v || !*v) return std::chrono::milliseconds(0);
    auto n = parse_id(v);
    if (!n) {
      fmt::print(stderr, "daoctl-sim: DAOCTL_SIM_BACKUP_SECONDS: expected seconds, got {}; ignored\n", v);
      return std::chrono::milliseconds(0);
    }
    return std::chrono::seconds(*n);
  }

  // Waits out DAOCTL_SIM_BACKUP_SECONDS in steps, reporting progress; ends early when the service stops.
  void slow_down(const Job& job) {
    auto total = slow_backup_duration();
    if (total.count() == 0) return;
    auto start = std::chrono::steady_clock::now();
    std::unique_lock lock(schedule_mutex_);
    while (!stopping_) {
      auto elapsed = std::chrono::steady_clock::now() - start;
      if (elapsed >= total) break;
      lock.unlock();
      progress(job, 0.5 * std::chrono::duration<double>(elapsed) / std::chrono::duration<double>(total));
      lock.lock();
      schedule_cv_.wait_for(lock, std::chrono::milliseconds(100), [this] { return stopping_; });
    }
  }

  void run_backup(Job job, BackupEntry entry) {
    last_progress_ = -1;
    store_.update_job(job.id, "running", 0.0, std::nullopt, std::nullopt);
    slow_down(job);
    auto work = backup_dir_ / fmt::format(".work-{}", entry.id);
    std::error_code ec;
    fs::create_directories(work, ec);
    // The job's final state is written last (after cleanup and clear_busy),
    // so a client that sees it finish can start the next backup at once.
    std::string final_state = "failed";
    std::optional<std::string> final_error, final_result;
    auto fail_job = [&](const Error& e) {
      fmt::print(stderr, "daoctl-sim: backup {} failed: {}\n", entry.id, e.describe());
      entry.state = "failed";
      entry.version++;
      save(entry);
      final_error = error_json("backup failed", e.describe());
    };
    try {
      bool with_db = std::find(entry.include.begin(), entry.include.end(), "db") != entry.include.end();
      bool with_files = std::find(entry.include.begin(), entry.include.end(), "files") != entry.include.end();
      fs::path snapshot;
      if (with_db) {
        snapshot = work / "platform.db";
        auto st = snapshot_database(store_.db().handle(), store_.mutex(), snapshot);
        if (!st) {
          fail_job(st.error());
          fs::remove_all(work, ec);
          clear_busy();
          store_.update_job(job.id, final_state, 1.0, final_error, final_result);
          return;
        }
      }
      backup::Manifest manifest;
      manifest.backup_id = std::to_string(entry.id);
      manifest.created_at = entry.created_at;
      manifest.include = entry.include;
      auto part = work / "archive.tar.zst";
      auto packed = pack_archive(part, manifest, snapshot, with_files ? data_dir_ / "files" : fs::path(),
                                 [&](double p) { progress(job, p); });
      if (!packed) {
        fail_job(packed.error());
      } else {
        // The signed manifest and its signature go into place before the
        // archive, so a ready backup always has them.
        auto signed_text = backup::format_signed_manifest(packed->manifest, packed->size, packed->sha256);
        backup::SignedManifest parsed{packed->manifest, packed->size, packed->sha256};
        write_file_atomically(manifest_path(entry.id), signed_text);
        write_file_atomically(signature_path(entry.id), signer_.sign(signed_text, parsed));
        fs::rename(part, archive_path(entry.id));
        entry.state = "ready";
        entry.size = packed->size;
        entry.sha256 = packed->sha256;
        entry.version++;
        save(entry);
        final_state = "succeeded";
        final_result = json{{"backup_id", std::to_string(entry.id)}}.dump();
      }
    } catch (const std::exception& e) {
      Error err;
      err.kind = ErrorKind::Io;
      err.message = e.what();
      fail_job(err);
    }
    fs::remove_all(work, ec);
    clear_busy();
    store_.update_job(job.id, final_state, 1.0, final_error, final_result);
  }

  void run_restore(Job job, fs::path archive, bool consume_archive, std::string origin) {
    last_progress_ = -1;
    store_.update_job(job.id, "running", 0.0, std::nullopt, std::nullopt);
    auto staging = data_dir_ / fmt::format(".restore-{}", job.id);
    std::error_code ec;
    fs::remove_all(staging, ec);
    std::optional<std::string> succeeded_result, failed_error;
    auto finish_failed = [&](const std::string& detail) {
      fmt::print(stderr, "daoctl-sim: restore from {} failed: {}\n", origin, detail);
      failed_error = error_json("restore failed", detail);
    };
    try {
      fs::create_directories(staging);
      auto manifest = unpack_archive(archive, staging, [&](double p) { progress(job, p * 0.9); });
      if (!manifest) {
        finish_failed(manifest.error().describe());
      } else {
        bool with_files = std::find(manifest->include.begin(), manifest->include.end(), "files") !=
                          manifest->include.end();
        if (with_files) {
          // Swap the files directory by two renames; the old one is removed after.
          auto restored_files = staging / "files";
          fs::create_directories(restored_files);
          auto live = data_dir_ / "files";
          auto old = data_dir_ / fmt::format(".files-before-restore-{}", job.id);
          if (fs::exists(live)) fs::rename(live, old);
          fs::rename(restored_files, live);
          fs::remove_all(old, ec);
        }
        auto done = store_.find_job(job.id).value_or(job);
        done.state = "running";
        done.progress = 0.99;
        done.updated_at = rfc3339_now();
        done.result_json = json{{"restored_from", origin}, {"backup_id", manifest->backup_id},
                                {"backup_created_at", manifest->created_at}, {"include", manifest->include}}
                               .dump();
        auto db_file = staging / backup::kDatabaseMember;
        if (fs::exists(db_file)) store_.restore_database(db_file, done);
        succeeded_result = done.result_json;
        fmt::print(stderr, "daoctl-sim: restored backup {} ({}) from {}\n", manifest->backup_id,
                   manifest->created_at, origin);
      }
    } catch (const std::exception& e) {
      finish_failed(e.what());
    }
    fs::remove_all(staging, ec);
    if (consume_archive) fs::remove(archive, ec);
    clear_busy();
    if (succeeded_result)
      store_.update_job(job.id, "succeeded", 1.0, std::nullopt, succeeded_result);
    else
      store_.update_job(job.id, "failed", 1.0, failed_error, std::nullopt);
  }

  void start_schedule() {
    const char* spec = std::getenv("DAOCTL_SIM_BACKUP_SCHEDULE");
    if (!spec || !*spec) return;
    std::string s = spec;
    std::optional<std::chrono::seconds> every;
    int at_minutes = 0;
    if (s.starts_with("every:")) {
      auto n = parse_id(s.substr(6));
      if (!n || *n < 1) throw std::runtime_error("DAOCTL_SIM_BACKUP_SCHEDULE: every:SECONDS needs a positive number");
      every = std::chrono::seconds(*n);
    } else if (s == "daily" || s.starts_with("daily@")) {
      if (s.size() > 5) {
        auto hh = parse_id(s.substr(6, 2)), mm = s.size() == 11 ? parse_id(s.substr(9, 2)) : std::nullopt;
        if (!hh || !mm || *hh > 23 || *mm > 59 || s[8] != ':')
          throw std::runtime_error("DAOCTL_SIM_BACKUP_SCHEDULE: expected daily@HH:MM (UTC), got " + s);
        at_minutes = static_cast<int>(*hh * 60 + *mm);
      }
    } else {
      throw std::runtime_error("DAOCTL_SIM_BACKUP_SCHEDULE: expected daily, daily@HH:MM or every:SECONDS, got " + s);
    }
    fmt::print(stderr, "daoctl-sim: scheduled backups: {}\n", s);
    scheduler_ = std::thread([this, every, at_minutes] {
      using namespace std::chrono;
      while (true) {
        auto now = system_clock::now();
        system_clock::time_point next;
        if (every) {
          next = now + *every;
        } else {
          auto day = floor<days>(now);
          next = day + minutes{at_minutes};
          if (next <= now) next += days{1};
        }
        std::unique_lock lock(schedule_mutex_);
        if (schedule_cv_.wait_until(lock, next, [this] { return stopping_; })) return;
        lock.unlock();
        auto job = start_backup({"db", "files"}, std::string("scheduled"), "scheduled");
        if (!job) fmt::print(stderr, "daoctl-sim: scheduled backup skipped: {}\n", job.error().detail);
      }
    });
  }

  Store& store_;
  fs::path data_dir_;
  fs::path backup_dir_;
  BackupSigner signer_;
  std::mutex catalogue_mutex_;
  std::int64_t next_id_ = 1;
  std::int64_t upload_counter_ = 0;

  std::mutex worker_mutex_;
  std::thread worker_;
  bool busy_ = false;
  std::int64_t busy_job_ = 0;
  std::string busy_kind_;
  double last_progress_ = -1;

  std::mutex schedule_mutex_;
  std::condition_variable schedule_cv_;
  bool stopping_ = false;
  std::thread scheduler_;
};

// A small file of a ready backup (its signed manifest or signature), or 404
// naming what is missing.
void send_backup_file(const httplib::Request& req, httplib::Response& res, BackupService& service,
                      std::optional<std::int64_t> id, const fs::path& file, const char* content_type,
                      const char* what) {
  auto e = id ? service.find(*id) : std::nullopt;
  if (!e) return send_error(req, res, 404, fmt::format("backup {} does not exist", req.matches[1].str()));
  if (e->state != "ready")
    return send_error(req, res, 409, fmt::format("backup {} is {}, it has no {} yet", *id, e->state, what));
  std::ifstream in(file, std::ios::binary);
  if (!in)
    return send_error(req, res, 404,
                      fmt::format("backup {} has no {} (it was made before the server signed backups)", *id, what));
  std::stringstream text;
  text << in.rdbuf();
  send_body(res, 200, text.str(), content_type);
}

void send_job(httplib::Response& res, const Job& job) {
  res.set_header("Location", fmt::format("/api/v1/jobs/{}", job.id));
  send_body(res, 202, render_job(job).dump(), kJson);
}


// The Range/If-Range download of one ready archive, streamed from disk.
void send_archive(const httplib::Request& req, httplib::Response& res, const BackupEntry& entry,
                  const fs::path& file) {
  // cpp-httplib parses Range itself and would slice whatever we answer
  // (even an error body) by it. The header is honoured here instead, so
  // httplib's copy is cleared; the Request object is not const at its origin.
  const_cast<httplib::Request&>(req).ranges.clear();
  std::uint64_t size = *entry.size;
  std::string etag = fmt::format("W/\"{}\"", *entry.sha256);
  int raw = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (raw < 0) return send_error(req, res, 500, fmt::format("backup {} archive cannot be read", entry.id));
  auto fd = std::shared_ptr<int>(new int(raw), [](int* p) {
    ::close(*p);
    delete p;
  });
  std::uint64_t first = 0, length = size;
  bool partial = false;
  if (req.has_header("Range")) {
    bool applies = true;
    if (req.has_header("If-Range")) {
      auto v = req.get_header_value("If-Range");
      applies = v == etag || v == fmt::format("\"{}\"", *entry.sha256);
    }
    auto range = parse_byte_range(req.get_header_value("Range"));
    if (applies && range) {
      if (range->first >= size) {
        res.set_header("Content-Range", fmt::format("bytes */{}", size));
        return send_error(req, res, 416,
                          fmt::format("range starts at byte {} but backup {} has {} bytes", range->first,
                                      entry.id, size));
      }
      std::uint64_t last = std::min(range->last.value_or(size - 1), size - 1);
      first = range->first;
      length = last - first + 1;
      partial = true;
      res.set_header("Content-Range", fmt::format("bytes {}-{}/{}", first, last, size));
    }
  }
  res.status = partial ? 206 : 200;
  res.set_header("ETag", etag);
  res.set_header("Accept-Ranges", "bytes");
  if (!partial) {
    // Digest: the sha256 of the whole archive, base64 (RFC 3230).
    std::vector<unsigned char> bytes;
    for (std::size_t i = 0; i + 1 < entry.sha256->size(); i += 2)
      bytes.push_back(static_cast<unsigned char>(std::stoi(entry.sha256->substr(i, 2), nullptr, 16)));
    res.set_header("Digest", "sha-256=" + backup::base64_encode(bytes));
  }
  // One buffer per download, not one per chunk: a fresh 256 KiB vector is an
  // mmap, page faults and munmap each time (glibc maps blocks that large),
  // which cost the server more CPU than the copy itself.
  auto buf = std::make_shared<std::vector<char>>(256 * 1024);
  res.set_content_provider(
      static_cast<size_t>(length), "application/octet-stream",
      [fd, first, buf](size_t offset, size_t want, httplib::DataSink& sink) {
        ssize_t n = ::pread(*fd, buf->data(), std::min(want, buf->size()), static_cast<off_t>(first + offset));
        if (n <= 0) return false;
        return sink.write(buf->data(), static_cast<size_t>(n));
      });
}

}  // namespace

void add_backup_routes(RouteTable& routes, Store& store) {
  auto service = std::make_shared<BackupService>(store, store.data_dir());

  routes.get("/api/v1/backups", [service](const httplib::Request& req, httplib::Response& res) {
    auto limit = integer_param(req, "limit", kDefaultLimit);
    if (!limit) return send_error(req, res, limit.error());
    if (*limit < 1) return send_error(req, res, 400, fmt::format("limit={} must be at least 1", *limit));
    std::int64_t before = std::numeric_limits<std::int64_t>::max();
    if (req.has_param("cursor") && !req.get_param_value("cursor").empty()) {
      auto decoded = base64url_decode(req.get_param_value("cursor"));
      std::optional<std::int64_t> id;
      if (decoded && decoded->starts_with("before:")) id = parse_id(decoded->substr(7));
      if (!id)
        return send_error(req, res, 400,
                          fmt::format("cursor \"{}\" was not issued by this server; start again without a cursor",
                                      req.get_param_value("cursor")));
      before = *id;
    }
    auto kind = req.get_param_value("kind");
    auto state = req.get_param_value("state");
    if (!kind.empty() && kind != "scheduled" && kind != "manual")
      return send_error(req, res, 400, fmt::format("kind \"{}\" is not scheduled or manual", kind));
    if (!state.empty() && state != "creating" && state != "ready" && state != "failed")
      return send_error(req, res, 400, fmt::format("state \"{}\" is not creating, ready or failed", state));
    auto cap = std::min(*limit, kMaxLimit);
    json items = json::array();
    json next = nullptr;
    for (const auto& e : service->list()) {
      if (e.id >= before || (!kind.empty() && e.kind != kind) || (!state.empty() && e.state != state)) continue;
      if (static_cast<std::int64_t>(items.size()) == cap) {
        next = base64url_encode(fmt::format("before:{}", std::stoll(items.back()["id"].get<std::string>())));
        break;
      }
      items.push_back(e.to_json());
    }
    send_body(res, 200, json{{"items", std::move(items)}, {"next_cursor", std::move(next)}}.dump(), kJson);
  });

  routes.post("/api/v1/backups", [service](const httplib::Request& req, httplib::Response& res) {
    auto body = read_json_body(req);
    if (!body) return send_error(req, res, body.error());
    if (!body->is_object()) return send_error(req, res, validation_error("body", "expected a JSON object"));
    for (const auto& [key, value] : body->items())
      if (key != "include" && key != "note")
        return send_error(req, res, validation_error(key, fmt::format("unknown property \"{}\"", key)));
    if (!body->contains("include") || !(*body)["include"].is_array() || (*body)["include"].empty())
      return send_error(req, res, validation_error("include", "include must be a non-empty array of \"db\" and \"files\""));
    std::vector<std::string> include;
    for (const auto& i : (*body)["include"]) {
      if (!i.is_string() || (i != "db" && i != "files"))
        return send_error(req, res, validation_error("include", fmt::format("{} is not \"db\" or \"files\"", i.dump())));
      if (std::find(include.begin(), include.end(), i.get<std::string>()) != include.end())
        return send_error(req, res, validation_error("include", fmt::format("{} is listed twice", i.dump())));
      include.push_back(i.get<std::string>());
    }
    std::optional<std::string> note;
    if (body->contains("note")) {
      if (!(*body)["note"].is_string() || (*body)["note"].get<std::string>().size() > 500)
        return send_error(req, res, validation_error("note", "note must be a string of at most 500 characters"));
      note = (*body)["note"].get<std::string>();
    }
    auto job = service->start_backup(include, note, "manual");
    if (!job) return send_error(req, res, job.error());
    send_job(res, *job);
  });

  auto backup_id = [](const httplib::Request& req) { return parse_id(req.matches[1].str()); };

  routes.get(R"(/api/v1/backups/([^/]+))", [service, backup_id](const httplib::Request& req, httplib::Response& res) {
    auto id = backup_id(req);
    auto e = id ? service->find(*id) : std::nullopt;
    if (!e) return send_error(req, res, 404, fmt::format("backup {} does not exist", req.matches[1].str()));
    send_etag(res, e->version);
    send_body(res, 200, e->to_json().dump(), kJson);
  });

  routes.del(R"(/api/v1/backups/([^/]+))", [service, backup_id](const httplib::Request& req, httplib::Response& res) {
    auto id = backup_id(req);
    if (!id) return send_error(req, res, 404, fmt::format("backup {} does not exist", req.matches[1].str()));
    auto st = service->remove(*id, if_match(req));
    if (!st) return send_error(req, res, st.error());
    res.status = 204;
  });

  routes.get(R"(/api/v1/backups/([^/]+)/download)", [service, backup_id](const httplib::Request& req, httplib::Response& res) {
    auto id = backup_id(req);
    auto e = id ? service->find(*id) : std::nullopt;
    if (!e) {
      const_cast<httplib::Request&>(req).ranges.clear();
      return send_error(req, res, 404, fmt::format("backup {} does not exist", req.matches[1].str()));
    }
    if (e->state != "ready" || !e->size || !e->sha256) {
      const_cast<httplib::Request&>(req).ranges.clear();
      return send_error(req, res, 409, fmt::format("backup {} is {}, not ready for download", *id, e->state));
    }
    send_archive(req, res, *e, service->archive_path(*id));
  });

  routes.get(R"(/api/v1/backups/([^/]+)/manifest)", [service, backup_id](const httplib::Request& req, httplib::Response& res) {
    auto id = backup_id(req);
    send_backup_file(req, res, *service, id, id ? service->manifest_path(*id) : fs::path(), kJson,
                     "signed manifest");
  });

  routes.get(R"(/api/v1/backups/([^/]+)/manifest\.minisig)", [service, backup_id](const httplib::Request& req, httplib::Response& res) {
    auto id = backup_id(req);
    send_backup_file(req, res, *service, id, id ? service->signature_path(*id) : fs::path(), "text/plain",
                     "signature");
  });

  routes.get("/api/v1/backup-signing-key", [service](const httplib::Request&, httplib::Response& res) {
    res.set_header("X-Key-Id", service->signer().key_id());
    send_body(res, 200, service->signer().public_key_text(), "text/plain");
  });

  routes.post(R"(/api/v1/backups/([^/]+)/restore)", [service, backup_id](const httplib::Request& req, httplib::Response& res) {
    auto id = backup_id(req);
    auto e = id ? service->find(*id) : std::nullopt;
    if (!e) return send_error(req, res, 404, fmt::format("backup {} does not exist", req.matches[1].str()));
    auto body = read_json_body(req);
    if (!body) return send_error(req, res, body.error());
    if (!body->is_object() || !body->contains("confirm") || !(*body)["confirm"].is_string())
      return send_error(req, res, validation_error("confirm", "confirm is required and must repeat the backup id"));
    for (const auto& [key, value] : body->items())
      if (key != "confirm") return send_error(req, res, validation_error(key, fmt::format("unknown property \"{}\"", key)));
    if ((*body)["confirm"].get<std::string>() != std::to_string(*id))
      return send_error(req, res, validation_error("confirm", fmt::format("confirm must equal the backup id \"{}\"", *id)));
    if (e->state != "ready")
      return send_error(req, res, 409, fmt::format("backup {} is {}, it cannot be restored", *id, e->state));
    auto job = service->start_restore(service->archive_path(*id), false, fmt::format("backup {}", *id));
    if (!job) return send_error(req, res, job.error());
    send_job(res, *job);
  });

  routes.post("/api/v1/restore", [service](const httplib::Request& req, httplib::Response& res) {
    if (!req.is_multipart_form_data())
      return send_error(req, res, 415, "send the archive as multipart/form-data with parts archive and confirm");
    if (!req.has_file("archive") || !req.has_file("confirm"))
      return send_error(req, res, validation_error(req.has_file("archive") ? "confirm" : "archive",
                                             "multipart parts archive and confirm are both required"));
    const auto& archive = req.get_file_value("archive").content;
    auto confirm = req.get_file_value("confirm").content;
    auto actual = backup::sha256_hex(archive);
    if (confirm != actual)
      return send_error(req, res, validation_error("confirm", "confirm must be the sha256 of the uploaded archive"));
    auto path = service->upload_path();
    write_file_atomically(path, archive);
    auto job = service->start_restore(path, true, fmt::format("uploaded archive sha256 {}", actual.substr(0, 12)));
    if (!job) return send_error(req, res, job.error());
    send_job(res, *job);
  });
}

}  // namespace daoctl::sim
