// The review page of a sync or deprovisioning plan (`--html plan.html`),
// rendered from the plan's JSON (SyncPlan::to_json, the document --out
// writes), so the page and plan.json cannot disagree. Pure.
//
// Order: counts first; the guard results; deactivations and deletions,
// marked; then every other change grouped by department, each update as
// field: old -> new; then departments, groups, managers, photos, collisions
// and warnings; the plan hash and the exact apply command last.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace daoctl::report {

struct PlanPageOptions {
  std::string kind = "sync";  // sync | deprovision: the command group
  std::string job_file;       // -f as given
  std::string plan_file;      // --out as given (may be empty)
  bool guards_passed = true;
  std::string guard_message;  // why a guard refused (empty when passed)
  std::string generated_at;   // RFC 3339 UTC
  std::string platform_url;
};

// `plan`: SyncPlan::to_json(). `staged` (deprovision only): the staged
// follow-up steps as `deprovision plan -o json` gives them, or null.
std::string render_plan_page(const nlohmann::json& plan, const nlohmann::json& staged, const PlanPageOptions& options);

// The department a user action belongs to in the page: its "department"
// member (SyncPlan writes it since 2026-12), else, for a plan saved before,
// the value after of a change to a field named like "department"
// (department, departmentId, the enterprise extension's department...),
// else "".
std::string plan_user_department(const nlohmann::json& user);

// The command that applies exactly this plan.
std::string plan_apply_command(const nlohmann::json& plan, const PlanPageOptions& options);

}  // namespace daoctl::report
