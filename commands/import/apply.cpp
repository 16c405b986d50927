// daoctl import apply: create the source's content on the platform.
#include <fmt/format.h>

#include <fstream>
#include <CLI/CLI.hpp>

#include "commands/common/command_doc.hpp"
#include "core/text/date.hpp"
#include "commands/common/progress.hpp"
#include "commands/import/source.hpp"

namespace daoctl::commands {

int run_import_apply(const ImportApplyOptions& opts, CommandContext& ctx) {
  auto read = import_source::load(opts.src, ctx);
  auto copts = import_source::connector_options(opts.src, opts.authors, opts.batch, read.set);
  std::ofstream report;
  if (!opts.report_file.empty()) {
    report.open(opts.report_file, std::ios::trunc);
    if (!report) throw CommandError(ErrorKind::Io, "cannot write the report", opts.report_file, std::strerror(errno));
  }
  auto progress = make_progress(ctx, "importing", std::nullopt);
  copts.on_item = [&](const content::ItemOutcome& item) {
    if (!report.is_open()) return;
    json line = {{"kind", item.kind}, {"external_id", item.external_id}, {"where", item.where}, {"outcome", item.outcome}};
    if (!item.id.empty()) line["id"] = item.id;
    if (!item.error.empty()) line["error"] = item.error;
    report << line.dump() << "\n";
  };
  copts.progress = [&](std::int64_t done, std::int64_t total) {
    progress->set_total(total);
    progress->update(done);
  };
  auto started = ctx.now();
  auto result = value_or_throw(content::apply_import(ctx.client(), read.set, copts));
  progress->finish();
  std::vector<json> rows;
  for (const auto& [kind, t] : result.totals)
    rows.push_back({{"kind", kind}, {"created", t.created}, {"existing", t.existing}, {"skipped", t.skipped}, {"failed", t.failed}});
  ctx.print_list(rows, {{"KIND", "/kind", nullptr}, {"CREATED", "/created", nullptr}, {"EXISTING", "/existing", nullptr},
                        {"SKIPPED", "/skipped", nullptr}, {"FAILED", "/failed", nullptr}});
  for (const auto& s : result.skipped) ctx.info(fmt::format("skipped {} {} ({}): {}", s.kind, s.external_id, s.where, s.error));
  for (const auto& key : result.fallback_authors)
    ctx.warn(fmt::format("source user \"{}\" maps to no platform user; {}", key,
                         opts.authors.fallback_author.empty() ? "their items failed" : "their items went to " + opts.authors.fallback_author));
  std::size_t shown = 0;
  for (const auto& f : result.failures) {
    if (++shown > 20) break;
    ctx.warn(fmt::format("{} {} ({}): {}", f.kind, f.external_id, f.where, f.error));
  }
  if (JobReport* job = ctx.job_report) {
    std::int64_t created = 0, existing = 0, skipped = 0, failed = 0;
    for (const auto& [kind, t] : result.totals) {
      created += t.created;
      existing += t.existing;
      skipped += t.skipped;
      failed += t.failed;
      job->extra["kinds"][kind] = {{"created", t.created}, {"existing", t.existing}, {"skipped", t.skipped},
                                   {"failed", t.failed}};
    }
    job->count("created", created);
    job->count("existing", existing);
    job->count("skipped", skipped);
    job->count("failed", failed);
    job->extra["source"] = opts.src.source;
    for (const auto& f : result.failures) job->error(f.kind + " " + f.external_id + " (" + f.where + ")", f.error);
  }
  auto seconds = std::chrono::duration<double>(ctx.now() - started).count();
  ctx.info(fmt::format("import finished at {} in {:.1f} s", text::format_rfc3339(ctx.now()), seconds));
  if (result.failed() > 0) {
    ctx.warn(fmt::format("{} item(s) failed{}", result.failed(),
                         opts.report_file.empty() ? "; pass --report FILE for the full list" : "; all are in " + opts.report_file));
    return exit_code::partial;
  }
  return exit_code::ok;
}

void register_import_apply(CLI::App& group, CommandContext& ctx, ImportRunner<ImportApplyOptions> run) {
  auto opts = std::make_shared<ImportApplyOptions>();
  auto& cmd = add_command(group, {"apply", "Create the source's content on the platform (idempotent, resumable)",
                                  "daoctl import apply wordpress.xml --fallback-author admin --report import.jsonl"});
  import_source::add_source_flags(cmd, opts->src);
  import_source::add_author_flags(cmd, opts->authors);
  cmd.add_option("--report", opts->report_file, "Write one JSON line per item (created, existing, failed and why)");
  cmd.add_option("--batch", opts->batch, "Posts whose comments and reactions are sent together")->check(CLI::Range(1, 100000));
  add_job_report_flags(cmd, opts->report_files);
  cmd.callback([opts, run, &ctx] {
    JobReport report("import apply", "import");
    ctx.exit_status = run_reported(ctx, opts->report_files, report, [&](JobReport&) { return run(*opts, ctx); });
  });
}

}  // namespace daoctl::commands
