// The route groups of the simulator.
#pragma once

#include "sim/http_reply.hpp"
#include "sim/store.hpp"

namespace daoctl::sim {

// /scim/v2: discovery documents, Users and Groups (RFC 7644).
void add_scim_routes(RouteTable& routes, Store& store);

// /api/v1: me, departments, sessions and tokens, jobs. (/api/v1/health is
// installed by the server itself: it answers before auth and faults.)
void add_native_routes(RouteTable& routes, Store& store);

// /api/v1/users/{id}/photo: PUT, GET, DELETE (sim/photo_routes.cpp); installed by add_native_routes.
void add_photo_routes(RouteTable& routes, Store& store);

// /api/v1/settings (policies, branding, images, keyword rules), /api/v1/communities, /api/v1/badges.
void add_settings_routes(RouteTable& routes, Store& store);

// /api/v1/stats/activity, /api/v1/stats/events, /api/v1/audit-log (sim/stats_routes.cpp).
void add_stats_routes(RouteTable& routes, Store& store);

// /api/v1/backups and /api/v1/restore (sim/backup_routes.cpp).
void add_backup_routes(RouteTable& routes, Store& store);

// /api/v1: posts, comments, reactions, events, invitations, files, awards (sim/content_*).
void add_content_routes(RouteTable& routes, Store& store);

// POST /api/v1/users/{id}/transfer: content ownership moved by a job (sim/transfer_routes.cpp).
void add_transfer_routes(RouteTable& routes, Store& store);

}  // namespace daoctl::sim
