#include "commands/common/confirm.hpp"

namespace daoctl::commands {

void confirm_by_typing(CommandContext& ctx, const std::string& action, const std::string& object,
                       const std::string& expected, const std::string& consequence) {
  if (ctx.global.yes) return;
  if (!ctx.io().stdin_is_tty()) {
    throw CommandError(ErrorKind::Safety, "refusing to " + action + " without confirmation",
                       object, "not running on a terminal, so nobody can confirm",
                       "pass --yes to confirm");
  }
  if (!consequence.empty()) ctx.io().err() << consequence << '\n';
  const auto answer =
      ctx.io().prompt("To " + action + ", type " + expected + " and press Enter: ");
  if (!answer || *answer != expected) {
    throw CommandError(ErrorKind::Safety, "not confirmed; nothing was changed", object,
                       "the typed text did not match " + expected);
  }
}

}  // namespace daoctl::commands
