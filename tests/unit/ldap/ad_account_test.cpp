#include <catch2/catch.hpp>
#include <string>

#include "core/ldap/account_state.hpp"
#include "core/ldap/ad_binary.hpp"

using namespace daoctl::ldap;
using namespace std::string_literals;
using namespace std::chrono;

TEST_CASE("objectGUID uses the Windows byte order", "[ad]") {
  // Bytes as the server sends them for {0a0b0c0d-0e0f-1011-1213-141516171819}.
  const std::string raw = "\x0d\x0c\x0b\x0a\x0f\x0e\x11\x10\x12\x13\x14\x15\x16\x17\x18\x19"s;
  auto text = format_object_guid(raw);
  REQUIRE(text);
  CHECK(*text == "{0a0b0c0d-0e0f-1011-1213-141516171819}");
  auto back = parse_object_guid("0A0B0C0D-0E0F-1011-1213-141516171819");
  REQUIRE(back);
  CHECK(*back == raw);
  CHECK(parse_object_guid(*text).value() == raw);

  auto short_guid = format_object_guid("\x01\x02"s);
  REQUIRE_FALSE(short_guid);
  CHECK(short_guid.error().detail == "expected 16 bytes, got 2");
  CHECK_FALSE(parse_object_guid("0a0b0c0d-0e0f-1011-1213-14151617181g"));
  CHECK_FALSE(parse_object_guid("0a0b0c0d0e0f-1011-1213-141516171819"));
  // Found by fuzzing: dashes in the right places plus extra ones left fewer
  // than 32 digits and the decoder read past them.
  CHECK_FALSE(parse_object_guid("{03020489--504-0706-0200--51004-d0e0f}"));
  CHECK_FALSE(parse_object_guid("0a0b0c0d-0e0f-1011-1213-1415161718-9"));
}

TEST_CASE("objectSid decodes to S-1-5-21-...", "[ad]") {
  // S-1-5-21-3623811015-3361044348-30300820-1013 (the MS-DTYP example shape).
  const std::string raw =
      "\x01\x05\x00\x00\x00\x00\x00\x05"
      "\x15\x00\x00\x00"
      "\xc7\xf7\xfe\xd7"
      "\x7c\x77\x55\xc8"
      "\x94\x5a\xce\x01"
      "\xf5\x03\x00\x00"s;
  auto sid = format_object_sid(raw);
  REQUIRE(sid);
  CHECK(*sid == "S-1-5-21-3623811015-3361044348-30300820-1013");
  CHECK(format_object_sid("\x01\x01\x00\x00\x00\x00\x00\x05\x12\x00\x00\x00"s).value() ==
        "S-1-5-18");
  CHECK(format_object_sid("\x01\x00\x01\x00\x00\x00\x00\x00"s).value() == "S-1-0x010000000000");

  auto truncated = format_object_sid(raw.substr(0, 20));
  REQUIRE_FALSE(truncated);
  CHECK(truncated.error().detail == "5 sub-authorities need 28 bytes, got 20");
  CHECK(format_object_sid("\x02\x00\x00\x00\x00\x00\x00\x05"s).error().detail ==
        "unsupported SID revision 2");
  CHECK(format_object_sid("\x01"s).error().detail == "1 bytes is shorter than the 8-byte header");
}

TEST_CASE("generalized time", "[time]") {
  const auto at = [](int y, unsigned m, unsigned d, int hh, int mm, int ss) {
    return sys_days{year{y} / month{m} / day{d}} + hours{hh} + minutes{mm} + seconds{ss};
  };
  CHECK(parse_generalized_time("20240131120000Z").value() == at(2024, 1, 31, 12, 0, 0));
  CHECK(parse_generalized_time("20240131120000.0Z").value() == at(2024, 1, 31, 12, 0, 0));
  CHECK(parse_generalized_time("20240131120059,123Z").value() == at(2024, 1, 31, 12, 0, 59));
  CHECK(parse_generalized_time("202401311200Z").value() == at(2024, 1, 31, 12, 0, 0));
  CHECK(parse_generalized_time("2024013112Z").value() == at(2024, 1, 31, 12, 0, 0));
  CHECK(parse_generalized_time("20240131150000+0300").value() == at(2024, 1, 31, 12, 0, 0));
  CHECK(parse_generalized_time("20240131100000-02").value() == at(2024, 1, 31, 12, 0, 0));
  const char* bad[] = {"",
                       "2024",
                       "20240131120000",
                       "20240230120000Z",
                       "20240131250000Z",
                       "20240131120000Zx",
                       "20240131120000.Z",
                       "20240131120000+2500"};
  for (const char* b : bad) {
    CAPTURE(b);
    auto t = parse_generalized_time(b);
    REQUIRE_FALSE(t);
    CHECK(t.error().kind == daoctl::ErrorKind::Parse);
    CHECK(t.error().object == "GeneralizedTime: \"" + std::string(b) + "\"");
  }
}

