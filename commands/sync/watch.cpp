// daoctl sync watch: follows the job's directory and applies each change set
// through `sync apply --incremental` (the same reads, plan, guards, executor
// and cookie).
//
// How it learns of a change: a notifier thread holds an RFC 4533
// refreshAndPersist search on the job's primary ldap source (attributes
// "1.1": it carries no data) and, on each change slapd reports, wakes the
// main loop with SIGUSR1; the main loop then runs the incremental apply,
// whose refreshOnly read with the saved cookie is the only one that delivers
// entries and moves the cookie. So there is one code path for the rules and
// the cookie, and a dismissal reaches the platform in the time of one
// incremental apply. While the notifier is live the loop also polls every
// 60 s (a safety net: a notice lost with a connection is caught there);
// while it is not (connecting, a directory without refreshAndPersist), it
// polls every --interval seconds as before. A job whose primary source is
// an HR file is watched with inotify instead, and each notice runs a full
// apply (connectors/local/file_watch.hpp).
//
// Signals are blocked in every thread and taken between batches with
// sigtimedwait (which is also the wait between polls): SIGTERM/SIGINT let the
// batch in flight finish and save its cookie, then exit 0; SIGHUP polls at
// once (each batch reads the job file again, so an edited job applies from
// the next batch); SIGUSR1 is the notifier's "something changed". A
// directory or platform that cannot be reached is retried with exponential
// backoff (1 s doubling to --max-backoff); a failed read is never an empty
// one, so losing the connection deactivates nobody. Under systemd
// (Type=notify) it sends READY=1 after the first batch, STATUS= with the
// state after each, WATCHDOG=1 with it (WatchdogSec must exceed
// --max-backoff plus one batch), and STOPPING=1: one datagram to
// $NOTIFY_SOCKET each, written here rather than linking libsystemd.
#include "commands/sync/watch.hpp"

#include <fmt/format.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <atomic>
#include <chrono>
#include <optional>
#include <thread>

#include "commands/common/command_doc.hpp"
#include "commands/sync/engine.hpp"
#include "commands/sync/incremental.hpp"
#include "commands/sync/verbs.hpp"
#include "commands/sync/watch_state.hpp"
#include "connectors/local/file_watch.hpp"
#include "connectors/local/files.hpp"
#include "connectors/sources/job_sources.hpp"
#include "core/text/date.hpp"

namespace daoctl::commands {

namespace {

void notify(const std::string& text) {
  const char* env = std::getenv("NOTIFY_SOCKET");
  if (!env || !*env) return;
  const std::string path = env;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path || (path[0] != '/' && path[0] != '@')) return;
  std::memcpy(addr.sun_path, path.data(), path.size());
  if (path[0] == '@') addr.sun_path[0] = '\0';  // abstract namespace
  const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size());
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  (void)::sendto(fd, text.data(), text.size(), MSG_NOSIGNAL, reinterpret_cast<const sockaddr*>(&addr), len);
  ::close(fd);
}

// How often the loop polls while the notifier is live: a safety net only.
constexpr double kPollWhileFollowing = 60.0;

