// A quick look at each source of a sync job without reading it, for
// `daoctl doctor --job`: an LDAP source binds and finds its base DN; a file
// source is a readable regular file. http_json sources are not probed (their
// first page is the probe: `daoctl sync plan`).
#pragma once

#include <string>

#include "core/error.hpp"
#include "core/sync/job.hpp"

namespace daoctl::sources {

struct ProbeResult {
  bool probed = true;  // false: this kind of source has no probe
  std::string detail;  // what was found ("bind as cn=reader,… ok; base … exists")
};

// Errors carry the failure (Auth for a refused bind, Network, NotFound for a
// missing base DN or file, Io for an unreadable file, Config for a missing
// secret) and a hint that says what to fix.
Result<ProbeResult> probe_source(const sync::SourceSpec& source, const std::string& base_dir);

}  // namespace daoctl::sources
