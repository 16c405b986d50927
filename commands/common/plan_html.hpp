// `--html FILE` of `sync plan` and `deprovision plan`: the plan's review page
// (core/report/plan_page), written atomically from the same JSON as --out.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "commands/common/context.hpp"
#include "core/error.hpp"

namespace daoctl::commands {

// kind: "sync" or "deprovision"; guards: the result of sync::check_guards.
void write_plan_html(const std::string& path, const nlohmann::json& plan, const nlohmann::json& staged,
                     const std::string& kind, const std::string& job_file, const std::string& plan_file,
                     const Status& guards, CommandContext& ctx);

}  // namespace daoctl::commands
