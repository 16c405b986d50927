#include "cli/complete.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <CLI/CLI.hpp>
#include <set>
#include <sstream>

#include "cli/docs.hpp"
#include "commands/common/output_formats.hpp"

namespace daoctl::cli {

namespace {

bool starts_with(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

// The option called `name` ("-f", "--file") on `app` or, since global flags
// may follow the command, on one of its parents; `global`: found on the root.
struct Found {
  const CLI::Option* option = nullptr;
  bool global = false;
};
Found find_flag(const CLI::App* app, const std::string& name) {
  for (; app != nullptr; app = app->get_parent()) {
    for (const CLI::Option* o : app->get_options()) {
      if (!o->nonpositional()) continue;
      bool match = false;
      for (const auto& s : o->get_snames()) match = match || name == "-" + s;
      for (const auto& l : o->get_lnames()) match = match || name == "--" + l;
      if (match) return {o, app->get_parent() == nullptr};
    }
  }
  return {};
}

bool takes_value(const CLI::Option& o) { return o.get_type_size() != 0; }

const CLI::App* find_subcommand(const CLI::App* app, const std::string& name) {
  for (const CLI::App* s : app->get_subcommands([](const CLI::App*) { return true; }))
    if (s->get_name() == name) return s;
  return nullptr;
}

std::vector<const CLI::Option*> positionals(const CLI::App& app) {
  std::vector<const CLI::Option*> out;
  for (const CLI::Option* o : app.get_options())
    if (!o->nonpositional()) out.push_back(o);
  return out;
}

bool has_name(const CLI::Option& o, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    const std::string name(n);
    for (const auto& l : o.get_lnames())
      if (name == "--" + l) return true;
    for (const auto& s : o.get_snames())
      if (name == "-" + s) return true;
  }
  return false;
}

// What the value of flag `o` of the command at `path` completes to.
ValueKind flag_kind(const CLI::Option& o, bool global) {
  if (has_name(o, {"--context"})) return ValueKind::Contexts;
  if (global && has_name(o, {"--output"})) return ValueKind::Formats;
  if (!choices_of(o).empty()) return ValueKind::Choices;
  if (has_name(o, {"--file"})) return ValueKind::JobFiles;
  if (has_name(o, {"--dir", "--state-dir"})) return ValueKind::Dirs;
  if (has_name(o, {"--transfer-to", "--fallback-author"})) return ValueKind::Users;
  if (has_name(o, {"--config", "--ca-file", "--out", "--plan", "--output-file", "--output", "--summary-file",
                   "--metrics-file", "--results-file", "--audit-file", "--authors", "--report"}))
    return ValueKind::Files;
  return ValueKind::None;
}

// What positional argument `o` of the command at `path` completes to.
ValueKind positional_kind(const CLI::Option& o, const std::string& path) {
  if (!choices_of(o).empty()) return ValueKind::Choices;
  const std::string name = o.get_name();
  if (name == "user" || name == "users") return ValueKind::Users;
  if (name == "group") return ValueKind::Groups;
  if (path.starts_with("backup ") && name == "id") return ValueKind::Backups;
  if (path.starts_with("backup ") && name == "target") return ValueKind::BackupsOrFiles;
  if (path.starts_with("config ") && name == "name") return ValueKind::Contexts;
  if (name == "report") return ValueKind::Choices;
  return ValueKind::None;
}

std::vector<std::string> positional_choices(const CLI::Option& o) {
  auto c = choices_of(o);
  // stats export's reports are checked by the command, not by CLI11.
  if (c.empty() && o.get_name() == "report") c = {"activity", "events", "audit"};
  return c;
}

std::vector<Candidate> filter(std::vector<Candidate> in, const std::string& prefix) {
  std::vector<Candidate> out;
  std::set<std::string> seen;
  for (auto& c : in)
    if (starts_with(c.value, prefix) && seen.insert(c.value).second) out.push_back(std::move(c));
  return out;
}

std::vector<Candidate> plain(const std::vector<std::string>& values) {
  std::vector<Candidate> out;
  for (const auto& v : values) out.push_back({v, {}});
  return out;
}

Completion value_completion(ValueKind kind, const std::string& cur, const std::string& path,
                            const std::vector<std::string>& choices, const CompletionSources& sources) {
  Completion c;
  auto remote = [&](const char* what) {
    return sources.remote ? filter(sources.remote(what, cur), cur) : std::vector<Candidate>{};
  };
  switch (kind) {
    case ValueKind::None:
      c.directive = 0;  // a value daoctl knows nothing about: let the shell offer files
      return c;
    case ValueKind::Contexts:
      c.candidates = filter(plain(sources.contexts ? sources.contexts() : std::vector<std::string>{}), cur);
      break;
    case ValueKind::Formats:
      c.candidates = filter(plain(commands::output_formats(path)), cur);
      break;
    case ValueKind::Choices:
      c.candidates = filter(plain(choices), cur);
      break;
    case ValueKind::JobFiles:
      c.candidates = complete_paths(cur, {".yaml", ".yml", ".json"}, false);
      break;
    case ValueKind::Files:
      c.candidates = complete_paths(cur, {}, false);
      break;
    case ValueKind::Dirs:
      c.candidates = complete_paths(cur, {}, true);
      break;
    case ValueKind::Users:
      c.candidates = remote("users");
      break;
    case ValueKind::Groups:
      c.candidates = remote("groups");
      break;
    case ValueKind::Backups:
      c.candidates = remote("backups");
      break;
    case ValueKind::BackupsOrFiles:
      c.candidates = remote("backups");
      for (auto& p : complete_paths(cur, {".tar", ".gz", ".tgz", ".zst", ".zip", ".dump"}, false))
        c.candidates.push_back(std::move(p));
      break;
  }
  // A directory is a step on the way: no space after it, the next TAB goes on.
  if (!c.candidates.empty() &&
      std::all_of(c.candidates.begin(), c.candidates.end(), [](const Candidate& x) { return x.value.ends_with('/'); }))
    c.directive |= kDirectiveNoSpace;
  return c;
}

}  // namespace

bool dynamic_flag(const CLI::Option& o, bool global) {
  switch (flag_kind(o, global)) {
    case ValueKind::Contexts:
    case ValueKind::JobFiles:
    case ValueKind::Dirs:
    case ValueKind::Users:
      return true;
    default:
      return false;
  }
}

bool dynamic_positional(const CLI::Option& o, const std::string& command_path) {
  switch (positional_kind(o, command_path)) {
    case ValueKind::None:
    case ValueKind::Choices:
      return false;
    default:
      return true;
  }
}

std::vector<Candidate> complete_paths(const std::string& prefix, const std::vector<std::string>& extensions,
                                      bool dirs_only) {
  std::string dir, base;
  if (auto slash = prefix.rfind('/'); slash != std::string::npos) {
    dir = prefix.substr(0, slash + 1);
    base = prefix.substr(slash + 1);
  } else {
    base = prefix;
  }
  std::string open = dir.empty() ? "." : dir;
  if (open.starts_with("~/")) {
    if (const char* home = std::getenv("HOME")) open = std::string(home) + open.substr(1);
  }
  std::vector<Candidate> out;
  DIR* d = ::opendir(open.c_str());
  if (d == nullptr) return out;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    if (!starts_with(name, base)) continue;
    if (name.starts_with('.') && !base.starts_with('.')) continue;
    struct stat st {};
    if (::stat((open + "/" + name).c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      out.push_back({dir + name + "/", {}});
      continue;
    }
    if (dirs_only) continue;
    if (!extensions.empty() &&
        std::none_of(extensions.begin(), extensions.end(), [&](const std::string& x) { return name.ends_with(x); }))
      continue;
    out.push_back({dir + name, {}});
  }
  ::closedir(d);
  std::sort(out.begin(), out.end(), [](const Candidate& a, const Candidate& b) { return a.value < b.value; });
  return out;
}

Completion complete_words(const CLI::App& root, const std::vector<std::string>& words,
                          const CompletionSources& sources, TypedGlobals* globals) {
  const std::string cur = words.empty() ? std::string() : words.back();
  const CLI::App* app = &root;
  std::string path;
  std::size_t positional = 0;
  const CLI::Option* pending = nullptr;  // a flag whose value is the current word
  bool pending_global = false;
  bool only_positionals = false;
  auto remember = [&](const Found& f, const std::string& value) {
    if (globals == nullptr || !f.global) return;
    const CLI::Option& o = *f.option;
    if (has_name(o, {"--context"})) globals->context = value;
    else if (has_name(o, {"--config"})) globals->config = value;
    else if (has_name(o, {"--url"})) globals->url = value;
  };
  for (std::size_t i = 0; i + 1 < words.size(); ++i) {
    const std::string& w = words[i];
    if (!only_positionals && w == "--") {
      only_positionals = true;
      continue;
    }
    if (!only_positionals && w.size() > 1 && w[0] == '-') {
      const auto eq = w.find('=');
      const Found f = find_flag(app, w.substr(0, eq));
      if (f.option == nullptr || !takes_value(*f.option)) continue;
      if (eq != std::string::npos) {
        remember(f, w.substr(eq + 1));
        continue;
      }
      if (i + 2 == words.size()) {  // the current word is this flag's value
        pending = f.option;
        pending_global = f.global;
        break;
      }
      remember(f, words[i + 1]);
      ++i;
      continue;
    }
    if (const CLI::App* sub = only_positionals ? nullptr : find_subcommand(app, w); sub != nullptr && positional == 0) {
      app = sub;
      path = path.empty() ? w : path + " " + w;
      continue;
    }
    ++positional;
  }

  if (pending != nullptr)
    return value_completion(flag_kind(*pending, pending_global), cur, path, choices_of(*pending), sources);

  Completion c;
  if (!only_positionals && cur.starts_with('-')) {
    std::vector<std::string> flags;
    for (const CLI::App* a = app; a != nullptr; a = a->get_parent())
      for (const CLI::Option* o : a->get_options()) {
        if (!o->nonpositional() || o->get_name() == "--help") continue;
        for (const auto& s : o->get_snames()) flags.push_back("-" + s);
        for (const auto& l : o->get_lnames()) flags.push_back("--" + l);
      }
    c.candidates = filter(plain(flags), cur);
    return c;
  }
  auto subs = app->get_subcommands([](const CLI::App*) { return true; });
  if (!subs.empty()) {
    std::vector<Candidate> names;
    for (const CLI::App* s : subs) names.push_back({s->get_name(), s->get_description()});
    c.candidates = filter(std::move(names), cur);
    return c;
  }
  const auto pos = positionals(*app);
  if (pos.empty()) return c;
  // A vector positional (`groups add-member GROUP USERS...`) takes the rest.
  const CLI::Option* o = nullptr;
  std::size_t seen = 0;
  for (const CLI::Option* p : pos) {
    const bool many = p->get_items_expected_max() > 1 || p->get_expected_max() > 1;
    if (many || positional == seen) {
      o = p;
      break;
    }
    ++seen;
  }
  if (o == nullptr) return c;
  return value_completion(positional_kind(*o, path), cur, path, positional_choices(*o), sources);
}

std::string format_completion(const Completion& c) {
  std::string out;
  for (const auto& x : c.candidates) {
    out += x.value;
    if (!x.description.empty()) {
      std::string d = x.description;
      std::replace_if(d.begin(), d.end(), [](char ch) { return ch == '\n' || ch == '\t' || ch == '\r'; }, ' ');
      out += "\t" + d;
    }
    out += "\n";
  }
  out += ":" + std::to_string(c.directive) + "\n";
  return out;
}

}  // namespace daoctl::cli
