#include "core/report/plan_page.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "core/report/html.hpp"
#include "core/text/ascii.hpp"

namespace daoctl::report {

using nlohmann::json;

namespace {

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return {};
  return it->is_string() ? it->get<std::string>() : it->dump();
}

// A changed value as the page shows it: strings verbatim, null "(none)",
// anything else as compact JSON.
std::string value_text(const json& v) {
  if (v.is_null()) return "(none)";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

std::int64_t count(const json& summary, const char* group, const char* key) {
  auto g = summary.find(group);
  if (g == summary.end() || !g->is_object()) return 0;
  auto it = g->find(key);
  return it != g->end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

const json& array_of(const json& j, const char* key) {
  static const json empty = json::array();
  auto it = j.find(key);
  return it != j.end() && it->is_array() ? *it : empty;
}

std::string quote_arg(const std::string& arg) {
  if (!arg.empty() && arg.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:@+,") ==
                          std::string::npos)
    return arg;
  std::string out = "'";
  for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

void section_start(std::string& out, const char* id, std::string_view title) {
  out += fmt::format("<section id=\"{}\"><h2>", id);
  append_escaped(out, title);
  out += "</h2>\n";
}

}  // namespace

std::string plan_user_department(const json& user) {
  // Plans since 2026-12 carry the user's department; older saved plans only
  // show it where the plan changes it.
  if (auto d = str(user, "department"); !d.empty()) return d;
  for (const auto& c : array_of(user, "changes")) {
    const auto field = text::lower_ascii(str(c, "field"));
    if (field.find("department") == std::string::npos) continue;
    auto after = c.find("after");
    if (after != c.end() && !after->is_null()) return value_text(*after);
  }
  return {};
}

std::string plan_apply_command(const json& plan, const PlanPageOptions& options) {
  std::string cmd = "daoctl " + options.kind + " apply -f " + quote_arg(options.job_file.empty() ? "JOB.yaml" : options.job_file);
  if (options.kind == "sync" && !options.plan_file.empty()) cmd += " --plan " + quote_arg(options.plan_file);
  cmd += " --allow-deprovision " + quote_arg(str(plan, "hash"));
  return cmd;
}

std::string render_plan_page(const json& plan, const json& staged, const PlanPageOptions& options) {
  std::string out;
  out.reserve(32 * 1024);
  const auto& summary = plan.contains("summary") ? plan["summary"] : json::object();
  begin_page(out, fmt::format("{} plan: {}", options.kind == "sync" ? "Sync" : "Deprovisioning", str(plan, "job")));

  append_meta(out, {{"Job", str(plan, "job")},
                    {"Target", str(plan, "target")},
                    {"Planned (UTC)", str(plan, "created_at")},
                    {"Generated (UTC)", options.generated_at},
                    {"Platform", options.platform_url},
                    {"Plan hash", str(plan, "hash")}});

  // Counts first.
  section_start(out, "counts", "Counts");
  std::vector<Figure> figures;
  for (auto [label, group, key] : {std::tuple{"deactivate", "users", "deactivate"}, {"create", "users", "create"},
                                   {"update", "users", "update"}, {"reactivate", "users", "reactivate"},
                                   {"link", "users", "link"}, {"adopt", "users", "adopt"},
                                   {"unchanged", "users", "unchanged"}})
    figures.push_back({std::string("users to ") + label, format_int(count(summary, group, key)), "", "", 0});
  append_figures(out, figures);
  Table counts;
  counts.id = "plan-counts";
  counts.caption = "Every count of the plan's summary";
  counts.headers = {"object", "change", "count"};
  counts.numeric = {false, false, true};
  for (const auto& [group, members] : summary.items()) {
    if (members.is_object()) {
      for (const auto& [key, value] : members.items())
        counts.rows.push_back({group, key, value.is_number_integer() ? format_int(value.get<std::int64_t>()) : value.dump()});
    } else {
      counts.rows.push_back({group, "", members.is_number_integer() ? format_int(members.get<std::int64_t>()) : members.dump()});
    }
  }
  append_table(out, counts);
  out += "</section>\n";

  // Guards.
  section_start(out, "guards", "Guards");
  out += options.guards_passed ? "<p><span class=\"badge ok\">passed</span> the safety guards let this plan through.</p>\n"
                               : "<p><span class=\"badge\">refused</span> ";
  if (!options.guards_passed) {
    append_escaped(out, options.guard_message);
    out += "</p>\n";
  }
  out += "</section>\n";

  // Deactivations and deletions first, marked.
  const auto& users = array_of(plan, "users");
  section_start(out, "removals", "Deactivations and deletions");
  Table removals;
  removals.id = "plan-removals";
  removals.css_class = "removals";
  removals.caption = "Accounts blocked, departments deleted, members removed from groups";
  removals.headers = {"change", "object", "name", "reason"};
  for (const auto& u : users)
    if (str(u, "action") == "deactivate")
      removals.rows.push_back({"\xE2\x9B\x94 deactivate", "user", str(u, "userName"), str(u, "reason")});
  for (const auto& d : array_of(plan, "departments"))
    if (str(d, "action") == "delete") removals.rows.push_back({"\xE2\x9B\x94 delete", "department", str(d, "path"), ""});
  for (const auto& g : array_of(plan, "groups"))
    if (str(g, "action") == "remove")
      for (const auto& m : array_of(g, "member_userNames"))
        removals.rows.push_back({"\xE2\x9B\x94 remove member", "group " + str(g, "name"), value_text(m), ""});
  if (removals.rows.empty()) out += "<p class=\"note\">None.</p>\n";
  else append_table(out, removals);
  out += "</section>\n";

  // The other user changes, grouped by department.
  section_start(out, "changes", "Changes by department");
  std::map<std::string, std::vector<const json*>> by_department;
  for (const auto& u : users)
    if (str(u, "action") != "deactivate") by_department[plan_user_department(u)].push_back(&u);
  if (by_department.empty()) out += "<p class=\"note\">No user changes.</p>\n";
  for (const auto& [department, members] : by_department) {
    out += "<h3>";
    out += department.empty() ? escape("(no department known)") : user_text(department);
    out += fmt::format(" <span class=\"note\">({} users)</span></h3>\n", members.size());
    Table t;
    t.css_class = "plan-changes";
    t.headers = {"action", "user", "field", "old", "new"};
    for (const auto* u : members) {
      const auto& changes = array_of(*u, "changes");
      if (changes.empty()) t.rows.push_back({str(*u, "action"), str(*u, "userName"), "", "", ""});
      for (const auto& c : changes)
        t.rows.push_back({str(*u, "action"), str(*u, "userName"), str(c, "field"),
                          value_text(c.contains("before") ? c["before"] : json()),
                          "\xE2\x86\x92 " + value_text(c.contains("after") ? c["after"] : json())});
    }
    append_table(out, t);
  }
  out += "</section>\n";

  // Everything else the plan holds.
  auto list_section = [&](const char* id, const char* title, const json& items, const std::vector<std::string>& keys) {
    if (items.empty()) return;
    section_start(out, id, title);
    Table t;
    t.id = std::string("plan-") + id;
    t.headers = keys;
    for (const auto& item : items) {
      std::vector<std::string> row;
      for (const auto& k : keys) row.push_back(item.contains(k) ? value_text(item[k]) : "");
      t.rows.push_back(std::move(row));
    }
    append_table(out, t);
    out += "</section>\n";
  };
  list_section("departments", "Departments", array_of(plan, "departments"), {"action", "path", "parent"});
  list_section("groups", "Groups", array_of(plan, "groups"), {"action", "name", "before", "member_userNames"});
  list_section("managers", "Managers", array_of(plan, "managers"), {"userName", "before_userName", "after_userName"});
  list_section("photos", "Photos", array_of(plan, "photos"), {"userName", "before_sha256", "after_sha256", "after_size"});
  list_section("collisions", "Collisions", array_of(plan, "collisions"), {"field", "value", "resolution"});
  list_section("other-jobs", "Accounts other jobs manage", array_of(plan, "other_jobs"), {"userName", "job"});
  list_section("warnings", "Warnings", array_of(plan, "warnings"), {"object", "message"});
  if (staged.is_object()) {
    list_section("staged", "Staged steps due", array_of(staged, "steps"), {"step", "userName", "reason", "skipped", "note"});
    list_section("waiting", "Waiting for their grace period", array_of(staged, "waiting"), {"userName", "due"});
    list_section("held", "Held", array_of(staged, "held"), {"userName", "why"});
  }

  section_start(out, "apply", "Apply exactly this plan");
  out += "<p>Plan hash <code>";
  append_escaped(out, str(plan, "hash"));
  out += "</code>. After review, this command applies this plan and no other (a plan computed differently has "
         "another hash and is refused past the thresholds):</p>\n<pre>";
  append_escaped(out, plan_apply_command(plan, options));
  out += "</pre>\n</section>\n";
  out += "<footer>Generated by daoctl from the plan's JSON; all times are UTC. The page makes no network request and "
         "needs no script.</footer>\n";
  end_page(out);
  return out;
}

}  // namespace daoctl::report
