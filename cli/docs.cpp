#include "cli/docs.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <vector>
#include <CLI/CLI.hpp>

#include "cli/complete.hpp"
#include "commands/common/output_formats.hpp"

namespace daoctl::cli {

// Declared in docs.hpp. "TEXT:{table,json,yaml,csv}" -> {table, json, yaml, csv}
std::vector<std::string> choices_of(const CLI::Option& o) {
  std::string type = o.get_type_name();
  auto open = type.find('{'), close = type.find('}');
  std::vector<std::string> out;
  if (open == std::string::npos || close == std::string::npos || close < open) return out;
  std::stringstream ss(type.substr(open + 1, close - open - 1));
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(item);
  return out;
}

namespace {

constexpr std::string_view kExamplePrefix = "Example:\n  ";

std::vector<const CLI::App*> subcommands(const CLI::App& app) {
  return app.get_subcommands([](const CLI::App*) { return true; });
}

std::string example_of(const CLI::App& app) {
  const std::string footer = app.get_footer();
  auto at = footer.find(kExamplePrefix);
  if (at == std::string::npos) return {};
  auto begin = at + kExamplePrefix.size();
  return footer.substr(begin, footer.find('\n', begin) - begin);
}

std::vector<const CLI::Option*> options_of(const CLI::App& app) {
  std::vector<const CLI::Option*> out;
  for (const CLI::Option* o : app.get_options([](const CLI::Option* opt) { return opt->get_name() != "--help"; }))
    out.push_back(o);
  return out;
}

std::vector<std::string> flag_names(const CLI::Option& o) {
  std::vector<std::string> out;
  for (const auto& s : o.get_snames()) out.push_back("-" + s);
  for (const auto& l : o.get_lnames()) out.push_back("--" + l);
  return out;
}

// roff: escape backslashes and hyphens, keep a leading dot or quote inert.
std::string roff(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') out += "\\e";
    else if (c == '-') out += "\\-";
    else out += c;
  }
  std::string result;
  std::stringstream ss(out);
  std::string line;
  bool first = true;
  while (std::getline(ss, line)) {
    if (!first) result += "\n";
    first = false;
    if (!line.empty() && (line[0] == '.' || line[0] == '\'')) result += "\\&";
    result += line;
  }
  return result;
}

std::string option_entry(const CLI::Option& o) {
  std::string names;
  if (o.nonpositional()) {
    for (const auto& n : flag_names(o)) names += (names.empty() ? "" : ", ") + std::string("\\fB") + roff(n) + "\\fR";
  } else {
    names = "\\fI" + roff(o.get_name()) + "\\fR";
  }
  std::string value;
  if (o.nonpositional() && o.get_type_size() != 0) {
    auto c = choices_of(o);
    value = c.empty() ? " \\fI" + roff(o.get_type_name().substr(0, o.get_type_name().find(':'))) + "\\fR"
                      : " {" + roff(fmt::format("{}", fmt::join(c, "|"))) + "}";
  }
  return ".TP\n" + names + value + "\n" + roff(o.get_description().empty() ? "(no description)" : o.get_description()) + "\n";
}

void command_section(const CLI::App& app, const std::string& path, std::string& out) {
  out += ".SS \"" + roff(path) + "\"\n" + roff(app.get_description()) + "\n";
  auto opts = options_of(app);
  if (!opts.empty()) {
    out += ".RS\n";
    for (const auto* o : opts) out += option_entry(*o);
    out += ".RE\n";
  }
  if (subcommands(app).empty()) {
    // path is "daoctl users list": the formats are declared by the path below the root.
    const auto& formats = commands::output_formats(path.substr(path.find(' ') + 1));
    out += formats.empty() ? std::string(".PP\nPrints no data on standard output; \\fB\\-o\\fR is refused.\n")
                           : ".PP\nOutput formats (\\fB\\-o\\fR): " + roff(fmt::format("{}", fmt::join(formats, ", "))) + ".\n";
  }
  if (auto ex = example_of(app); !ex.empty()) out += ".PP\nExample:\n.PP\n.nf\n.RS\n" + roff(ex) + "\n.RE\n.fi\n";
  for (const auto* sub : subcommands(app)) command_section(*sub, path + " " + sub->get_name(), out);
}

std::string header(const std::string& name, const std::string& version, const std::string& date) {
  std::string upper;
  for (char c : name) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return fmt::format(".TH \"{}\" 1 \"{}\" \"daoctl {}\" \"daoctl manual\"\n", upper, date, version);
}

const char* kExitStatus = R"(.SH EXIT STATUS
.TP
.B 0
success
.TP
.B 1
failure
.TP
.B 2
usage or configuration error; also a URL that is not a daoctl platform API
(another web server's HTML 404, a wrong base path) and a malformed
\fB\-\-filter\fR
.TP
.B 3
partial failure: some items failed, the rest were applied (per\-item report written)
.TP
.B 4
authentication or authorization refused
.TP
.B 5
safety stop: a guard refused (threshold, empty or failed source, checksum mismatch, unconfirmed destructive action)
.TP
.B 6
locked: another run holds the job's lock
.TP
.B 7
not found: the platform has no such object
.TP
.B 8
changes pending (\fBplan \-\-detailed\-exitcode\fR, \fBdiff\fR)
.TP
.B 130
interrupted
)";

// What the README says of a group's guarantees, safety stops, confirmations
// and photos, carried by its own page too (issue 19: a man page is where an
// administrator looks at 3 a.m.). tests/docs/check_docs.sh checks each page
// has its sections.
const std::map<std::string, std::string>& group_sections() {
  static const std::map<std::string, std::string> sections = {
      {"sync", R"(.SH GUARANTEES
A failed, truncated or size\-limited source read stops the run before anything changes (exit 5).
Only accounts the job created or linked (\fBmanagedBy: daoctl:\fR\fIjob\fR) are ever changed;
an account another job manages is listed and left alone (\fB\-\-adopt\-from\fR \fIjob\fR takes it over).
One run per job at a time (exit 6). Every item's result goes to a JSON Lines journal, and a run
killed at any point converges on the next run with no duplicates: creates carry deterministic
Idempotency\-Keys and externalIds. A saved plan (\fB\-\-out\fR) is applied only as it was
reviewed: \fBapply \-\-plan\fR refuses it if the platform changed since it was made.
\fBsync apply \-\-incremental\fR and \fBsync watch\fR move their RFC 4533 cookie only after
everything of a change set applied.
.SH SAFETY STOPS
The run stops with exit 5, changing nothing, when a source is empty or shrinks past the job's
limits, when a join matches less than \fBsafety.min_join_rate\fR, or when it would deactivate
more than \fBsafety.max_deprovisions\fR accounts or \fBsafety.max_deprovisions_percent\fR of
them. The message names the plan's hash; \fB\-\-allow\-deprovision\fR \fIhash\fR lets exactly
that reviewed plan through, and no other. In a change stream (\fB\-\-incremental\fR, \fBwatch\fR)
the deactivations count over \fBsafety.window\fR, a held batch keeps its cookie while the other
changes apply, and an OU whose employees all vanish at once is a stop, not a mass dismissal.
.SH PHOTOS
\fBphoto: "{ldap.jpegPhoto}"\fR uploads each employee's photo after the users exist. The plan
compares sha256 digests with the platform's \fBphotoSha256\fR, so a nightly run downloads no
photo and a rerun is empty. An entry without a photo leaves the platform's alone (sync never
deletes photos); an employee the same run deactivates gets no new photo; a photo the platform
refuses (not JPEG or PNG, over 5 MiB) fails for that user only (exit 3).
)"},
      {"deprovision", R"(.SH SAFETY STOPS
A plan that would block more than \fBsafety.max_deprovisions\fR people, or more than
\fBsafety.max_deprovisions_percent\fR, or that reads an empty or failed source, stops with
exit 5 and changes nothing; \fB\-\-allow\-deprovision\fR \fIhash\fR lets exactly the reviewed
plan through. Blocking (login off, sessions and tokens revoked) comes first and at once; the
cleanup waits for the grace period. Each step is recorded in the ledger before it is sent, so a
run killed mid\-way finishes it next time, and \fBdeprovision reactivate\fR undoes a block.
.SH CONFIRMATIONS
\fBdeprovision user\fR on a terminal says who will be blocked and asks; \fB\-\-yes\fR never
asks; without a terminal and without \fB\-\-yes\fR it refuses with exit 5.
\fB\-\-dry\-run\fR says what would happen and changes nothing.
)"},
      {"users", R"(.SH CONFIRMATIONS
\fBusers delete\fR on a terminal says what will be removed and asks you to type the user name;
\fB\-\-yes\fR never asks; without a terminal and without \fB\-\-yes\fR it refuses with exit 5
before anything is sent. \fB\-\-dry\-run\fR (create, update, deactivate, reactivate, delete)
does the real lookups, changes nothing and exits 0; with \fB\-o json\fR it prints
{"dry_run": true, "would": ..., "requests": ...}. \fBusers deactivate\fR blocks the login and
revokes the user's sessions and API tokens at once.
)"},
      {"groups", R"(.SH CONFIRMATIONS
\fBgroups delete\fR on a terminal says what will be removed and asks you to type the group name;
\fB\-\-yes\fR never asks; without a terminal and without \fB\-\-yes\fR it refuses with exit 5.
\fB\-\-dry\-run\fR (create, delete, add\-member, remove\-member) changes nothing and exits 0.
\fBgroups remove\-member\fR reports whom it really removed and who was not a member.
)"},
      {"backup", R"(.SH GUARANTEES
A download is verified (sha256, and with \fB\-\-trusted\-key\fR the server's minisign
signature) while it is written, fsynced and renamed into place: a reader never sees a half
archive, and a stalled transfer resumes from its last byte. \fBbackup verify\fR checks an
archive against its manifest, its signature and its RFC 3161 timestamp. Nothing is restored from
an archive that fails any check (exit 5).
.SH CONFIRMATIONS
\fBbackup restore\fR and \fBbackup prune\fR on the server say what will happen and ask;
\fB\-\-yes\fR (or \fB\-\-confirm\fR \fIid\fR) never asks; without a terminal and without them
they refuse with exit 5. \fB\-\-dry\-run\fR (create, restore, prune) changes nothing.
)"},
  };
  return sections;
}

