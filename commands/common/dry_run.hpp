// --dry-run (issue 19): every command that changes something and has no
// plan/diff verb takes it. A dry run does every check and lookup the real run
// does, changes nothing, and exits 0. It says what it would do in the real
// run's words, on stderr:
//   dry run: would create user ivanov.i; nothing was changed
// With -o json (or yaml) stdout gets the same as a machine form:
//   {"dry_run": true, "would": "create user ivanov.i", ...details}
// where the details are the command's own (the request it would send, the
// context it would write, the steps it would run).
#pragma once

#include <functional>
#include <string>

#include "commands/common/context.hpp"

namespace daoctl::commands {

// Prints the dry run's sentence (and the machine form for -o json|yaml);
// returns exit_code::ok. `details` must be a JSON object (or null).
int report_dry_run(CommandContext& ctx, const std::string& would, const json& details = nullptr);

// A create's dry run: the real run would fail on a taken name (409), so the
// dry run does too. `lookup` finds the object by name (a NotFound error means
// free); the answer's `name_field` must equal `name` (case-insensitively, as
// SCIM compares names) for it to count as taken. Throws Conflict naming
// "<what> <name>" and the id taken.
void refuse_taken_name(const std::function<json()>& lookup, const std::string& what, const std::string& name,
                       const char* name_field, const std::string& hint = {});

// Only the machine form, on stdout for -o json|yaml (nothing for table or
// csv): for a command that wrote its own sentences on stderr.
void print_dry_run_data(CommandContext& ctx, const std::string& would, const json& details = nullptr);

// What a real delete prints for -o json|yaml: {"deleted": kind, "id": ...,
// name_field: name} (nothing for table: its sentence is on stderr).
void print_deleted(CommandContext& ctx, const std::string& kind, const std::string& id, const char* name_field,
                   const std::string& name);

// The machine form alone (tests): {"dry_run": true, "would": ..., details...}.
json dry_run_json(const std::string& would, const json& details);

}  // namespace daoctl::commands
