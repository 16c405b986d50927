#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "commands/backup/backup.hpp"
#include "commands/common/job_report.hpp"
#include "commands/common/progress.hpp"
#include "connectors/local/files.hpp"

namespace daoctl::commands {

namespace fs = std::filesystem;
using backup::Sha256;

std::string local_backup_name(const std::string& id, const std::string& created_at) {
  std::string stamp;
  for (char c : created_at)
    if (c != '-' && c != ':') stamp.push_back(c);
  std::string safe_id;
  for (char c : id) safe_id.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
  return fmt::format("daoctl-backup-{}-{}.tar.zst", safe_id, stamp);
}

std::optional<LocalBackupName> parse_local_backup_name(const std::string& file_name) {
  static const std::regex pattern(R"(daoctl-backup-([A-Za-z0-9_]+)-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z\.tar\.zst)");
  std::smatch m;
  if (!std::regex_match(file_name, m, pattern)) return std::nullopt;
  auto t = backup::parse_rfc3339(fmt::format("{}-{}-{}T{}:{}:{}Z", m[2].str(), m[3].str(), m[4].str(), m[5].str(),
                                             m[6].str(), m[7].str()));
  if (!t) return std::nullopt;
  return LocalBackupName{m[1].str(), *t};
}

json fetch_backup(CommandContext& ctx, const std::string& id) {
  return value_or_throw(ctx.client().get_json("/api/v1/backups/" + platform::url_encode_segment(id), "backup " + id));
}

std::vector<json> list_backups(CommandContext& ctx, const std::string& query) {
  std::vector<json> out;
  value_or_throw(ctx.client().cursor_list("/api/v1/backups" + query, 1000, [&](const json& items) {
    for (const auto& b : items) out.push_back(b);
  }));
  return out;
}

json wait_for_job(CommandContext& ctx, const json& job, const std::string& what) {
  auto id = job.value("id", "");
  std::string path = "/api/v1/jobs/" + platform::url_encode_segment(id);
  bool bar = progress_enabled(ctx);
  std::string last_state;
  auto delay = std::chrono::milliseconds(100);
  json current = job;
  while (true) {
    auto state = current.value("state", "");
    double progress = current.value("progress", 0.0);
    if (bar) {
      int filled = static_cast<int>(progress * 30);
      ctx.io().err() << fmt::format("\r{} [{}{}] {:3.0f}% {}", what, std::string(static_cast<std::size_t>(filled), '#'),
                                    std::string(static_cast<std::size_t>(30 - filled), '.'), progress * 100, state)
                     << std::flush;
    } else if (state != last_state) {
      ctx.info(fmt::format("{}: job {} {}", what, id, state));
    }
    last_state = state;
    if (state == "succeeded" || state == "failed") break;
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::milliseconds(1000));
    current = value_or_throw(ctx.client().get_json(path, "job " + id));
  }
  if (bar) ctx.io().err() << "\n";
  if (current.value("state", "") == "failed") {
    std::string detail = "no reason given";
    if (current.contains("error") && current["error"].is_object())
      detail = current["error"].value("detail", current["error"].value("title", detail));
    throw CommandError(ErrorKind::Remote, what + " failed", "job " + id, detail);
  }
  return current;
}

namespace {

std::string errno_text() { return std::strerror(errno); }

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Hashes the first `length` bytes of an existing partial download.
std::uint64_t hash_prefix(const std::string& path, Sha256& hash) {
  int raw = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (raw < 0) return 0;
  Fd in(raw);
  std::vector<char> buf(1 << 20);
  std::uint64_t total = 0;
  ssize_t n;
  while ((n = ::read(in.get(), buf.data(), buf.size())) > 0) {
    hash.update(buf.data(), static_cast<std::size_t>(n));
    total += static_cast<std::uint64_t>(n);
  }
  return total;
}

// Hashes a file that is being appended to, on its own thread, reading back
// what the writer has already written (from the page cache). The network
// receive and the hash run in parallel with constant memory; the writer only
// publishes how far the file is written. Also starts the kernel's writeback
// of every finished 32 MiB so the final fsync has little left to flush.
class FollowingHasher {
 public:
  FollowingHasher(const std::string& path, int write_fd, std::uint64_t start, Sha256& hash)
      : write_fd_(write_fd), hash_(hash), hashed_(start), available_(start), flushed_(start) {
    read_fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    thread_ = std::thread([this] { run(); });
  }
  ~FollowingHasher() { finish(); }
  FollowingHasher(const FollowingHasher&) = delete;
  FollowingHasher& operator=(const FollowingHasher&) = delete;

