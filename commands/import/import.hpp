// daoctl import: content from native manifests and other platforms' exports
// (Slack, Mattermost, WordPress WXR). validate reads and checks without the
// network; plan adds author mapping and what exists already; apply sends.
#pragma once

#include "commands/common/cli_fwd.hpp"
#include <functional>
#include <string>

#include "commands/common/context.hpp"
#include "commands/common/job_report.hpp"

namespace daoctl::commands {

struct ImportOptions {
  std::string source;
  std::string format;           // empty: detect (slack|mattermost|wxr|manifest)
  std::string authors_file;     // mapping source user -> platform user
  std::string fallback_author;  // platform id, userName or e-mail
  std::string report_file;      // apply: per-item JSON Lines report
  int batch = 500;
  JobReportFiles report_files;  // apply: --summary-file, --metrics-file
};

template <class Options>
using ImportRunner = std::function<int(const Options&, CommandContext&)>;

int run_import_validate(const ImportOptions& opts, CommandContext& ctx);
int run_import_plan(const ImportOptions& opts, CommandContext& ctx);
int run_import_apply(const ImportOptions& opts, CommandContext& ctx);

void register_import(CLI::App& root, CommandContext& ctx);

}  // namespace daoctl::commands
