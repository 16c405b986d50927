// The daoctl-sim program: argument parsing, the serve loop with signal
// handling, seed and version.
#include <fmt/format.h>
#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "core/stats/period.hpp"
#include "sim/activity_seed.hpp"
#include "sim/seed.hpp"
#include "sim/sim.hpp"
#include "sim/backup_signing.hpp"
#include "sim/store.hpp"

#ifndef DAOCTL_VERSION
#define DAOCTL_VERSION "0.0.0"
#endif

namespace daoctl::sim {

namespace {

constexpr const char* kUsage = R"(usage:
  daoctl-sim [serve] --data DIR [--listen HOST:PORT] [--token-file F] [--allow-remote]
                     [--latency MS] [--fail-rate P] [--rate-limit N] [--reset-rate P]
                     [--fault-seed S] [--empty-page N] [--short-page N] [--rate-limit-headers]
                     [--tls-cert F --tls-key F] [--threads N] [--log-requests] [--check-responses]
  daoctl-sim seed --data DIR --users N [--departments M] [--seed S] [--activity-days D]
                  [--activity-until YYYY-MM-DD|today]
  daoctl-sim keys --data DIR
  daoctl-sim version

The admin token comes from DAOCTL_SIM_TOKEN or --token-file. --listen defaults to
127.0.0.1:0 (a free port); the bound address is printed as
"daoctl-sim: listening on URL" once the socket accepts connections.
Every JSON request body is checked against the API contract (schemas/openapi.yaml):
one that breaks it is answered 400 (SCIM invalidValue) or 422 naming the JSON
pointer and the reason. --check-responses (or DAOCTL_SIM_CHECK_RESPONSES=1), as the
test suite runs it, also checks every response: one that breaks the contract is
answered 500 and logged as "daoctl-sim: contract violation: ..." on stderr.
--activity-days D seeds D days of activity, events and audit from 2025-01-01 (the
same company every time, which the tests count on); --activity-until makes the
window end on that day instead (`today`: the current UTC day), so that a reader's
`stats export --since 30d` finds data.
`keys` prints the public key that signs every backup's manifest (minisign
format; made on first start as DIR/backup-signing.key, mode 0600, and
DIR/backup-signing.pub; also served at GET /api/v1/backup-signing-key). Pin it
in daoctl with --trusted-key FILE or the context's backup_trusted_keys.
)";

class UsageError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

// --name value / --name=value / --flag, checked against the verb's known options.
struct Arguments {
  std::map<std::string, std::string> values;
  std::map<std::string, bool> flags;

  static Arguments parse(int argc, char** argv, int first, const std::vector<std::string>& with_value,
                         const std::vector<std::string>& boolean) {
    Arguments out;
    for (int i = first; i < argc; ++i) {
      std::string arg = argv[i];
      if (!arg.starts_with("--")) throw UsageError(fmt::format("unexpected argument \"{}\"", arg));
      std::string name = arg.substr(2), value;
      bool inline_value = false;
      if (auto eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
        inline_value = true;
      }
      if (std::find(boolean.begin(), boolean.end(), name) != boolean.end()) {
        if (inline_value) throw UsageError(fmt::format("--{} takes no value", name));
        out.flags[name] = true;
        continue;
      }
      if (std::find(with_value.begin(), with_value.end(), name) == with_value.end())
        throw UsageError(fmt::format("unknown option --{}", name));
      if (!inline_value) {
        if (i + 1 >= argc) throw UsageError(fmt::format("--{} needs a value", name));
        value = argv[++i];
      }
      out.values[name] = value;
    }
    return out;
  }

  bool has(const std::string& name) const { return values.count(name) > 0; }
  std::string get(const std::string& name, const std::string& fallback = {}) const {
    auto it = values.find(name);
    return it == values.end() ? fallback : it->second;
  }
  std::string required(const std::string& name) const {
    if (!has(name)) throw UsageError(fmt::format("--{} is required", name));
    return get(name);
  }
  double number(const std::string& name, double fallback, double min, double max) const {
    if (!has(name)) return fallback;
    auto text = get(name);
    char* end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !(v >= min && v <= max))
      throw UsageError(fmt::format("--{} {}: expected a number from {} to {}", name, text, min, max));
    return v;
  }
  std::int64_t integer(const std::string& name, std::int64_t fallback, std::int64_t min,
                       std::int64_t max) const {
    if (!has(name)) return fallback;
    auto text = get(name);
    char* end = nullptr;
    long long v = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || v < min || v > max)
      throw UsageError(fmt::format("--{} {}: expected an integer from {} to {}", name, text, min, max));
    return v;
  }
};

