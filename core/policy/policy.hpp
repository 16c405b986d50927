// Validation of the platform's settings before anything is sent: bounds,
// contradictions (errors) and advice from current guidance (warnings).
// Pure functions over the JSON shapes of schemas/openapi.yaml
// (PasswordPolicy, RegistrationSettings, Branding, KeywordRule); a document may
// be partial (only the fields a user gave), and only given fields are checked.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace daoctl::policy {

enum class Severity { Error, Warning };

struct Finding {
  Severity severity = Severity::Error;
  std::string field;    // JSON pointer below the checked object without the leading '/':
                        // "min_length", "rules/2/pattern"
  std::string message;  // names the value and the rule it breaks
  friend bool operator==(const Finding&, const Finding&) = default;
};
using Findings = std::vector<Finding>;

bool has_errors(const Findings& findings);

// Password policy. Errors: unknown fields, wrong types, values out of the
// contract's bounds (min_length 8..128, history 0..24, max_age_days 0..3650,
// lockout_threshold 0..100, lockout_minutes 1..10080), and lockout_minutes
// given while lockout_threshold is 0 or absent (a lockout without a
// threshold never triggers). Warnings (NIST SP 800-63B): min_length below 15,
// composition rules (require_*), periodic expiry (max_age_days > 0), no
// limit on failed attempts (lockout_threshold 0).
Findings check_password_policy(const nlohmann::json& policy);

// Registration. Errors: mode not directory_only|domains|open, a malformed or
// repeated (case-insensitively) domain, mode domains without domains, domains
// given with another mode (they would be ignored). Warning: mode open.
Findings check_registration(const nlohmann::json& settings);

struct Rgb {
  int r = 0, g = 0, b = 0;  // 0..255
  friend bool operator==(const Rgb&, const Rgb&) = default;
};

// "#rgb" or "#rrggbb" (hex digits in either case); nullopt otherwise.
std::optional<Rgb> parse_colour(std::string_view text);
// The one spelling colours are stored and compared in: "#rrggbb", lower case
// ("#FFF" and "#ffffff" are the same colour, so a diff must not show a change).
// Text that is not a colour is returned unchanged (the checks report it).
std::string canonical_colour(std::string_view text);
// canonical_colour on every colour field of a branding document.
nlohmann::json canonical_branding(nlohmann::json branding);
// WCAG 2.x relative luminance, 0 (black) .. 1 (white).
double relative_luminance(const Rgb& colour);
// WCAG contrast ratio (L1 + 0.05) / (L2 + 0.05), 1 .. 21, symmetric.
double contrast_ratio(const Rgb& a, const Rgb& b);
// The WCAG AA minimum for normal text.
inline constexpr double kWcagAaContrast = 4.5;

// Branding colours and CSS. Errors: unknown fields (logo/favicon paths and the
// read-only logo_url/favicon_url are allowed), colours that are not
// #rgb/#rrggbb, css over 64 KiB or containing "</style" (it would close the
// platform's style element). Warnings: primary_color or accent_color against
// background_color below WCAG AA 4.5:1, with the ratio.
Findings check_branding(const nlohmann::json& branding);

// Keyword rules (an array of {pattern, action, scope}). Errors: a pattern
// that is empty, over 500 characters or not a valid ECMAScript regular
// expression (a leading "(?i)" is accepted: matching is case-insensitive
// anyway), action not flag|hide, scope not all|posts|comments|chats, the same
// pattern twice in one scope, more than 1000 rules, unknown fields.
Findings check_keyword_rules(const nlohmann::json& rules);

// The pattern as the platform's matcher understands it: without a leading
// "(?i)" flag.
std::string keyword_pattern_body(std::string_view pattern);

}  // namespace daoctl::policy
