#include "connectors/local/backup_archive.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>

#include "connectors/local/files.hpp"

namespace daoctl::local {

namespace fs = std::filesystem;
using backup::Sha256;
using nlohmann::json;

std::string local_backup_name(const std::string& id, const std::string& created_at) {
  std::string stamp;
  for (char c : created_at)
    if (c != '-' && c != ':') stamp.push_back(c);
  std::string safe_id;
  for (char c : id) safe_id.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
  return fmt::format("daoctl-backup-{}-{}.tar.zst", safe_id, stamp);
}

std::optional<LocalBackupName> parse_local_backup_name(const std::string& file_name) {
  static const std::regex pattern(R"(daoctl-backup-([A-Za-z0-9_]+)-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z\.tar\.zst(?:\.age)?)");
  std::smatch m;
  if (!std::regex_match(file_name, m, pattern)) return std::nullopt;
  auto t = backup::parse_rfc3339(fmt::format("{}-{}-{}T{}:{}:{}Z", m[2].str(), m[3].str(), m[4].str(), m[5].str(),
                                             m[6].str(), m[7].str()));
  if (!t) return std::nullopt;
  return LocalBackupName{m[1].str(), *t};
}

Result<std::vector<LocalBackupFile>> list_local_backups(const std::string& dir) {
  std::vector<LocalBackupFile> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    auto name = entry.path().filename().string();
    auto parsed = parse_local_backup_name(name);
    std::error_code type_ec;
    if (!parsed || !entry.is_regular_file(type_ec)) continue;
    out.push_back({name, entry.path().string(), parsed->time});
  }
  if (ec) return fail(ErrorKind::Io, "cannot list the backup directory", dir, ec.message());
  return out;
}

Status remove_local_backup(const std::string& path) {
  std::error_code ec;
  fs::remove(path, ec);
  if (ec) return fail(ErrorKind::Io, "cannot remove an old backup", path, ec.message());
  // The archive's companions go with it: its sha256, the signed manifest,
  // the signature and the timestamp token (named after the archive without
  // ".age"). None of them is worth keeping without the archive.
  std::string base = path.ends_with(".age") ? path.substr(0, path.size() - 4) : path;
  for (const char* suffix : {".sha256", ".manifest.json", ".manifest.json.minisig", ".manifest.json.tsr"})
    fs::remove(base + suffix, ec);
  return {};
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
  // NAME.sha256 holds the sha256 of the plain archive, also for NAME.age.
  std::ifstream in((path.ends_with(".age") ? path.substr(0, path.size() - 4) : path) + ".sha256");
  std::string hex;
  if (!(in >> hex) || !backup::is_sha256_hex(hex)) return std::nullopt;
  return hex;
}

std::string archive_error_text(archive* a, const char* fallback) {
  const char* s = archive_error_string(a);
  return s ? s : fallback;
}

}  // namespace

Result<ArchiveReport> check_archive(const std::string& path, bool read_data,
                                    std::optional<std::string> expected_sha256) {
  int raw = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (raw < 0)
    return fail(errno == ENOENT ? ErrorKind::NotFound : ErrorKind::Io, "cannot read the backup archive", path,
                errno_text());
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{raw};
  return check_archive_fd(raw, path, read_data, std::move(expected_sha256));
}

Result<ArchiveReport> check_archive_fd(int raw, const std::string& path, bool read_data,
                                       std::optional<std::string> expected_sha256) {
  ArchiveReport report;
  report.path = path;
  report.read_data = read_data;
  report.expected_sha256 = expected_sha256 ? expected_sha256 : recorded_sha256(path);
  HashingSource source;
  source.fd = raw;
  std::unique_ptr<archive, int (*)(archive*)> a(archive_read_new(), archive_read_free);
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  std::vector<backup::ObservedMember> observed;
  std::string manifest_text;
  bool have_manifest = false;
  std::string archive_error;
  if (archive_read_open(a.get(), &source, nullptr, source_read, nullptr) != ARCHIVE_OK) {
    archive_error = archive_error_text(a.get(), "not an archive");
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
        if (n < 0) o.read_error = archive_error_text(a.get(), "read error");
        o.sha256 = hash.hex();
      } else {
        o.size = static_cast<std::uint64_t>(archive_entry_size(entry));
        if (archive_read_data_skip(a.get()) != ARCHIVE_OK) o.read_error = archive_error_text(a.get(), "read error");
      }
      if (is_manifest && o.read_error.empty()) have_manifest = true;
      bool failed = !o.read_error.empty();
      if (!is_manifest || failed) observed.push_back(std::move(o));
      if (failed) break;
    }
    if (rc != ARCHIVE_EOF && rc != ARCHIVE_OK && (observed.empty() || observed.back().read_error.empty()))
      archive_error = archive_error_text(a.get(), "damaged archive");
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

Status require_intact(const ArchiveReport& r) {
  if (r.ok()) return {};
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
  return fail(ErrorKind::Safety, fmt::format("backup archive is damaged: member {} {}", first->path, first->problem),
              r.path, detail, "download the backup again or pick another one");
}

Result<std::shared_ptr<BackupLock>> BackupLock::acquire(const std::string& lock_file, const std::string& what) {
  // JobLock is flock(2): the kernel drops it when its holder dies, so a lock
  // can never stay held by a dead process. What stays is the file with the
  // dead holder's pid; finding that pid gone is reported as a takeover.
  std::optional<long> previous;
  {
    std::ifstream in(lock_file);
    long pid = 0;
    if (in >> pid && pid > 0) previous = pid;
  }
  auto lock = JobLock::acquire(lock_file, what);
  if (!lock) return std::unexpected(std::move(lock.error()));
  std::shared_ptr<BackupLock> held(new BackupLock(std::move(*lock), lock_file));
  if (previous && *previous != ::getpid() && ::kill(static_cast<pid_t>(*previous), 0) != 0 && errno == ESRCH)
    held->taken_over_from_ = previous;
  return held;
}

BackupLock::~BackupLock() {
  // An orderly exit empties the file, so only a crashed run leaves a pid behind.
  if (::truncate(file_.c_str(), 0) != 0) {
    // The next run then reports a takeover it need not report; harmless.
  }
}

Result<std::string> backup_server_lock_file(const std::string& url) {
  auto dir = default_state_dir();
  if (auto st = make_dirs(dir); !st) return std::unexpected(std::move(st.error()));
  return dir + "/backup-" + backup::sha256_hex(url).substr(0, 16) + ".lock";
}

std::string backup_dir_lock_file(const std::string& dir) { return (fs::path(dir) / ".daoctl-backup.lock").string(); }

}  // namespace daoctl::local
