// File-system side of configuration: reading the config file with the secret
// permission rules, writing it atomically, and obtaining the token.
//
// Permission rule (like ssh): a file that holds a secret must not be readable
// by group or others. A config file with an inline token, and any token_file,
// are refused (Config error, exit 2) otherwise; the message says `chmod 600`.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>

#include "core/config/config.hpp"
#include "core/error.hpp"

namespace daoctl::config {

// Reads and parses the config file at `path`; nullopt when it does not exist.
Result<std::optional<ConfigFile>> load_config_file(const std::string& path);

// The text to write for `file`: the `existing` file's text edited line by
// line (its comments and order stay), or a new file's. The write itself is
// local::write_config_file (connectors/local/config_writer.hpp).
std::string config_file_text(const std::optional<std::string>& existing, const ConfigFile& file);

// Refuses a config file owned by another user than `me` (root excepted) or
// writable by group or others, as ssh does for ~/.ssh/config: whoever writes
// it chooses the token_command run as you. The hint is the chown/chmod to run.
// (load_config_file calls it; a test passes its own stat and uid.)
Status check_config_owner(const std::string& path, const struct stat& st, uid_t me);

// Refuses a secret-holding file readable by group or others.
Status check_private_file(const std::string& path, const std::string& what);

// The bearer token from its source. Env/Inline: the value. File: the file's
// content, trimmed, after check_private_file. Command: `/bin/sh -c command`,
// its stdout trimmed; a non-zero exit or empty output fails naming the
// context (the command's stderr passes through to the terminal, its stdout is
// never shown). Kind::None fails with a hint on how to configure a token.
Result<std::string> read_token(const TokenSource& source);

// How long a token_command (or bind_password_command) may run before it is
// killed and the read fails: a vault CLI waiting for a login, or a network
// that swallows its request, must not hang a 3 a.m. job or a shell's Tab.
// Default 120 s (time for an interactive MFA prompt); completion sets 1.5 s.
void set_secret_command_time_limit(std::chrono::milliseconds limit);

}  // namespace daoctl::config
