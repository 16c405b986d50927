// daoctl sync watch: `sync apply --incremental` as a long-running process.
#pragma once

#include "commands/common/cli_fwd.hpp"
#include "commands/common/context.hpp"
#include "commands/sync/sync.hpp"

namespace daoctl::commands {

struct SyncWatchOptions {
  SyncApplyOptions apply;      // -f, --state-dir, --allow-deprovision, ...; incremental is forced
  double interval = 1.0;       // --interval SECONDS between polls of the directory
  double max_backoff = 60.0;   // --max-backoff SECONDS: the longest wait after a failure
  std::string metrics_file;    // --metrics-file: Prometheus textfile rewritten after each batch
};
int run_sync_watch(const SyncWatchOptions& opts, CommandContext& ctx);
void register_sync_watch(CLI::App& group, CommandContext& ctx);

}  // namespace daoctl::commands
