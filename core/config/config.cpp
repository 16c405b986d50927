#include "core/config/config.hpp"

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
    std::string* field = nullptr;
    if (key == "name") field = &entry.name;
    if (key == "url") field = &entry.url;
    if (key == "token_file") field = &entry.token_file;
    if (key == "token_command") field = &entry.token_command;
    if (key == "token") field = &entry.token;
    if (key == "ca_file") field = &entry.ca_file;
    if (field == nullptr) {
      return bad_node(path, kv.first,
                      "unknown key '" + key +
                          "' (expected name, url, token_file, token_command, token, ca_file, "
                          "insecure, timeout)");
    }
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
        return bad_node(path, kv.first,
                        "unknown key '" + key + "' (expected current-context, contexts)");
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
