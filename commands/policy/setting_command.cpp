#include "commands/policy/setting_command.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <CLI/CLI.hpp>

#include "commands/common/command_doc.hpp"
#include "commands/common/dry_run.hpp"
#include "commands/policy/settings_api.hpp"
#include "core/schema/yaml_json.hpp"

namespace daoctl::commands {

namespace {

// The flag that set a finding's field: "min_length" -> --min-length,
// "allowed_domains/1" -> --allowed-domain; a keyword rule's "2/scope" -> --scope.
std::string flag_of(const SettingSpec& spec, const std::string& field) {
  for (const auto& f : spec.flags)
    if (f.key == field || field.starts_with(f.key + "/")) return f.flag;
  if (auto slash = field.rfind('/'); slash != std::string::npos) {
    const std::string last = field.substr(slash + 1);
    for (const auto& f : spec.flags)
      if (f.key == last) return f.flag;
    if (last == "pattern" || last == "action")
      return fmt::format("rule {}", field.substr(0, slash));
  }
  return field;
}

json default_input_from_flags(const SettingSpec& spec, const SettingInputOptions& opts) {
  json input = json::object();
  for (const auto& f : spec.flags) {
    if (f.type == FlagType::TextList) {
      if (auto it = opts.lists.find(f.key); it != opts.lists.end()) input[f.key] = it->second;
      continue;
    }
    auto it = opts.values.find(f.key);
    if (it == opts.values.end()) continue;
    const std::string& raw = it->second;
    switch (f.type) {
      case FlagType::Int: {
        std::size_t used = 0;
        long long n = 0;
        try {
          n = std::stoll(raw, &used);
        } catch (const std::exception&) {
          used = 0;
        }
        if (used == 0 || used != raw.size())
          throw CommandError(ErrorKind::Usage,
                             fmt::format("{} needs a whole number, got \"{}\"", f.flag, raw),
                             f.flag);
        input[f.key] = n;
        break;
      }
      case FlagType::Bool:
        if (raw != "true" && raw != "false")
          throw CommandError(ErrorKind::Usage,
                             fmt::format("{} needs true or false, got \"{}\"", f.flag, raw),
                             f.flag);
        input[f.key] = raw == "true";
        break;
      default:
        input[f.key] = raw;
    }
  }
  return input;
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw CommandError(ErrorKind::Config, fmt::format("cannot read {}", path), path,
                       std::strerror(errno), "check the path given with -f");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

json value_text(const json& v) { return v; }

}  // namespace

json read_setting_input(const SettingSpec& spec, const SettingInputOptions& opts,
                        CommandContext& ctx) {
  const bool from_file = !opts.file.empty();
  if (from_file && (!opts.values.empty() || !opts.lists.empty()))
    throw CommandError(
        ErrorKind::Usage,
        fmt::format("give the {} either with -f or with flags, not both", spec.title),
        "-f " + opts.file);
  json input;
  schema::SourceMap positions;
  std::string base;  // pointer of the input inside the file
  if (from_file) {
    auto doc = schema::parse_yaml(read_text_file(opts.file), opts.file);
    if (!doc) {
      Error e = doc.error();
      e.kind = ErrorKind::Config;
      throw CommandError(std::move(e));
    }
    positions = doc->positions;
    input = spec.input_from_file ? spec.input_from_file(doc->value) : doc->value;
    if (spec.kind == "keyword_rules" && doc->value.is_object()) base = "/rules";
  } else {
    input =
        spec.input_from_flags ? spec.input_from_flags(opts) : default_input_from_flags(spec, opts);
    if (input.empty())
      throw CommandError(
          ErrorKind::Usage,
          fmt::format("nothing to set: give -f FILE or at least one flag", spec.title),
          "daoctl policy " + spec.command, "", "see --help for the flags");
  }
  std::vector<std::string> problems;
  for (const auto& finding : spec.check(input)) {
    std::string where;
    if (from_file) {
      const std::string pointer = base + (finding.field.empty() ? "" : "/" + finding.field);
      where = opts.file;
      if (auto pos = positions.find(pointer))
        where += fmt::format(":{}:{}", pos->line, pos->column);
    } else {
      where = flag_of(spec, finding.field);
    }
    if (finding.severity == policy::Severity::Error)
      problems.push_back(fmt::format("{}: {}", where, finding.message));
    else
      ctx.warn(fmt::format("{}: {}", where, finding.message));
  }
  if (!problems.empty())
    throw CommandError(
        from_file ? ErrorKind::Config : ErrorKind::Usage, fmt::format("invalid {}", spec.title),
        from_file ? opts.file : std::string("flags"), fmt::format("{}", fmt::join(problems, "\n")),
        "nothing was sent to the platform");
  return input;
}

namespace {

void advise(const SettingSpec& spec, const SettingInputOptions& opts, const json& desired,
            CommandContext& ctx) {
  if (!spec.advise) return;
  for (const auto& finding : spec.advise(desired))
    if (finding.severity == policy::Severity::Warning)
      ctx.warn(fmt::format("{}: {}", opts.file.empty() ? flag_of(spec, finding.field) : opts.file,
                           finding.message));
}

}  // namespace

SettingDiff diff_setting(const SettingSpec& spec, const json& current, const json& input) {
  SettingDiff d;
  d.current = spec.normalise ? spec.normalise(current) : current;
  d.desired = spec.desired(d.current, input);
  for (const auto& [key, to] : d.desired.items()) {
    json from = d.current.contains(key) ? d.current[key] : json(nullptr);
    if (from != to) d.fields.push_back({key, {from, to}});
  }
  return d;
}

std::string setting_diff_text(const SettingSpec& spec, const SettingDiff& diff) {
  std::string out;
  auto show = [](const json& v) {
    return v.is_null() ? std::string("(none)") : v.is_string() ? v.get<std::string>() : v.dump();
  };
  for (const auto& [key, change] : diff.fields)
    out += fmt::format("~ {}: {} {} -> {}\n", spec.kind, key, show(value_text(change.first)),
                       show(change.second));
  return out;
}

int run_setting_get(const SettingSpec& spec, CommandContext& ctx) {
  auto doc = get_setting(ctx, spec.api_name);
  json shown = spec.normalise && !spec.rows_field.empty() ? doc.body : doc.body;
  if (!spec.rows_field.empty() && ctx.format() != output::Format::Json &&
      ctx.format() != output::Format::Yaml) {
    std::vector<json> rows;
    for (const auto& r : shown.value(spec.rows_field, json::array())) rows.push_back(r);
    ctx.print_list(rows, spec.columns);
  } else {
    ctx.print_item(shown, spec.columns);
  }
  return exit_code::ok;
}

int run_setting_set(const SettingSpec& spec, const SettingInputOptions& opts, CommandContext& ctx) {
  const json input = read_setting_input(spec, opts, ctx);
  auto current = get_setting(ctx, spec.api_name);
  auto diff = diff_setting(spec, current.body, input);
  advise(spec, opts, diff.desired, ctx);
  if (diff.fields.empty()) {
    ctx.info(fmt::format("the {} already matches; nothing changed", spec.title));
    return exit_code::ok;
  }
  ctx.io().err() << setting_diff_text(spec, diff);
  if (opts.dry_run) {
    json changes = json::array();
    for (const auto& [key, change] : diff.fields)
      changes.push_back({{"field", key}, {"from", change.first}, {"to", change.second}});
    return report_dry_run(ctx,
                          fmt::format("update the {} ({} field{})", spec.title, diff.fields.size(),
                                      diff.fields.size() == 1 ? "" : "s"),
                          {{"changes", changes}});
  }
  json stored = put_setting(ctx, spec.api_name, diff.desired, current.etag);
  ctx.info(fmt::format("updated the {} ({} field{})", spec.title, diff.fields.size(),
                       diff.fields.size() == 1 ? "" : "s"));
  if (ctx.format() == output::Format::Json || ctx.format() == output::Format::Yaml)
    ctx.print_item(stored, spec.columns);
  return exit_code::ok;
}

int run_setting_diff(const SettingSpec& spec, const SettingInputOptions& opts,
                     CommandContext& ctx) {
  const json input = read_setting_input(spec, opts, ctx);
  auto current = get_setting(ctx, spec.api_name);
  auto diff = diff_setting(spec, current.body, input);
  advise(spec, opts, diff.desired, ctx);
  if (ctx.format() == output::Format::Json) {
    json out = json::array();
    for (const auto& [key, change] : diff.fields)
      out.push_back({{"field", key}, {"from", change.first}, {"to", change.second}});
    output::render_json(ctx.io().out(), out);
  } else {
    ctx.io().out() << setting_diff_text(spec, diff);
  }
  return diff.fields.empty() ? exit_code::ok : exit_code::changes_pending;
}

void register_setting_verbs(CLI::App& group, CommandContext& ctx, const SettingSpec& spec,
                            const std::string& command_path) {
  add_command(group, {"get", spec.summary_get, fmt::format("{} get -o json", command_path)})
      .callback([&ctx, spec] { ctx.exit_status = run_setting_get(spec, ctx); });
  for (bool is_set : {true, false}) {
    auto opts = std::make_shared<SettingInputOptions>();
    auto& cmd = add_command(
        group, {is_set ? "set" : "diff", is_set ? spec.summary_set : spec.summary_diff,
                is_set ? spec.example_set
                       : fmt::format("{} diff -f {}.yaml", command_path, spec.command)});
    cmd.add_option("-f,--file", opts->file,
                   fmt::format("YAML or JSON file with the {}", spec.title));
    for (const auto& f : spec.flags) {
      if (f.type == FlagType::TextList) {
        cmd.add_option_function<std::vector<std::string>>(
            f.flag,
            [opts, key = f.key](const std::vector<std::string>& v) { opts->lists[key] = v; },
            f.help);
      } else {
        cmd.add_option_function<std::string>(
            f.flag, [opts, key = f.key](const std::string& v) { opts->values[key] = v; }, f.help);
      }
    }
    if (is_set) cmd.add_flag("--dry-run", opts->dry_run, "Only print what would change (as diff does)");
    cmd.callback([&ctx, spec, opts, is_set] {
      ctx.exit_status =
          is_set ? run_setting_set(spec, *opts, ctx) : run_setting_diff(spec, *opts, ctx);
    });
  }
}

void register_setting_commands(CLI::App& parent, CommandContext& ctx, const SettingSpec& spec) {
  const std::string path = fmt::format("daoctl {} {}", parent.get_name(), spec.command);
  auto& group = add_command(
      parent, {spec.command, fmt::format("Show or change the {}", spec.title), path + " get"});
  group.require_subcommand(1);
  register_setting_verbs(group, ctx, spec, path);
}

}  // namespace daoctl::commands