  // The file now holds `total` bytes.
  void advance(std::uint64_t total) {
    if (total - flushed_ >= kWriteback) {
      ::sync_file_range(write_fd_, static_cast<off_t>(flushed_), static_cast<off_t>(total - flushed_),
                        SYNC_FILE_RANGE_WRITE);
      flushed_ = total;
    }
    std::lock_guard lock(mutex_);
    available_ = total;
    if (available_ - hashed_ >= kChunk) wake_.notify_one();
  }
  // Hashes the rest and stops the thread. False when the file could not be read back.
  bool finish() {
    {
      std::lock_guard lock(mutex_);
      if (done_) return ok_;
      done_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
    if (read_fd_ >= 0) ::close(read_fd_);
    read_fd_ = -1;
    return ok_;
  }

 private:
  static constexpr std::uint64_t kChunk = 4u << 20;
  static constexpr std::uint64_t kWriteback = 32u << 20;

  void run() {
    std::vector<char> buf;  // only for the pread fallback
    while (true) {
      std::uint64_t until;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return done_ || available_ - hashed_ >= kChunk; });
        until = available_;
        if (until == hashed_ && done_) return;
      }
      while (hashed_ < until) {
        auto want = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, until - hashed_));
        if (hash_mapped(want)) continue;
        if (buf.empty()) buf.resize(kChunk);
        ssize_t n = read_fd_ < 0 ? -1 : ::pread(read_fd_, buf.data(), want, static_cast<off_t>(hashed_));
        if (n <= 0) {
          ok_ = false;
          return;
        }
        hash_.update(buf.data(), static_cast<std::size_t>(n));
        hashed_ += static_cast<std::uint64_t>(n);
      }
    }
  }

  // Hashes the next `want` bytes straight from the page cache through a
  // mapping (no copy into a buffer: on a 2-core machine that copy competes
  // with the download itself). False when mapping fails: pread is the fallback.
  bool hash_mapped(std::size_t want) {
    if (read_fd_ < 0 || !use_mmap_) return false;
    static const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
    std::uint64_t start = hashed_ - hashed_ % page;
    std::size_t skip = static_cast<std::size_t>(hashed_ - start);
    std::size_t len = skip + want;
    void* map = ::mmap(nullptr, len, PROT_READ, MAP_SHARED | MAP_POPULATE, read_fd_, static_cast<off_t>(start));
    if (map == MAP_FAILED) {
      use_mmap_ = false;
      return false;
    }
    hash_.update(static_cast<const char*>(map) + skip, want);
    ::munmap(map, len);
    hashed_ += want;
    return true;
  }

  int write_fd_;
  int read_fd_ = -1;
  bool use_mmap_ = true;
  Sha256& hash_;
  std::uint64_t hashed_;     // owned by the thread
  std::uint64_t available_;  // guarded by mutex_
  std::uint64_t flushed_;    // writer side only
  bool done_ = false;
  bool ok_ = true;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::thread thread_;
};

}  // namespace

