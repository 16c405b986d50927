// /api/v1/badges: the badge catalogue; CRUD with external ids (POST with a
// taken external_id is 409 with existing_id), ETag/If-Match, cursor paging
// and ?external_id=.
#pragma once

#include "sim/http_reply.hpp"
#include "sim/store.hpp"

namespace daoctl::sim {

// Creates the badges table if needed and installs the routes.
void add_badge_routes(RouteTable& routes, Store& store);

}  // namespace daoctl::sim
