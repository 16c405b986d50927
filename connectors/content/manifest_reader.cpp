// Native manifests: one YAML (or JSON) document, or JSON Lines with one
// object per line ({"kind": "post", ...}) for sets too large to hold as one
// document. Both are checked against schemas/import.schema.json; problems
// name file:line:column and the JSON path. Attachment paths are relative to
// the manifest and must name readable files.
#include <fmt/format.h>

#include <fstream>
#include <functional>
#include <set>
#include <nlohmann/json.hpp>

#include "connectors/content/file_stamp.hpp"
#include "connectors/content/json_lines.hpp"
#include "connectors/content/readers.hpp"
#include "core/content/external_id.hpp"
#include "core/text/json_member.hpp"
#include "core/schema/json_schema_validator.hpp"
#include "core/schema/yaml_json.hpp"
#include "schemas/schemas.hpp"

namespace daoctl::content {

namespace {

using nlohmann::json;

Result<json> import_schema() {
  auto text = schemas::find("import.schema.json");
  if (!text) return fail(ErrorKind::Internal, "the import schema is not built into this binary", "import.schema.json");
  return json::parse(*text);
}

// Builds model objects from validated manifest objects.
class ManifestBuilder {
 public:
  ManifestBuilder(ReadResult& out, std::filesystem::path base) : out_(out), base_(std::move(base)) {}
  std::string ns = "default";
  std::function<void(Post&&)> on_post;  // set: posts go here instead of into the set

  std::string id(const char* kind, const json& j, const char* field = "id") {
    return derive_external_id("manifest", {ns, kind, text::string_member(j, field)});
  }

  Attachment attachment(const std::string& path, const std::string& where) {
    Attachment a;
    a.external_id = derive_external_id("manifest", {ns, "file", path});
    a.name = std::filesystem::path(path).filename().string();
    a.content_type = content_type_for_name(a.name);
    auto full = base_ / path;
    std::error_code ec;
    if (!inside_base(path, full)) {
      // A manifest is data, possibly from someone else: it must not make an
      // import upload /etc/shadow or ~/.ssh/id_rsa. Attachments live in the
      // manifest's folder (symbolic links resolved), like archive entries.
      out_.problems.push_back({where, fmt::format("attachment \"{}\" is outside the manifest's folder {}; "
                                                  "copy the file next to the manifest", path, base_.string())});
      a.missing = "outside the manifest's folder";
    } else if (!std::filesystem::is_regular_file(full, ec)) {
      out_.problems.push_back({where, fmt::format("attachment {} is not a readable file", full.string())});
    }
    a.path = full.string();
    return a;
  }

  void add(const std::string& kind, const json& j, const std::string& where) {
    auto& set = out_.set;
    if (kind == "user") {
      SourceUser u{text::string_member(j, "key"), text::string_member(j, "email"), text::string_member(j, "userName"), text::string_member(j, "externalId"),
                   text::string_member(j, "displayName")};
      set.users[u.key] = u;
    } else if (kind == "community") {
      Community c;
      c.external_id = id("community", j);
      c.name = text::string_member(j, "name");
      c.description = text::string_member(j, "description");
      if (j.contains("visibility")) c.visibility = text::string_member(j, "visibility");
      for (const auto& m : j.value("members", json::array())) c.member_keys.push_back(m.get<std::string>());
      c.where = where;
      set.communities.push_back(c);
    } else if (kind == "badge") {
      set.badges.push_back({id("badge", j), text::string_member(j, "name"), text::string_member(j, "description"), where});
    } else if (kind == "post") {
      Post p;
      p.external_id = id("post", j);
      if (j.contains("type")) p.type = text::string_member(j, "type");
      p.title = text::string_member(j, "title");
      p.body = text::string_member(j, "body");
      if (j.contains("format")) p.body_format = text::string_member(j, "format");
      p.author_key = text::string_member(j, "author");
      if (j.contains("community")) p.community_external_id = derive_external_id("manifest", {ns, "community", text::string_member(j, "community")});
      p.created_at = text::string_member(j, "created_at");
      p.pinned = j.value("pinned", false);
      p.story_until = text::string_member(j, "story_until");
      if (j.contains("banner")) p.banner = attachment(text::string_member(j, "banner"), where + " /banner");
      for (const auto& a : j.value("attachments", json::array())) p.attachments.push_back(attachment(a.get<std::string>(), where + " /attachments"));
      add_comments(p, j.value("comments", json::array()), "", where);
      for (const auto& r : j.value("reactions", json::array()))
        p.reactions.push_back({text::string_member(r, "user"), text::string_member(r, "kind"), text::string_member(r, "created_at")});
      p.where = where;
      if (on_post) on_post(std::move(p));
      else set.posts.push_back(std::move(p));
    } else if (kind == "event") {
      Event e;
      e.external_id = id("event", j);
      e.title = text::string_member(j, "title");
      e.description = text::string_member(j, "description");
      e.starts_at = text::string_member(j, "starts_at");
      e.ends_at = text::string_member(j, "ends_at");
      e.location = text::string_member(j, "location");
      e.organizer_key = text::string_member(j, "organizer");
      if (j.contains("community")) e.community_external_id = derive_external_id("manifest", {ns, "community", text::string_member(j, "community")});
      for (const auto& i : j.value("invitations", json::array()))
        e.invitations.push_back({text::string_member(i, "user"), i.contains("state") ? text::string_member(i, "state") : "pending"});
      e.where = where;
      set.events.push_back(std::move(e));
    } else if (kind == "award") {
      Award a;
      a.external_id = id("award", j);
      a.user_key = text::string_member(j, "user");
      a.badge_external_id = derive_external_id("manifest", {ns, "badge", text::string_member(j, "badge")});
      a.reason = text::string_member(j, "reason");
      a.awarded_at = text::string_member(j, "awarded_at");
      a.awarded_by_key = text::string_member(j, "awarded_by");
      a.where = where;
      set.awards.push_back(std::move(a));
    }
  }