bool is_loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

std::pair<std::string, int> parse_listen(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0)
    throw UsageError(fmt::format("--listen {}: expected HOST:PORT, e.g. 127.0.0.1:8080", text));
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  auto port_text = text.substr(colon + 1);
  char* end = nullptr;
  long port = std::strtol(port_text.c_str(), &end, 10);
  if (port_text.empty() || *end != '\0' || port < 0 || port > 65535)
    throw UsageError(fmt::format("--listen {}: port must be 0..65535", text));
  return {host, static_cast<int>(port)};
}

std::string read_token(const Arguments& args) {
  if (args.has("token-file")) {
    auto file = args.get("token-file");
    std::ifstream in(file);
    if (!in) throw UsageError(fmt::format("cannot read --token-file {}: {}", file, std::strerror(errno)));
    std::stringstream buffer;
    buffer << in.rdbuf();
    auto token = buffer.str();
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' '))
      token.pop_back();
    if (token.empty()) throw UsageError(fmt::format("--token-file {} is empty", file));
    return token;
  }
  if (const char* env = std::getenv("DAOCTL_SIM_TOKEN"); env && *env) return env;
  throw UsageError("no admin token: set DAOCTL_SIM_TOKEN or pass --token-file FILE");
}

int serve(int argc, char** argv, int first) {
  auto args = Arguments::parse(
      argc, argv, first,
      {"listen", "data", "token-file", "latency", "fail-rate", "rate-limit", "reset-rate", "fault-seed",
       "tls-cert", "tls-key", "threads", "empty-page", "short-page"},
      {"allow-remote", "log-requests", "check-responses", "rate-limit-headers"});
  ServerOptions o;
  auto [host, port] = parse_listen(args.get("listen", "127.0.0.1:0"));
  if (!is_loopback(host) && !args.flags.count("allow-remote"))
    throw UsageError(fmt::format("refusing to listen on {}: not a loopback address (the simulator has "
                                 "one admin token and no hardening); pass --allow-remote to insist",
                                 host));
  o.host = host;
  o.port = port;
  o.data_dir = args.required("data");
  o.admin_token = read_token(args);
  o.faults.latency_ms = static_cast<int>(args.integer("latency", 0, 0, 600000));
  o.faults.fail_rate = args.number("fail-rate", 0, 0, 1);
  o.faults.rate_limit = args.number("rate-limit", 0, 0, 1e9);
  o.faults.reset_rate = args.number("reset-rate", 0, 0, 1);
  o.faults.seed = static_cast<std::uint64_t>(args.integer("fault-seed", 1, 0, INT64_MAX));
  o.faults.empty_page = args.integer("empty-page", 0, 0, INT64_MAX);
  o.faults.short_page = args.integer("short-page", 0, 0, INT64_MAX);
  o.faults.rate_limit_headers = args.flags.count("rate-limit-headers") > 0;
  o.tls_cert_file = args.get("tls-cert");
  o.tls_key_file = args.get("tls-key");
  o.threads = static_cast<int>(args.integer("threads", 32, 1, 1024));
  o.log_requests = args.flags.count("log-requests") > 0;
  o.check_responses = args.flags.count("check-responses") > 0;

  // Signals are taken synchronously by this thread; the server's threads
  // inherit the blocked mask and never see them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  Server server(o);
  if (auto ok = server.start(); !ok) {
    fmt::print(stderr, "daoctl-sim: error: {}\n", ok.error().describe());
    if (!ok.error().hint.empty()) fmt::print(stderr, "daoctl-sim: hint: {}\n", ok.error().hint);
    return exit_code_for(ok.error().kind);
  }
  std::fputs(fmt::format("daoctl-sim: listening on {}\n", server.base_url()).c_str(), stdout);
  std::fflush(stdout);
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  fmt::print(stderr, "daoctl-sim: {} received, finishing in-flight requests\n",
             signal_number == SIGINT ? "SIGINT" : "SIGTERM");
  server.stop();
  fmt::print(stderr, "daoctl-sim: stopped\n");
  return exit_code::ok;
}

