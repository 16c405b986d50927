#include "core/schema/openapi_contract.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "core/text/ascii.hpp"
#include "schemas/schemas.hpp"

namespace daoctl::schema {

namespace {

using nlohmann::json;

constexpr const char* kMethods[] = {"get",   "put",  "post",    "delete",
                                    "patch", "head", "options", "trace"};

std::string upper(std::string_view s) {
  std::string out(s);
  std::ranges::transform(out, out.begin(), [](unsigned char c) { return std::toupper(c); });
  return out;
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> segments;
  if (path.starts_with('/')) path.remove_prefix(1);
  if (path.size() > 0 && path.ends_with('/')) path.remove_suffix(1);
  if (path.empty()) return segments;
  std::size_t start = 0;
  for (;;) {
    const std::size_t slash = path.find('/', start);
    segments.push_back(path.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return segments;
}

bool is_parameter_segment(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string pointer_join(const std::string& base, std::string_view token) {
  return base + "/" + escape_pointer_token(token);
}

// Follows a local "$ref" (one of components/responses, parameters, headers,
// requestBodies); updates `pointer`. nullptr when it does not resolve.
const json* follow(const json& document, const json* node, std::string& pointer) {
  for (int hops = 0; hops < 16 && node && node->is_object() && node->contains("$ref"); ++hops) {
    const json& ref = (*node)["$ref"];
    if (!ref.is_string() || !ref.get<std::string>().starts_with("#/")) return nullptr;
    pointer = ref.get<std::string>().substr(1);
    try {
      const json::json_pointer p(pointer);
      if (!document.contains(p)) return nullptr;
      node = &document.at(p);
    } catch (const json::exception&) {
      return nullptr;
    }
  }
  return node;
}

std::string join_keys(const json& object) {
  std::string out;
  for (const auto& [key, ignored] : object.items()) out += (out.empty() ? "" : ", ") + key;
  return out;
}

std::string media_type_of(std::string_view content_type) {
  const std::size_t semicolon = content_type.find(';');
  std::string_view type = content_type.substr(0, semicolon);
  while (!type.empty() && std::isspace(static_cast<unsigned char>(type.back())))
    type.remove_suffix(1);
  while (!type.empty() && std::isspace(static_cast<unsigned char>(type.front())))
    type.remove_prefix(1);
  return text::lower_ascii(type);
}

bool is_json_media_type(std::string_view type) {
  return type == "application/json" || type.ends_with("+json");
}

const Problem response_problem(std::string message) {
  return Problem{"(response)", std::move(message)};
}

void collect_refs(const json& node, const std::string& pointer,
                  std::vector<std::pair<std::string, std::string>>& refs) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (key == "$ref" && value.is_string())
        refs.emplace_back(pointer_join(pointer, key), value.get<std::string>());
      else
        collect_refs(value, pointer_join(pointer, key), refs);
    }
  } else if (node.is_array()) {
    for (std::size_t i = 0; i < node.size(); ++i)
      collect_refs(node[i], pointer + "/" + std::to_string(i), refs);
  }
}

// Every "schema" object outside components/schemas (parameters, media types, headers).
void collect_schema_pointers(const json& node, const std::string& pointer,
                             std::vector<std::string>& out) {
  if (pointer == "/components/schemas") return;
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      const std::string child = pointer_join(pointer, key);
      if (key == "schema" && value.is_object())
        out.push_back(child);
      else
        collect_schema_pointers(value, child, out);
    }
  } else if (node.is_array()) {
    for (std::size_t i = 0; i < node.size(); ++i)
      collect_schema_pointers(node[i], pointer + "/" + std::to_string(i), out);
  }
}

}  // namespace

bool HeaderNameLess::operator()(std::string_view a, std::string_view b) const {
  return std::ranges::lexicographical_compare(
      a, b, [](unsigned char x, unsigned char y) { return std::tolower(x) < std::tolower(y); });
}

Result<OpenApiContract> OpenApiContract::load_embedded() {
  const auto text = daoctl::schemas::find("openapi.yaml");
  if (!text)
    return fail(ErrorKind::Internal, "cannot load the API contract", "openapi.yaml",
                "the file is not embedded in this binary");
  return parse(*text, "openapi.yaml");
}