// The refreshAndPersist follower (see the top of this file). It reloads the
// job and the saved cookie on each (re)connect, so it follows what the
// last batch left; it reconnects with backoff and gives up only on a
// directory that cannot do refreshAndPersist (the loop then polls).
class Notifier {
 public:
  explicit Notifier(const SyncWatchOptions& opts) : opts_(opts) {
    thread_ = std::thread([this] { run(); });
  }
  ~Notifier() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;
  bool live() const { return live_; }
  long notices() const { return notices_; }
  long reconnects() const { return reconnects_; }
  // When the oldest change notice not yet taken arrived (then forgotten):
  // the start of the lag. Going live or being lost is not a change.
  std::optional<std::chrono::system_clock::time_point> take_first_notice() {
    const std::int64_t ns = first_notice_ns_.exchange(0);
    if (ns == 0) return std::nullopt;
    return std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::nanoseconds(ns)));
  }

 private:
  void run() {
    double backoff = 0;
    while (!stop_) {
      bool gave_up = false;
      try {
        const auto& o = opts_.apply.run;
        const sync::JobSpec job = sync_engine::load_job_file(o.job_file, o.today);
        const sync::SourceSpec* source = job.source(job.primary);
        const auto slash = o.job_file.rfind('/');
        const std::string base_dir = slash == std::string::npos ? std::string(".") : o.job_file.substr(0, slash);
        // A change wakes the loop; so does going live (one batch now: the
        // loop says it follows, and waits the long safety interval from then
        // on) and being lost (slapd restarted, the network gone: the loop
        // polls at once and then every --interval until this is back).
        const auto on_change = [this] {
          ++notices_;
          std::int64_t none = 0;
          first_notice_ns_.compare_exchange_strong(
              none, std::chrono::system_clock::now().time_since_epoch() / std::chrono::nanoseconds(1));
          ::kill(::getpid(), SIGUSR1);
        };
        const auto on_live = [this, &backoff] {
          live_ = true;
          backoff = 0;
          ::kill(::getpid(), SIGUSR1);
        };
        const auto should_stop = [this] { return stop_.load(); };
        const auto lost = [this] {
          if (live_.exchange(false) && !stop_) ::kill(::getpid(), SIGUSR1);
          return stop_.load();
        };
        if (!source || source->type != "ldap") {
          // HR files: wait on them (inotify); each change is a full run,
          // the diff of two complete reads. An HTTP source has no file to
          // wait on: the loop polls it every --interval.
          const auto files = sources::local_source_files(job, base_dir);
          if (files.empty()) return;
          auto watched = local::watch_files(
              files, [&on_change](const std::string&) { on_change(); }, on_live, should_stop);
          if (lost()) return;
          if (!watched) return;  // no inotify here: the loop polls
          continue;
        }
        const std::string state_dir = o.state_dir.empty() ? local::default_state_dir() : o.state_dir;
        const auto cursor = sync_incremental::load_cursor(state_dir, job.name, job.primary);
        sources::SourceReadOptions read;
        read.base_dir = base_dir;
        read.now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
        auto followed = sources::follow_ldap_source(*source, read, cursor ? cursor->cookie : std::string(), on_change,
                                                    on_live, should_stop);
        if (lost()) return;
        if (!followed) gave_up = followed.error().kind == ErrorKind::Config ||
                                 followed.error().kind == ErrorKind::Validation;
      } catch (const std::exception&) {
        live_ = false;  // a job file being edited: try again after the backoff
      }
      if (gave_up) return;
      ++reconnects_;
      backoff = backoff > 0 ? std::min(backoff * 2, 30.0) : 0.5;
      // The loop polls meanwhile (live_ is false), so nothing waits on this.
      for (int i = 0; i < static_cast<int>(backoff * 10) && !stop_; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  const SyncWatchOptions& opts_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> live_{false};
  std::atomic<long> notices_{0};
  std::atomic<long> reconnects_{0};
  std::atomic<std::int64_t> first_notice_ns_{0};
  std::thread thread_;
};

// <job>.watch.json for `sync status`, and the metrics file when asked for;
// a failure to write either is a warning: the stream is what matters.
void publish(WatchState& ws, const SyncWatchOptions& opts, CommandContext& ctx) {
  const auto now = std::chrono::system_clock::now();
  ws.updated_at = text::format_rfc3339(std::chrono::system_clock::now());
  if (ws.job.empty()) return;
  const std::string state_dir =
      opts.apply.run.state_dir.empty() ? local::default_state_dir() : opts.apply.run.state_dir;
  if (auto st = local::write_file_atomic(watch_state_path(state_dir, ws.job), ws.to_json(now).dump(2) + "\n", 0600);
      !st)
    ctx.warn("cannot write the watch state: " + st.error().describe());
  if (!opts.metrics_file.empty())
    if (auto st = local::write_file_atomic(opts.metrics_file, ws.metrics(now), 0644); !st)
      ctx.warn("cannot write the metrics file: " + st.error().describe());
}

timespec to_timespec(double seconds) {
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(seconds);
  ts.tv_nsec = static_cast<long>((seconds - std::floor(seconds)) * 1e9);
  return ts;
}

}  // namespace

int run_sync_watch(const SyncWatchOptions& opts, CommandContext& ctx) {
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGTERM, SIGINT, SIGHUP, SIGUSR1}) sigaddset(&signals, s);
  // Before any thread starts: the source readers inherit the mask.
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  SyncApplyOptions apply = opts.apply;
  apply.run.conditional = true;  // http_json sources: If-None-Match / If-Modified-Since (conditional.hpp)
  // It runs until stopped: no overall deadline. (Without this the client,
  // built once, carried the interactive 60 s limit from the start, and every
  // request after the first minute failed at once: bench/watch.sh found it.)
  ctx.long_running = true;
  bool ready = false;
  double backoff = 0;
  long batches = 0, reconnects = 0;
  std::unique_ptr<Notifier> notifier;
  WatchState ws;
  ws.pid = ::getpid();
  ws.started_at = text::format_rfc3339(std::chrono::system_clock::now());
  ws.mode = "starting";
  while (true) {
    std::string status;
    SyncApplyOutcome outcome;
    apply.outcome = &outcome;
    if (notifier)
      if (auto noticed = notifier->take_first_notice(); noticed && (!ws.pending_since || *noticed < *ws.pending_since))
        ws.pending_since = noticed;
    const auto batch_started = std::chrono::system_clock::now();
    bool batch_ok = false, batch_ran = false;  // ran: reached the plan (applied, held or partly failed)
    try {
      // An ldap primary source is followed incrementally (RFC 4533); a job
      // of HR files is applied whole on each change: a full plan, every
      // guard, never a partial read. Decided per batch: SIGHUP may have
      // brought another job file.
      try {
        const sync::JobSpec job = sync_engine::load_job_file(opts.apply.run.job_file, opts.apply.run.today);
        const sync::SourceSpec* primary = job.source(job.primary);
        apply.incremental = primary && primary->type == "ldap";
        ws.job = job.name;
      } catch (const CommandError&) {
        apply.incremental = true;  // the batch reports what is wrong with the file
      }
      run_sync_apply(apply, ctx);
      ++batches;
      backoff = 0;
      batch_ok = batch_ran = true;
      status = fmt::format("following: {} batch(es) applied, {} reconnect(s)", batches, reconnects);
    } catch (const CommandError& e) {
      const Error& err = e.error();
      const bool unreachable = err.kind == ErrorKind::Network || err.kind == ErrorKind::Remote ||
                               err.kind == ErrorKind::Locked ||
                               (err.kind == ErrorKind::Safety && err.message.starts_with("cannot read source"));
      if (unreachable) {
        backoff = backoff > 0 ? std::min(backoff * 2, opts.max_backoff) : std::min(1.0, opts.max_backoff);
        ++reconnects;
        ctx.warn(fmt::format("{}; nothing was changed; retrying in {:.0f} s", err.describe(), backoff));
        status = fmt::format("reconnecting in {:.0f} s: {}", backoff, err.message);
      } else if (err.kind == ErrorKind::Safety || err.kind == ErrorKind::Partial) {
        // A held batch or failed items: the cookie stays, the next poll
        // reads the same changes again; the rest of the stream goes on.
        backoff = 0;
        ctx.warn(err.describe() + (err.hint.empty() ? "" : " (" + err.hint + ")"));
        status = "held: " + err.message;
        ++batches;
        batch_ran = true;
      } else {
        notify("STOPPING=1\nSTATUS=stopped: " + err.message + "\n");
        ws.mode = "stopped";
        ws.last_error = err.describe();
        publish(ws, opts, ctx);
        throw;  // configuration, usage, authentication: an operator must act
      }
      ws.last_error = err.describe();
    }
    {
      const auto now = std::chrono::system_clock::now();
      ws.batches = batches;
      ws.reconnects = reconnects + (notifier ? notifier->reconnects() : 0);
      ws.notices = notifier ? notifier->notices() : 0;
      ws.last_batch_at = text::format_rfc3339(std::chrono::system_clock::now());
      ws.last_batch_seconds = std::chrono::duration<double>(now - batch_started).count();
      if (batch_ran) ws.add(outcome, now);  // a lost connection keeps what the last batch held
      if (batch_ok) ws.last_error.clear();
      // Caught up: everything known when this batch started is applied.
      if (batch_ok && ws.pending_since && *ws.pending_since <= batch_started) ws.pending_since.reset();
    }
    apply.outcome = nullptr;
    if (!ready) {
      notify("READY=1\n");
      ready = true;
    }
    // After the first batch, whose cookie the notifier starts from.
    if (!notifier) notifier = std::make_unique<Notifier>(opts);
    if (notifier->live()) status += ", following changes as they happen";
    ws.mode = backoff > 0 ? "reconnecting" : notifier->live() ? "following" : "polling";
    publish(ws, opts, ctx);
    // systemctl status shows the lag and a held batch without a file to read.
    status += fmt::format(", lag {:.1f} s", ws.lag_seconds(std::chrono::system_clock::now()));
    if (!ws.held_hash.empty()) status += fmt::format(", {} deactivation(s) held", ws.held_deactivations);
    notify("STATUS=" + status + "\nWATCHDOG=1\n");
    const bool following = notifier->live();
    const timespec wait = to_timespec(backoff > 0 ? backoff : following ? std::max(opts.interval, kPollWhileFollowing)
                                                                         : opts.interval);
    siginfo_t info{};
    int sig = sigtimedwait(&signals, &info, &wait);
    if (sig == SIGUSR1) {
      // A change: let a burst (a script's 300 ldapmodify) gather for a
      // moment so it is one batch, not 300; a stop request still wins.
      const timespec gather = to_timespec(0.05);
      const int more = sigtimedwait(&signals, &info, &gather);
      if (more == SIGTERM || more == SIGINT || more == SIGHUP) sig = more;
    }
    if (sig == SIGTERM || sig == SIGINT) {
      notify("STOPPING=1\n");
      ws.mode = "stopped";
      publish(ws, opts, ctx);
      ctx.info(fmt::format("sync watch: {} received; the last batch was applied and its state saved",
                           sig == SIGTERM ? "SIGTERM" : "SIGINT"));
      return exit_code::ok;
    }
    if (sig == SIGHUP) ctx.info("sync watch: SIGHUP: the job file is read again for the next batch");
  }
}

