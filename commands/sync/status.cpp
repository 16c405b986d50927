// daoctl sync status: when the job last succeeded and what its last run did.
#include <fmt/format.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <sstream>
#include <CLI/CLI.hpp>

#include "commands/common/command_doc.hpp"
#include "core/text/date.hpp"
#include "commands/sync/engine.hpp"
#include "commands/sync/verbs.hpp"
#include "commands/sync/watch_state.hpp"
#include "connectors/local/files.hpp"

namespace daoctl::commands {

using nlohmann::json;
using namespace sync_engine;
using namespace sync_verbs;

int run_sync_status(const SyncStatusOptions& opts, CommandContext& ctx) {
  auto job = load_job_file(opts.run.job_file, opts.run.today.empty() ? today_local(ctx.now()) : opts.run.today);
  for (const auto& w : job.warnings) ctx.warn(w);
  std::string state_dir = opts.run.state_dir.empty() ? local::default_state_dir() : opts.run.state_dir;
  json status = {{"job", job.name}};
  if (auto text = local::read_file(state_dir + "/" + job.name + ".state.json")) {
    json st = json::parse(*text, nullptr, false);
    if (!st.is_discarded()) status["last_success"] = st;
  }
  const std::string journal = results_path(opts.results_file, job, state_dir);
  if (auto text = local::read_file(journal)) {
    std::istringstream in(*text);
    std::string line;
    json start, finish;
    long ok = 0, failed = 0;
    while (std::getline(in, line)) {
      json j = json::parse(line, nullptr, false);
      if (j.is_discarded() || !j.is_object()) continue;
      if (j.value("event", "") == "start") start = j;
      else if (j.value("event", "") == "finish") finish = j;
      else (j.value("ok", false) ? ok : failed)++;
    }
    // A run killed before its first line leaves an empty (or torn) journal:
    // that is an interrupted run too, not a malformed file.
    const bool started = start.is_object();
    status["last_run"] = {{"started_at", started ? start.value("time", "") : ""},
                          {"plan", started ? start.value("plan", "") : ""},
                          {"started", started},
                          {"finished", finish.is_object()},
                          {"succeeded", ok},
                          {"failed", failed}};
  }
  // Blocks an interrupted run announced without an outcome: the next apply
  // reconciles them against the platform.
  try {
    auto ledger = load_ledger(ledger_path(state_dir, job.name));
    long pending = 0;
    for (const auto& [id, e] : ledger.entries) pending += e.intent_only() ? 1 : 0;
    if (pending > 0) status["unconfirmed_blocks"] = pending;
  } catch (const CommandError& e) {
    ctx.warn(e.error().describe());
  }
  // sync apply --incremental: where the change stream stands.
  try {
    if (auto c = sync_incremental::load_cursor(state_dir, job.name, job.primary)) {
      json inc = {{"source", job.primary}, {"cookie_saved_at", c->saved_at},
                  {"last_change_at", c->last_change_at}, {"employees", c->employees}};
      auto age = [&](const std::string& when) -> json {
        const auto t = text::parse_rfc3339(when);
        if (!t) return nullptr;
        return std::chrono::duration_cast<std::chrono::seconds>(ctx.now() - *t).count();
      };
      inc["cookie_age_seconds"] = age(c->saved_at);
      inc["lag_seconds"] = inc["cookie_age_seconds"];  // changes since the cookie are not applied yet
      status["incremental"] = inc;
    }
  } catch (const CommandError& e) {
    ctx.warn(e.error().describe());
  }
  // sync watch: its own account of itself (commands/sync/watch_state.hpp).
  if (auto text = local::read_file(watch_state_path(state_dir, job.name))) {
    json j = json::parse(*text, nullptr, false);
    if (!j.is_discarded() && j.is_object()) {
      WatchState ws = WatchState::from_json(j);
      // Killed without a word (kill -9, a reboot): the file says "following"
      // but nobody is; the lag then is not known to be caught up.
      const bool running = ws.mode != "stopped" && ws.pid > 0 && (::kill(static_cast<pid_t>(ws.pid), 0) == 0 || errno == EPERM);
      json w = ws.to_json(ctx.now());
      w["running"] = running;
      status["watch"] = w;
    }
  }
  if (ctx.format() == output::Format::Json) {
    ctx.io().out() << status.dump(2) << "\n";
    return exit_code::ok;
  }
  auto& out = ctx.io().out();
  out << "Job " << job.name << "\n";
  if (status.contains("last_success"))
    out << "  last success: " << status["last_success"].value("last_success", "") << "\n";
  else
    out << "  last success: never\n";
  if (status.contains("last_run")) {
    const json& r = status["last_run"];
    if (!r["started"].get<bool>())
      out << "  last apply:   did NOT finish: interrupted before it wrote its first journal line "
             "(the next run converges)\n";
    else
      out << "  last apply:   started " << r["started_at"].get<std::string>() << ", "
          << (r["finished"].get<bool>() ? "finished" : "did NOT finish (interrupted; the next run converges)")
          << fmt::format(", {} succeeded, {} failed\n", r["succeeded"].get<long>(), r["failed"].get<long>());
  }
  if (status.contains("unconfirmed_blocks"))
    out << fmt::format("  deprovision:  {} block(s) sent by an interrupted run without a recorded outcome; "
                       "the next apply reconciles them with the platform\n",
                       status["unconfirmed_blocks"].get<long>());
  if (status.contains("incremental")) {
    const json& i = status["incremental"];
    out << "  incremental:  source " << i["source"].get<std::string>() << ", cookie saved "
        << i["cookie_saved_at"].get<std::string>()
        << (i["cookie_age_seconds"].is_number() ? fmt::format(" ({} s ago)", i["cookie_age_seconds"].get<long>()) : "")
        << ", last change applied "
        << (i["last_change_at"].get<std::string>().empty() ? std::string("never") : i["last_change_at"].get<std::string>())
        << fmt::format(", {} employees followed\n", i["employees"].get<long>());
  }
  if (status.contains("watch")) {
    const json& w = status["watch"];
    const bool running = w["running"].get<bool>();
    out << fmt::format("  watch:        {} (pid {}{}), {} batch(es), {} reconnect(s), last batch {}, lag {:.0f} s\n",
                       w["mode"].get<std::string>(), w["pid"].get<long>(), running ? "" : ", NOT running",
                       w["batches"].get<long>(), w["reconnects"].get<long>(),
                       w["last_batch_at"].get<std::string>().empty() ? std::string("never")
                                                                     : w["last_batch_at"].get<std::string>(),
                       w["lag_seconds"].get<double>());
    if (w["held"].is_object())
      out << fmt::format("  held:         {} deactivation(s) since {} ({}); to let exactly them through: "
                         "daoctl sync apply -f {} --incremental --allow-deprovision {}\n",
                         w["held"]["deactivations"].get<long>(), w["held"]["since"].get<std::string>(),
                         w["held"]["reason"].get<std::string>(), opts.run.job_file,
                         w["held"]["hash"].get<std::string>());
    if (w["last_error"].is_string()) out << "  last error:   " << w["last_error"].get<std::string>() << "\n";
  }
  return exit_code::ok;
}

void register_sync_status(CLI::App& group, CommandContext& ctx, SyncRunner<SyncStatusOptions> run) {
  auto o = std::make_shared<SyncStatusOptions>();
  auto& cmd = add_command(group, {"status", "Show when the job last succeeded and what its last run did",
                                 "daoctl sync status -f nightly.yaml -o json"});
  add_job_flags(cmd, o->run);
  cmd.add_option("--results-file", o->results_file, "The results journal to read");
  cmd.callback([o, run, &ctx] { ctx.exit_status = run(*o, ctx); });
}

}  // namespace daoctl::commands
