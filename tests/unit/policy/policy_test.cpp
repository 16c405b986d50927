#include "core/policy/policy.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "core/policy/image.hpp"

using namespace daoctl::policy;
using nlohmann::json;

namespace {

std::vector<std::string> errors_of(const Findings& findings) {
  std::vector<std::string> out;
  for (const auto& f : findings)
    if (f.severity == Severity::Error) out.push_back(f.field);
  return out;
}
std::vector<std::string> warnings_of(const Findings& findings) {
  std::vector<std::string> out;
  for (const auto& f : findings)
    if (f.severity == Severity::Warning) out.push_back(f.field);
  return out;
}

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(DAOCTL_SOURCE_DIR) + "/tests/fixtures/branding/" + name,
                   std::ios::binary);
  REQUIRE(in);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("password policy: bounds and contradictions are errors") {
  struct Case {
    json policy;
    std::vector<std::string> errors;
  };
  const std::vector<Case> cases = {
      {{{"min_length", 15}, {"lockout_threshold", 10}, {"lockout_minutes", 15}}, {}},
      {{{"min_length", 4}}, {"min_length"}},
      {{{"min_length", 129}}, {"min_length"}},
      {{{"min_length", "long"}}, {"min_length"}},
      {{{"history", 25}}, {"history"}},
      {{{"max_age_days", -1}}, {"max_age_days"}},
      {{{"lockout_threshold", 101}}, {"lockout_threshold"}},
      {{{"lockout_minutes", 0}, {"lockout_threshold", 5}}, {"lockout_minutes"}},
      {{{"lockout_minutes", 15}}, {"lockout_minutes"}},
      {{{"lockout_minutes", 15}, {"lockout_threshold", 0}}, {"lockout_minutes"}},
      {{{"require_digit", "yes"}}, {"require_digit"}},
      {{{"complexity", "high"}}, {"complexity"}},
  };
  for (const auto& c : cases) {
    INFO(c.policy.dump());
    CHECK(errors_of(check_password_policy(c.policy)) == c.errors);
  }
  CHECK(has_errors(check_password_policy(json::array())));
}

TEST_CASE("password policy: NIST SP 800-63B guidance gives warnings, not errors") {
  auto findings = check_password_policy({{"min_length", 8},
                                         {"require_upper", true},
                                         {"require_symbol", true},
                                         {"max_age_days", 90},
                                         {"lockout_threshold", 0}});
  CHECK_FALSE(has_errors(findings));
  CHECK(warnings_of(findings) == std::vector<std::string>{"min_length", "require_upper",
                                                          "max_age_days", "lockout_threshold"});
  CHECK(
      warnings_of(check_password_policy({{"min_length", 15}, {"lockout_threshold", 10}})).empty());
}

TEST_CASE("registration: modes and domains") {
  struct Case {
    json settings;
    std::vector<std::string> errors;
    std::vector<std::string> warnings;
  };
  const std::vector<Case> cases = {
      {{{"mode", "directory_only"}}, {}, {}},
      {{{"mode", "domains"}, {"allowed_domains", {"corp.example", "corp-spb.example"}}}, {}, {}},
      {{{"mode", "domains"}, {"allowed_domains", json::array()}}, {"allowed_domains"}, {}},
      {{{"mode", "domains"}}, {"allowed_domains"}, {}},
      {{{"mode", "domains"}, {"allowed_domains", {"corp.example", "CORP.example"}}},
       {"allowed_domains/1"},
       {}},
      {{{"mode", "domains"}, {"allowed_domains", {"not a domain"}}}, {"allowed_domains/0"}, {}},
      {{{"mode", "open"}}, {}, {"mode"}},
      {{{"mode", "open"}, {"allowed_domains", {"corp.example"}}}, {"allowed_domains"}, {"mode"}},
      {{{"mode", "everyone"}}, {"mode"}, {}},
  };
  for (const auto& c : cases) {
    INFO(c.settings.dump());
    auto findings = check_registration(c.settings);
    CHECK(errors_of(findings) == c.errors);
    CHECK(warnings_of(findings) == c.warnings);
  }
}

