// A local syntax check of SCIM filters (RFC 7644 §3.4.2.2) given on the
// command line (`users list --filter`, `groups list --filter`).
//
// A malformed filter is the user's mistake, so it is a usage error (exit 2)
// found before any request, naming the column where it went wrong, instead
// of whatever the platform answers (a 400, or a 404 from a proxy). The check
// is the whole RFC grammar (or, not, pr, ne, co, ...), not the subset a
// server implements: what a server refuses it says itself (a 400 with
// scimType invalidFilter, also exit 2).
#pragma once

#include <string_view>

#include "core/error.hpp"

namespace daoctl::platform {

// Ok for an empty filter (none given) and for every filter the grammar
// accepts; a Usage error "invalid SCIM filter" whose detail is
// "column N: ..." otherwise.
Status check_scim_filter(std::string_view filter);

}  // namespace daoctl::platform
