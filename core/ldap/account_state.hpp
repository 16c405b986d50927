// Directory "this account is disabled" signals, decoded without I/O so that the
// sync's deprovisioning can be tested with an injected clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace daoctl::ldap {

using SysSeconds = std::chrono::sys_seconds;

// Why a directory considers an account disabled. `None` means active.
enum class DisabledReason {
  None,
  AdAccountDisabled,     // userAccountControl has ACCOUNTDISABLE (0x2)
  AdAccountExpired,      // accountExpires is in the past
  PasswordPolicyLocked,  // pwdAccountLockedTime set to a time (ppolicy lockout)
  PermanentlyLocked,     // pwdAccountLockedTime = 000001010000Z (administrative lock)
  NsAccountLocked,       // nsAccountLock: true (389-ds / FreeIPA)
  ShadowExpired,         // shadowExpire (days since 1970) is today or earlier
};

const char* to_string(DisabledReason reason) noexcept;

// RFC 4517 GeneralizedTime: YYYYMMDDHH[MM[SS]][(.|,)fraction](Z|±HH[MM]).
// The fraction is dropped (second precision). AD writes "20240131120000.0Z".
// Errors are ErrorKind::Parse naming the value.
Result<SysSeconds> parse_generalized_time(std::string_view text);

// Windows FILETIME (100-ns intervals since 1601-01-01 UTC) → Unix time, floored
// to seconds. Values before 1970 are valid (negative Unix time).
SysSeconds filetime_to_sys_seconds(std::int64_t filetime) noexcept;

// AD accountExpires sentinel values meaning "never expires".
inline constexpr std::int64_t kAccountNeverExpires = 0x7FFFFFFFFFFFFFFF;

// The raw attribute values as the directory returned them; absent attributes
// stay nullopt (an attribute that is present but empty is a Parse error).
struct AdAccountAttributes {
  std::optional<std::string> user_account_control;  // decimal, may be negative (signed 32-bit)
  std::optional<std::string> account_expires;       // decimal FILETIME, 0 or 2^63-1 = never
};

struct OpenLdapAccountAttributes {
  std::optional<std::string> pwd_account_locked_time;  // GeneralizedTime
  std::optional<std::string> ns_account_lock;          // "true"/"false", any case
  std::optional<std::string> shadow_expire;            // days since 1970-01-01, -1 = never
};

// AD rules: ACCOUNTDISABLE wins over expiry. An account that expires exactly at
// `now` is expired. A value that does not parse is an error, never "active":
// the caller must not treat an unreadable account as enabled.
Result<DisabledReason> ad_disabled_reason(const AdAccountAttributes& attrs, SysSeconds now);

// OpenLDAP rules, checked in this order: pwdAccountLockedTime (permanent lock
// first), nsAccountLock, shadowExpire (expired when today >= shadowExpire > 0,
// the shadow-utils rule; 0 and negative values mean never).
Result<DisabledReason> openldap_disabled_reason(const OpenLdapAccountAttributes& attrs,
                                                SysSeconds now);

}  // namespace daoctl::ldap
