#include "connectors/content/json_lines.hpp"

#include <fmt/format.h>

#include "core/schema/yaml_json.hpp"

namespace daoctl::content {

namespace {

// Characters (UTF-8 sequences) in the first `bytes` bytes of `text`, + 1.
std::size_t column_of(std::string_view text, std::size_t bytes) {
  std::size_t column = 1;
  for (std::size_t i = 0; i < bytes && i < text.size(); ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++column;
  return column;
}

// nlohmann's "[json.exception.parse_error.101] parse error at line 1,
// column 26: syntax error while parsing value - invalid literal; last read:
// '"title": tru'" -> "syntax error while parsing value - invalid literal;
// last read: '"title": tru'".
std::string reason_of(const std::string& what) {
  auto at = what.find("syntax error");
  if (at == std::string::npos) {
    at = what.find(": ");
    return at == std::string::npos ? what : what.substr(at + 2);
  }
  return what.substr(at);
}

}  // namespace

std::optional<SourceProblem> parse_json_line(std::string_view line, std::string_view name, std::size_t line_no,
                                             nlohmann::json& out) {
  try {
    out = nlohmann::json::parse(line);
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is 1-based: the byte the parser stopped at.
    const std::size_t byte = e.byte > 0 ? e.byte - 1 : 0;
    return SourceProblem{fmt::format("{}:{}:{}", name, line_no, column_of(line, byte)),
                         "invalid JSON: " + reason_of(e.what())};
  }
  if (!out.is_object()) {
    const auto first = line.find_first_not_of(" \t");
    return SourceProblem{
        fmt::format("{}:{}:{}", name, line_no, column_of(line, first == std::string_view::npos ? 0 : first)),
        fmt::format("a line must be a JSON object, not {}", out.type_name())};
  }
  return std::nullopt;
}

SourceProblem locate_json_line_problem(const schema::Problem& problem, std::string_view line, std::string_view name,
                                       std::size_t line_no) {
  // JSON is YAML: the YAML reader knows where every member of the line is.
  // (A line it cannot read keeps the pointer without a column.)
  auto doc = schema::parse_yaml(line, name);
  if (doc) {
    std::optional<schema::SourcePosition> pos;
    if (problem.at_key) pos = doc->positions.find_key(problem.path);
    if (pos) return {fmt::format("{}:{}:{}", name, line_no, pos->column), problem.message};
    pos = doc->positions.find(problem.path);
    if (pos) return {fmt::format("{}:{}:{}", name, line_no, pos->column), schema::to_string(problem)};
  }
  return {fmt::format("{}:{} {}", name, line_no, problem.path.empty() ? "(root)" : problem.path), problem.message};
}

}  // namespace daoctl::content
