#include "commands/sync/watch_state.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <ctime>

#include "commands/common/job_report.hpp"
#include "core/text/date.hpp"

namespace daoctl::commands {

using nlohmann::json;

namespace {

std::optional<std::chrono::system_clock::time_point> parse_time(const std::string& s) {
  auto t = text::parse_rfc3339(s);
  if (!t) return std::nullopt;
  return std::chrono::system_clock::time_point(*t);
}

}  // namespace

std::string watch_state_path(const std::string& state_dir, const std::string& job) {
  return state_dir + "/" + job + ".watch.json";
}

void WatchState::add(const SyncApplyOutcome& o, std::chrono::system_clock::time_point now) {
  for (const auto& [kind, n] : o.applied) applied[kind] += n;
  failed_items += o.failed;
  if (o.changes > 0) last_change_at = text::format_rfc3339(now);
  if (!o.held_hash.empty()) {
    if (held_hash != o.held_hash) held_since = text::format_rfc3339(now);
    held_hash = o.held_hash;
    held_deactivations = o.held_deactivations;
    held_reason = o.held_reason;
  } else {
    held_hash.clear();
    held_reason.clear();
    held_since.clear();
    held_deactivations = 0;
  }
}

double WatchState::lag_seconds(std::chrono::system_clock::time_point now) const {
  if (!pending_since) return 0;
  return std::max(0.0, std::chrono::duration<double>(now - *pending_since).count());
}

json WatchState::to_json(std::chrono::system_clock::time_point now) const {
  json j = {{"pid", pid},
            {"job", job},
            {"mode", mode},
            {"started_at", started_at},
            {"updated_at", updated_at},
            {"last_batch_at", last_batch_at},
            {"last_batch_seconds", last_batch_seconds},
            {"last_change_at", last_change_at},
            {"pending_since", pending_since ? json(text::format_rfc3339(*pending_since)) : json(nullptr)},
            {"lag_seconds", lag_seconds(now)},
            {"batches", batches},
            {"reconnects", reconnects},
            {"notices", notices},
            {"failed_items", failed_items},
            {"applied", applied},
            {"last_error", last_error.empty() ? json(nullptr) : json(last_error)}};
  j["held"] = held_hash.empty() ? json(nullptr)
                                : json{{"hash", held_hash},
                                       {"deactivations", held_deactivations},
                                       {"reason", held_reason},
                                       {"since", held_since}};
  return j;
}

WatchState WatchState::from_json(const json& j) {
  WatchState w;
  if (!j.is_object()) return w;
  w.pid = j.value("pid", 0L);
  w.job = j.value("job", "");
  w.mode = j.value("mode", "");
  w.started_at = j.value("started_at", "");
  w.updated_at = j.value("updated_at", "");
  w.last_batch_at = j.value("last_batch_at", "");
  w.last_batch_seconds = j.value("last_batch_seconds", 0.0);
  w.last_change_at = j.value("last_change_at", "");
  if (j.contains("pending_since") && j["pending_since"].is_string())
    w.pending_since = parse_time(j["pending_since"].get<std::string>());
  w.batches = j.value("batches", 0L);
  w.reconnects = j.value("reconnects", 0L);
  w.notices = j.value("notices", 0L);
  w.failed_items = j.value("failed_items", 0L);
  if (j.contains("applied") && j["applied"].is_object())
    for (const auto& [k, v] : j["applied"].items())
      if (v.is_number_integer()) w.applied[k] = v.get<long>();
  if (j.contains("last_error") && j["last_error"].is_string()) w.last_error = j["last_error"].get<std::string>();
  if (j.contains("held") && j["held"].is_object()) {
    const json& h = j["held"];
    w.held_hash = h.value("hash", "");
    w.held_deactivations = h.value("deactivations", 0L);
    w.held_reason = h.value("reason", "");
    w.held_since = h.value("since", "");
  }
  return w;
}

std::string WatchState::metrics(std::chrono::system_clock::time_point now) const {
  const std::map<std::string, std::string> base = {{"job", job}};
  const std::string labels = prometheus_labels(base);
  std::string out;
  auto metric = [&](const char* type, const std::string& name, const std::string& help, const std::string& value) {
    out += fmt::format("# HELP {0} {1}\n# TYPE {0} {2}\n{0}{3} {4}\n", name, help, type, labels, value);
  };
  metric("gauge", "daoctl_watch_lag_seconds",
         "Age of the oldest directory change known and not yet applied (0: caught up).",
         fmt::format("{:.3f}", lag_seconds(now)));
  metric("gauge", "daoctl_watch_following", "1 while changes are pushed by the directory, 0 while polling.",
         mode == "following" ? "1" : "0");
  metric("counter", "daoctl_watch_batches_total", "Batches applied since the watcher started.",
         std::to_string(batches));
  metric("counter", "daoctl_watch_reconnects_total",
         "Retries after the directory or the platform could not be reached.", std::to_string(reconnects));
  metric("gauge", "daoctl_watch_held_deactivations",
         "Deactivations held by the stream guards, waiting for --allow-deprovision.",
         std::to_string(held_deactivations));
  metric("gauge", "daoctl_watch_last_batch_seconds", "Wall time of the last batch.",
         fmt::format("{:.3f}", last_batch_seconds));
  out += "# HELP daoctl_watch_changes_applied_total Account changes applied since the watcher started, by kind.\n"
         "# TYPE daoctl_watch_changes_applied_total counter\n";
  for (const char* kind : {"create", "update", "link", "deactivate", "reactivate"}) {
    auto l = base;
    l["kind"] = kind;
    auto it = applied.find(kind);
    out += fmt::format("daoctl_watch_changes_applied_total{} {}\n", prometheus_labels(l),
                       it == applied.end() ? 0 : it->second);
  }
  return out;
}

}  // namespace daoctl::commands
