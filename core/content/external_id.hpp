// External ids derived from the source, so that every object a rerun reads
// gets the same id and the platform's 409-on-existing-external-id makes the
// import idempotent.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace daoctl::content {

// "<ns>:<part>:<part>..." with ':' and '%' inside parts percent-encoded so
// that different part lists never collide ("a:b"+"c" vs "a"+"b:c"). Ids
// longer than the platform's 255 bytes keep a readable 190-byte prefix plus
// "~" and the SHA-256 of the whole id (hex), so they stay unique and stable.
std::string derive_external_id(std::string_view ns, std::initializer_list<std::string_view> parts);

// Lower-case hex SHA-256 (stable content fingerprints for sources without ids).
std::string sha256_hex(std::string_view data);

}  // namespace daoctl::content
