#include "cli/terminal_io.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <CLI/CLI.hpp>

#include "cli/app.hpp"

namespace daoctl::cli {

namespace {

std::string env_get(const config::Env& env, const char* name, const std::string& fallback = {}) {
  auto it = env.find(name);
  return it == env.end() ? fallback : it->second;
}

std::string now_rfc3339_millis() {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const auto t = system_clock::to_time_t(now);
  const auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms));
  return out;
}

}  // namespace

JsonLogBuf::~JsonLogBuf() {
  if (!line_.empty()) emit();
  dest_->pubsync();
}

std::string JsonLogBuf::convert(const std::string& raw) {
  std::string line = raw;
  if (auto cr = line.rfind('\r'); cr != std::string::npos) line = line.substr(cr + 1);
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
  if (line.empty()) return {};
  if (line.front() == '{') {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_discarded() && j.is_object()) {
      if (!j.contains("time")) j["time"] = now_rfc3339_millis();
      if (!j.contains("level")) j["level"] = "info";
      return j.dump();
    }
  }
  std::string level = "info";
  for (auto [prefix, lvl] : {std::pair{"daoctl: error: ", "error"}, std::pair{"warning: ", "warn"},
                             std::pair{"hint: ", "info"}}) {
    if (line.starts_with(prefix)) {
      level = lvl;
      line = line.substr(std::string(prefix).size());
      break;
    }
  }
  nlohmann::json j = {{"level", level}, {"time", now_rfc3339_millis()}, {"message", line}};
  return j.dump();
}

void JsonLogBuf::emit() {
  std::string out = convert(line_);
  line_.clear();
  if (out.empty()) return;
  out.push_back('\n');
  dest_->sputn(out.data(), static_cast<std::streamsize>(out.size()));
  dest_->pubsync();
}

JsonLogBuf::int_type JsonLogBuf::overflow(int_type c) {
  if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
  if (traits_type::to_char_type(c) == '\n') emit();
  else line_.push_back(traits_type::to_char_type(c));
  return c;
}

std::streamsize JsonLogBuf::xsputn(const char* s, std::streamsize n) {
  for (std::streamsize i = 0; i < n; ++i) overflow(traits_type::to_int_type(s[i]));
  return n;
}

int JsonLogBuf::sync() { return dest_->pubsync(); }

int terminal_rows(const config::Env& env) {
  struct winsize ws {};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0) return ws.ws_row;
  try {
    int lines = std::stoi(env_get(env, "LINES", "0"));
    if (lines > 0) return lines;
  } catch (const std::exception&) {
  }
  return 24;
}

std::string pager_command(const config::Env& env) {
  std::string pager;
  if (env.count("DAOCTL_PAGER") != 0) pager = env_get(env, "DAOCTL_PAGER");
  else if (env.count("PAGER") != 0) pager = env_get(env, "PAGER");
  else pager = "less";
  if (pager == "cat") return {};
  return pager;
}

TerminalIo::TerminalIo(const config::Env& env)
    : env_(env),
      stdout_tty_(::isatty(STDOUT_FILENO) == 1),
      stdin_tty_(::isatty(STDIN_FILENO) == 1),
      stderr_tty_(::isatty(STDERR_FILENO) == 1),
      colour_(colour_enabled(stdout_tty_, env)) {}

TerminalIo::~TerminalIo() {
  if (json_err_) json_err_->flush();
  json_err_.reset();
  json_buf_.reset();
}

std::ostream& TerminalIo::out() { return std::cout; }
std::ostream& TerminalIo::err() { return json_err_ ? *json_err_ : std::cerr; }

void TerminalIo::set_log_format(const std::string& format) {
  if (format == "json" && !json_err_) {
    json_buf_ = std::make_unique<JsonLogBuf>(std::cerr.rdbuf());
    json_err_ = std::make_unique<std::ostream>(json_buf_.get());
  }
}

std::optional<std::string> TerminalIo::prompt(const std::string& question) {
  std::cerr << question << std::flush;
  if (!stdin_tty_) return std::nullopt;
  std::string line;
  if (!std::getline(std::cin, line)) return std::nullopt;
  return line;
}

void TerminalIo::write_paged(const std::string& text) {
  const std::string pager = stdout_tty_ && pager_ ? pager_command(env_) : std::string();
  long lines = 0;
  for (char c : text) lines += c == '\n';
  if (pager.empty() || lines < terminal_rows(env_)) {
    std::cout << text;
    return;
  }
  std::cout.flush();
  // less: quit if one screen (-F), keep colours (-R), leave the text on the
  // screen (-X); only when the user has not chosen their own LESS.
  if (env_.count("LESS") == 0) ::setenv("LESS", "FRX", 0);
  // The pager owns the terminal until it quits: ^C goes to it, and a pager
  // quit early must not kill daoctl with SIGPIPE.
  auto old_int = std::signal(SIGINT, SIG_IGN);
  auto old_pipe = std::signal(SIGPIPE, SIG_IGN);
  FILE* p = ::popen(pager.c_str(), "w");
  if (p == nullptr) {
    std::signal(SIGINT, old_int);
    std::signal(SIGPIPE, old_pipe);
    std::cout << text;
    return;
  }
  std::fwrite(text.data(), 1, text.size(), p);
  ::pclose(p);
  std::signal(SIGINT, old_int);
  std::signal(SIGPIPE, old_pipe);
}

}  // namespace daoctl::cli