Result<OpenApiContract> OpenApiContract::parse(std::string_view yaml_text,
                                               std::string_view source_name) {
  auto parsed = parse_yaml(yaml_text, source_name);
  if (!parsed) return std::unexpected(std::move(parsed.error()));
  auto state = std::make_shared<State>();
  state->document = std::move(parsed->value);
  state->positions = std::move(parsed->positions);
  state->source_name = std::string(source_name);
  const json& doc = state->document;
  if (!doc.is_object() || !doc.contains("paths") || !doc["paths"].is_object())
    return fail(ErrorKind::Validation, "cannot load the API contract", std::string(source_name),
                "the document has no \"paths\" object");
  for (const auto& [path_template, item] : doc["paths"].items()) {
    if (!item.is_object()) continue;
    for (const char* method : kMethods) {
      auto it = item.find(method);
      if (it == item.end()) continue;
      Operation op;
      op.method = upper(method);
      op.path_template = path_template;
      if (it->is_object() && it->contains("operationId") && (*it)["operationId"].is_string())
        op.operation_id = (*it)["operationId"].get<std::string>();
      op.pointer = pointer_join(pointer_join("/paths", path_template), method);
      state->operations.push_back(std::move(op));
    }
  }
  return OpenApiContract(std::move(state));
}

std::optional<OperationMatch> OpenApiContract::find_operation(std::string_view method,
                                                              std::string_view path) const {
  path = path.substr(0, path.find_first_of("?#"));
  const auto segments = split_path(path);
  const std::string wanted = upper(method);
  std::optional<OperationMatch> best;
  int best_score = -1;
  for (const Operation& op : state_->operations) {
    if (op.method != wanted) continue;
    const auto pattern = split_path(op.path_template);
    if (pattern.size() != segments.size()) continue;
    OperationMatch match{&op, {}};
    int score = 0;
    bool ok = true;
    for (std::size_t i = 0; i < pattern.size() && ok; ++i) {
      if (is_parameter_segment(pattern[i])) {
        if (segments[i].empty()) ok = false;
        match.path_parameters[std::string(pattern[i].substr(1, pattern[i].size() - 2))] =
            percent_decode(segments[i]);
      } else if (pattern[i] == segments[i]) {
        ++score;
      } else {
        ok = false;
      }
    }
    if (ok && score > best_score) {
      best_score = score;
      best = std::move(match);
    }
  }
  return best;
}

Result<JsonSchemaValidator> OpenApiContract::validator_for(
    const std::string& schema_pointer) const {
  std::lock_guard lock(state_->cache_mutex);
  auto it = state_->validators.find(schema_pointer);
  if (it == state_->validators.end())
    it =
        state_->validators
            .emplace(schema_pointer,
                     JsonSchemaValidator::compile(state_->document, schema_pointer,
                                                  CompileOptions{.check_formats = true}))
            .first;
  return it->second;
}

