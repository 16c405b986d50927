#include "sim/job_wire.hpp"

#include <string>

namespace daoctl::sim {

using nlohmann::json;

json job_json(const Job& j) {
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
