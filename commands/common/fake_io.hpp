// FakeIo: an Io over string buffers, with scripted answers for prompts.
#pragma once

#include <deque>
#include <sstream>

#include "commands/common/io.hpp"

namespace daoctl::commands {

class FakeIo final : public Io {
 public:
  explicit FakeIo(bool tty = false, bool colour = false) : tty_(tty), colour_(colour) {}

  std::ostream& out() override { return out_; }
  std::ostream& err() override { return err_; }
  bool stdout_is_tty() const override { return tty_; }
  bool stdin_is_tty() const override { return tty_; }
  bool colour() const override { return colour_; }
  void disable_colour() override { colour_ = false; }
  std::optional<std::string> prompt(const std::string& question) override {
    err_ << question;
    if (!tty_ || answers.empty()) return std::nullopt;
    auto answer = answers.front();
    answers.pop_front();
    return answer;
  }

  std::string out_text() const { return out_.str(); }
  std::string err_text() const { return err_.str(); }

  std::deque<std::string> answers;

 private:
  bool tty_;
  bool colour_;
  std::ostringstream out_;
  std::ostringstream err_;
};

}  // namespace daoctl::commands
