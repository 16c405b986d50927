#include "core/ldap/range_option.hpp"

#include <fmt/format.h>

#include <charconv>

#include "core/text/ascii.hpp"

namespace daoctl::ldap {

using text::iequals;

namespace {
bool parse_u64(std::string_view s, std::uint64_t& out) {
  const auto* end = s.data() + s.size();
  const auto [ptr, ec] = std::from_chars(s.data(), end, out);
  return !s.empty() && ec == std::errc{} && ptr == end;
}
}  // namespace

Result<std::optional<RangeOption>> parse_range_option(std::string_view description) {
  constexpr std::string_view kPrefix = "range=";
  std::string attribute;
  std::optional<std::string_view> range;
  std::size_t start = 0;
  bool first_part = true;
  while (start <= description.size()) {
    std::size_t semi = description.find(';', start);
    if (semi == std::string_view::npos) semi = description.size();
    const std::string_view part = description.substr(start, semi - start);
    if (!first_part && part.size() >= kPrefix.size() &&
        iequals(part.substr(0, kPrefix.size()), kPrefix)) {
      range = part.substr(kPrefix.size());
    } else {
      if (!first_part) attribute += ';';
      attribute += part;
    }
    first_part = false;
    start = semi + 1;
  }
  if (!range) return std::optional<RangeOption>{};
  auto bad = [&](std::string why) {
    return fail(ErrorKind::Parse, "invalid range option from the server",
                fmt::format("attribute \"{}\"", description), std::move(why));
  };
  const std::size_t dash = range->find('-');
  if (dash == std::string_view::npos) return bad("expected range=FIRST-LAST");
  RangeOption out;
  out.attribute = std::move(attribute);
  if (!parse_u64(range->substr(0, dash), out.first)) return bad("FIRST is not a number");
  const std::string_view last = range->substr(dash + 1);
  if (last != "*") {
    std::uint64_t v = 0;
    if (!parse_u64(last, v)) return bad("LAST is neither a number nor '*'");
    if (v < out.first) return bad("LAST is below FIRST");
    out.last = v;
  }
  return std::optional<RangeOption>{std::move(out)};
}

std::string range_request(std::string_view attribute, std::uint64_t first) {
  return fmt::format("{};range={}-*", attribute, first);
}

}  // namespace daoctl::ldap