 private:
  void add_comments(Post& p, const json& comments, const std::string& parent, const std::string& where) {
    for (const auto& c : comments) {
      Comment cm;
      cm.external_id = id("comment", c);
      cm.parent_external_id = parent;
      cm.author_key = text::string_member(c, "author");
      cm.body = text::string_member(c, "body");
      cm.created_at = text::string_member(c, "created_at");
      cm.where = where;
      p.comments.push_back(cm);
      add_comments(p, c.value("replies", json::array()), cm.external_id, where);
    }
  }

  // Whether `relative` (as written) names a file under the manifest's folder,
  // after resolving "..", and symbolic links of what exists.
  bool inside_base(const std::string& relative, const std::filesystem::path& full) const {
    if (relative.empty() || std::filesystem::path(relative).is_absolute()) return false;
    std::error_code ec;
    auto base = std::filesystem::weakly_canonical(base_.empty() ? std::filesystem::path(".") : base_, ec);
    if (ec) return false;
    auto target = std::filesystem::weakly_canonical(full, ec);
    if (ec) return false;
    auto rel = target.lexically_relative(base);
    return !rel.empty() && *rel.begin() != "..";
  }

  ReadResult& out_;
  std::filesystem::path base_;
};

const std::pair<const char*, const char*> kSections[] = {{"users", "user"},   {"communities", "community"},
                                                         {"badges", "badge"}, {"posts", "post"},
                                                         {"events", "event"}, {"awards", "award"}};

// The lines of a JSON Lines file, read one at a time (never the whole file):
// calls `fn(line_no, line)` for each line that is not blank. Stops early when
// fn returns an error, which it then returns.
Result<void> for_each_line(std::istream& in, const std::function<Result<void>(std::size_t, std::string_view)>& fn) {
  std::string line;
  std::size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (auto ok = fn(line_no, line); !ok) return ok;
  }
  return {};
}

// The posts of a validated JSON Lines manifest, read again from the file each
// time they are needed. The reading pass checked every line against the
// schema; a file changed since then (size or modification time) is refused
// rather than sent half-checked.
class JsonlPostSource final : public PostSource {
 public:
  JsonlPostSource(std::filesystem::path file, FileStamp stamp, ContentCounts counts, bool attachments)
      : file_(std::move(file)), stamp_(stamp), counts_(counts), attachments_(attachments) {}

  Result<std::unique_ptr<PostReader>> open() const override {
    if (stamp_of(file_) != stamp_)
      return fail(ErrorKind::Conflict, "the manifest changed since it was validated", file_.string(),
                  "its size or modification time differs", "run the command again");
    auto reader = std::make_unique<Reader>(file_);
    if (!reader->in) return fail(ErrorKind::Io, "cannot read the manifest", file_.string(), std::strerror(errno));
    return reader;
  }
  ContentCounts counts() const override { return counts_; }
  bool has_attachments() const override { return attachments_; }

 private:
  struct Reader final : PostReader {
    explicit Reader(const std::filesystem::path& file)
        : in(file, std::ios::binary), name(file.string()), builder(scratch, file.parent_path()) {
      builder.on_post = [this](Post&& p) { post = std::move(p); };
    }
    Result<std::optional<Post>> next() override {
      while (std::getline(in, line)) {
        ++line_no;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        json j = json::parse(line, nullptr, false);
        if (j.is_discarded() || !j.is_object())
          return fail(ErrorKind::Conflict, "the manifest changed since it was validated",
                      fmt::format("{}:{}", name, line_no), "the line is no longer a JSON object", "run the command again");
        auto kind = text::string_member(j, "kind");
        if (kind == "header") {
          if (!text::string_member(j, "namespace").empty()) builder.ns = text::string_member(j, "namespace");
        } else if (kind == "post") {
          post.reset();
          builder.add(kind, j, fmt::format("{}:{}", name, line_no));
          if (post) return std::move(post);
        }
      }
      if (in.bad()) return fail(ErrorKind::Io, "cannot read the manifest", name, std::strerror(errno));
      return std::optional<Post>();
    }
    std::ifstream in;
    std::string name, line;
    std::size_t line_no = 0;
    ReadResult scratch;  // attachment problems were reported by the reading pass
    ManifestBuilder builder;
    std::optional<Post> post;
  };

