#include "core/config/config.hpp"

#include "core/text/suggest.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "core/text/encoding.hpp"

namespace daoctl::config {

const ContextEntry* ConfigFile::find(std::string_view name) const {
  for (const auto& c : contexts) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

ContextEntry* ConfigFile::find(std::string_view name) {
  for (auto& c : contexts) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

bool ConfigFile::has_inline_token() const {
  return std::any_of(contexts.begin(), contexts.end(),
                     [](const ContextEntry& c) { return !c.token.empty(); });
}

std::string ConfigFile::context_names() const {
  std::string names;
  for (const auto& c : contexts) {
    if (!names.empty()) names += ", ";
    names += c.name;
  }
  return names.empty() ? "(none)" : names;
}

namespace {

std::string where(const std::string& path, const YAML::Mark& mark) {
  // yaml-cpp marks are 0-based; editors and our messages are 1-based.
  return fmt::format("{}:{}:{}", path, mark.line + 1, mark.column + 1);
}

std::unexpected<Error> bad_node(const std::string& path, const YAML::Node& node,
                                std::string detail) {
  return fail(ErrorKind::Config, "invalid config file", where(path, node.Mark()),
              std::move(detail), "see daoctl-config(5) for the file format");
}

// As job and environment files say it (core/schema): "unknown key 'urll'
// (did you mean 'url'?)", else the keys that may be there.
std::string unknown_key(const std::string& key, const std::vector<std::string>& known) {
  std::string message = "unknown key '" + key + "'";
  if (auto near = text::suggestions(key, known); !near.empty()) {
    near.resize(std::min<std::size_t>(near.size(), 3));
    return message + " (did you mean " + text::quoted_alternatives(near) + "?)";
  }
  std::string list;
  for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
  return message + " (expected " + list + ")";
}

Result<std::string> scalar(const std::string& path, const YAML::Node& node,
                           const std::string& key) {
  if (!node.IsScalar()) return bad_node(path, node, "'" + key + "' must be a string");
  // yaml-cpp's emitter stops at bytes that are not UTF-8, so such a value
  // would cut the file short the next time daoctl writes it.
  if (text::valid_utf8_prefix(node.Scalar()) != node.Scalar().size())
    return bad_node(path, node, "'" + key + "' is not valid UTF-8");
  return node.Scalar();
}

Result<ContextEntry> parse_context(const std::string& path, const YAML::Node& node) {
  if (!node.IsMap()) return bad_node(path, node, "each context must be a mapping");
  ContextEntry entry;
  for (const auto& kv : node) {
    const auto key = kv.first.as<std::string>();
    const YAML::Node& value = kv.second;
    if (key == "insecure") {
      bool b = false;
      if (!value.IsScalar() || !YAML::convert<bool>::decode(value, b)) {
        return bad_node(path, value, "'insecure' must be true or false");
      }
      entry.insecure = b;
      continue;
    }
    if (key == "timeout") {
      int seconds = 0;
      if (!value.IsScalar() || !YAML::convert<int>::decode(value, seconds) || seconds <= 0) {
        return bad_node(path, value, "'timeout' must be a positive number of seconds");
      }
      entry.timeout_seconds = seconds;
      continue;
    }
    if (key == "backup_trusted_keys") {
      // One path or a list of paths (minisign public key files). Checked
      // here; the backup commands read the list themselves
      // (commands/backup/common.cpp), so the model type stays as it is.
      if (value.IsSequence()) {
        for (const auto& item : value)
          if (!item.IsScalar() || item.Scalar().empty())
            return bad_node(path, item, "'backup_trusted_keys' must list file paths");
      } else if (!value.IsScalar()) {
        return bad_node(path, value, "'backup_trusted_keys' must be a file path or a list of them");
      }
      continue;
    }
    std::string* field = nullptr;
    if (key == "name") field = &entry.name;
    if (key == "url") field = &entry.url;
    if (key == "token_file") field = &entry.token_file;
    if (key == "token_command") field = &entry.token_command;
    if (key == "token") field = &entry.token;
    if (key == "ca_file") field = &entry.ca_file;
    if (field == nullptr)
      return bad_node(path, kv.first,
                      unknown_key(key, {"name", "url", "token_file", "token_command", "token", "ca_file", "insecure",
                                        "timeout", "backup_trusted_keys"}));
    auto text = scalar(path, value, key);
    if (!text) return std::unexpected(text.error());
    *field = *text;
  }
  if (entry.name.empty()) return bad_node(path, node, "context has no 'name'");
  // A name is typed on command lines and shown in lists: control characters
  // (found by fuzzing: CRs that YAML does not give back) are refused.
  for (unsigned char c : entry.name)
    if (c < 0x20 || c == 0x7f) return bad_node(path, node, "context name contains a control character");
  const int secrets = !entry.token.empty() + !entry.token_file.empty() +
                      !entry.token_command.empty();
  if (secrets > 1) {
    return bad_node(path, node,
                    "context '" + entry.name +
                        "' sets more than one of token, token_file, token_command");
  }
  return entry;
}

}  // namespace

Result<ConfigFile> parse_config(std::string_view text, const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return fail(ErrorKind::Config, "cannot parse config file", where(path, e.mark), e.msg);
  }
  ConfigFile file;
  if (root.IsNull()) return file;
  if (!root.IsMap()) return bad_node(path, root, "the top level must be a mapping");
  try {
    for (const auto& kv : root) {
      const auto key = kv.first.as<std::string>();
      if (key == "current-context") {
        auto name = scalar(path, kv.second, key);
        if (!name) return std::unexpected(name.error());
        file.current_context = *name;
      } else if (key == "contexts") {
        if (kv.second.IsNull()) continue;
        if (!kv.second.IsSequence()) {
          return bad_node(path, kv.second, "'contexts' must be a list");
        }
        for (const auto& item : kv.second) {
          auto entry = parse_context(path, item);
          if (!entry) return std::unexpected(entry.error());
          if (file.find(entry->name) != nullptr) {
            return bad_node(path, item, "duplicate context '" + entry->name + "'");
          }
          file.contexts.push_back(std::move(*entry));
        }
      } else {
        return bad_node(path, kv.first, unknown_key(key, {"current-context", "contexts"}));
      }
    }
  } catch (const YAML::Exception& e) {
    return fail(ErrorKind::Config, "invalid config file", where(path, e.mark), e.msg);
  }
  return file;
}

std::string serialize_config(const ConfigFile& file, bool redact_secrets) {
  YAML::Emitter em;
  em << YAML::BeginMap;
  if (!file.current_context.empty()) {
    em << YAML::Key << "current-context" << YAML::Value << file.current_context;
  }
  em << YAML::Key << "contexts" << YAML::Value << YAML::BeginSeq;
  for (const auto& c : file.contexts) {
    em << YAML::BeginMap;
    em << YAML::Key << "name" << YAML::Value << c.name;
    if (!c.url.empty()) em << YAML::Key << "url" << YAML::Value << c.url;
    if (!c.token_file.empty()) em << YAML::Key << "token_file" << YAML::Value << c.token_file;
    if (!c.token_command.empty()) {
      em << YAML::Key << "token_command" << YAML::Value << c.token_command;
    }
    if (!c.token.empty()) {
      em << YAML::Key << "token" << YAML::Value << (redact_secrets ? "REDACTED" : c.token);
    }
    if (!c.ca_file.empty()) em << YAML::Key << "ca_file" << YAML::Value << c.ca_file;
    if (c.insecure) em << YAML::Key << "insecure" << YAML::Value << *c.insecure;
    if (c.timeout_seconds) em << YAML::Key << "timeout" << YAML::Value << *c.timeout_seconds;
    em << YAML::EndMap;
  }
  em << YAML::EndSeq << YAML::EndMap;
  return std::string(em.c_str()) + "\n";
}

namespace {

std::optional<std::string> env_value(const Env& env, const std::string& name) {
  auto it = env.find(name);
  if (it == env.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

Status check_url(const std::string& url, const std::string& origin) {
  if (url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0) return {};
  return fail(ErrorKind::Config, "invalid platform URL", origin,
              "'" + url + "' is not an http:// or https:// URL",
              "use the base URL of the platform, e.g. https://intranet.example.com");
}

}  // namespace

Result<ResolvedContext> resolve_context(const FlagOverrides& flags, const Env& env,
                                        const std::optional<ConfigFile>& file) {
  ResolvedContext r;

  std::string context_origin;
  std::optional<std::string> wanted;
  if (flags.context) {
    wanted = flags.context;
    context_origin = "--context";
  } else if (auto from_env = env_value(env, "DAOCTL_CONTEXT")) {
    wanted = from_env;
    context_origin = "DAOCTL_CONTEXT";
  } else if (file && !file->current_context.empty()) {
    wanted = file->current_context;
    context_origin = "current-context";
  }

  const ContextEntry* ctx = nullptr;
  if (wanted) {
    ctx = file ? file->find(*wanted) : nullptr;
    if (ctx == nullptr) {
      return fail(ErrorKind::Config, "unknown context '" + *wanted + "'", context_origin,
                  "known contexts: " + (file ? file->context_names() : std::string("(none)")),
                  "create it with: daoctl config set-context " + *wanted + " --url URL");
    }
    r.context_name = ctx->name;
  }
  const std::string ctx_origin = ctx ? "context " + ctx->name : std::string();

  if (flags.url) {
    r.url = *flags.url;
    r.url_origin = "--url";
  } else if (auto from_env = env_value(env, "DAOCTL_URL")) {
    r.url = *from_env;
    r.url_origin = "DAOCTL_URL";
  } else if (ctx && !ctx->url.empty()) {
    r.url = ctx->url;
    r.url_origin = ctx_origin;
  }
  while (r.url.size() > 1 && r.url.back() == '/') r.url.pop_back();
  if (!r.url.empty()) {
    if (auto ok = check_url(r.url, r.url_origin); !ok) return std::unexpected(ok.error());
  }

  if (auto from_env = env_value(env, "DAOCTL_TOKEN")) {
    r.token = {TokenSource::Kind::Env, *from_env, "DAOCTL_TOKEN"};
  } else if (ctx && !ctx->token.empty()) {
    r.token = {TokenSource::Kind::Inline, ctx->token, ctx_origin};
  } else if (ctx && !ctx->token_file.empty()) {
    r.token = {TokenSource::Kind::File, expand_home(ctx->token_file, env), ctx_origin};
  } else if (ctx && !ctx->token_command.empty()) {
    r.token = {TokenSource::Kind::Command, ctx->token_command, ctx_origin};
  }

  if (flags.ca_file) {
    r.ca_file = expand_home(*flags.ca_file, env);
  } else if (ctx && !ctx->ca_file.empty()) {
    r.ca_file = expand_home(ctx->ca_file, env);
  }
  r.insecure = flags.insecure || (ctx && ctx->insecure.value_or(false));
  if (flags.timeout_seconds) {
    r.timeout = std::chrono::seconds(*flags.timeout_seconds);
    r.timeout_explicit = true;
  } else if (ctx && ctx->timeout_seconds) {
    r.timeout = std::chrono::seconds(*ctx->timeout_seconds);
    r.timeout_explicit = true;
  } else {
    r.timeout = kDefaultTimeout;
  }
  return r;
}

std::string expand_home(const std::string& path, const Env& env) {
  if (path.rfind("~/", 0) != 0) return path;
  auto home = env_value(env, "HOME");
  return home ? *home + path.substr(1) : path;
}

std::string config_path(const std::optional<std::string>& flag, const Env& env) {
  if (flag && !flag->empty()) return expand_home(*flag, env);
  if (auto p = env_value(env, "DAOCTL_CONFIG")) return expand_home(*p, env);
  if (auto xdg = env_value(env, "XDG_CONFIG_HOME")) return *xdg + "/daoctl/config.yaml";
  return env_value(env, "HOME").value_or(".") + "/.config/daoctl/config.yaml";
}

bool config_path_named(const std::optional<std::string>& flag, const Env& env) {
  return (flag && !flag->empty()) || env_value(env, "DAOCTL_CONFIG").has_value();
}

}  // namespace daoctl::config

// ---------------------------------------------------------------------------
// Line-preserving edit (config set-context / use-context keep the comments).

namespace daoctl::config {

namespace {

// One change to the original lines.
struct LineEdit {
  enum class Kind { Replace, InsertAfter, Delete } kind;
  std::size_t line = 0;
  std::size_t begin = 0, end = 0;  // Replace: the value's columns on `line`
  std::string text;                // Replace: the new value; InsertAfter: the new lines
};

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t at = 0;
  while (at < text.size()) {
    auto nl = text.find('\n', at);
    if (nl == std::string_view::npos) nl = text.size();
    lines.emplace_back(text.substr(at, nl - at));
    at = nl + 1;
  }
  return lines;
}

// A scalar as YAML writes it (quoted only when it must be).
std::string yaml_scalar(const std::string& value) {
  YAML::Emitter em;
  em << value;
  return em.c_str();
}

// The columns [begin, end) of a one-line scalar that starts at `col`; nullopt
// for anything this editor does not rewrite safely (block scalars, flow
// collections, an unterminated quote).
std::optional<std::pair<std::size_t, std::size_t>> scalar_span(const std::string& line, std::size_t col) {
  if (col >= line.size()) return std::nullopt;
  const char c = line[col];
  if (c == '|' || c == '>' || c == '[' || c == '{' || c == '&' || c == '*' || c == '!') return std::nullopt;
  if (c == '"' || c == '\'') {
    for (std::size_t i = col + 1; i < line.size(); ++i) {
      if (c == '"' && line[i] == '\\') {
        ++i;
        continue;
      }
      if (line[i] == c) {
        if (c == '\'' && i + 1 < line.size() && line[i + 1] == '\'') {
          ++i;
          continue;
        }
        return std::pair{col, i + 1};
      }
    }
    return std::nullopt;
  }
  std::size_t end = line.find(" #", col);
  if (end == std::string::npos) end = line.size();
  while (end > col && (line[end - 1] == ' ' || line[end - 1] == '\t')) --end;
  return std::pair{col, end};
}

std::size_t indent_of(const std::string& line) {
  const auto at = line.find_first_not_of(' ');
  return at == std::string::npos ? line.size() : at;
}

bool blank_or_comment(const std::string& line) {
  const auto at = line.find_first_not_of(" \t");
  return at == std::string::npos || line[at] == '#';
}

// The scalar keys of a context in file order, with their text in `c`.
std::vector<std::pair<std::string, std::string>> context_fields(const ContextEntry& c) {
  std::vector<std::pair<std::string, std::string>> f = {
      {"url", c.url}, {"token_file", c.token_file}, {"token_command", c.token_command},
      {"token", c.token}, {"ca_file", c.ca_file}};
  f.emplace_back("insecure", c.insecure ? (*c.insecure ? "true" : "false") : "");
  f.emplace_back("timeout", c.timeout_seconds ? std::to_string(*c.timeout_seconds) : "");
  return f;
}

std::string new_context_lines(const ContextEntry& c, std::size_t dash_col) {
  const std::string pad(dash_col, ' ');
  std::string out = pad + "- name: " + yaml_scalar(c.name) + "\n";
  for (const auto& [key, value] : context_fields(c))
    if (!value.empty()) out += pad + "  " + key + ": " + (key == "insecure" || key == "timeout" ? value : yaml_scalar(value)) + "\n";
  return out;
}

// The edits, or nullopt when the layout is one this editor does not handle.
std::optional<std::vector<LineEdit>> plan_edits(const std::vector<std::string>& lines, const YAML::Node& root,
                                                 const ConfigFile& before, const ConfigFile& after) {
  std::vector<LineEdit> edits;
  if (!root.IsMap()) return std::nullopt;
  auto replace_value = [&](const YAML::Node& value, const std::string& text) -> bool {
    const auto mark = value.Mark();
    if (mark.line < 0 || static_cast<std::size_t>(mark.line) >= lines.size()) return false;
    const auto span = scalar_span(lines[static_cast<std::size_t>(mark.line)], static_cast<std::size_t>(mark.column));
    if (!span) return false;
    edits.push_back({LineEdit::Kind::Replace, static_cast<std::size_t>(mark.line), span->first, span->second, text});
    return true;
  };
  // A key whose value is on its own line and continues on none after.
  auto one_line = [&](const YAML::Node& key, const YAML::Node& value) {
    if (key.Mark().line != value.Mark().line) return false;
    const auto l = static_cast<std::size_t>(key.Mark().line);
    return l + 1 >= lines.size() || blank_or_comment(lines[l + 1]) ||
           indent_of(lines[l + 1]) <= static_cast<std::size_t>(key.Mark().column);
  };

  // current-context
  if (before.current_context != after.current_context) {
    bool found = false;
    for (const auto& kv : root) {
      if (kv.first.as<std::string>() != "current-context") continue;
      found = true;
      if (!one_line(kv.first, kv.second)) return std::nullopt;
      if (after.current_context.empty()) {
        edits.push_back({LineEdit::Kind::Delete, static_cast<std::size_t>(kv.first.Mark().line), 0, 0, {}});
      } else if (!replace_value(kv.second, yaml_scalar(after.current_context))) {
        return std::nullopt;
      }
    }
    if (!found) {
      // Before the first key, after any leading comments.
      const auto first = root.begin()->first.Mark().line;
      if (first <= 0) edits.push_back({LineEdit::Kind::InsertAfter, static_cast<std::size_t>(-1), 0, 0,
                                       "current-context: " + yaml_scalar(after.current_context) + "\n"});
      else edits.push_back({LineEdit::Kind::InsertAfter, static_cast<std::size_t>(first - 1), 0, 0,
                            "current-context: " + yaml_scalar(after.current_context) + "\n"});
    }
  }

  const YAML::Node contexts = root["contexts"];
  if (!contexts || !contexts.IsSequence()) return std::nullopt;
  if (contexts.size() != before.contexts.size()) return std::nullopt;
  std::optional<std::size_t> dash_col;
  std::size_t last_line = 0;
  for (std::size_t i = 0; i < contexts.size(); ++i) {
    const YAML::Node node = contexts[i];
    if (!node.IsMap() || node.size() == 0) return std::nullopt;
    const auto key_col = static_cast<std::size_t>(node.begin()->first.Mark().column);
    const auto first_line = static_cast<std::size_t>(node.begin()->first.Mark().line);
    if (key_col < 2 || lines[first_line].compare(key_col - 2, 2, "- ") != 0) return std::nullopt;
    if (!dash_col) dash_col = key_col - 2;
    // The context's last line: its last key's value line.
    std::size_t end_line = first_line;
    for (const auto& kv : node) {
      if (static_cast<std::size_t>(kv.first.Mark().column) != key_col) return std::nullopt;
      if (!one_line(kv.first, kv.second)) return std::nullopt;
      end_line = std::max(end_line, static_cast<std::size_t>(kv.second.Mark().line));
    }
    last_line = std::max(last_line, end_line);
    const ContextEntry& old_entry = before.contexts[i];
    const ContextEntry* new_entry = after.find(old_entry.name);
    if (new_entry == nullptr) {
      // Removed (config delete-context): its lines go, the rest stays as written.
      for (std::size_t l = first_line; l <= end_line; ++l)
        edits.push_back({LineEdit::Kind::Delete, l, 0, 0, {}});
      continue;
    }
    const auto old_fields = context_fields(old_entry);
    const auto new_fields = context_fields(*new_entry);
    std::string inserted;
    for (std::size_t f = 0; f < old_fields.size(); ++f) {
      const auto& [key, old_value] = old_fields[f];
      const auto& new_value = new_fields[f].second;
      if (old_value == new_value) continue;
      const bool plain = key == "insecure" || key == "timeout";
      const std::string text = plain ? new_value : yaml_scalar(new_value);
      if (old_value.empty()) {
        inserted += std::string(key_col, ' ') + key + ": " + text + "\n";
        continue;
      }
      for (const auto& kv : node) {
        if (kv.first.as<std::string>() != key) continue;
        if (new_value.empty()) {
          edits.push_back({LineEdit::Kind::Delete, static_cast<std::size_t>(kv.first.Mark().line), 0, 0, {}});
        } else if (!replace_value(kv.second, text)) {
          return std::nullopt;
        }
      }
    }
    if (!inserted.empty()) edits.push_back({LineEdit::Kind::InsertAfter, end_line, 0, 0, inserted});
  }
  std::string appended;
  for (const auto& c : after.contexts)
    if (before.find(c.name) == nullptr) appended += new_context_lines(c, dash_col.value_or(2));
  if (!appended.empty()) {
    if (!dash_col) return std::nullopt;  // `contexts: []`: nothing to line up with
    edits.push_back({LineEdit::Kind::InsertAfter, last_line, 0, 0, appended});
  }
  return edits;
}

}  // namespace

std::string update_config_text(std::string_view original, const ConfigFile& after, bool* kept) {
  if (kept != nullptr) *kept = false;
  auto before = parse_config(original, "config");
  if (!before) return serialize_config(after);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(original));
  } catch (const YAML::Exception&) {
    return serialize_config(after);
  }
  const auto lines = split_lines(original);
  std::optional<std::vector<LineEdit>> edits;
  try {
    edits = plan_edits(lines, root, *before, after);
  } catch (const YAML::Exception&) {
    edits.reset();
  }
  if (!edits) return serialize_config(after);
  // Bottom-up, so earlier line numbers stay valid; on one line, insertions
  // after it come before its replacement or deletion.
  std::stable_sort(edits->begin(), edits->end(), [](const LineEdit& a, const LineEdit& b) {
    const auto key = [](const LineEdit& e) {
      return e.line == static_cast<std::size_t>(-1) ? -1.0
                                                    : static_cast<double>(e.line) + (e.kind == LineEdit::Kind::InsertAfter ? 0.5 : 0.0);
    };
    return key(a) > key(b);
  });
  std::vector<std::string> out = lines;
  for (const auto& e : *edits) {
    switch (e.kind) {
      case LineEdit::Kind::Replace:
        out[e.line].replace(e.begin, e.end - e.begin, e.text);
        break;
      case LineEdit::Kind::Delete:
        out.erase(out.begin() + static_cast<std::ptrdiff_t>(e.line));
        break;
      case LineEdit::Kind::InsertAfter: {
        auto added = split_lines(e.text);
        const auto at = e.line == static_cast<std::size_t>(-1) ? 0 : e.line + 1;
        out.insert(out.begin() + static_cast<std::ptrdiff_t>(at), added.begin(), added.end());
        break;
      }
    }
  }
  std::string text;
  for (const auto& l : out) text += l + "\n";
  // The edit must mean exactly what a rewrite would; if not, rewrite.
  auto check = parse_config(text, "config");
  if (!check || serialize_config(*check) != serialize_config(after)) return serialize_config(after);
  if (kept != nullptr) *kept = true;
  return text;
}

}  // namespace daoctl::config