TEST_CASE("FILETIME conversion", "[time]") {
  CHECK(filetime_to_sys_seconds(116444736000000000).time_since_epoch().count() == 0);
  // 2024-01-01T00:00:00Z
  CHECK(filetime_to_sys_seconds(133485408000000000).time_since_epoch().count() == 1704067200);
  CHECK(filetime_to_sys_seconds(133485408009999999).time_since_epoch().count() == 1704067200);
}

TEST_CASE("AD disabled and expired accounts", "[ad]") {
  const SysSeconds now{seconds{1704067200}};        // 2024-01-01T00:00:00Z
  const std::string past = "133485407990000000";    // one second before now
  const std::string exact = "133485408000000000";   // exactly now: expired
  const std::string future = "133485408010000000";  // one second after now
  struct Case {
    std::optional<std::string> uac, expires;
    DisabledReason expected;
  };
  const Case cases[] = {
      {"512", "0", DisabledReason::None},
      {"514", "0", DisabledReason::AdAccountDisabled},
      {"546", std::nullopt, DisabledReason::AdAccountDisabled},  // a fresh Samba user
      {"66048", "9223372036854775807", DisabledReason::None},
      {"512", past, DisabledReason::AdAccountExpired},
      {"512", exact, DisabledReason::AdAccountExpired},
      {"512", future, DisabledReason::None},
      {"514", past, DisabledReason::AdAccountDisabled},
      {"-2147483646", std::nullopt, DisabledReason::AdAccountDisabled},  // signed 32-bit with bit 2
      {std::nullopt, std::nullopt, DisabledReason::None},
  };
  for (const auto& c : cases) {
    CAPTURE(c.uac.value_or("-"), c.expires.value_or("-"));
    auto r = ad_disabled_reason({c.uac, c.expires}, now);
    REQUIRE(r);
    CHECK(*r == c.expected);
  }
  auto bad = ad_disabled_reason({"51x", std::nullopt}, now);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().object == "userAccountControl: \"51x\"");
  CHECK_FALSE(ad_disabled_reason({"512", ""}, now));
  CHECK_FALSE(ad_disabled_reason({"512", "-5"}, now));
}

TEST_CASE("OpenLDAP lock signals", "[openldap]") {
  const SysSeconds now{seconds{1704067200}};  // 2024-01-01, day 19723 since 1970
  struct Case {
    std::optional<std::string> locked_time, ns_lock, shadow_expire;
    DisabledReason expected;
  };
  const Case cases[] = {
      {std::nullopt, std::nullopt, std::nullopt, DisabledReason::None},
      {"000001010000Z", std::nullopt, std::nullopt, DisabledReason::PermanentlyLocked},
      {"20231231235959Z", std::nullopt, std::nullopt, DisabledReason::PasswordPolicyLocked},
      {std::nullopt, "TRUE", std::nullopt, DisabledReason::NsAccountLocked},
      {std::nullopt, "false", std::nullopt, DisabledReason::None},
      {std::nullopt, std::nullopt, "19723", DisabledReason::ShadowExpired},
      {std::nullopt, std::nullopt, "19722", DisabledReason::ShadowExpired},
      {std::nullopt, std::nullopt, "19724", DisabledReason::None},
      {std::nullopt, std::nullopt, "-1", DisabledReason::None},
      {std::nullopt, std::nullopt, "0", DisabledReason::None},
      {"000001010000Z", "true", "1", DisabledReason::PermanentlyLocked},
  };
  for (const auto& c : cases) {
    CAPTURE(c.locked_time.value_or("-"), c.ns_lock.value_or("-"), c.shadow_expire.value_or("-"));
    auto r = openldap_disabled_reason({c.locked_time, c.ns_lock, c.shadow_expire}, now);
    REQUIRE(r);
    CHECK(*r == c.expected);
  }
  auto bad_time = openldap_disabled_reason({"yesterday", std::nullopt, std::nullopt}, now);
  REQUIRE_FALSE(bad_time);
  CHECK(bad_time.error().object == "pwdAccountLockedTime: \"yesterday\"");
  CHECK_FALSE(openldap_disabled_reason({std::nullopt, "yes", std::nullopt}, now));
  CHECK_FALSE(openldap_disabled_reason({std::nullopt, std::nullopt, "soon"}, now));
  CHECK(std::string(to_string(DisabledReason::ShadowExpired)) == "shadowExpire in the past");
}