  std::filesystem::path file_;
  FileStamp stamp_;
  ContentCounts counts_;
  bool attachments_;
};

// A JSON Lines manifest: every line checked against its kind's schema; posts
// are counted and left in the file (JsonlPostSource), everything else is
// held, so memory does not grow with the number of posts.
Result<ReadResult> read_manifest_jsonl(const std::filesystem::path& file, const json& schema_doc) {
  auto stamp = stamp_of(file);
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail(ErrorKind::Io, "cannot read the manifest", file.string(), std::strerror(errno));
  ReadResult out;
  out.set.source_kind = "manifest";
  ManifestBuilder builder(out, file.parent_path());
  ContentCounts counts;
  std::set<std::string> files;
  builder.on_post = [&](Post&& p) {
    (p.type == "news" ? counts.news : counts.posts) += 1;
    counts.comments += static_cast<std::int64_t>(p.comments.size());
    counts.reactions += static_cast<std::int64_t>(p.reactions.size());
    if (p.banner) files.insert(p.banner->external_id);
    for (const auto& a : p.attachments) files.insert(a.external_id);
  };
  std::map<std::string, schema::JsonSchemaValidator> validators;
  for (const char* kind : {"header", "user", "community", "badge", "post", "event", "award"}) {
    auto v = schema::JsonSchemaValidator::compile(schema_doc, std::string("/$defs/") + kind);
    if (!v) return std::unexpected(v.error());
    validators.emplace(kind, std::move(*v));
  }
  const auto name = file.string();
  auto read = for_each_line(in, [&](std::size_t line_no, std::string_view line) -> Result<void> {
    auto where = fmt::format("{}:{}", name, line_no);
    json j;
    if (auto bad = parse_json_line(line, name, line_no, j)) {
      out.problems.push_back(std::move(*bad));
      return {};
    }
    auto kind = text::string_member(j, "kind");
    auto v = validators.find(kind);
    if (v == validators.end()) {
      out.problems.push_back(locate_json_line_problem(
          {"/kind", "kind must be header, user, community, badge, post, event or award"}, line, name, line_no));
      return {};
    }
    auto problems = v->second.validate(j);
    for (const auto& p : problems) out.problems.push_back(locate_json_line_problem(p, line, name, line_no));
    if (!problems.empty()) return {};
    if (kind == "header") builder.ns = text::string_member(j, "namespace").empty() ? builder.ns : text::string_member(j, "namespace");
    else builder.add(kind, j, where);
    return {};
  });
  if (!read) return std::unexpected(read.error());
  if (in.bad()) return fail(ErrorKind::Io, "cannot read the manifest", name, std::strerror(errno));
  counts.files = static_cast<std::int64_t>(files.size());
  if (counts.posts + counts.news > 0)
    out.set.streamed_posts = std::make_shared<JsonlPostSource>(file, stamp, counts, !files.empty());
  return out;
}

}  // namespace

Result<ReadResult> read_manifest(const std::filesystem::path& file) {
  auto schema_doc = import_schema();
  if (!schema_doc) return std::unexpected(schema_doc.error());
  auto ext = file.extension().string();
  if (ext == ".jsonl" || ext == ".ndjson") return read_manifest_jsonl(file, *schema_doc);
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail(ErrorKind::Io, "cannot read the manifest", file.string(), std::strerror(errno));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ReadResult out;
  out.set.source_kind = "manifest";
  ManifestBuilder builder(out, file.parent_path());
  const auto name = file.string();
  auto doc = schema::parse_yaml(text, name);
  if (!doc) return std::unexpected(doc.error());
  auto validator = schema::JsonSchemaValidator::compile(*schema_doc);
  if (!validator) return std::unexpected(validator.error());
  auto problems = validator->validate(doc->value);
  for (const auto& p : problems) {
    auto line = schema::format_problem(p, name, doc->positions);
    auto split = line.find(": ");
    out.problems.push_back({line.substr(0, split), line.substr(split + 2)});
  }
  if (!problems.empty()) return out;
  builder.ns = text::string_member(doc->value, "namespace").empty() ? "default" : text::string_member(doc->value, "namespace");
  for (const auto& [section, kind] : kSections) {
    if (!doc->value.contains(section)) continue;
    const auto& items = doc->value[section];
    for (std::size_t i = 0; i < items.size(); ++i) {
      auto pointer = fmt::format("/{}/{}", section, i);
      auto pos = doc->positions.find(pointer);
      auto where = pos ? fmt::format("{}:{}:{} {}", name, pos->line, pos->column, pointer) : name + " " + pointer;
      builder.add(kind, items[i], where);
    }
  }
  return out;
}

}  // namespace daoctl::content
