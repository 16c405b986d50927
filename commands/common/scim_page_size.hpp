// The page size of a SCIM listing when the user gave none.
#pragma once

#include "commands/common/context.hpp"

namespace daoctl::commands {

// `requested` when the user gave one (> 0); otherwise the largest page the
// service allows, its ServiceProviderConfig's filter.maxResults (1000 when
// it states none or cannot be read: paging follows whatever size the server
// really returns). Reading 1M users in pages of 1000 instead of 500 halves
// the requests (issue 17).
int scim_page_size(CommandContext& ctx, int requested);

}  // namespace daoctl::commands
