// The daoctl config file (kubectl-like contexts) and the pure resolution of
// the effective settings: flags > DAOCTL_* environment > config file context >
// defaults. Nothing here touches the file system; config_files.hpp does.
//
//   current-context: prod
//   contexts:
//     - name: prod
//       url: https://intranet.example.com
//       token_file: ~/.config/daoctl/prod.token   # or token_command: "pass show daoffice"
//       ca_file: /etc/ssl/corp-ca.pem               # or token: ... (file must be 0600)
//       insecure: false
//       timeout: 30
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace daoctl::config {

// The process environment as a map, so resolution is a pure function.
using Env = std::map<std::string, std::string>;

struct ContextEntry {
  std::string name;
  std::string url;
  std::string token_file;
  std::string token_command;
  std::string token;  // inline secret; only accepted in a private (0600) file
  std::string ca_file;
  std::optional<bool> insecure;
  std::optional<int> timeout_seconds;
};

struct ConfigFile {
  std::string current_context;
  std::vector<ContextEntry> contexts;

  const ContextEntry* find(std::string_view name) const;
  ContextEntry* find(std::string_view name);
  bool has_inline_token() const;
  std::string context_names() const;  // "a, b, c" for messages; "(none)" if empty
};

// Parses the YAML text of a config file. Errors are Config errors whose object
// is "<path>:<line>:<column>" (1-based) of the offending node; unknown keys are
// refused (typos must not silently drop a setting).
Result<ConfigFile> parse_config(std::string_view text, const std::string& path);

// YAML text of a config file, in the layout parse_config reads. With
// `redact_secrets`, an inline token is written as "REDACTED".
std::string serialize_config(const ConfigFile& file, bool redact_secrets = false);

// The text of `original` (a config file) edited line by line so that it
// parses to `after`: comments, blank lines, key order and quoting of the
// lines not changed stay as they were (config set-context, use-context).
// Layouts the editor does not handle (flow style, block scalars, anchors)
// and any edit that would not read back as `after` give serialize_config
// instead; `kept` (optional) says which happened.
std::string update_config_text(std::string_view original, const ConfigFile& after, bool* kept = nullptr);

// Where the token comes from. `value` is the token itself (Env, Inline), a
// path (File) or a shell command (Command).
struct TokenSource {
  enum class Kind { None, Env, Inline, File, Command };
  Kind kind = Kind::None;
  std::string value;
  std::string origin;  // "DAOCTL_TOKEN", "context prod": for messages, never the secret
  // What the secret is and its job key prefix, for messages: "bind password
  // file is empty", "bind_password_command failed".
  std::string what = "token";
  std::string key = "token";
};

// Refuses a secret that would break the header (or LDAP bind) it goes into:
// a CR, LF or NUL anywhere (a trailing newline of a file or command is
// trimmed before this check; one in an environment variable is not). The
// error names `origin`, never the value.
Status check_secret_text(std::string_view secret, const std::string& what, const std::string& origin);

// Settings given on the command line; unset means "not given".
struct FlagOverrides {
  std::optional<std::string> context;
  std::optional<std::string> url;
  std::optional<std::string> ca_file;
  bool insecure = false;  // a flag can only turn verification off
  std::optional<int> timeout_seconds;
};

struct ResolvedContext {
  std::string context_name;  // empty when no context is in use
  std::string url;           // empty when nothing configures one
  std::string url_origin;    // "--url", "DAOCTL_URL", "context prod"
  TokenSource token;
  std::string ca_file;
  bool insecure = false;
  std::chrono::seconds timeout{30};
  // Whether --timeout or the context set `timeout` (else it is the default).
  bool timeout_explicit = false;
};

inline constexpr std::chrono::seconds kDefaultTimeout{30};

// Applies the precedence rules. `file` is nullopt when no config file exists.
// Fails (Config) when a named context (flag, DAOCTL_CONTEXT or
// current-context) is not in the file, or DAOCTL_URL/--url is not http(s).
Result<ResolvedContext> resolve_context(const FlagOverrides& flags, const Env& env,
                                        const std::optional<ConfigFile>& file);

// The config file path: --config, else DAOCTL_CONFIG, else
// $XDG_CONFIG_HOME/daoctl/config.yaml, else $HOME/.config/daoctl/config.yaml.
std::string config_path(const std::optional<std::string>& flag, const Env& env);
// Whether config_path comes from --config or DAOCTL_CONFIG (named on purpose,
// so a missing file is an error) rather than the default location.
bool config_path_named(const std::optional<std::string>& flag, const Env& env);

// Expands a leading "~/" with HOME from env.
std::string expand_home(const std::string& path, const Env& env);

}  // namespace daoctl::config
