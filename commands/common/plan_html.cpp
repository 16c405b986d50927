#include "commands/common/plan_html.hpp"

#include <fmt/format.h>

#include <chrono>

#include "connectors/local/files.hpp"
#include "core/report/plan_page.hpp"
#include "core/stats/period.hpp"

namespace daoctl::commands {

void write_plan_html(const std::string& path, const nlohmann::json& plan, const nlohmann::json& staged,
                     const std::string& kind, const std::string& job_file, const std::string& plan_file,
                     const Status& guards, CommandContext& ctx) {
  report::PlanPageOptions options;
  options.kind = kind;
  options.job_file = job_file;
  options.plan_file = plan_file;
  options.guards_passed = guards.has_value();
  if (!guards) options.guard_message = guards.error().describe();
  options.generated_at = stats::format_rfc3339(
      std::chrono::duration_cast<std::chrono::seconds>(ctx.now().time_since_epoch()).count());
  options.platform_url = ctx.client_settings().url;
  value_or_throw(local::write_file_atomic(path, report::render_plan_page(plan, staged, options), 0600));
  ctx.info(fmt::format("wrote the plan's review page to {}", path));
}

}  // namespace daoctl::commands
