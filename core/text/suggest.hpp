// "Did you mean ...?": the candidates nearest to a mistyped word, as gh and
// kubectl suggest commands and flags. Used for commands and flags (cli/) and
// for unknown keys in the files users write (core/schema).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace daoctl::text {

// Optimal string alignment distance (Levenshtein plus swapping two adjacent
// characters, so "sycn" is 1 from "sync"), ASCII case-insensitive.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidates close to `typed`, nearest first (ties in candidate order):
// those within 2 edits (1 for words of up to 3 characters), and those that
// start with `typed` when it has at least 3 characters ("dep" -> "deprovision",
// "departments"). No duplicates; `typed` itself is never suggested.
std::vector<std::string> suggestions(std::string_view typed, const std::vector<std::string>& candidates);

// "'a'", "'a' or 'b'", "'a', 'b' or 'c'".
std::string quoted_alternatives(const std::vector<std::string>& words);

}  // namespace daoctl::text