DownloadResult download_backup(CommandContext& ctx, const json& backup_json, const std::string& path) {
  auto id = backup_json.value("id", "");
  if (backup_json.value("state", "") != "ready" || !backup_json["sha256"].is_string() ||
      !backup_json["size"].is_number_unsigned())
    throw CommandError(ErrorKind::Conflict, "the backup is not ready for download", "backup " + id,
                       "its state is " + backup_json.value("state", "unknown"),
                       "wait for the backup job, or pick a backup in state ready");
  std::string expected = backup_json["sha256"].get<std::string>();
  auto size = backup_json["size"].get<std::uint64_t>();
  std::string part = path + ".part";
  std::string part_owner = part + ".sha256";  // which archive the partial file belongs to
  auto started = std::chrono::steady_clock::now();

  // A partial file of another archive (or of unknown origin) is not resumed.
  {
    std::ifstream owner(part_owner);
    std::string recorded;
    owner >> recorded;
    if (recorded != expected) {
      fs::remove(part);
      value_or_throw(local::write_file_atomic(part_owner, expected + "\n", 0600));
    }
  }
  DownloadResult result;
  result.path = path;
  // An attempt that ended early is resumed while attempts make progress:
  // five in a row that add no byte (or twenty in all) end the download.
  int fruitless = 0;
  constexpr int kMaxFruitless = 5;
  constexpr int kMaxAttempts = 20;
  for (int attempt = 1;; ++attempt) {
    Sha256 hash;
    std::uint64_t have = hash_prefix(part, hash);
    if (have > size) {
      // Longer than the archive: not a prefix of it.
      fs::remove(part);
      continue;
    }
    if (attempt == 1) result.resumed_from = have;
    if (have > 0 && attempt == 1) ctx.info(fmt::format("resuming the download of backup {} at byte {} of {}", id, have, size));
    int raw = ::open(part.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (raw < 0) throw CommandError(ErrorKind::Io, "cannot write the download", part, errno_text());
    Fd out(raw);
    std::uint64_t written = have;
    int write_errno = 0;
    std::optional<FollowingHasher> follower;
    follower.emplace(part, out.get(), have, hash);
    auto progress = make_progress(ctx, "downloading backup " + id, static_cast<std::int64_t>(size),
                                  output::ProgressUnit::Bytes);
    progress->update(static_cast<std::int64_t>(written));
    auto req = ctx.client().make_request("GET", "/api/v1/backups/" + platform::url_encode_segment(id) + "/download",
                                         "backup " + id);
    req.headers.push_back({"Accept", "application/octet-stream"});
    // A large archive may take hours, but never a silent peer: no byte for
    // --timeout seconds ends the attempt, and the next resumes with Range.
    req.timeout = std::chrono::hours(12);
    req.stall_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(ctx.resolved().timeout);
    if (have > 0 && have < size) {
      req.headers.push_back({"Range", fmt::format("bytes={}-", have)});
      req.headers.push_back({"If-Range", fmt::format("W/\"{}\"", expected)});
    }
    bool restarted = false;
    req.sink = [&](const char* data, size_t len) {
      const char* p = data;
      size_t left = len;
      while (left > 0) {
        ssize_t n = ::write(out.get(), p, left);
        if (n < 0) {
          if (errno == EINTR) continue;
          write_errno = errno;
          return false;
        }
        p += n;
        left -= static_cast<size_t>(n);
      }
      written += len;
      follower->advance(written);
      progress->update(static_cast<std::int64_t>(written));
      return true;
    };
    Result<http::Response> response = [&]() -> Result<http::Response> {
      if (have == size) return http::Response{206, {}, {}, {}};
      return ctx.client().send(std::move(req));
    }();
    progress->finish();
    if (write_errno)
      throw CommandError(ErrorKind::Io, "cannot write the download", part, std::strerror(write_errno),
                         "free some space; the next run resumes where this one stopped");
    if (!response) {
      auto kind = response.error().kind;
      fruitless = written > have ? 0 : fruitless + 1;
      if ((kind == ErrorKind::Network || kind == ErrorKind::Remote) && attempt < kMaxAttempts &&
          fruitless < kMaxFruitless) {
        ctx.warn(fmt::format("download of backup {} interrupted at byte {} ({}); resuming", id, written,
                             response.error().detail.empty() ? response.error().message : response.error().detail));
        continue;
      }
      throw CommandError(std::move(response.error()));
    }
    if (response->status == 200 && have > 0) {
      // The server sent the whole archive (it ignored the range): what was
      // appended after the partial data is discarded and the download restarts.
      restarted = true;
    }
    if (restarted) {
      fs::remove(part);
      if (attempt < 5) continue;
      throw CommandError(ErrorKind::Remote, "the server does not resume downloads", "backup " + id);
    }
    fruitless = written > have ? 0 : fruitless + 1;
    if (written < size && attempt < kMaxAttempts && fruitless < kMaxFruitless) {
      ctx.warn(fmt::format("download of backup {} ended early at byte {} of {}; resuming", id, written, size));
      continue;
    }
    if (::fsync(out.get()) != 0) throw CommandError(ErrorKind::Io, "cannot flush the download", part, errno_text());
    if (!follower->finish())
      throw CommandError(ErrorKind::Io, "cannot read the download back to hash it", part, errno_text());
    auto actual = hash.hex();
    if (actual != expected || written != size) {
      fs::remove(part);
      fs::remove(part_owner);
      throw CommandError(ErrorKind::Safety, "checksum mismatch: the download was deleted", "backup " + id,
                         fmt::format("received {} bytes with sha256 {}; the server lists {} bytes with sha256 {}",
                                     written, actual, size, expected),
                         "run the download again; if it fails again, the archive on the server is damaged");
    }
    result.sha256 = actual;
    result.size = written;
    break;
  }
  // The recorded sha256 first, then the archive: a visible archive always has its checksum.
  value_or_throw(local::write_file_atomic(path + ".sha256",
                                          fmt::format("{}  {}\n", result.sha256, fs::path(path).filename().string())));
  std::error_code ec;
  fs::rename(part, path, ec);
  if (ec) throw CommandError(ErrorKind::Io, "cannot move the download into place", path, ec.message());
  fs::remove(part_owner, ec);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (ctx.job_report) {
    ctx.job_report->count("bytes", static_cast<std::int64_t>(result.size));
    ctx.job_report->count("resumed_from_bytes", static_cast<std::int64_t>(result.resumed_from));
  }
  return result;
}

namespace {

// Reads the archive file for libarchive and hashes every byte on the way, so
// the archive sha256 and the member check are one pass.
struct HashingSource {
  int fd = -1;
  Sha256 hash;
  std::uint64_t size = 0;
  std::vector<char> buf = std::vector<char>(1 << 20);
  int error = 0;
};

la_ssize_t source_read(archive*, void* data, const void** out) {
  auto* s = static_cast<HashingSource*>(data);
  ssize_t n;
  do {
    n = ::read(s->fd, s->buf.data(), s->buf.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    s->error = errno;
    return -1;
  }
  s->hash.update(s->buf.data(), static_cast<std::size_t>(n));
  s->size += static_cast<std::uint64_t>(n);
  *out = s->buf.data();
  return n;
}

std::optional<std::string> recorded_sha256(const std::string& path) {
  std::ifstream in(path + ".sha256");
  std::string hex;
  if (!(in >> hex) || !backup::is_sha256_hex(hex)) return std::nullopt;
  return hex;
}

}  // namespace

ArchiveReport check_archive(const std::string& path, bool read_data, std::optional<std::string> expected_sha256) {
  ArchiveReport report;
  report.path = path;
  report.read_data = read_data;
  report.expected_sha256 = expected_sha256 ? expected_sha256 : recorded_sha256(path);
  int raw = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (raw < 0)
    throw CommandError(errno == ENOENT ? ErrorKind::NotFound : ErrorKind::Io, "cannot read the backup archive", path,
                       errno_text());
  Fd in(raw);
  HashingSource source;
  source.fd = in.get();
  std::unique_ptr<archive, int (*)(archive*)> a(archive_read_new(), archive_read_free);
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  std::vector<backup::ObservedMember> observed;
  std::string manifest_text;
  bool have_manifest = false;
  std::string archive_error;
  if (archive_read_open(a.get(), &source, nullptr, source_read, nullptr) != ARCHIVE_OK) {
    archive_error = archive_error_string(a.get()) ? archive_error_string(a.get()) : "not an archive";
  } else {
    std::vector<char> buf(1 << 20);
    archive_entry* entry = nullptr;
    int rc;
    while ((rc = archive_read_next_header(a.get(), &entry)) == ARCHIVE_OK) {
      std::string member = archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "";
      backup::ObservedMember o{member, 0, "", ""};
      bool is_manifest = member == backup::kManifestMember;
      Sha256 hash;
      if (read_data || is_manifest) {
        la_ssize_t n;
        while ((n = archive_read_data(a.get(), buf.data(), buf.size())) > 0) {
          if (is_manifest) manifest_text.append(buf.data(), static_cast<std::size_t>(n));
          hash.update(buf.data(), static_cast<std::size_t>(n));
          o.size += static_cast<std::uint64_t>(n);
        }
        if (n < 0) o.read_error = archive_error_string(a.get()) ? archive_error_string(a.get()) : "read error";
        o.sha256 = hash.hex();
      } else {
        o.size = static_cast<std::uint64_t>(archive_entry_size(entry));
        if (archive_read_data_skip(a.get()) != ARCHIVE_OK)
          o.read_error = archive_error_string(a.get()) ? archive_error_string(a.get()) : "read error";
      }
      if (is_manifest && o.read_error.empty()) have_manifest = true;
      bool failed = !o.read_error.empty();
      if (!is_manifest || failed) observed.push_back(std::move(o));
      if (failed) break;
    }
    if (rc != ARCHIVE_EOF && rc != ARCHIVE_OK && (observed.empty() || observed.back().read_error.empty()))
      archive_error = archive_error_string(a.get()) ? archive_error_string(a.get()) : "damaged archive";
    // Whatever libarchive did not need is still hashed, so the sha256 covers the file.
    const void* ignored;
    while (source_read(a.get(), &source, &ignored) > 0) {
    }
  }
  report.size = source.size;
  report.sha256 = source.hash.hex();
  if (report.expected_sha256 && *report.expected_sha256 != report.sha256)
    report.problems.push_back({"(archive)", fmt::format("sha256 is {}, expected {}", report.sha256, *report.expected_sha256)});
  if (!archive_error.empty()) report.problems.push_back({"(archive)", "cannot be read: " + archive_error});
  if (have_manifest) {
    auto manifest = backup::parse_manifest(manifest_text, path + ":" + backup::kManifestMember);
    if (!manifest) {
      report.problems.push_back({backup::kManifestMember, manifest.error().detail});
    } else {
      report.manifest = *manifest;
      for (auto& p : backup::check_members(*manifest, observed)) report.problems.push_back(std::move(p));
    }
  } else {
    for (const auto& o : observed)
      if (!o.read_error.empty()) report.problems.push_back({o.path, "cannot be read: " + o.read_error});
    report.problems.push_back({backup::kManifestMember, "missing: this is not a complete daoctl backup"});
  }
  return report;
}

json archive_report_json(const ArchiveReport& r) {
  json problems = json::array();
  for (const auto& p : r.problems) problems.push_back({{"member", p.path}, {"problem", p.problem}});
  return {{"path", r.path},
          {"ok", r.ok()},
          {"read_data", r.read_data},
          {"size", r.size},
          {"sha256", r.sha256},
          {"expected_sha256", r.expected_sha256 ? json(*r.expected_sha256) : json(nullptr)},
          {"backup_id", r.manifest ? json(r.manifest->backup_id) : json(nullptr)},
          {"created_at", r.manifest ? json(r.manifest->created_at) : json(nullptr)},
          {"members", r.manifest ? json(r.manifest->members.size()) : json(nullptr)},
          {"problems", std::move(problems)}};
}

void throw_if_damaged(const ArchiveReport& r) {
  if (r.ok()) return;
  // Name a member when one is to blame: the archive-level sha256 line only
  // says that something changed.
  const backup::MemberProblem* first = &r.problems.front();
  for (const auto& p : r.problems)
    if (p.path != "(archive)") {
      first = &p;
      break;
    }
  std::string detail;
  for (const auto& p : r.problems) detail += (detail.empty() ? "" : "; ") + p.path + " " + p.problem;
  throw CommandError(ErrorKind::Safety,
                     fmt::format("backup archive is damaged: member {} {}", first->path, first->problem), r.path,
                     detail, "download the backup again or pick another one");
}

class BackupLock {
 public:
  explicit BackupLock(local::JobLock lock) : lock_(std::move(lock)) {}

 private:
  local::JobLock lock_;
};

std::shared_ptr<BackupLock> lock_backups(CommandContext& ctx, const std::string& lock_file, const std::string& what) {
  // JobLock is flock(2): the kernel drops it when its holder dies, so a lock
  // can never stay held by a dead process. What stays is the file with the
  // dead holder's pid; finding that pid gone is reported as a takeover.
  std::optional<long> previous;
  {
    std::ifstream in(lock_file);
    long pid = 0;
    if (in >> pid && pid > 0) previous = pid;
  }
  auto lock = value_or_throw(local::JobLock::acquire(lock_file, what));
  if (previous && *previous != ::getpid() && ::kill(static_cast<pid_t>(*previous), 0) != 0 && errno == ESRCH)
    ctx.info(fmt::format("took over the lock {} left by process {}, which is no longer running", lock_file, *previous));
  // An orderly exit empties the file (see ~BackupLock via the deleter) so only a
  // crashed run leaves a pid behind.
  auto file = lock_file;
  return std::shared_ptr<BackupLock>(new BackupLock(std::move(lock)), [file](BackupLock* l) {
    if (::truncate(file.c_str(), 0) != 0) {
      // The next run then reports a takeover it need not report; harmless.
    }
    delete l;
  });
}

std::string server_lock_file(CommandContext& ctx) {
  auto dir = local::default_state_dir();
  value_or_throw(local::make_dirs(dir));
  auto url = ctx.client_settings().url;
  return dir + "/backup-" + backup::sha256_hex(url).substr(0, 16) + ".lock";
}

}  // namespace daoctl::commands
