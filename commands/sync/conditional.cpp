#include "commands/sync/conditional.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "connectors/local/files.hpp"
#include "core/content/external_id.hpp"
#include "core/text/date.hpp"

namespace daoctl::commands::sync_conditional {

using nlohmann::json;

std::string job_fingerprint(const std::string& job_file) {
  auto text = local::read_file(job_file);
  return text ? content::sha256_hex(*text) : std::string();
}

std::string validators_path(const std::string& state_dir, const std::string& job, const std::string& source) {
  return state_dir + "/" + job + "." + source + ".http-validators.json";
}

Validators load(const std::string& state_dir, const sync::JobSpec& job, const std::string& job_sha256) {
  Validators out;
  if (job.sources.empty()) return {};
  if (job_sha256.empty()) return {};
  for (const auto& src : job.sources) {
    if (src.type != "http_json") return {};
    auto text = local::read_file(validators_path(state_dir, job.name, src.name));
    if (!text) return {};
    // A file that does not parse, or was written for another job file or
    // day, is not used: the read is unconditional, which is always safe.
    json doc = json::parse(*text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || doc.value("job_sha256", "") != job_sha256 ||
        doc.value("today", "") != job.today || !doc.contains("pages") || !doc["pages"].is_array() ||
        doc["pages"].empty())
      return {};
    std::vector<hr::HttpValidator> pages;
    for (const json& p : doc["pages"]) {
      if (!p.is_object()) return {};
      pages.push_back({p.value("url", ""), p.value("etag", ""), p.value("last_modified", "")});
    }
    out[src.name] = std::move(pages);
  }
  return out;
}

Status forget(const std::string& state_dir, const sync::JobSpec& job) {
  for (const auto& src : job.sources) {
    const std::string path = validators_path(state_dir, job.name, src.name);
    if (std::remove(path.c_str()) != 0 && errno != ENOENT)
      return fail(ErrorKind::Internal, "cannot remove the saved HTTP validators", path, std::strerror(errno),
                  "remove the file by hand: the next sync watch batch then reads the source whole");
  }
  return {};
}

Status save(const std::string& state_dir, const sync::JobSpec& job, const std::string& job_sha256,
            const Validators& validators, std::chrono::system_clock::time_point now) {
  if (job_sha256.empty()) return {};
  for (const auto& [source, pages] : validators) {
    if (pages.empty()) continue;
    json list = json::array();
    for (const auto& p : pages) list.push_back({{"url", p.url}, {"etag", p.etag}, {"last_modified", p.last_modified}});
    json doc = {{"job", job.name},
                {"source", source},
                {"job_sha256", job_sha256},
                {"today", job.today},
                {"saved_at", text::format_rfc3339(now)},
                {"pages", std::move(list)}};
    if (auto st = local::write_file_atomic(validators_path(state_dir, job.name, source), doc.dump(2) + "\n", 0600);
        !st)
      return st;
  }
  return {};
}

std::string unchanged_line(const sync::JobSpec& job) {
  std::string names;
  for (const auto& src : job.sources) names += (names.empty() ? "" : ", ") + src.name;
  return fmt::format("{}: source{} {} unchanged since the last applied run (HTTP 304)", job.name,
                     job.sources.size() > 1 ? "s" : "", names);
}

}  // namespace daoctl::commands::sync_conditional