TEST_CASE("colours parse as #rgb or #rrggbb") {
  CHECK(parse_colour("#fff") == Rgb{255, 255, 255});
  CHECK(parse_colour("#0B5FFF") == Rgb{11, 95, 255});
  CHECK(parse_colour("#0b5fff") == Rgb{11, 95, 255});
  for (const char* bad : {"", "fff", "#ffff", "#gggggg", "#12345", "blue", "#1234567"}) {
    INFO(bad);
    CHECK_FALSE(parse_colour(bad));
  }
}

TEST_CASE("colours have one spelling: #FFF, #fff and #FFFFFF are #ffffff") {
  CHECK(canonical_colour("#FFF") == "#ffffff");
  CHECK(canonical_colour("#0B5FFF") == "#0b5fff");
  CHECK(canonical_colour("#0b5fff") == "#0b5fff");
  CHECK(canonical_colour("blue") == "blue");  // not a colour: left for the checks to report
  auto b = canonical_branding(nlohmann::json::parse(R"({"primary_color": "#ABC", "css": "#FFF", "background_color": 7})"));
  CHECK(b.dump() == R"({"background_color":7,"css":"#FFF","primary_color":"#aabbcc"})");
}

TEST_CASE("WCAG contrast: luminance and ratios of known pairs") {
  CHECK(relative_luminance({0, 0, 0}) == Approx(0.0));
  CHECK(relative_luminance({255, 255, 255}) == Approx(1.0));
  CHECK(contrast_ratio({0, 0, 0}, {255, 255, 255}) == Approx(21.0));
  CHECK(contrast_ratio({255, 255, 255}, {255, 255, 255}) == Approx(1.0));
  // #777 on white is the classic just-failing grey: 4.48:1.
  CHECK(contrast_ratio(*parse_colour("#777777"), *parse_colour("#ffffff")) ==
        Approx(4.48).epsilon(0.01));
  CHECK(contrast_ratio(*parse_colour("#767676"), *parse_colour("#ffffff")) >= kWcagAaContrast);
}

TEST_CASE("branding: bad colours are errors, low contrast a warning") {
  auto ok = check_branding(
      {{"primary_color", "#0B5FFF"}, {"accent_color", "#333"}, {"background_color", "#FFFFFF"}});
  CHECK(ok.empty());
  auto bad = check_branding({{"primary_color", "blue"}, {"background_color", "#fff"}});
  CHECK(errors_of(bad) == std::vector<std::string>{"primary_color"});
  auto low = check_branding(
      {{"primary_color", "#0B5FFF"}, {"accent_color", "#FFB000"}, {"background_color", "#FFFFFF"}});
  CHECK_FALSE(has_errors(low));
  REQUIRE(warnings_of(low) == std::vector<std::string>{"accent_color"});
  CHECK_THAT(low[0].message, Catch::Contains("1.83:1") && Catch::Contains("4.5:1"));
  CHECK(errors_of(check_branding({{"css", "a{}</style><script>"}})) ==
        std::vector<std::string>{"css"});
  CHECK(errors_of(check_branding({{"css", std::string(70000, 'a')}})) ==
        std::vector<std::string>{"css"});
  CHECK(errors_of(check_branding({{"font", "Arial"}})) == std::vector<std::string>{"font"});
}

TEST_CASE("keyword rules: regex, enums, duplicates") {
  struct Case {
    json rules;
    std::vector<std::string> errors;
  };
  const std::vector<Case> cases = {
      {json::parse(R"([{"pattern": "(?i)паспорт\\s*\\d{4}", "action": "flag", "scope": "all"}])"),
       {}},
      {json::parse(R"([{"pattern": "casino", "action": "hide"}])"), {}},
      {json::parse(R"([{"pattern": "(unclosed", "action": "flag"}])"), {"0/pattern"}},
      {json::parse(R"([{"pattern": "", "action": "flag"}])"), {"0/pattern"}},
      {json::parse(R"([{"pattern": "x", "action": "delete"}])"), {"0/action"}},
      {json::parse(R"([{"pattern": "x", "action": "flag", "scope": "email"}])"), {"0/scope"}},
      {json::parse(
           R"([{"pattern": "x", "action": "flag"}, {"pattern": "x", "action": "hide", "scope": "all"}])"),
       {"1/pattern"}},
      {json::parse(
           R"([{"pattern": "x", "action": "flag"}, {"pattern": "x", "action": "hide", "scope": "posts"}])"),
       {}},
      {json::parse(R"([{"pattern": "x", "action": "flag", "severity": 3}])"), {"0/severity"}},
  };
  for (const auto& c : cases) {
    INFO(c.rules.dump());
    CHECK(errors_of(check_keyword_rules(c.rules)) == c.errors);
  }
  CHECK(keyword_pattern_body("(?i)abc") == "abc");
}

TEST_CASE("images are identified by content with their pixel size") {
  struct Case {
    const char* file;
    ImageFormat format;
    std::optional<int> width, height;
  };
  const std::vector<Case> cases = {
      {"logo.png", ImageFormat::Png, 120, 40},
      {"huge.png", ImageFormat::Png, 4096, 16},
      {"favicon.ico", ImageFormat::Ico, 32, 32},
      {"photo-really-jpeg.png", ImageFormat::Jpeg, 16, 8},
      {"logo.svg", ImageFormat::Svg, std::nullopt, std::nullopt},
  };
  for (const auto& c : cases) {
    INFO(c.file);
    auto info = inspect_image(fixture(c.file));
    CHECK(info.format == c.format);
    CHECK(info.width == c.width);
    CHECK(info.height == c.height);
  }
  CHECK(inspect_image("GIF89a\x10\x00\x08\x00").format == ImageFormat::Gif);
  CHECK(inspect_image("hello").format == ImageFormat::Unknown);
  CHECK(inspect_image("<html><svg></svg></html>").format == ImageFormat::Unknown);
  CHECK(format_of_content_type("image/vnd.microsoft.icon") == ImageFormat::Ico);
  CHECK(format_of_content_type("image/PNG; charset=binary") == ImageFormat::Png);
}

TEST_CASE("image checks per slot: format by content, size, dimensions") {
  CHECK(check_image(fixture("logo.png"), logo_slot(), "logo.png").empty());
  CHECK(check_image(fixture("logo.svg"), logo_slot(), "logo.svg").empty());
  CHECK(check_image(fixture("favicon.ico"), favicon_slot(), "favicon.ico").empty());

  auto jpeg = check_image(fixture("photo-really-jpeg.png"), logo_slot(), "photo.png");
  REQUIRE(jpeg.size() == 1);
  CHECK(jpeg[0].kind == ImageProblemKind::WrongFormat);
  CHECK(jpeg[0].message ==
        "photo.png is a JPEG image (judged by its content, not its name); a logo must be PNG, SVG");

  auto ico_logo = check_image(fixture("favicon.ico"), logo_slot(), "favicon.ico");
  REQUIRE(ico_logo.size() == 1);
  CHECK(ico_logo[0].kind == ImageProblemKind::WrongFormat);

  auto wide = check_image(fixture("huge.png"), logo_slot(), "huge.png");
  REQUIRE(wide.size() == 1);
  CHECK(wide[0].message == "huge.png is 4096x16 pixels; a logo may be at most 2048x2048");

  auto big =
      check_image(fixture("logo.png") + std::string(20u << 20, '\0'), logo_slot(), "big.png");
  REQUIRE(big.size() == 1);
  CHECK(big[0].kind == ImageProblemKind::TooLarge);
  CHECK_THAT(big[0].message, Catch::Contains("at most 1 MiB"));

  auto truncated = check_image(std::string("\x89PNG\r\n\x1A\n", 8), logo_slot(), "cut.png");
  REQUIRE(truncated.size() == 1);
  CHECK(truncated[0].kind == ImageProblemKind::Unreadable);
}
