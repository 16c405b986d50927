#include <CLI/CLI.hpp>
#include "commands/policy/policy.hpp"
#include "connectors/platform/answer.hpp"

#include "commands/common/command_doc.hpp"

namespace daoctl::commands {

namespace {

// A partial input changes only the fields it names.
json merge_fields(const json& current, const json& input) {
  json out = current;
  for (const auto& [k, v] : input.items()) out[k] = v;
  return out;
}

std::string join_rules(const json& item, const char* key) {
  if (!item.contains(key)) return "";
  const auto& v = item[key];
  if (v.is_array()) {
    std::string s;
    for (const auto& e : v)
      s += (s.empty() ? "" : ",") + (e.is_string() ? e.get<std::string>() : e.dump());
    return s;
  }
  return v.is_string() ? v.get<std::string>() : v.dump();
}

}  // namespace

const SettingSpec& password_policy_spec() {
  static const SettingSpec spec = [] {
    SettingSpec s;
    s.command = "password";
    s.title = "password policy";
    s.api_name = "password-policy";
    s.kind = "password_policy";
    s.summary_get = "Show the password policy";
    s.summary_set = "Change fields of the password policy (validated first)";
    s.summary_diff = "Show what set would change (exit 8 when something would)";
    s.example_set =
        "daoctl policy password set --min-length 15 --lockout-threshold 10 --lockout-minutes 15";
    s.flags = {
        {"--min-length", "min_length", FlagType::Int, "Minimum length (8..128)"},
        {"--require-upper", "require_upper", FlagType::Bool, "true|false"},
        {"--require-lower", "require_lower", FlagType::Bool, "true|false"},
        {"--require-digit", "require_digit", FlagType::Bool, "true|false"},
        {"--require-symbol", "require_symbol", FlagType::Bool, "true|false"},
        {"--history", "history", FlagType::Int,
         "Previous passwords that may not be reused (0..24)"},
        {"--max-age-days", "max_age_days", FlagType::Int,
         "Days until a password expires (0 = never)"},
        {"--lockout-threshold", "lockout_threshold", FlagType::Int,
         "Failed logins before lockout (0 = never)"},
        {"--lockout-minutes", "lockout_minutes", FlagType::Int, "Lockout duration (1..10080)"},
    };
    s.check = policy::check_password_policy;
    s.desired = merge_fields;
    for (const auto& f : s.flags) s.columns.push_back({f.key, "/" + f.key, {}});
    return s;
  }();
  return spec;
}

const SettingSpec& registration_spec() {
  static const SettingSpec spec = [] {
    SettingSpec s;
    s.command = "registration";
    s.title = "registration settings";
    s.api_name = "registration";
    s.kind = "registration";
    s.summary_get = "Show who may register (directory_only, domains, open)";
    s.summary_set = "Change who may register";
    s.summary_diff = "Show what set would change (exit 8 when something would)";
    s.example_set = "daoctl policy registration set --mode domains --allowed-domain corp.example";
    s.flags = {
        {"--mode", "mode", FlagType::Text, "directory_only | domains | open"},
        {"--allowed-domain", "allowed_domains", FlagType::TextList,
         "A corporate e-mail domain (repeatable)"},
    };
    s.check = policy::check_registration;
    // The mode decides whether domains are kept: any other mode clears them.
    s.desired = [](const json& current, const json& input) {
      json out = merge_fields(current, input);
      if (input.contains("mode") && input["mode"] != "domains" &&
          !input.contains("allowed_domains"))
        out["allowed_domains"] = json::array();
      return out;
    };
    s.columns = {{"MODE", "/mode", {}}, {"ALLOWED_DOMAINS", "", [](const json& i) {
                                           return join_rules(i, "allowed_domains");
                                         }}};
    return s;
  }();
  return spec;
}

const SettingSpec& keyword_rules_spec() {
  static const SettingSpec spec = [] {
    SettingSpec s;
    s.command = "keywords";
    s.title = "keyword rules";
    s.api_name = "keyword-rules";
    s.kind = "keyword_rules";
    s.summary_get = "List the keyword-monitoring rules";
    s.summary_set = "Replace the keyword-monitoring rules";
    s.summary_diff = "Show what set would change (exit 8 when something would)";
    s.example_set =
        "daoctl policy keywords set --flag 'паспорт\\s*\\d{4}' --hide 'casino' --scope all";
    s.flags = {
        {"--flag", "flag", FlagType::TextList,
         "Pattern whose matches are reported to moderators (repeatable)"},
        {"--hide", "hide", FlagType::TextList,
         "Pattern whose matches are hidden until reviewed (repeatable)"},
        {"--scope", "scope", FlagType::Text,
         "all | posts | comments | chats (for every rule given)"},
    };
    s.check = policy::check_keyword_rules;
    s.input_from_flags = [](const SettingInputOptions& opts) {
      json rules = json::array();
      std::string scope = opts.values.count("scope") ? opts.values.at("scope") : "all";
      for (const char* action : {"flag", "hide"})
        if (auto it = opts.lists.find(action); it != opts.lists.end())
          for (const auto& pattern : it->second)
            rules.push_back({{"pattern", pattern}, {"action", action}, {"scope", scope}});
      return rules;
    };
    // A file holds either the list of rules or {rules: [...]}.
    s.input_from_file = [](const json& doc) {
      return doc.is_object() && doc.contains("rules") ? doc["rules"] : doc;
    };
    s.normalise = [](const json& current) {
      // The platform's answer: every field type-checked (platform::Answer).
      const platform::Answer answer(current, "keyword-rules settings");
      const json& listed = answer.array("/rules");
      json rules = json::array();
      for (std::size_t i = 0; i < listed.size(); ++i) {
        const platform::Answer r = answer.at("/rules/" + std::to_string(i), listed[i]);
        r.check("", platform::JsonKind::Object);
        rules.push_back({{"pattern", r.value("/pattern", "")},
                         {"action", r.value("/action", "")},
                         {"scope", r.value("/scope", "all")}});
      }
      return json{{"rules", rules}};
    };
    s.desired = [](const json&, const json& input) {
      json rules = json::array();
      for (const auto& r : input)
        rules.push_back({{"pattern", r.value("pattern", "")},
                         {"action", r.value("action", "")},
                         {"scope", r.value("scope", "all")}});
      return json{{"rules", rules}};
    };
    s.columns = {{"ID", "/id", {}},
                 {"PATTERN", "/pattern", {}},
                 {"ACTION", "/action", {}},
                 {"SCOPE", "/scope", {}}};
    s.rows_field = "rules";
    return s;
  }();
  return spec;
}

void register_policy(CLI::App& root, CommandContext& ctx) {
  auto& group =
      add_command(root, {"policy", "Password policy, registration limits and keyword rules",
                         "daoctl policy password get"});
  group.require_subcommand(1);
  register_setting_commands(group, ctx, password_policy_spec());
  register_setting_commands(group, ctx, registration_spec());
  register_setting_commands(group, ctx, keyword_rules_spec());
}

}  // namespace daoctl::commands