std::vector<Problem> OpenApiContract::validate_response(std::string_view method,
                                                        std::string_view path, int status,
                                                        std::string_view content_type,
                                                        const nlohmann::json& body,
                                                        const Headers* headers) const {
  const json& doc = state_->document;
  const std::string request =
      upper(method) + " " + std::string(path.substr(0, path.find_first_of("?#")));
  auto match = find_operation(method, path);
  if (!match) {
    std::set<std::string> methods;
    for (const char* m : kMethods)
      if (find_operation(m, path)) methods.insert(upper(m));
    if (methods.empty()) return {response_problem(request + ": the path is not in the contract")};
    std::string listed;
    for (const auto& m : methods) listed += (listed.empty() ? "" : ", ") + m;
    return {response_problem(
        request + ": the method is not documented for this path (documented: " + listed + ")")};
  }
  const Operation& op = *match->operation;
  const std::string where = op.method + " " + op.path_template;
  const json& operation = doc.at(json::json_pointer(op.pointer));
  if (!operation.contains("responses") || !operation["responses"].is_object())
    return {response_problem(where + ": the contract documents no responses")};
  const json& responses = operation["responses"];
  const std::string code = std::to_string(status);
  std::string key;
  if (responses.contains(code))
    key = code;
  else if (const std::string range = code.substr(0, 1) + "XX"; responses.contains(range))
    key = range;
  else if (responses.contains("default"))
    key = "default";
  else
    return {response_problem(where + ": status " + code +
                             " is not documented (documented: " + join_keys(responses) + ")")};

  std::string response_pointer = pointer_join(op.pointer + "/responses", key);
  const json* response = follow(doc, &responses[key], response_pointer);
  if (!response || !response->is_object())
    return {response_problem(where + " " + code + ": the response's $ref does not resolve")};

  std::vector<Problem> problems;
  if (headers && response->contains("headers") && (*response)["headers"].is_object()) {
    for (const auto& [name, header] : (*response)["headers"].items()) {
      std::string header_pointer = pointer_join(response_pointer + "/headers", name);
      const json* resolved = follow(doc, &header, header_pointer);
      if (resolved && resolved->is_object() && resolved->value("required", false) &&
          !headers->contains(name))
        problems.push_back(
            response_problem(where + " " + code + ": missing required header " + name));
    }
  }

  const bool has_content = response->contains("content") && (*response)["content"].is_object() &&
                           !(*response)["content"].empty();
  if (!has_content) {
    if (!body.is_null())
      problems.push_back(response_problem(where + " " + code +
                                          ": the contract documents no body, but one was sent"));
    return problems;
  }
  const json& content = (*response)["content"];
  const std::string media_type = media_type_of(content_type);
  std::string media_key;
  if (content.contains(media_type)) {
    media_key = media_type;
  } else {
    const std::string wildcard = media_type.substr(0, media_type.find('/')) + "/*";
    if (!media_type.empty() && content.contains(wildcard))
      media_key = wildcard;
    else if (content.contains("*/*"))
      media_key = "*/*";
  }
  if (media_key.empty()) {
    problems.push_back(response_problem(where + " " + code + ": content type " +
                                        (media_type.empty() ? std::string("(none)") : media_type) +
                                        " is not documented (documented: " + join_keys(content) +
                                        ")"));
    return problems;
  }
  const json& media = content[media_key];
  if (!is_json_media_type(media_type) || !media.is_object() || !media.contains("schema"))
    return problems;
  const std::string schema_pointer =
      pointer_join(pointer_join(response_pointer + "/content", media_key), "schema");
  auto validator = validator_for(schema_pointer);
  if (!validator) {
    problems.push_back(response_problem(where + " " + code + ": " + validator.error().describe()));
    return problems;
  }
  for (auto& p : validator->validate(body)) problems.push_back(std::move(p));
  return problems;
}

std::vector<Problem> OpenApiContract::validate_request(std::string_view method,
                                                       std::string_view path,
                                                       std::string_view content_type,
                                                       const nlohmann::json& body) const {
  const json& doc = state_->document;
  auto request_problem = [](std::string message) { return Problem{"(request)", std::move(message)}; };
  auto match = find_operation(method, path);
  if (!match) return {};  // not this check's business: the server answers 404/405
  const Operation& op = *match->operation;
  const std::string where = op.method + " " + op.path_template;
  const json& operation = doc.at(json::json_pointer(op.pointer));
  std::string pointer = op.pointer + "/requestBody";
  const json* request_body =
      operation.contains("requestBody") ? follow(doc, &operation["requestBody"], pointer) : nullptr;
  if (!request_body || !request_body->is_object() || !request_body->contains("content") ||
      !(*request_body)["content"].is_object()) {
    if (body.is_null()) return {};
    return {request_problem(where + ": the contract documents no request body, but one was sent")};
  }
  if (body.is_null()) {
    if (request_body->value("required", false))
      return {request_problem(where + ": a request body is required")};
    return {};
  }
  const json& content = (*request_body)["content"];
  const std::string media_type = media_type_of(content_type);
  std::string media_key;
  if (content.contains(media_type)) {
    media_key = media_type;
  } else if (is_json_media_type(media_type) || media_type.empty()) {
    for (const auto& [key, ignored] : content.items())
      if (is_json_media_type(key)) {
        media_key = key;
        break;
      }
  }
  if (media_key.empty())
    return {request_problem(where + ": content type " +
                            (media_type.empty() ? std::string("(none)") : media_type) +
                            " is not documented (documented: " + join_keys(content) + ")")};
  if (!is_json_media_type(media_key) || !content[media_key].is_object() ||
      !content[media_key].contains("schema"))
    return {};
  auto validator =
      validator_for(pointer_join(pointer_join(pointer + "/content", media_key), "schema"));
  if (!validator) return {request_problem(where + ": " + validator.error().describe())};
  return validator->validate(body);
}

