#include "sim/job_wire.hpp"

namespace daoctl::sim {

nlohmann::json job_wire(const Job& j) {
  using nlohmann::json;
  return {{"id", std::to_string(j.id)},
          {"kind", j.kind},
          {"state", j.state},
          {"progress", j.progress},
          {"error", j.error_json ? json::parse(*j.error_json) : json(nullptr)},
          {"result", j.result_json ? json::parse(*j.result_json) : json(nullptr)},
          {"created_at", j.created_at},
          {"updated_at", j.updated_at}};
}

}  // namespace daoctl::sim
