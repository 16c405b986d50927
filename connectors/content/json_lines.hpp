// One line of a JSON Lines file (a manifest, a Mattermost export) read with
// its position: a syntax error names file:line:column, as every other parser
// of daoctl does, and a schema problem names the column of the member.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/content/model.hpp"
#include "core/schema/json_schema_validator.hpp"

namespace daoctl::content {

// Parses `line` (line `line_no` of `name`) into `out`. A syntax error, or a
// value that is not an object, is a problem at "name:line:column" (the
// column counts characters, not bytes, from 1), in words: "invalid JSON:
// unexpected 'tru'" rather than the parser's internal message.
std::optional<SourceProblem> parse_json_line(std::string_view line, std::string_view name, std::size_t line_no,
                                             nlohmann::json& out);

// Where a schema problem of a parsed line is: "name:line:column" of the
// member (of its key for an unknown key), and its words as in a YAML file's
// problems ("/author: ..." or "unknown key 'autor' (did you mean 'author'?)").
SourceProblem locate_json_line_problem(const schema::Problem& problem, std::string_view line, std::string_view name,
                                       std::size_t line_no);

}  // namespace daoctl::content
