// daoctl sync watch: follows the job's directory and applies each change set
// through `sync apply --incremental` (the same reads, plan, guards, executor
// and cookie), polling RFC 4533 refreshOnly every --interval seconds.
//
// Signals are blocked in every thread and taken between batches with
// sigtimedwait (which is also the wait between polls): SIGTERM/SIGINT let the
// batch in flight finish and save its cookie, then exit 0; SIGHUP polls at
// once (each batch reads the job file again, so an edited job applies from
// the next batch). A directory or platform that cannot be reached is retried
// with exponential backoff (1 s doubling to --max-backoff); a failed read is
// never an empty one, so losing the connection deactivates nobody. Under
// systemd (Type=notify) it sends READY=1 after the first batch, STATUS= with
// the state after each, WATCHDOG=1 with it (WatchdogSec must exceed
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

#include "commands/common/command_doc.hpp"
#include "commands/sync/verbs.hpp"

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
  for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&signals, s);
  // Before any thread starts: the source readers inherit the mask.
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  SyncApplyOptions apply = opts.apply;
  apply.incremental = true;
  bool ready = false;
  double backoff = 0;
  long batches = 0, reconnects = 0;
  while (true) {
    std::string status;
    try {
      run_sync_apply(apply, ctx);
      ++batches;
      backoff = 0;
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
      } else {
        notify("STOPPING=1\nSTATUS=stopped: " + err.message + "\n");
        throw;  // configuration, usage, authentication: an operator must act
      }
    }
    if (!ready) {
      notify("READY=1\n");
      ready = true;
    }
    notify("STATUS=" + status + "\nWATCHDOG=1\n");
    const timespec wait = to_timespec(backoff > 0 ? backoff : opts.interval);
    siginfo_t info{};
    const int sig = sigtimedwait(&signals, &info, &wait);
    if (sig == SIGTERM || sig == SIGINT) {
      notify("STOPPING=1\n");
      ctx.info(fmt::format("sync watch: {} received; the last batch was applied and its cookie saved",
                           sig == SIGTERM ? "SIGTERM" : "SIGINT"));
      return exit_code::ok;
    }
    if (sig == SIGHUP) ctx.info("sync watch: SIGHUP: the job file is read again for the next batch");
  }
}

void register_sync_watch(CLI::App& group, CommandContext& ctx) {
  auto o = std::make_shared<SyncWatchOptions>();
  auto& cmd = add_command(group, {"watch", "Follow the directory and apply each change as it comes (sync apply --incremental in a loop)",
                                 "daoctl sync watch -f /etc/daoctl/directory.yaml --interval 1"});
  sync_verbs::add_job_flags(cmd, o->apply.run);
  cmd.add_option("--interval", o->interval, "Seconds between polls of the directory (default 1)")
      ->check(CLI::Range(0.05, 3600.0));
  cmd.add_option("--max-backoff", o->max_backoff,
                 "Longest wait in seconds between retries while the directory or platform is unreachable (default 60)")
      ->check(CLI::Range(1.0, 3600.0));
  cmd.add_option("--allow-deprovision", o->apply.allow_deprovision,
                 "Let exactly the held deactivation batch with this hash through");
  cmd.add_option("--concurrency", o->apply.run.concurrency, "Requests in flight (default: the job's apply.concurrency)")
      ->check(CLI::Range(1, 64));
  cmd.callback([o, &ctx] { ctx.exit_status = run_sync_watch(*o, ctx); });
}

}  // namespace daoctl::commands
