// Loading an import source for the import commands: read, report problems,
// and build the connector's options (mapping file, attachment bytes); and
// the flags the verbs share.
#pragma once

#include <memory>

#include "commands/import/import.hpp"
#include "connectors/content/importer.hpp"
#include "connectors/content/readers.hpp"

namespace daoctl::commands::import_source {

// SRC and --format, for every verb.
void add_source_flags(CLI::App& cmd, ImportSourceFlags& src);
// --authors and --fallback-author, for plan and apply.
void add_author_flags(CLI::App& cmd, ImportAuthorFlags& authors);

// Reads the source; problems are printed to stderr and end the command with
// a Validation error (exit 1) naming how many there are.
content::ReadResult load(const ImportSourceFlags& src, CommandContext& ctx);

// Connector options: mapping file parsed (Config error naming file:line),
// fallback, batch, and an attachment reader over the source.
content::ImportOptions connector_options(const ImportSourceFlags& src, const ImportAuthorFlags& authors, int batch,
                                         const content::ContentSet& set);

// One row per kind with its count, for -o table/json.
std::vector<json> count_rows(const content::ContentCounts& counts);

}  // namespace daoctl::commands::import_source
