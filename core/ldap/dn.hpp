// RFC 4514 distinguished names: parsing, the string form, and a canonical form
// for comparing DNs that different servers and files spell differently
// ("uid=x, ou=People, dc=example,dc=com" vs "UID=X,OU=people,DC=Example,DC=COM",
// "cn=Ivanov\, Ivan" vs "cn=Ivanov\2C Ivan").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace daoctl::ldap {

// One attribute type and value assertion. `value` holds the unescaped bytes
// (UTF-8 for string values). A value written as "#hexstring" (BER) keeps that
// form in `value` with `is_ber` set, as RFC 4514 asks.
struct DnAva {
  std::string type;
  std::string value;
  bool is_ber = false;
};

struct Rdn {
  std::vector<DnAva> avas;  // more than one for multi-valued RDNs ("cn=a+uid=b")
};

class Dn {
 public:
  Dn() = default;
  explicit Dn(std::vector<Rdn> rdns) : rdns_(std::move(rdns)) {}

  const std::vector<Rdn>& rdns() const noexcept { return rdns_; }
  bool empty() const noexcept { return rdns_.empty(); }

  // The RFC 4514 string form with the original case of types and values,
  // no spaces around separators, and minimal escaping ("cn=Ivanov\, Ivan,ou=People").
  std::string to_string() const;

  // The form two DNs are compared by: attribute types lower-cased (well-known
  // OIDs mapped to their names), values case-folded (ASCII, Latin-1, Latin
  // Extended-A, Cyrillic, Greek) with insignificant spaces removed as in
  // caseIgnoreMatch, multi-valued RDNs sorted. Two DNs denote the same entry
  // for the usual naming attributes (cn, uid, ou, o, dc, c, l) iff their
  // canonical forms are equal. Case-exact naming attributes are rare and not
  // distinguished.
  std::string canonical() const;

  // The DN without its first RDN; empty for an empty DN.
  Dn parent() const;

  // True when this DN equals `ancestor` or lies below it (canonical comparison).
  bool is_within(const Dn& ancestor) const;

 private:
  std::vector<Rdn> rdns_;
};

// Parses an RFC 4514 DN, also accepting the RFC 2253/LDAPv2 leniencies found in
// real files: spaces around ',', '+' and '=' (389-ds: "uid=x, ou=People"),
// lower/upper-case hex escapes, and raw UTF-8. Errors (ErrorKind::Parse) name the
// DN and the byte offset: "unescaped '\"' at offset 3".
Result<Dn> parse_dn(std::string_view text);

// Escapes an attribute value for the RFC 4514 string form: '"', '+', ',', ';',
// '<', '>', '\\' anywhere, '#' and ' ' at the start, ' ' at the end, NUL as \00.
std::string escape_dn_value(std::string_view value);

// Canonical form of a DN string; the text itself (trimmed) when it does not
// parse, so that callers comparing DNs from untrusted data never crash and
// unparsable DNs only ever equal themselves.
std::string canonical_dn(std::string_view text);

// Lower-cases the letters of the scripts employee names use (see canonical()).
// Exposed because RDN values and case-insensitive attribute values share it.
std::string fold_case(std::string_view utf8);

}  // namespace daoctl::ldap
