// The one simdjson parser of a thread that reads SCIM pages. A parser keeps
// buffers sized to the largest document it has seen (about 4 bytes per byte
// of a page): the platform client's page check and the user reader ran one
// each, the same page after the other, on the same thread. Sharing one is
// safe because each finishes with a page before the next iterate().
#pragma once

#include <simdjson.h>

namespace daoctl::sync {

inline simdjson::ondemand::parser& page_parser() {
  thread_local simdjson::ondemand::parser parser;
  return parser;
}

}  // namespace daoctl::sync