void register_sync_watch(CLI::App& group, CommandContext& ctx) {
  auto o = std::make_shared<SyncWatchOptions>();
  auto& cmd = add_command(group, {"watch", "Follow the directory and apply each change as it comes (sync apply --incremental, woken by refreshAndPersist; Active Directory is polled)",
                                 "daoctl sync watch -f /etc/daoctl/directory.yaml --interval 1"});
  sync_verbs::add_job_flags(cmd, o->apply.run);
  cmd.add_option("--interval", o->interval,
                 "Seconds between polls while the directory cannot be followed (default 1); while it is, 60")
      ->check(CLI::Range(0.05, 3600.0));
  cmd.add_option("--max-backoff", o->max_backoff,
                 "Longest wait in seconds between retries while the directory or platform is unreachable (default 60)")
      ->check(CLI::Range(1.0, 3600.0));
  o->apply.full_every = 3600;
  cmd.add_option("--full-every", o->apply.full_every,
                 "Seconds between full reads of the directory (default 3600; 0: never): they find deletions by "
                 "absence, which a change log can miss")
      ->check(CLI::Range(0.0, 31.0 * 86400));
  cmd.add_option("--allow-deprovision", o->apply.allow_deprovision,
                 "Let exactly the held deactivation batch with this hash through");
  cmd.add_option("--concurrency", o->apply.run.concurrency, "Requests in flight (default: the job's apply.concurrency)")
      ->check(CLI::Range(1, 64));
  cmd.add_option("--metrics-file", o->metrics_file,
                 "Rewrite this Prometheus textfile after each batch: lag, batches, reconnects, changes by kind, held "
                 "deactivations");
  cmd.callback([o, &ctx] { ctx.exit_status = run_sync_watch(*o, ctx); });
}

}  // namespace daoctl::commands
