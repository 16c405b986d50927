// daoctl diff -f env.yaml, daoctl apply -f env.yaml, daoctl export-env -o env.yaml:
// declarative environments (core/env holds the file model and the plan; this
// layer reads the platform's state, executes plans and writes exports).
// One verb per file: diff.cpp, apply.cpp, export.cpp; env_commands.cpp only
// registers them.
#pragma once

#include "commands/common/cli_fwd.hpp"
#include <functional>
#include <map>
#include <string>

#include "commands/common/context.hpp"
#include "commands/common/job_report.hpp"
#include "core/env/env.hpp"

namespace daoctl::commands {

template <class Options>
using EnvRunner = std::function<int(const Options&, CommandContext&)>;

struct EnvDiffOptions {
  std::string file;
  bool prune = false;
};

struct EnvApplyOptions {
  std::string file;
  bool prune = false;
  JobReportFiles report_files;  // --summary-file, --metrics-file
};

struct ExportEnvOptions {
  std::string output;  // env.yaml; images are written beside it
};

// Reads everything the plan compares. `with_posts`: also list posts (a 404 on
// /api/v1/posts marks them unsupported instead of failing). `etags`, when
// given, receives each settings document's ETag by API name, so apply can
// replace exactly what it compared (If-Match; 412 if someone changed it since).
env::PlatformState fetch_platform_state(CommandContext& ctx, bool with_posts,
                                        std::map<std::string, std::string>* etags = nullptr);

// Exit 8 when the platform differs from the file, 0 when not.
int run_env_diff(const EnvDiffOptions& opts, CommandContext& ctx);
void register_env_diff(CLI::App& root, CommandContext& ctx, EnvRunner<EnvDiffOptions> run = run_env_diff);
// Makes the platform match the file, in dependency order; deletions (--prune)
// need --yes when not on a terminal. A second run changes nothing.
int run_env_apply(const EnvApplyOptions& opts, CommandContext& ctx);
void register_env_apply(CLI::App& root, CommandContext& ctx, EnvRunner<EnvApplyOptions> run = run_env_apply);
int run_export_env(const ExportEnvOptions& opts, CommandContext& ctx);
void register_export_env(CLI::App& root, CommandContext& ctx, EnvRunner<ExportEnvOptions> run = run_export_env);

void register_env(CLI::App& root, CommandContext& ctx);

// The platform-configuration groups of this area in one hook: policy,
// branding, and diff/apply/export-env.
void register_environment_commands(CLI::App& root, CommandContext& ctx);

}  // namespace daoctl::commands
