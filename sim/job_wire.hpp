// The wire format of a background job (schemas/openapi.yaml: Job), written
// by GET /api/v1/jobs and the 202 answers that start a job (transfer; the
// backup routes still carry a copy of their own, to be replaced by this).
#pragma once

#include <nlohmann/json.hpp>

#include "sim/store.hpp"

namespace daoctl::sim {

// {"id", "kind", "state", "progress", "error", "result", "created_at",
// "updated_at"}: the id as a string, error and result as the stored JSON (null
// when absent).
nlohmann::json job_json(const Job& job);

}  // namespace daoctl::sim