// Every variable daoctl reads (tests/docs/check_docs.sh checks the sources
// read no DAOCTL_* variable missing here).
const char* kEnvironment = R"(.SH ENVIRONMENT
.TP
.B DAOCTL_URL
Platform base URL (a \fB\-\-url\fR flag wins).
.TP
.B DAOCTL_TOKEN
API token (never pass a token on the command line).
.TP
.B DAOCTL_CONTEXT
Configuration context to use (a \fB\-\-context\fR flag wins).
.TP
.B DAOCTL_CONFIG
Configuration file; it must exist (exit 2 otherwise).
.TP
.B DAOCTL_STATE_DIR
Where job locks, journals, ledgers, audit logs and last\-run state live.
.TP
.B DAOCTL_PAGER
Pager for long lists on a terminal (\fBcat\fR: none); before \fBPAGER\fR.
.TP
.B DAOCTL_AGE
The \fBage\fR binary that \fB\-\-encrypt\-to\fR and \fB\-\-identity\fR run (default: \fBage\fR on \fBPATH\fR).
.TP
.B PAGER
Pager when \fBDAOCTL_PAGER\fR is unset; else \fBless \-FRX\fR. \fB\-\-no\-pager\fR turns paging off.
.TP
.B NO_COLOR
Never print colour. \fBCLICOLOR_FORCE\fR forces it; \fBTERM=dumb\fR disables it.
.TP
.B XDG_CONFIG_HOME
The configuration file is \fI$XDG_CONFIG_HOME/daoctl/config.yaml\fR (else under \fI$HOME/.config\fR).
.TP
.B SUDO_USER
Under sudo as root, the person named in audit records; otherwise the effective user's login
(\fBUSER\fR and \fBLOGNAME\fR are never trusted for that).
)";

