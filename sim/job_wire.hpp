// The wire form of a long-running Job (schemas/openapi.yaml, Job), shared by
// every route that answers with one: GET /api/v1/jobs/{id}, the content
// transfer and the backup routes.
#pragma once

#include <nlohmann/json.hpp>

#include "sim/store.hpp"

namespace daoctl::sim {

nlohmann::json job_wire(const Job& job);

}  // namespace daoctl::sim
