// The real Io: std::cout/std::cerr, isatty(3), colour policy decided once,
// the pager for long lists on a terminal, and JSON log lines on stderr under
// --log-format json.
#pragma once

#include <memory>
#include <streambuf>

#include "commands/common/io.hpp"
#include "core/config/config.hpp"

namespace daoctl::cli {

// A stream buffer that turns every line written to it into one JSON object on
// `dest`: {"level","time","message"}. Lines that already are JSON objects
// (structured events, errors) pass through, given "time" and "level" when
// they lack them. "warning: " lines are level warn, "daoctl: error: " error,
// "hint: " info; a line redrawn with '\r' keeps only its last state.
class JsonLogBuf final : public std::streambuf {
 public:
  explicit JsonLogBuf(std::streambuf* dest) : dest_(dest) {}
  ~JsonLogBuf() override;
  // The JSON object a finished line becomes ("" for an empty line).
  static std::string convert(const std::string& line);

 protected:
  int_type overflow(int_type c) override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;
  int sync() override;

 private:
  void emit();
  std::streambuf* dest_;
  std::string line_;
};

// Terminal rows for paging: TIOCGWINSZ on stdout, else $LINES, else 24.
int terminal_rows(const config::Env& env);
// The pager command: $DAOCTL_PAGER, else $PAGER, else "less"; "" or "cat"
// mean none.
std::string pager_command(const config::Env& env);

class TerminalIo final : public commands::Io {
 public:
  explicit TerminalIo(const config::Env& env);
  ~TerminalIo() override;

  std::ostream& out() override;
  std::ostream& err() override;
  bool stdout_is_tty() const override { return stdout_tty_; }
  bool stdin_is_tty() const override { return stdin_tty_; }
  bool stderr_is_tty() const override { return stderr_tty_; }
  bool colour() const override { return colour_; }
  void disable_colour() override { colour_ = false; }
  void disable_pager() override { pager_ = false; }
  std::optional<std::string> prompt(const std::string& question) override;
  void write_paged(const std::string& text) override;
  void set_log_format(const std::string& format) override;

 private:
  config::Env env_;
  bool stdout_tty_;
  bool stdin_tty_;
  bool stderr_tty_;
  bool colour_;
  bool pager_ = true;
  std::unique_ptr<JsonLogBuf> json_buf_;
  std::unique_ptr<std::ostream> json_err_;
};

}  // namespace daoctl::cli
