// One settings document (password policy, registration, keyword rules,
// branding) as a command group with get, set and diff. The spec says which
// flags feed which fields, how the input is validated (core/policy) and how
// the document to PUT is built from the current one and the input; the verbs
// are the same for every setting.
#pragma once

#include "commands/common/cli_fwd.hpp"
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "commands/common/context.hpp"
#include "core/policy/policy.hpp"

namespace daoctl::commands {

enum class FlagType { Int, Bool, Text, TextList };

struct SettingFlag {
  std::string flag;  // "--min-length"
  std::string key;   // "min_length"
  FlagType type;
  std::string help;
};

// Flag values as given on the command line (only the flags that were used).
struct SettingInputOptions {
  std::string file;                                       // -f: YAML/JSON with the fields
  std::map<std::string, std::string> values;              // key -> raw text (Int, Bool, Text)
  std::map<std::string, std::vector<std::string>> lists;  // key -> values (TextList)
  bool dry_run = false;                                   // set: print the changes, store nothing
};

struct SettingSpec {
  std::string command;   // "password"
  std::string title;     // "password policy"
  std::string api_name;  // "password-policy"
  std::string kind;      // "password_policy" (diff lines)
  std::string summary_get, summary_set, summary_diff;
  std::string example_set;
  std::vector<SettingFlag> flags;
  // Validates the input (flags or file) before anything is sent.
  std::function<policy::Findings(const json& input)> check;
  // Advice on the document that would be stored (warnings only), for checks
  // that need fields the input may not give (contrast against the current
  // background colour). Optional.
  std::function<policy::Findings(const json& desired)> advise;
  // Turns flag values into the input document; default: one field per flag.
  std::function<json(const SettingInputOptions&)> input_from_flags;
  // Turns a file's document into the input (default: as is).
  std::function<json(const json& file_doc)> input_from_file;
  // The document to PUT: the current one (normalised) changed by the input.
  std::function<json(const json& current, const json& input)> desired;
  // Strips what the server adds (ids, read-only URLs) so documents compare.
  std::function<json(const json& current)> normalise;
  // How `get` prints a table: one row (the document) or rows from an array field.
  std::vector<output::Column> columns;
  std::string rows_field;  // "" = one row; "rules" = each rule a row
};

// Field differences current -> desired, over desired's fields.
struct SettingDiff {
  json current;  // normalised
  json desired;
  std::vector<std::pair<std::string, std::pair<json, json>>> fields;  // key -> (from, to)
};

// Validated input from the flags or the file; throws CommandError (Usage for
// flags, Config for a file, each problem naming the flag or file:line:column).
// Warnings go to ctx.warn.
json read_setting_input(const SettingSpec& spec, const SettingInputOptions& opts,
                        CommandContext& ctx);
SettingDiff diff_setting(const SettingSpec& spec, const json& current, const json& input);
// "~ password_policy: min_length 8 -> 12" lines.
std::string setting_diff_text(const SettingSpec& spec, const SettingDiff& diff);

int run_setting_get(const SettingSpec& spec, CommandContext& ctx);
int run_setting_set(const SettingSpec& spec, const SettingInputOptions& opts, CommandContext& ctx);
// Exit 8 when the input would change something, 0 when not.
int run_setting_diff(const SettingSpec& spec, const SettingInputOptions& opts, CommandContext& ctx);

// Adds get, set and diff to `group`; `command_path` ("daoctl branding") is
// used in the help examples.
void register_setting_verbs(CLI::App& group, CommandContext& ctx, const SettingSpec& spec,
                            const std::string& command_path);
// Adds `<spec.command>` with get, set and diff under `parent`.
void register_setting_commands(CLI::App& parent, CommandContext& ctx, const SettingSpec& spec);

}  // namespace daoctl::commands
