// LDAP values from the directory (untrusted server answers and entries):
// objectGUID / objectSid decoding, DN parsing and canonical forms, AD ranged
// attribute descriptions, filter escaping. Byte 0 picks the decoder.
#include <string>

#include "common.hpp"
#include "core/ldap/ad_binary.hpp"
#include "core/ldap/dn.hpp"
#include "core/ldap/filter.hpp"
#include "core/ldap/range_option.hpp"
#include "core/text/encoding.hpp"

using namespace daoctl;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  std::string_view in = fuzz::as_text(data + 1, size - 1);
  switch (data[0] % 6) {
    case 0: {
      auto g = ldap::format_object_guid(in);
      FUZZ_CHECK(g.has_value() == (in.size() == 16));
      if (g) {
        auto back = ldap::parse_object_guid(*g);
        FUZZ_CHECK(back && *back == in);
      }
      break;
    }
    case 1: {
      auto raw = ldap::parse_object_guid(in);
      if (raw) {
        FUZZ_CHECK(raw->size() == 16);
        auto text = ldap::format_object_guid(*raw);
        FUZZ_CHECK(text.has_value());
        auto again = ldap::parse_object_guid(*text);
        FUZZ_CHECK(again && *again == *raw);
      }
      break;
    }
    case 2: {
      auto sid = ldap::format_object_sid(in);
      if (sid) FUZZ_CHECK(sid->starts_with("S-"));
      break;
    }
    case 3: {
      auto dn = ldap::parse_dn(in);
      std::string canon = ldap::canonical_dn(in);
      if (dn) {
        // The string form parses back to the same DN.
        std::string s = dn->to_string();
        auto again = ldap::parse_dn(s);
        FUZZ_CHECK(again.has_value());
        FUZZ_CHECK(again->canonical() == dn->canonical());
        FUZZ_CHECK(canon == dn->canonical());
        FUZZ_CHECK(dn->is_within(dn->parent()));
        FUZZ_CHECK(dn->is_within(*dn));
      }
      (void)ldap::fold_case(in);
      break;
    }
    case 4: {
      auto r = ldap::parse_range_option(in);
      if (r && *r) {
        const auto& opt = **r;
        if (opt.last) FUZZ_CHECK(*opt.last >= opt.first);
        (void)ldap::range_request(opt.attribute, opt.first);
      }
      break;
    }
    case 5: {
      std::string v = ldap::escape_filter_value(in);
      for (char c : {'*', '(', ')', '\0'}) FUZZ_CHECK(v.find(c) == std::string::npos);
      std::string b = ldap::escape_filter_bytes(in);
      FUZZ_CHECK(b.size() == 3 * in.size());
      std::string e = ldap::escape_dn_value(in);
      // An escaped UTF-8 value is one attribute value of a parsable DN
      // (values that are not UTF-8 are refused by design).
      if (text::valid_utf8_prefix(in) != in.size()) break;
      auto dn = ldap::parse_dn("cn=" + e + ",dc=example");
      FUZZ_CHECK(dn.has_value());
      FUZZ_CHECK(dn->rdns().size() == 2 && dn->rdns()[0].avas.size() == 1);
      FUZZ_CHECK(dn->rdns()[0].avas[0].value == in);
      break;
    }
  }
  return 0;
}
