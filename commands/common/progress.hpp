// The progress line of long-running commands (sync apply, import apply,
// stats export, backup download): drawn on stderr only when stderr is a
// terminal, and never with --quiet or --log-format json. Elsewhere (cron,
// pipes, CI logs) it prints nothing; the commands' status lines remain.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "commands/common/context.hpp"
#include "core/output/progress.hpp"

namespace daoctl::commands {

inline bool progress_enabled(CommandContext& ctx) {
  return ctx.io().stderr_is_tty() && !ctx.global.quiet && ctx.global.log_format != "json";
}

// A Progress on ctx.io().err(); disabled (prints nothing) unless progress_enabled.
inline std::unique_ptr<output::Progress> make_progress(CommandContext& ctx, std::string label,
                                                       std::optional<std::int64_t> total,
                                                       output::ProgressUnit unit = output::ProgressUnit::Items) {
  return std::make_unique<output::Progress>(ctx.io().err(), std::move(label), total, progress_enabled(ctx), unit);
}

}  // namespace daoctl::commands
