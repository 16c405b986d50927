#include "cli/terminal_io.hpp"

#include <unistd.h>

#include <iostream>

#include "cli/app.hpp"

namespace daoctl::cli {

TerminalIo::TerminalIo(const config::Env& env)
    : stdout_tty_(::isatty(STDOUT_FILENO) == 1),
      stdin_tty_(::isatty(STDIN_FILENO) == 1),
      colour_(colour_enabled(stdout_tty_, env)) {}

std::ostream& TerminalIo::out() { return std::cout; }
std::ostream& TerminalIo::err() { return std::cerr; }

std::optional<std::string> TerminalIo::prompt(const std::string& question) {
  std::cerr << question << std::flush;
  if (!stdin_tty_) return std::nullopt;
  std::string line;
  if (!std::getline(std::cin, line)) return std::nullopt;
  return line;
}

}  // namespace daoctl::cli
