// The real Io: std::cout/std::cerr, isatty(3), colour policy decided once.
#pragma once

#include "commands/common/io.hpp"
#include "core/config/config.hpp"

namespace daoctl::cli {

class TerminalIo final : public commands::Io {
 public:
  explicit TerminalIo(const config::Env& env);

  std::ostream& out() override;
  std::ostream& err() override;
  bool stdout_is_tty() const override { return stdout_tty_; }
  bool stdin_is_tty() const override { return stdin_tty_; }
  bool colour() const override { return colour_; }
  void disable_colour() override { colour_ = false; }
  std::optional<std::string> prompt(const std::string& question) override;

 private:
  bool stdout_tty_;
  bool stdin_tty_;
  bool colour_;
};

}  // namespace daoctl::cli
