// daoctl sync validate: check the job file and report every problem with its position.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "commands/common/command_doc.hpp"
#include "commands/sync/engine.hpp"
#include "commands/sync/verbs.hpp"
#include "connectors/sources/job_sources.hpp"

namespace daoctl::commands {

using nlohmann::json;
using namespace sync_engine;
using namespace sync_verbs;

int run_sync_validate(const SyncValidateOptions& opts, CommandContext& ctx) {
  auto job = load_job_file(opts.run.job_file, opts.run.today.empty() ? today_local(ctx.now()) : opts.run.today);
  for (const auto& w : job.warnings) ctx.warn(w);
  // Where a CSV export is at hand its header is known: check the columns the job names.
  for (const auto& src : job.sources) {
    std::string dir = opts.run.job_file.find('/') == std::string::npos ? "." : opts.run.job_file.substr(0, opts.run.job_file.rfind('/'));
    value_or_throw(sources::check_csv_header(src, dir));
  }
  if (ctx.format() == output::Format::Json) {
    json j = {{"valid", true}, {"job", job.name}, {"target", job.target}, {"primary", job.primary}};
    j["sources"] = json::array();
    for (const auto& s : job.sources) j["sources"].push_back({{"name", s.name}, {"type", s.type}});
    ctx.io().out() << j.dump(2) << "\n";
  } else {
    ctx.io().out() << fmt::format("{}: valid sync job '{}' ({} source(s), {} mapped field(s), target {})\n",
                                  opts.run.job_file, job.name, job.sources.size(), job.mapping.size(), job.target);
  }
  return exit_code::ok;
}

void register_sync_validate(CLI::App& group, CommandContext& ctx, SyncRunner<SyncValidateOptions> run) {
  auto o = std::make_shared<SyncValidateOptions>();
  auto& cmd = add_command(group, {"validate", "Check a job file and report every problem with its position",
                                 "daoctl sync validate -f nightly.yaml"});
  add_job_flags(cmd, o->run);
  cmd.callback([o, run, &ctx] { ctx.exit_status = run(*o, ctx); });
}

}  // namespace daoctl::commands
