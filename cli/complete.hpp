// Dynamic shell completion: the hidden `daoctl __complete WORDS...` (the
// gh/cobra pattern). The generated bash, zsh and fish scripts (cli/docs.cpp)
// keep the static parts (commands, flags, fixed choices, formats) and ask
// this command for what only the running binary knows: contexts of the
// config file, job files and directories, backup ids, user and group names
// from the platform.
//
// WORDS are the words after `daoctl` as typed, the last one being the word
// under completion ("" after a space). The answer is one candidate per line,
// "value<TAB>description" when there is a description, then a directive
// line ":N" (cobra's bits: 2 no space after the value, 4 no file completion
// by the shell). Nothing is ever printed on stderr and the exit status is 0:
// a failing platform, a missing config or a broken token give no candidates.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "commands/common/cli_fwd.hpp"

namespace CLI {
class Option;
}  // namespace CLI

namespace daoctl::cli {

inline constexpr int kDirectiveNoSpace = 2;
inline constexpr int kDirectiveNoFileComp = 4;

struct Candidate {
  std::string value;
  std::string description;
};

// What the engine needs from the outside world, injectable for tests.
struct CompletionSources {
  // Context names of the config file in effect (--config/--context typed on
  // the line are already applied by the caller).
  std::function<std::vector<std::string>()> contexts;
  // "users", "groups" or "backups" from the platform (cached, bounded in time).
  // The platform's names of `kind` (users, groups, backups); `prefix` is what
  // was typed, for a server with more names than one page.
  std::function<std::vector<Candidate>(const std::string& kind, const std::string& prefix)> remote;
};

struct Completion {
  std::vector<Candidate> candidates;
  int directive = kDirectiveNoFileComp;
};

// What a value completes to.
enum class ValueKind { None, Contexts, JobFiles, Files, Dirs, Formats, Choices, Users, Groups, Backups, BackupsOrFiles };

// The global settings typed on the line (`--context X`, `--config F`,
// `--url U`), so that the platform asked is the one the command would use.
struct TypedGlobals {
  std::optional<std::string> context, config, url;
};

// Whether a flag's value (`global`: a flag of the root) or a leaf command's
// positional argument is completed by `daoctl __complete` (contexts, files,
// users, groups, backups) rather than by the script's static lists; the
// generated scripts (cli/docs.cpp) call it exactly there.
bool dynamic_flag(const CLI::Option& o, bool global);
bool dynamic_positional(const CLI::Option& o, const std::string& command_path);

// Completes `words` against the command tree `root`. `globals` receives the
// global flags typed before the cursor.
Completion complete_words(const CLI::App& root, const std::vector<std::string>& words,
                          const CompletionSources& sources, TypedGlobals* globals = nullptr);

// Files and directories starting with `prefix` (a path as typed); directories
// end with "/"; with `extensions` non-empty only files with one of them (and
// every directory); with `dirs_only` only directories. Hidden entries only
// when the prefix's last component starts with '.'.
std::vector<Candidate> complete_paths(const std::string& prefix, const std::vector<std::string>& extensions,
                                      bool dirs_only);

// The answer as printed: candidates and the directive line.
std::string format_completion(const Completion& c);

}  // namespace daoctl::cli

namespace daoctl::commands {
class CommandContext;
}

namespace daoctl::cli {

// `daoctl __complete WORDS...`: completes against `root`, with contexts from
// the config file and users, groups and backups from the platform (one try,
// about 1.5 s at most, cached for a minute in <state dir>/cache), and prints
// the answer on ctx's stdout. Returns 0, whatever happened.
int run_complete(const CLI::App& root, commands::CommandContext& ctx, const std::vector<std::string>& words);

// The cache's freshness: answers younger than this are used without asking
// the platform; older ones only when the platform does not answer in time.
inline constexpr int kCompletionCacheSeconds = 60;

}  // namespace daoctl::cli