// Every command path (space separated, below the root) with its node.
void walk(const CLI::App& app, const std::string& path,
          const std::function<void(const std::string&, const CLI::App&)>& visit) {
  visit(path, app);
  for (const auto* sub : subcommands(app)) walk(*sub, path.empty() ? sub->get_name() : path + " " + sub->get_name(), visit);
}

std::string words(const std::vector<std::string>& w) { return fmt::format("{}", fmt::join(w, " ")); }

}  // namespace

std::map<std::string, std::string> man_pages(const CLI::App& root, const std::string& version,
                                             const std::string& date) {
  std::map<std::string, std::string> pages;
  std::string main = header("daoctl", version, date);
  main += ".SH NAME\ndaoctl \\- " + roff(root.get_description()) + "\n";
  main += ".SH SYNOPSIS\n.B daoctl\n[\\fIglobal options\\fR] \\fIcommand\\fR [\\fIsubcommand\\fR] [\\fIoptions\\fR]\n";
  main += ".SH DESCRIPTION\n"
          "daoctl administers a corporate social network platform over its HTTP API (SCIM 2.0 for users and\n"
          "groups, a native REST API for the rest): employee sync from LDAP and HR systems, deprovisioning,\n"
          "policies and branding, content import, statistics, backups and declarative environments.\n"
          "Data goes to standard output, logs and progress to standard error.\n"
          "Settings come from flags, then \\fBDAOCTL_*\\fR environment variables, then the current context\n"
          "of the configuration file, then defaults.\n";
  main += ".SH GLOBAL OPTIONS\n";
  for (const auto* o : options_of(root)) main += option_entry(*o);
  main += ".SH COMMANDS\n";
  for (const auto* sub : subcommands(root)) {
    main += ".TP\n.B " + roff(sub->get_name()) + "\n" + roff(sub->get_description()) +
            ". See \\fBdaoctl\\-" + roff(sub->get_name()) + "\\fR(1).\n";
  }
  main += kExitStatus;
  main += ".SH TIMEOUTS\n"
          "\\fB\\-\\-timeout\\fR \\fIN\\fR (or a context's \\fBtimeout\\fR) bounds the whole command: no attempt of a\n"
          "platform request runs past \\fIN\\fR seconds from the start, and a retry that would start later is not\n"
          "made. Default: 60 s for interactive commands (users, groups, api, doctor...), none for jobs (\\fBsync\\fR,\n"
          "\\fBdeprovision\\fR, \\fBimport\\fR, \\fBbackup\\fR, \\fBstats export\\fR, \\fBapply\\fR), whose requests each\n"
          "give up after 5 attempts.\n"
          ".PP\n"
          "\\fB\\-\\-attempt\\-timeout\\fR \\fIN\\fR (default 30) bounds each attempt (connect at most 10 s) and is also\n"
          "the stall limit: a transfer that moves no byte for \\fIN\\fR seconds fails, and idempotent requests are\n"
          "retried. On a terminal (or with \\fB\\-v\\fR) each retry prints one line, e.g.\n"
          "\\(lqno answer from platform:443 in 30 s, retry 2/5 in 0.4 s\\(rq, above the progress bar if one is drawn;\n"
          "429 and 503 are paced instead.\n"
          ".PP\n"
          "\\fBbackup download\\fR, \\fBbackup run\\fR and \\fBbackup verify\\fR \\fIID\\fR download for up to 12 hours per\n"
          "attempt but resume from the last byte (Range) after a stall, giving up after 5 attempts in a row\n"
          "that add no byte; \\fBbackup restore\\fR \\fIFILE\\fR uploads for up to 1 hour, with the same stall limit.\n"
          "Waiting for a server-side job (\\fBbackup create \\-\\-wait\\fR, \\fBbackup run\\fR, \\fBbackup restore\\fR)\n"
          "ends after \\fB\\-\\-wait\\-timeout\\fR \\fISECONDS\\fR (default 21600, 6 h) with exit 1; the job goes on.\n"
          "HTTP JSON sync sources: 60 s per request and stall, 3 attempts per page. LDAP sources: the job's\n"
          "\\fBtimeout\\fR per operation (120 s), 10 s to connect.\n";
  main += ".SH SHELL COMPLETION\n"
          "\\fBdaoctl completion\\fR \\fIbash\\fR|\\fIzsh\\fR|\\fIfish\\fR prints a script that completes commands, flags,\n"
          "choices and each command's \\fB\\-o\\fR formats, and asks the hidden \\fBdaoctl __complete\\fR \\fIWORDS\\fR...\n"
          "for the rest: contexts (\\fB\\-\\-context\\fR, \\fBconfig use\\-context\\fR), job files and directories for\n"
          "\\fB\\-f\\fR (no space after a directory), backup ids, user and group names. Names come from the\n"
          "platform in one attempt of at most about 1.5 s and are cached for a minute in\n"
          "\\fI$DAOCTL_STATE_DIR/cache/\\fR (mode 0600, never the token); a failure gives no candidates and\n"
          "prints nothing.\n";
  main += kEnvironment;
  main += ".SH FILES\n.TP\n.I $XDG_CONFIG_HOME/daoctl/config.yaml\n"
          "Contexts (URL, token source, CA file); see \\fBdaoctl\\-config\\fR(5). A file holding a secret must be\n"
          "readable by its owner only.\n";
  main += ".SH SEE ALSO\n";
  std::vector<std::string> see;
  for (const auto* sub : subcommands(root)) see.push_back("\\fBdaoctl\\-" + roff(sub->get_name()) + "\\fR(1)");
  see.push_back("\\fBdaoctl\\-config\\fR(5)");
  see.push_back("\\fBdaoctl\\-sync.yaml\\fR(5)");
  main += fmt::format("{}\n", fmt::join(see, ",\n"));
  pages["daoctl.1"] = main;

  for (const auto* sub : subcommands(root)) {
    const std::string name = "daoctl-" + sub->get_name();
    std::string p = header(name, version, date);
    p += ".SH NAME\n" + roff(name) + " \\- " + roff(sub->get_description()) + "\n";
    p += ".SH SYNOPSIS\n.B daoctl " + roff(sub->get_name()) + "\n";
    auto subs = subcommands(*sub);
    if (!subs.empty()) {
      std::vector<std::string> names;
      for (const auto* s : subs) names.push_back(s->get_name());
      p += "{" + roff(fmt::format("{}", fmt::join(names, "|"))) + "}";
    }
    p += " [\\fIoptions\\fR]\n.SH DESCRIPTION\n" + roff(sub->get_description()) +
         ". The global options of \\fBdaoctl\\fR(1) apply to every command.\n";
    p += ".SH COMMANDS\n";
    command_section(*sub, "daoctl " + sub->get_name(), p);
    if (auto it = group_sections().find(sub->get_name()); it != group_sections().end()) p += it->second;
    p += kExitStatus;
    p += kEnvironment;
    p += ".SH SEE ALSO\n\\fBdaoctl\\fR(1)\n";
    pages[name + ".1"] = p;
  }
  return pages;
}