std::vector<Problem> OpenApiContract::lint() const {
  const json& doc = state_->document;
  std::vector<Problem> problems;

  if (!doc.contains("openapi") || !doc["openapi"].is_string() ||
      !doc["openapi"].get<std::string>().starts_with("3.1"))
    problems.push_back({"/openapi", "expected OpenAPI version 3.1.x"});

  std::vector<std::pair<std::string, std::string>> refs;
  collect_refs(doc, "", refs);
  for (const auto& [where, target] : refs) {
    if (!target.starts_with("#/")) {
      problems.push_back({where, "reference " + target + " is not local to this document"});
      continue;
    }
    bool resolves = false;
    try {
      resolves = doc.contains(json::json_pointer(target.substr(1)));
    } catch (const json::exception&) {
    }
    if (!resolves) problems.push_back({where, "reference " + target + " does not resolve"});
  }

  std::map<std::string, std::string> operation_ids;  // id -> first pointer
  for (const Operation& op : state_->operations) {
    const json& operation = doc.at(json::json_pointer(op.pointer));
    if (op.operation_id.empty()) {
      problems.push_back(
          {op.pointer, "operation " + op.method + " " + op.path_template + " has no operationId"});
    } else if (auto [it, inserted] = operation_ids.emplace(op.operation_id, op.pointer);
               !inserted) {
      problems.push_back({op.pointer + "/operationId",
                          "operationId " + op.operation_id + " is also used by " + it->second});
    }
    if (!operation.contains("responses") || !operation["responses"].is_object() ||
        operation["responses"].empty())
      problems.push_back({op.pointer, "operation " + op.method + " " + op.path_template +
                                          " documents no response"});

    // Path parameters: declared at path level or operation level (the latter wins).
    std::map<std::string, std::pair<std::string, bool>> declared;  // name -> (pointer, required)
    const std::string path_pointer = pointer_join("/paths", op.path_template);
    for (const std::string& owner : {path_pointer, op.pointer}) {
      const json& node = doc.at(json::json_pointer(owner));
      if (!node.contains("parameters") || !node["parameters"].is_array()) continue;
      for (std::size_t i = 0; i < node["parameters"].size(); ++i) {
        std::string pointer = owner + "/parameters/" + std::to_string(i);
        const json* parameter = follow(doc, &node["parameters"][i], pointer);
        if (!parameter || !parameter->is_object() || parameter->value("in", "") != "path") continue;
        declared[parameter->value("name", "")] = {pointer, parameter->value("required", false)};
      }
    }
    std::set<std::string> in_template;
    for (std::string_view segment : split_path(op.path_template)) {
      if (!is_parameter_segment(segment)) continue;
      const std::string name(segment.substr(1, segment.size() - 2));
      in_template.insert(name);
      auto it = declared.find(name);
      if (it == declared.end())
        problems.push_back({op.pointer, "path parameter {" + name + "} of " + op.method + " " +
                                            op.path_template + " is not declared"});
      else if (!it->second.second)
        problems.push_back(
            {it->second.first, "path parameter " + name + " must be required: true"});
    }
    for (const auto& [name, where] : declared)
      if (!in_template.contains(name))
        problems.push_back({where.first, "path parameter " + name +
                                             " is not in the path template " + op.path_template});
  }

  std::vector<std::string> schema_pointers;
  if (doc.contains("components") && doc["components"].contains("schemas"))
    for (const auto& [name, ignored] : doc["components"]["schemas"].items())
      schema_pointers.push_back(pointer_join("/components/schemas", name));
  collect_schema_pointers(doc, "", schema_pointers);
  for (const auto& pointer : schema_pointers) {
    auto validator = validator_for(pointer);
    if (!validator)
      problems.push_back({pointer, "schema does not compile: " + validator.error().detail});
  }
  return problems;
}

}  // namespace daoctl::schema
