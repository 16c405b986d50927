// `stats export ... -O FILE --sign KEY [--timestamp-url URL]`: a detached
// minisign signature of the written file (FILE.minisig, checked by
// `minisign -V -p KEY.pub -m FILE`), and an RFC 3161 token over that
// signature (FILE.minisig.tsr, `openssl ts -verify -data FILE.minisig`).
// KEY is an unencrypted minisign secret key (`minisign -G -W`), mode 0600.
#pragma once

#include <string>

#include "commands/common/context.hpp"

namespace daoctl::commands {

// Signs `path` in one streaming pass (BLAKE2b-512 prehash); throws
// CommandError: Config for a key file that is unreadable, readable by others
// or encrypted; Io for the file; the TSA's errors for the token.
// Reads and checks the key before anything is exported (same errors).
void check_signing_key(const std::string& key_file);
void sign_export(CommandContext& ctx, const std::string& path, const std::string& key_file,
                 const std::string& timestamp_url);

}  // namespace daoctl::commands