namespace {

// The bash functions, shared by the bash and the zsh script.
std::string bash_functions(const CLI::App& root) {
  std::string subs_case, flags_case, choices_case, formats_case;
  std::vector<std::string> global_flags;
  for (const auto* o : options_of(root))
    for (const auto& n : flag_names(*o)) global_flags.push_back(n);
  std::set<std::string> seen_choice_flags;
  // Values only the binary knows: asked from `daoctl __complete` (cli/complete.hpp).
  std::set<std::string> dynamic_flags;
  std::vector<std::string> dynamic_paths;
  walk(root, "", [&](const std::string& path, const CLI::App& app) {
    for (const auto* o : options_of(app)) {
      if (o->nonpositional() && dynamic_flag(*o, &app == &root))
        for (const auto& n : flag_names(*o)) dynamic_flags.insert(n);
      if (!o->nonpositional() && subcommands(app).empty() && dynamic_positional(*o, path))
        if (dynamic_paths.empty() || dynamic_paths.back() != "\"daoctl " + path + "\"")
          dynamic_paths.push_back("\"daoctl " + path + "\"");
    }
  });
  walk(root, "", [&](const std::string& path, const CLI::App& app) {
    std::vector<std::string> names;
    for (const auto* s : subcommands(app)) names.push_back(s->get_name());
    std::string key = path.empty() ? "daoctl" : "daoctl " + path;
    // A leaf command offers the fixed choices of its positional arguments.
    if (names.empty())
      for (const auto* o : options_of(app))
        if (!o->nonpositional())
          for (const auto& choice : choices_of(*o)) names.push_back(choice);
    if (!names.empty()) subs_case += fmt::format("    \"{}\") echo \"{}\" ;;\n", key, words(names));
    if (subcommands(app).empty() && !path.empty())
      formats_case += fmt::format("    \"{}\") echo \"{}\" ;;\n", key, words(commands::output_formats(path)));
    std::vector<std::string> flags;
    for (const auto* o : options_of(app)) {
      for (const auto& n : flag_names(*o)) flags.push_back(n);
      auto c = choices_of(*o);
      if (!c.empty())
        for (const auto& n : flag_names(*o))
          if (seen_choice_flags.insert(n).second) choices_case += fmt::format("    {}) echo \"{}\" ;;\n", n, words(c));
    }
    if (!path.empty()) flags.insert(flags.end(), global_flags.begin(), global_flags.end());
    flags_case += fmt::format("    \"{}\") echo \"{}\" ;;\n", key, words(flags));
  });
  // File flags daoctl does not complete itself: the shell's own file names.
  std::vector<std::string> file_flags;
  for (const char* f : {"-f", "--file", "--config", "--ca-file", "--out", "--plan", "-O", "--output-file",
                        "--summary-file", "--metrics-file", "--results-file", "--state-dir", "--dir"})
    if (!dynamic_flags.contains(f)) file_flags.push_back(f);
  return fmt::format(R"BASH(# bash completion for daoctl. Generated from the command tree by daoctl-gendocs: do not edit.
# Install: copy to /usr/share/bash-completion/completions/daoctl, or: source <(daoctl completion bash)
# Commands, flags, choices and formats are listed here; contexts, job files,
# backup ids, user and group names come from the hidden `daoctl __complete`.
_daoctl_subcommands() {{
  case "$1" in
{}    *) echo "" ;;
  esac
}}
_daoctl_flags() {{
  case "$1" in
{}    *) echo "" ;;
  esac
}}
_daoctl_choices() {{
  case "$1" in
{}    *) return 1 ;;
  esac
}}
_daoctl_formats() {{
  case "$1" in
{}    *) echo "{}" ;;
  esac
}}
_daoctl_dynamic_path() {{
  case "$1" in
    {}) return 0 ;;
  esac
  return 1
}}
_daoctl_reply() {{  # COMPREPLY from stdin, one value a line (no mapfile: zsh runs this too)
  local line
  COMPREPLY=()
  while IFS= read -r line; do
    [ -n "$line" ] && COMPREPLY+=("$line")
  done
}}
# Asks `daoctl __complete WORDS...` (values, then a directive line ":N"; 4: no
# file names). It never prints errors and gives up on the platform within ~2 s.
_daoctl_dynamic() {{
  local out last directive
  out=$("${{COMP_WORDS[0]}}" __complete "${{COMP_WORDS[@]:1:$COMP_CWORD}}" 2>/dev/null) || out=":0"
  last=${{out##*$'\n'}}
  directive=${{last#:}}
  case $out in
    *$'\n'*) out=${{out%$'\n'*}} ;;
    *) out="" ;;
  esac
  _daoctl_reply <<<"$(printf '%s\n' "$out" | cut -f1)"
  case $directive in
    *[!0-9]*|"") directive=0 ;;
  esac
  if [ ${{#COMPREPLY[@]}} -eq 0 ] && [ $((directive & 4)) -eq 0 ]; then
    _daoctl_reply <<<"$(compgen -f -- "$cur")"
  fi
}}
_daoctl_complete() {{
  local cur=${{COMP_WORDS[COMP_CWORD]}} prev=${{COMP_WORDS[COMP_CWORD-1]}}
  # Not "path": zsh ties that name to PATH.
  local cmdpath="daoctl" i w subs
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=${{COMP_WORDS[i]}}
    [[ $w == -* ]] && continue
    subs=" $(_daoctl_subcommands "$cmdpath") "
    [[ $subs == *" $w "* ]] && cmdpath="$cmdpath $w"
  done
  case "$prev" in
    {}) _daoctl_dynamic; return 0 ;;
    -o|--output) _daoctl_reply <<<"$(compgen -W "$(_daoctl_formats "$cmdpath")" -- "$cur")"; return 0 ;;
    {})
      _daoctl_reply <<<"$(compgen -f -- "$cur")"; return 0 ;;
  esac
  local choices
  if choices=$(_daoctl_choices "$prev"); then
    _daoctl_reply <<<"$(compgen -W "$choices" -- "$cur")"; return 0
  fi
  if [[ $cur == -* ]]; then
    _daoctl_reply <<<"$(compgen -W "$(_daoctl_flags "$cmdpath")" -- "$cur")"
  elif _daoctl_dynamic_path "$cmdpath"; then
    _daoctl_dynamic
  else
    _daoctl_reply <<<"$(compgen -W "$(_daoctl_subcommands "$cmdpath")" -- "$cur")"
  fi
  return 0
}}
_daoctl() {{
  _daoctl_complete
  # A directory is a step on the way: no space after it.
  if [ -n "${{ZSH_VERSION:-}}" ]; then
    # zsh's bashcompinit registers this with -o nospace and adds a space
    # after values that end in one: every value but a directory.
    local spaced=() v
    for v in "${{COMPREPLY[@]}}"; do
      case $v in
        */) spaced+=("$v") ;;
        *) spaced+=("$v ") ;;
      esac
    done
    COMPREPLY=("${{spaced[@]}}")
  elif [ ${{#COMPREPLY[@]}} -eq 1 ] && [[ ${{COMPREPLY[0]}} == */ ]]; then
    compopt -o nospace 2>/dev/null
  fi
  return 0
}}
)BASH",
                     subs_case, flags_case, choices_case, formats_case, words(commands::default_output_formats()),
                     dynamic_paths.empty() ? std::string("\"\"") : fmt::format("{}", fmt::join(dynamic_paths, "|")),
                     fmt::format("{}", fmt::join(dynamic_flags, "|")), fmt::format("{}", fmt::join(file_flags, "|")));
}

}  // namespace