// --activity-until: YYYY-MM-DD or `today` (UTC) as a day number.
std::int64_t activity_until(const std::string& text) {
  if (text == "today") {
    auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
    return now.count() / 86400;
  }
  int y = 0, m = 0, d = 0;
  char tail = 0;
  if (text.size() != 10 || std::sscanf(text.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12 ||
      d < 1 || d > 31)
    throw UsageError("--activity-until: expected YYYY-MM-DD or today, got \"" + text + "\"");
  return stats::days_from_civil(y, m, d);
}

int seed(int argc, char** argv, int first) {
  auto args = Arguments::parse(argc, argv, first, {"data", "users", "departments", "seed", "activity-days", "activity-until"}, {});
  SeedOptions o;
  std::filesystem::path dir = args.required("data");
  o.users = args.integer("users", -1, 0, 10'000'000);
  if (o.users < 0) throw UsageError("--users is required");
  o.departments = args.integer("departments", 0, 0, 100'000);
  o.seed = static_cast<std::uint64_t>(args.integer("seed", 1, 0, INT64_MAX));
  auto started = std::chrono::steady_clock::now();
  auto data = generate_seed(o);
  std::unique_ptr<Store> store;
  try {
    store = std::make_unique<Store>(dir);
  } catch (const std::exception& e) {
    fmt::print(stderr, "daoctl-sim: error: cannot open the data directory ({}): {}\n", dir.string(), e.what());
    return exit_code::failure;
  }
  if (auto ok = store->bulk_load(data); !ok) {
    fmt::print(stderr, "daoctl-sim: error: cannot seed {}: {}\n", dir.string(), ok.error().detail);
    return exit_code::failure;
  }
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  fmt::print(stderr, "daoctl-sim: seeded {} users, {} departments, {} groups into {} in {} ms\n",
             data.users.size(), data.departments.size(), data.groups.size(), dir.string(), ms.count());
  if (args.has("activity-until") && !args.has("activity-days")) throw UsageError("--activity-until needs --activity-days");
  if (args.has("activity-days")) {
    auto days = args.integer("activity-days", 0, 0, 3660);
    std::int64_t first_day = ActivitySeedOptions{}.first_day;
    if (args.has("activity-until")) first_day = activity_until(args.required("activity-until")) - days + 1;
    return run_activity_seed(*store, data, days, o.seed, first_day);
  }
  return exit_code::ok;
}

}  // namespace

int keys(int argc, char** argv, int first) {
  auto args = Arguments::parse(argc, argv, first, {"data"}, {});
  std::filesystem::path dir = args.required("data");
  std::filesystem::create_directories(dir);
  auto signer = BackupSigner::open(dir);
  if (!signer) {
    fmt::print(stderr, "daoctl-sim: error: {}\n", signer.error().describe());
    return exit_code_for(signer.error().kind);
  }
  std::fputs(signer->public_key_text().c_str(), stdout);
  return exit_code::ok;
}

int main(int argc, char** argv) {
  std::string verb = argc > 1 ? argv[1] : "";
  try {
    if (verb == "version" || verb == "--version") {
      fmt::print("daoctl-sim {}\n", DAOCTL_VERSION);
      return exit_code::ok;
    }
    if (verb == "help" || verb == "--help" || verb == "-h") {
      std::fputs(kUsage, stdout);
      return exit_code::ok;
    }
    if (verb == "seed") return seed(argc, argv, 2);
    if (verb == "serve") return serve(argc, argv, 2);
    if (verb == "keys") return keys(argc, argv, 2);
    if (verb.empty() || verb.starts_with("--")) return serve(argc, argv, 1);
    throw UsageError(fmt::format("unknown command \"{}\" (serve, seed, keys, version)", verb));
  } catch (const UsageError& e) {
    fmt::print(stderr, "daoctl-sim: error: {}\n{}", e.what(), kUsage);
    return exit_code::usage;
  } catch (const std::exception& e) {
    fmt::print(stderr, "daoctl-sim: error: {}\n", e.what());
    return exit_code::failure;
  }
}

}  // namespace daoctl::sim
