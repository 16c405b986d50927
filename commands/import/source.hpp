// Loading an import source for the import commands: read, report problems,
// and build the connector's options (mapping file, attachment bytes).
#pragma once

#include <memory>

#include "commands/import/import.hpp"
#include "connectors/content/importer.hpp"
#include "connectors/content/readers.hpp"

namespace daoctl::commands::import_source {

// Reads the source; problems are printed to stderr and end the command with
// a Validation error (exit 1) naming how many there are.
content::ReadResult load(const ImportOptions& opts, CommandContext& ctx);

// Connector options: mapping file parsed (Config error naming file:line),
// fallback, batch, and an attachment reader over the source.
content::ImportOptions connector_options(const ImportOptions& opts, const content::ContentSet& set);

// One row per kind with its count, for -o table/json.
std::vector<json> count_rows(const content::ContentCounts& counts);

}  // namespace daoctl::commands::import_source
