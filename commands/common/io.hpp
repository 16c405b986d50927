// Io: every byte a command prints or reads from the user goes through here.
// cli/terminal_io.cpp is the real one (decides TTY and colour once);
// FakeIo (fake_io.hpp) holds string buffers for tests.
#pragma once

#include <optional>
#include <ostream>
#include <string>

namespace daoctl::commands {

class Io {
 public:
  virtual ~Io() = default;
  virtual std::ostream& out() = 0;  // data
  virtual std::ostream& err() = 0;  // logs, progress, warnings, errors
  virtual bool stdout_is_tty() const = 0;
  virtual bool stdin_is_tty() const = 0;
  // True when stderr/stdout may carry ANSI colour (a TTY, no NO_COLOR,
  // TERM != dumb, or CLICOLOR_FORCE set; --no-color turns it off).
  virtual bool colour() const = 0;
  virtual void disable_colour() = 0;
  // Prints `question` on stderr and reads one line from the terminal;
  // nullopt when stdin is not a terminal or at end of input.
  virtual std::optional<std::string> prompt(const std::string& question) = 0;
  // True when stderr is a terminal: progress lines are drawn only then.
  virtual bool stderr_is_tty() const { return false; }
  // Data that may be long (lists): the real Io pipes it through $PAGER when
  // stdout is a terminal and the text is taller than it; otherwise out().
  virtual void write_paged(const std::string& text) { out() << text; }
  // --no-pager: write_paged writes to out() from now on.
  virtual void disable_pager() {}
  // --log-format: "json" makes every line on err() one JSON object.
  virtual void set_log_format(const std::string& format) { (void)format; }
};

}  // namespace daoctl::commands
