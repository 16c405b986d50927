// daoctl import plan: counts per kind, author mapping and what exists already.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "commands/common/command_doc.hpp"
#include "commands/import/source.hpp"

namespace daoctl::commands {

int run_import_plan(const ImportPlanOptions& opts, CommandContext& ctx) {
  auto read = import_source::load(opts.src, ctx);
  auto copts = import_source::connector_options(opts.src, opts.authors, kImportDefaultBatch, read.set);
  auto plan = value_or_throw(content::plan_import(ctx.client(), read.set, copts));
  std::vector<json> rows;
  for (auto row : import_source::count_rows(plan.counts)) {
    auto kind = row["kind"].get<std::string>();
    if (kind == "post" || kind == "news" || kind == "event" || kind == "community")
      row["existing"] = plan.existing.count(kind) ? plan.existing[kind] : 0;
    else
      row["existing"] = nullptr;  // not looked up: apply finds them by external id
    rows.push_back(row);
  }
  if (ctx.format() == output::Format::Json || ctx.format() == output::Format::Yaml) {
    json skipped = json::array();
    for (const auto& s : read.set.skipped) skipped.push_back({{"where", s.where}, {"reason", s.reason}});
    ctx.print_item(json{{"source", opts.src.source}, {"format", read.set.source_kind}, {"kinds", rows},
                        {"authors", plan.author_rules}, {"unmapped_authors", plan.unmapped_authors}, {"skipped", skipped}},
                   {});
  } else {
    ctx.print_list(rows, {{"KIND", "/kind", nullptr}, {"COUNT", "/count", nullptr}, {"EXISTING", "/existing", nullptr}});
  }
  for (const auto& key : plan.unmapped_authors)
    ctx.warn(fmt::format("source user \"{}\" maps to no platform user: {}", key,
                         opts.authors.fallback_author.empty() ? "their items will fail (pass --fallback-author)"
                                                      : "their items go to " + opts.authors.fallback_author));
  return exit_code::ok;
}

void register_import_plan(CLI::App& group, CommandContext& ctx, ImportRunner<ImportPlanOptions> run) {
  auto opts = std::make_shared<ImportPlanOptions>();
  auto& cmd = add_command(group, {"plan", "Show counts per kind, author mapping and what exists already",
                                  "daoctl import plan export.jsonl --authors authors.yaml"});
  import_source::add_source_flags(cmd, opts->src);
  import_source::add_author_flags(cmd, opts->authors);
  cmd.callback([opts, run, &ctx] { ctx.exit_status = run(*opts, ctx); });
}

}  // namespace daoctl::commands