std::string bash_completion(const CLI::App& root) { return bash_functions(root) + "complete -F _daoctl daoctl\n"; }

std::string zsh_completion(const CLI::App& root) {
  // zsh runs the bash completion through bashcompinit: one generated source
  // of truth for both shells.
  return "#compdef daoctl\n# zsh completion for daoctl. Generated by daoctl-gendocs: do not edit.\n"
         "autoload -U +X bashcompinit && bashcompinit\n" +
         bash_functions(root) + "complete -o nospace -F _daoctl daoctl\n";
}

std::string fish_completion(const CLI::App& root) {
  std::string out =
      "# fish completion for daoctl. Generated from the command tree by daoctl-gendocs: do not edit.\n"
      "function __daoctl_path --description 'the subcommands typed so far'\n"
      "    set -l path\n"
      "    for w in (commandline -opc)[2..-1]\n"
      "        string match -q -- '-*' $w; and continue\n"
      "        set path $path $w\n"
      "    end\n"
      "    echo (string join ' ' $path)\n"
      "end\n"
      "function __daoctl_path_is\n"
      "    set -l p (__daoctl_path)\n"
      "    test \"$p\" = \"$argv\"\n"
      "end\n"
      "function __daoctl_path_under\n"
      "    set -l p (__daoctl_path)\n"
      "    string match -q -- \"$argv*\" \"$p\"\n"
      "end\n"
      "function __daoctl_dynamic --description 'values only the binary knows (daoctl __complete)'\n"
      "    set -l words (commandline -opc)\n"
      "    $words[1] __complete $words[2..-1] (commandline -ct) 2>/dev/null | string match -v -r '^:[0-9]+$'\n"
      "end\n"
      "complete -c daoctl -f\n";
  std::vector<std::string> global_flags;
  walk(root, "", [&](const std::string& path, const CLI::App& app) {
    for (const auto* s : subcommands(app)) {
      std::string desc = s->get_description();
      for (auto& c : desc)
        if (c == '\'') c = '"';
      out += fmt::format("complete -c daoctl -n '__daoctl_path_is {}' -a {} -d '{}'\n", path, s->get_name(), desc);
    }
    for (const auto* o : options_of(app)) {
      if (!o->nonpositional()) continue;
      std::string spec;
      for (const auto& s : o->get_snames()) spec += " -s " + s;
      for (const auto& l : o->get_lnames()) spec += " -l " + l;
      std::string desc = o->get_description();
      for (auto& c : desc)
        if (c == '\'') c = '"';
      auto choices = choices_of(*o);
      std::string values;
      if (dynamic_flag(*o, path.empty())) values = " -x -a '(__daoctl_dynamic)'";
      else if (!choices.empty()) values = " -r -a '" + words(choices) + "'";
      else if (o->get_type_size() != 0) values = " -r";
      std::string cond = path.empty() ? "" : fmt::format(" -n '__daoctl_path_under {}'", path);
      out += fmt::format("complete -c daoctl{}{}{} -d '{}'\n", cond, spec, values, desc);
    }
    if (subcommands(app).empty() && !path.empty())
      out += fmt::format("complete -c daoctl -n '__daoctl_path_is {}' -s o -l output -r -a '{}' -d 'Output format'\n", path,
                         words(commands::output_formats(path)));
    if (subcommands(app).empty() && !path.empty()) {
      const auto opts = options_of(app);
      if (std::any_of(opts.begin(), opts.end(),
                      [&](const CLI::Option* o) { return !o->nonpositional() && dynamic_positional(*o, path); }))
        out += fmt::format("complete -c daoctl -n '__daoctl_path_under {}' -a '(__daoctl_dynamic)'\n", path);
    }
  });
  return out;
}

}  // namespace daoctl::cli
