// daoctl import: content from native manifests and other platforms' exports
// (Slack, Mattermost, WordPress WXR). validate reads and checks without the
// network; plan adds author mapping and what exists already; apply sends.
// One verb per file (validate.cpp, plan.cpp, apply.cpp), each with its own
// Options; import.cpp only registers them.
#pragma once

#include "commands/common/cli_fwd.hpp"
#include <functional>
#include <string>

#include "commands/common/context.hpp"
#include "commands/common/job_report.hpp"

namespace daoctl::commands {

template <class Options>
using ImportRunner = std::function<int(const Options&, CommandContext&)>;

// What every verb reads: the source and, optionally, its format.
struct ImportSourceFlags {
  std::string source;
  std::string format;  // empty: detect (slack|mattermost|wxr|manifest)
};

// How source users become platform users (plan and apply).
struct ImportAuthorFlags {
  std::string authors_file;     // mapping source user -> platform user
  std::string fallback_author;  // platform id, userName or e-mail
};

// Posts whose comments and reactions are sent together (apply's --batch).
inline constexpr int kImportDefaultBatch = 500;

struct ImportValidateOptions {
  ImportSourceFlags src;
};
int run_import_validate(const ImportValidateOptions& opts, CommandContext& ctx);
void register_import_validate(CLI::App& group, CommandContext& ctx,
                              ImportRunner<ImportValidateOptions> run = run_import_validate);

struct ImportPlanOptions {
  ImportSourceFlags src;
  ImportAuthorFlags authors;
};
int run_import_plan(const ImportPlanOptions& opts, CommandContext& ctx);
void register_import_plan(CLI::App& group, CommandContext& ctx, ImportRunner<ImportPlanOptions> run = run_import_plan);

struct ImportApplyOptions {
  ImportSourceFlags src;
  ImportAuthorFlags authors;
  std::string report_file;  // per-item JSON Lines report
  int batch = kImportDefaultBatch;
  JobReportFiles report_files;  // --summary-file, --metrics-file
};
int run_import_apply(const ImportApplyOptions& opts, CommandContext& ctx);
void register_import_apply(CLI::App& group, CommandContext& ctx,
                           ImportRunner<ImportApplyOptions> run = run_import_apply);

void register_import(CLI::App& root, CommandContext& ctx);

}  // namespace daoctl::commands
