// What a running `sync watch` says about itself, for `sync status` and for
// monitoring: <state dir>/<job>.watch.json (rewritten atomically after each
// batch and each wake-up) and, with --metrics-file, a Prometheus textfile.
//
// Lag is the age of the oldest directory change the watcher knows of and has
// not applied: set when a change notice (or a poll that finds changes
// pending) arrives, cleared by a batch that started after it and applied
// everything. A held deactivation batch keeps it growing, which is what an
// alert should see.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace daoctl::commands {

// What one `sync apply` run did, filled in by run_sync_apply when asked
// (SyncApplyOptions::outcome).
struct SyncApplyOutcome {
  std::map<std::string, long> applied;  // user actions by kind ("create", "deactivate", …) that succeeded
  long failed = 0;
  long changes = 0;                     // every item applied (departments, groups, photos too)
  std::string held_hash;                // a deactivation batch held by the stream guards
  long held_deactivations = 0;
  std::string held_reason;
};

struct WatchState {
  long pid = 0;
  std::string job;
  std::string mode;  // starting | following (pushed) | polling | reconnecting | stopped
  std::string started_at, updated_at, last_batch_at, last_change_at;
  std::optional<std::chrono::system_clock::time_point> pending_since;
  double last_batch_seconds = 0;
  long batches = 0, reconnects = 0, notices = 0, failed_items = 0;
  std::map<std::string, long> applied;  // cumulative, by kind
  std::string held_hash, held_reason, held_since;
  long held_deactivations = 0;
  std::string last_error;

  void add(const SyncApplyOutcome& o, std::chrono::system_clock::time_point now);
  double lag_seconds(std::chrono::system_clock::time_point now) const;
  nlohmann::json to_json(std::chrono::system_clock::time_point now) const;
  static WatchState from_json(const nlohmann::json& j);
  // Prometheus text: lag, batches, reconnects, changes applied by kind, held.
  std::string metrics(std::chrono::system_clock::time_point now) const;
};

std::string watch_state_path(const std::string& state_dir, const std::string& job);

}  // namespace daoctl::commands
