#include "commands/import/source.hpp"

#include <fmt/format.h>

#include <fstream>

namespace daoctl::commands::import_source {

content::ReadResult load(const ImportOptions& opts, CommandContext& ctx) {
  auto read = value_or_throw(content::read_content_source(opts.source, opts.format));
  if (!read.problems.empty()) {
    for (const auto& p : read.problems) ctx.io().err() << p.where << ": " << p.message << "\n";
    throw CommandError(ErrorKind::Validation, fmt::format("the import source has {} problem(s)", read.problems.size()),
                       opts.source, "each is listed above with its file, line and path",
                       "correct the source and run `daoctl import validate` again");
  }
  if (!read.set.skipped.empty())
    ctx.info(fmt::format("{} item(s) of the source are not imported (notices, drafts, direct messages); "
                         "`import plan -o json` lists them",
                         read.set.skipped.size()));
  return read;
}

content::ImportOptions connector_options(const ImportOptions& opts, const content::ContentSet& set) {
  content::ImportOptions o;
  if (!opts.authors_file.empty()) {
    std::ifstream in(opts.authors_file);
    if (!in) throw CommandError(ErrorKind::Config, "cannot read the author mapping", opts.authors_file, std::strerror(errno));
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    o.author_mapping = value_or_throw(content::parse_author_mapping(text, opts.authors_file));
  }
  o.fallback_author = opts.fallback_author;
  o.batch_size = static_cast<std::size_t>(std::max(1, opts.batch));
  // Slack attachments are paths inside the export (folder or zip); manifest
  // attachments are files next to the manifest.
  auto tree = std::make_shared<std::unique_ptr<content::SourceTree>>();
  auto source = opts.source;
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
