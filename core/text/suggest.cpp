#include "core/text/suggest.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace daoctl::text {

namespace {
char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }
}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size();
  const std::size_t m = b.size();
  // Three rows: the one two back is needed for a transposition.
  std::vector<std::size_t> two(m + 1), one(m + 1), row(m + 1);
  for (std::size_t j = 0; j <= m; ++j) one[j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    row[0] = i;
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      row[j] = std::min({one[j] + 1, row[j - 1] + 1, one[j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) && lower(a[i - 2]) == lower(b[j - 1]))
        row[j] = std::min(row[j], two[j - 2] + 1);
    }
    std::swap(two, one);
    std::swap(one, row);
  }
  return one[m];
}

std::vector<std::string> suggestions(std::string_view typed, const std::vector<std::string>& candidates) {
  if (typed.empty()) return {};
  const std::size_t limit = typed.size() <= 3 ? 1 : 2;
  std::vector<std::pair<std::size_t, std::size_t>> ranked;  // (distance, candidate index)
  std::set<std::string> seen;
  for (std::size_t k = 0; k < candidates.size(); ++k) {
    const std::string& c = candidates[k];
    if (c.empty() || c == typed || !seen.insert(c).second) continue;
    const std::size_t d = edit_distance(typed, c);
    bool prefix = typed.size() >= 3 && c.size() > typed.size();
    for (std::size_t i = 0; prefix && i < typed.size(); ++i) prefix = lower(typed[i]) == lower(c[i]);
    if (d <= limit || prefix) ranked.emplace_back(d <= limit ? d : limit + 1, k);
  }
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<std::string> out;
  for (const auto& [d, k] : ranked) out.push_back(candidates[k]);
  return out;
}

std::string quoted_alternatives(const std::vector<std::string>& words) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += i + 1 == words.size() ? " or " : ", ";
    out += "'" + words[i] + "'";
  }
  return out;
}

}  // namespace daoctl::text
