// run_complete: the hidden `daoctl __complete` with its real sources (the
// config file, the platform, a small cache). See complete.hpp.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/complete.hpp"
#include "commands/common/context.hpp"
#include "connectors/local/files.hpp"
#include "connectors/platform/backup_api.hpp"
#include "commands/common/scim_lookup.hpp"
#include "connectors/platform/client.hpp"
#include "core/config/config.hpp"
#include "core/config/config_files.hpp"
#include "core/text/json_member.hpp"

namespace daoctl::cli {

namespace {

using nlohmann::json;

std::uint64_t fnv1a(const std::string& s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Cached {
  std::vector<Candidate> values;
  std::int64_t age = 0;
  bool complete = true;  // the page held every name (totalResults <= its size)
};

// The cache holds names and ids only (never a token), one file per platform
// URL and kind, readable by its owner only.
std::string cache_path(const std::string& url, const std::string& kind) {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(fnv1a(url)));
  return local::default_state_dir() + "/cache/complete-" + kind + "-" + hex + ".json";
}

std::optional<Cached> read_cache(const std::string& path, const std::string& url) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  const json doc = json::parse(ss.str(), nullptr, false);
  if (!doc.is_object() || doc.value("url", "") != url || !doc.contains("values") || !doc["values"].is_array())
    return std::nullopt;
  Cached c;
  c.age = now_seconds() - doc.value("fetched", std::int64_t{0});
  c.complete = doc.value("complete", true);
  for (const auto& v : doc["values"]) {
    if (!v.is_array() || v.size() != 2 || !v[0].is_string() || !v[1].is_string()) continue;
    c.values.push_back({v[0].get<std::string>(), v[1].get<std::string>()});
  }
  return c;
}

void write_cache(const std::string& path, const std::string& url, const Cached& fetched) {
  if (!local::make_dirs(path.substr(0, path.rfind('/')))) return;
  json doc = {{"url", url}, {"fetched", now_seconds()}, {"complete", fetched.complete}, {"values", json::array()}};
  for (const auto& v : fetched.values) doc["values"].push_back({v.value, v.description});
  const std::string text = doc.dump();
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return;
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) ::unlink(tmp.c_str());
}

// The first page of names (up to 1,000), or with `prefix` the first page of
// those starting with it (SCIM `sw`, which the platform serves from its
// index): a directory of a million users is not read to complete a name.
Result<Cached> fetch(platform::PlatformClient& client, const std::string& kind, const std::string& prefix = {}) {
  Cached out;
  if (kind == "backups") {
    auto list = platform::BackupApi(client).list();
    if (!list) return std::unexpected(std::move(list.error()));
    for (const auto& b : *list) out.values.push_back({b.id, b.state + " " + b.created_at});
    return out;
  }
  const bool users = kind == "users";
  std::string path = users ? "/scim/v2/Users?startIndex=1&count=1000" : "/scim/v2/Groups?startIndex=1&count=1000";
  if (!prefix.empty())
    path += "&filter=" + platform::url_encode_query(std::string(users ? "userName" : "displayName") + " sw " +
                                                     commands::scim_quote(prefix));
  auto page = client.get_json(path, users ? "users (completion)" : "groups (completion)");
  if (!page) return std::unexpected(std::move(page.error()));
  auto it = page->find("Resources");
  if (it == page->end() || !it->is_array()) return out;
  for (const auto& r : *it) {
    if (!r.is_object()) continue;
    if (users) {
      const std::string name = text::string_member(r, "userName");
      if (!name.empty()) out.values.push_back({name, text::string_member(r, "displayName")});
    } else {
      const std::string name = text::string_member(r, "displayName");
      if (!name.empty()) out.values.push_back({name, {}});
    }
  }
  if (auto total = page->find("totalResults"); total != page->end() && total->is_number_integer())
    out.complete = total->get<std::int64_t>() <= static_cast<std::int64_t>(it->size());
  return out;
}

std::vector<Candidate> remote(commands::CommandContext& ctx, const std::string& kind, const std::string& prefix) {
  try {
    // A token_command waiting for a login must not hold the shell's Tab.
    config::set_secret_command_time_limit(std::chrono::milliseconds(1500));
    commands::ClientSettings s = ctx.client_settings();
    const std::string path = cache_path(s.url, kind);
    auto cached = read_cache(path, s.url);
    const bool fresh = cached && cached->age >= 0 && cached->age < kCompletionCacheSeconds;
    if (fresh && (cached->complete || prefix.empty())) return cached->values;
    // A shell waits for this: one attempt, about a second and a half in all.
    s.max_attempts = 1;
    s.timeout = std::chrono::seconds(2);
    s.total_timeout = std::chrono::seconds(2);
    s.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
    s.retry_notices = false;
    s.verbose = false;
    auto client = ctx.probe_client(s);
    if (!fresh) {
      auto first = fetch(*client, kind);
      if (!first) return cached ? cached->values : std::vector<Candidate>{};
      write_cache(path, s.url, *first);
      cached = std::move(*first);
      if (cached->complete || prefix.empty()) return cached->values;
    }
    // More names than one page: ask the platform for those with the typed
    // prefix (not cached: the next Tab types more). A server without `sw`
    // leaves the first page.
    auto matching = fetch(*client, kind, prefix);
    return matching ? matching->values : cached->values;
  } catch (...) {
    return {};
  }
}

std::vector<std::string> contexts(commands::CommandContext& ctx) {
  try {
    const auto& file = ctx.config_file();
    std::vector<std::string> out;
    if (file)
      for (const auto& c : file->contexts) out.push_back(c.name);
    return out;
  } catch (...) {
    return {};
  }
}

// stderr goes to /dev/null while completing: whatever a library or a token
// helper prints must not land in the user's command line.
struct SilentStderr {
  int saved = -1;
  SilentStderr() {
    std::fflush(stderr);
    saved = ::dup(STDERR_FILENO);
    const int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (null >= 0) {
      ::dup2(null, STDERR_FILENO);
      ::close(null);
    }
  }
  ~SilentStderr() {
    std::fflush(stderr);
    if (saved >= 0) {
      ::dup2(saved, STDERR_FILENO);
      ::close(saved);
    }
  }
};

}  // namespace

int run_complete(const CLI::App& root, commands::CommandContext& ctx, const std::vector<std::string>& words) {
  SilentStderr silent;
  try {
    TypedGlobals typed;
    // The globals typed on the line first, so that contexts come from the
    // --config file named and the platform is the --context's.
    complete_words(root, words, CompletionSources{}, &typed);
    if (typed.context) ctx.global.context = typed.context;
    if (typed.config) ctx.global.config = typed.config;
    if (typed.url) ctx.global.url = typed.url;
    CompletionSources sources;
    sources.contexts = [&ctx] { return contexts(ctx); };
    sources.remote = [&ctx](const std::string& kind, const std::string& prefix) { return remote(ctx, kind, prefix); };
    ctx.io().out() << format_completion(complete_words(root, words, sources));
  } catch (...) {
    ctx.io().out() << ":" << kDirectiveNoFileComp << "\n";
  }
  ctx.io().out().flush();
  return 0;
}

}  // namespace daoctl::cli
