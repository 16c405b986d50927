#include "commands/import/source.hpp"

#include <fmt/format.h>

#include <fstream>
#include <CLI/CLI.hpp>

namespace daoctl::commands::import_source {

void add_source_flags(CLI::App& cmd, ImportSourceFlags& src) {
  cmd.add_option("SRC", src.source, "Manifest (.yaml/.jsonl), Slack export (.zip or folder), Mattermost .jsonl, WordPress .xml")
      ->required();
  cmd.add_option("--format", src.format, "Source format instead of detecting it")
      ->check(CLI::IsMember({"manifest", "slack", "mattermost", "wxr"}));
}

void add_author_flags(CLI::App& cmd, ImportAuthorFlags& authors) {
  cmd.add_option("--authors", authors.authors_file, "YAML map of source user (key, e-mail or name) -> platform user");
  cmd.add_option("--fallback-author", authors.fallback_author,
                 "Platform user (id, userName or e-mail) for authors that map to nobody");
}

content::ReadResult load(const ImportSourceFlags& src, CommandContext& ctx) {
  auto read = value_or_throw(content::read_content_source(src.source, src.format));
  if (!read.problems.empty()) {
    for (const auto& p : read.problems) ctx.io().err() << p.where << ": " << p.message << "\n";
    throw CommandError(ErrorKind::Validation, fmt::format("the import source has {} problem(s)", read.problems.size()),
                       src.source, "each is listed above with its file, line and path",
                       "correct the source and run `daoctl import validate` again");
  }
  if (!read.set.skipped.empty())
    ctx.info(fmt::format("{} item(s) of the source are not imported (notices, drafts, direct messages); "
                         "`import plan -o json` lists them",
                         read.set.skipped.size()));
  return read;
}

content::ImportOptions connector_options(const ImportSourceFlags& src, const ImportAuthorFlags& authors, int batch,
                                         const content::ContentSet& set) {
  content::ImportOptions o;
  if (!authors.authors_file.empty()) {
    std::ifstream in(authors.authors_file);
    if (!in)
      throw CommandError(ErrorKind::Config, "cannot read the author mapping", authors.authors_file, std::strerror(errno));
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    o.author_mapping = value_or_throw(content::parse_author_mapping(text, authors.authors_file));
  }
  o.fallback_author = authors.fallback_author;
  o.batch_size = static_cast<std::size_t>(std::max(1, batch));
  // Slack attachments are paths inside the export (folder or zip); manifest
  // attachments are files next to the manifest.
  auto tree = std::make_shared<std::unique_ptr<content::SourceTree>>();
  auto source = src.source;
  auto kind = set.source_kind;
  o.read_attachment = [tree, source, kind](const content::Attachment& a) -> Result<std::string> {
    if (kind != "slack") {
      std::ifstream in(a.path, std::ios::binary);
      if (!in) return fail(ErrorKind::Io, "cannot read the attachment", a.path, std::strerror(errno));
      return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    }
    if (!*tree) {
      std::error_code ec;
      auto opened = std::filesystem::is_directory(source, ec) ? content::open_folder(source) : content::open_archive(source);
      if (!opened) return std::unexpected(opened.error());
      *tree = std::move(*opened);
    }
    return (*tree)->read(a.path);
  };
  return o;
}

std::vector<json> count_rows(const content::ContentCounts& c) {
  return {{{"kind", "community"}, {"count", c.communities}}, {{"kind", "badge"}, {"count", c.badges}},
          {{"kind", "file"}, {"count", c.files}},           {{"kind", "post"}, {"count", c.posts}},
          {{"kind", "news"}, {"count", c.news}},            {{"kind", "comment"}, {"count", c.comments}},
          {{"kind", "reaction"}, {"count", c.reactions}},   {{"kind", "event"}, {"count", c.events}},
          {{"kind", "invitation"}, {"count", c.invitations}}, {{"kind", "award"}, {"count", c.awards}}};
}

}  // namespace daoctl::commands::import_source
