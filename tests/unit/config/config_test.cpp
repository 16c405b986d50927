#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "core/config/config.hpp"
#include "connectors/local/config_writer.hpp"
#include "core/config/config_files.hpp"

using namespace daoctl::config;
using daoctl::ErrorKind;

namespace {

const char* kTwoContexts = R"(current-context: prod
contexts:
  - name: prod
    url: https://prod.example.com
    token_file: ~/prod.token
    ca_file: /etc/ssl/corp.pem
    timeout: 45
  - name: test
    url: http://127.0.0.1:8080/
    token_command: echo t0k
    insecure: true
)";

ConfigFile two_contexts() { return parse_config(kTwoContexts, "config.yaml").value(); }

// A private temporary directory, removed with everything in it.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "daoctl-config-XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string write(const std::string& name, const std::string& text, mode_t mode) const {
    const auto p = (path / name).string();
    std::ofstream(p) << text;
    ::chmod(p.c_str(), mode);
    return p;
  }
};

}  // namespace

TEST_CASE("a config file parses into contexts") {
  const auto file = two_contexts();
  CHECK(file.current_context == "prod");
  REQUIRE(file.contexts.size() == 2);
  CHECK(file.contexts[0].token_file == "~/prod.token");
  CHECK(file.contexts[0].timeout_seconds == 45);
  CHECK(file.contexts[1].insecure == true);
  CHECK(file.context_names() == "prod, test");
  CHECK_FALSE(file.has_inline_token());
}

TEST_CASE("config errors name file:line:column") {
  struct Row {
    const char* text;
    const char* object;
    const char* detail;
  };
  const Row rows[] = {
      {"contexts:\n  - name: a\n    url: [1, 2]\n", "c.yaml:3:10", "'url' must be a string"},
      {"contexts:\n  - name: a\n    tokn: x\n", "c.yaml:3:5", "unknown key 'tokn' (did you mean 'token'?)"},
      {"contexts:\n  - name: a\n    urll: x\n", "c.yaml:3:5", "unknown key 'urll' (did you mean 'url'?)"},
      {"current-contxt: a\n", "c.yaml:1:1", "unknown key 'current-contxt' (did you mean 'current-context'?)"},
      {"contexts:\n  - name: a\n    proxy: x\n", "c.yaml:3:5", "unknown key 'proxy' (expected name, url, "},
      {"current-context: a\ncontexts: {\n", "c.yaml:3:1", ""},
      {"contexts:\n  - url: http://x\n", "c.yaml:2:5", "context has no 'name'"},
      // Found by fuzzing: CRs in a name did not survive a write and a re-read.
      {"contexts:\n  - name: \"a\\rb\"\n", "c.yaml:2:5", "context name contains a control character"},
      {"contexts:\n  - name: a\n    timeout: soon\n", "c.yaml:3:14", "'timeout' must be"},
      {"contexts:\n  - name: a\n    token: x\n    token_file: y\n", "c.yaml:2:5",
       "more than one of token"},
      {"contexts:\n  - name: a\n  - name: a\n", "c.yaml:3:5", "duplicate context 'a'"},
      {"- just a list\n", "c.yaml:1:1", "top level must be a mapping"},
      // Found by fuzzing: yaml-cpp's emitter stops at such bytes when the file is written back.
      {"contexts:\n  - name: a\n    url: 'h\xFFp://x'\n", "c.yaml:3:10", "'url' is not valid UTF-8"},
  };
  for (const auto& row : rows) {
    INFO(row.text);
    auto parsed = parse_config(row.text, "c.yaml");
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().kind == ErrorKind::Config);
    CHECK(parsed.error().object == row.object);
    CHECK_THAT(parsed.error().detail, Catch::Contains(row.detail));
    // Said once, position first: "c.yaml:3:5: invalid config file: unknown key ...".
    CHECK_THAT(parsed.error().describe(), Catch::StartsWith(std::string(row.object) + ": "));
  }
}

TEST_CASE("precedence: flags > environment > config file context > defaults") {
  const auto file = two_contexts();
  struct Row {
    const char* name;
    FlagOverrides flags;
    Env env;
    bool with_file;
    std::string context;
    std::string url;
    std::string url_origin;
    TokenSource::Kind token;
    int timeout;
  };
  FlagOverrides none;
  FlagOverrides url_flag;
  url_flag.url = "https://flag.example.com";
  FlagOverrides ctx_flag;
  ctx_flag.context = "test";
  ctx_flag.timeout_seconds = 5;
  const Row rows[] = {
      {"defaults only", none, {}, false, "", "", "", TokenSource::Kind::None, 30},
      {"file current-context", none, {{"HOME", "/h"}}, true, "prod",
       "https://prod.example.com", "context prod", TokenSource::Kind::File, 45},
      {"env context beats current-context", none, {{"DAOCTL_CONTEXT", "test"}}, true, "test",
       "http://127.0.0.1:8080", "context test", TokenSource::Kind::Command, 30},
      {"flag context beats env", ctx_flag, {{"DAOCTL_CONTEXT", "prod"}}, true, "test",
       "http://127.0.0.1:8080", "context test", TokenSource::Kind::Command, 5},
      {"env url and token beat the file", none,
       {{"DAOCTL_URL", "http://env:1"}, {"DAOCTL_TOKEN", "secret"}}, true, "prod",
       "http://env:1", "DAOCTL_URL", TokenSource::Kind::Env, 45},
      {"flag url beats env url", url_flag, {{"DAOCTL_URL", "http://env:1"}}, true, "prod",
       "https://flag.example.com", "--url", TokenSource::Kind::File, 45},
      {"empty env values count as unset", none, {{"DAOCTL_URL", ""}, {"DAOCTL_CONTEXT", ""}},
       true, "prod", "https://prod.example.com", "context prod", TokenSource::Kind::File, 45},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    auto r = resolve_context(row.flags, row.env,
                             row.with_file ? std::optional<ConfigFile>(file) : std::nullopt);
    REQUIRE(r);
    CHECK(r->context_name == row.context);
    CHECK(r->url == row.url);
    CHECK(r->url_origin == row.url_origin);
    CHECK(r->token.kind == row.token);
    CHECK(r->timeout.count() == row.timeout);
  }
}

TEST_CASE("resolution expands ~ in token_file and keeps the secret out of origins") {
  auto r = resolve_context({}, {{"HOME", "/home/ops"}}, two_contexts());
  REQUIRE(r);
  CHECK(r->token.value == "/home/ops/prod.token");
  CHECK(r->token.origin == "context prod");
  CHECK(r->ca_file == "/etc/ssl/corp.pem");
  auto env_token = resolve_context({}, {{"DAOCTL_TOKEN", "s3cret"}}, std::nullopt);
  REQUIRE(env_token);
  CHECK(env_token->token.origin == "DAOCTL_TOKEN");
}

TEST_CASE("an unknown context or a non-http URL is a config error") {
  FlagOverrides flags;
  flags.context = "staging";
  auto r = resolve_context(flags, {}, two_contexts());
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::Config);
  CHECK(r.error().describe() ==
        "unknown context 'staging' (--context): known contexts: prod, test");
  auto bad_url = resolve_context({}, {{"DAOCTL_URL", "ftp://x"}}, std::nullopt);
  REQUIRE_FALSE(bad_url);
  CHECK(bad_url.error().object == "DAOCTL_URL");
}

TEST_CASE("config path: flag, DAOCTL_CONFIG, XDG_CONFIG_HOME, HOME") {
  CHECK(config_path(std::string("/x.yaml"), {{"DAOCTL_CONFIG", "/y"}}) == "/x.yaml");
  CHECK(config_path(std::nullopt, {{"DAOCTL_CONFIG", "/y"}, {"XDG_CONFIG_HOME", "/x"}}) == "/y");
  CHECK(config_path(std::nullopt, {{"XDG_CONFIG_HOME", "/x"}, {"HOME", "/h"}}) ==
        "/x/daoctl/config.yaml");
  CHECK(config_path(std::nullopt, {{"HOME", "/h"}}) == "/h/.config/daoctl/config.yaml");
}

TEST_CASE("serialize_config round-trips and redacts inline tokens on request") {
  ConfigFile file = two_contexts();
  file.contexts[1].token_command.clear();
  file.contexts[1].token = "inline-secret";
  const auto text = serialize_config(file);
  auto again = parse_config(text, "x");
  REQUIRE(again);
  CHECK(again->contexts[1].token == "inline-secret");
  CHECK(again->contexts[0].timeout_seconds == 45);
  const auto redacted = serialize_config(file, true);
  CHECK_THAT(redacted, !Catch::Contains("inline-secret"));
  CHECK_THAT(redacted, Catch::Contains("token: REDACTED"));
}

TEST_CASE("a config file with an inline token readable by others is refused") {
  TempDir dir;
  const std::string text = "contexts:\n  - name: a\n    url: http://x\n    token: s3cret\n";
  const auto open_file = dir.write("open.yaml", text, 0644);
  auto refused = load_config_file(open_file);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().kind == ErrorKind::Config);
  CHECK(refused.error().hint == "chmod 600 " + open_file);
  CHECK_THAT(refused.error().describe(), !Catch::Contains("s3cret"));

  const auto private_file = dir.write("private.yaml", text, 0600);
  auto ok = load_config_file(private_file);
  REQUIRE(ok);
  REQUIRE(ok->has_value());
  CHECK((*ok)->contexts[0].token == "s3cret");

  const auto no_secret = dir.write("shared.yaml", "contexts:\n  - name: a\n    url: http://x\n",
                                   0644);
  CHECK(load_config_file(no_secret));
  auto missing = load_config_file((dir.path / "absent.yaml").string());
  REQUIRE(missing);
  CHECK_FALSE(missing->has_value());
}

TEST_CASE("a config file writable by group or others, or owned by another user, is refused (as ssh does)") {
  TempDir dir;
  const std::string text = "contexts:\n  - name: a\n    url: http://x\n    token_command: pass show daoffice\n";
  // Group-writable (umask 002) or world-writable: refused whatever it holds, with the chmod to run.
  for (mode_t mode : {0664, 0646, 0620}) {
    INFO(std::oct << mode);
    const auto f = dir.write("w" + std::to_string(mode) + ".yaml", text, mode);
    auto refused = load_config_file(f);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().kind == ErrorKind::Config);
    CHECK(refused.error().hint == "chmod go-w " + f);
    CHECK_THAT(refused.error().detail, Catch::Contains("its mode is"));
  }
  CHECK(load_config_file(dir.write("mine.yaml", text, 0644)));  // readable is fine: no secret in it
  // Owned by someone else: refused; root's own files (/etc) are accepted.
  struct stat st {};
  st.st_mode = S_IFREG | 0600;
  st.st_uid = 1234;
  auto other = check_config_owner("/home/bob/.config/daoctl/config.yaml", st, 1000);
  REQUIRE_FALSE(other);
  CHECK(other.error().kind == ErrorKind::Config);
  CHECK_THAT(other.error().detail, Catch::Contains("owned by uid 1234, not by you (uid 1000)"));
  st.st_uid = 0;
  CHECK(check_config_owner("/etc/daoctl/config.yaml", st, 1000));
  st.st_uid = 1000;
  CHECK(check_config_owner("/home/me/.config/daoctl/config.yaml", st, 1000));
  // A device is read as it is (--config /dev/null means no contexts).
  auto dev_null = load_config_file("/dev/null");
  REQUIRE(dev_null);
}

TEST_CASE("token files must be private, their content is trimmed") {
  TempDir dir;
  const auto group_readable = dir.write("g.token", "tok\n", 0640);
  auto refused = read_token({TokenSource::Kind::File, group_readable, "context a"});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().kind == ErrorKind::Config);
  CHECK(refused.error().hint == "chmod 600 " + group_readable);
  CHECK_THAT(refused.error().detail, Catch::Contains("640"));

  const auto private_token = dir.write("p.token", "  tok-123\n", 0600);
  CHECK(read_token({TokenSource::Kind::File, private_token, "context a"}).value() == "tok-123");
  auto empty = read_token({TokenSource::Kind::File, dir.write("e.token", "\n", 0600), "ctx"});
  REQUIRE_FALSE(empty);
  auto absent = read_token({TokenSource::Kind::File, (dir.path / "nope").string(), "ctx"});
  REQUIRE_FALSE(absent);
  CHECK(absent.error().kind == ErrorKind::Config);
}

TEST_CASE("token_command: stdout trimmed is the token, failure names the context only") {
  CHECK(read_token({TokenSource::Kind::Command, "printf '  abc-1 \\n'", "context a"}).value() ==
        "abc-1");
  auto failed = read_token({TokenSource::Kind::Command, "echo leaked-secret; exit 3", "context prod"});
  REQUIRE_FALSE(failed);
  CHECK(failed.error().kind == ErrorKind::Config);
  CHECK(failed.error().describe() ==
        "token_command failed (context prod): it exited with status 3");
  auto silent = read_token({TokenSource::Kind::Command, "true", "context prod"});
  REQUIRE_FALSE(silent);
  CHECK(silent.error().message == "token_command printed no token");
  auto none = read_token({});
  REQUIRE_FALSE(none);
  CHECK(none.error().kind == ErrorKind::Auth);
}

TEST_CASE("a secret with CR, LF or NUL inside is refused, from every source, without showing it") {
  TempDir dir;
  using K = TokenSource::Kind;
  struct Case {
    TokenSource source;
    const char* message;
  };
  const Case cases[] = {
      {{K::Env, "tok-1\r\nX-Injected: 1", "DAOCTL_TOKEN"}, "the token contains a carriage return (CR)"},
      {{K::Env, "tok-1\n", "DAOCTL_TOKEN"}, "the token contains a line feed (LF)"},
      {{K::Inline, std::string("tok\0x", 5), "context a"}, "the token contains a NUL byte"},
      {{K::File, dir.write("two-lines.token", "tok-1\nX-Injected: 1\n", 0600), "context a"},
       "the token contains a line feed (LF)"},
      {{K::Command, "printf 'tok-1\\r\\nX-Injected: 1\\n'", "context b"}, "the token contains a carriage return (CR)"},
  };
  for (const Case& c : cases) {
    auto refused = read_token(c.source);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().kind == ErrorKind::Config);
    CHECK(refused.error().message == c.message);
    CHECK_THAT(refused.error().describe(), !Catch::Contains("tok-1") && !Catch::Contains("X-Injected"));
  }
  // A trailing newline of a file or command is trimmed, not refused.
  CHECK(read_token({K::File, dir.write("nl.token", "tok-2\r\n", 0600), "context a"}).value() == "tok-2");
}

TEST_CASE("a token_command that hangs is stopped at its time limit, with everything it started") {
  // A vault CLI waiting for a login, or a request that never returns: the
  // command, and the child it left running, are killed; the read fails in
  // about the limit, naming the key and the context.
  TempDir dir;
  const std::string pidfile = (dir.path / "child.pid").string();
  using K = TokenSource::Kind;
  TokenSource hang{K::Command, "sleep 30 & echo $! >" + pidfile + "; wait", "context slow"};
  set_secret_command_time_limit(std::chrono::milliseconds(300));
  const auto t0 = std::chrono::steady_clock::now();
  auto r = read_token(hang);
  const auto took = std::chrono::steady_clock::now() - t0;
  set_secret_command_time_limit(std::chrono::milliseconds(120'000));
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == ErrorKind::Config);
  CHECK(r.error().message == "token_command did not finish in time");
  CHECK(r.error().object == "context slow");
  CHECK(r.error().detail == "it was stopped after 300 ms");
  CHECK(took < std::chrono::seconds(3));
  std::ifstream in(pidfile);
  pid_t child = 0;
  REQUIRE(in >> child);
  // The background sleep was in the command's process group: it is gone
  // (a zombie reaped by init at worst, never still sleeping).
  bool gone = false;
  for (int i = 0; i < 50 && !gone; ++i) {
    std::ifstream stat("/proc/" + std::to_string(child) + "/stat");
    std::string line;
    gone = !std::getline(stat, line) || line.find(") Z ") != std::string::npos;
    if (!gone) ::usleep(20'000);
  }
  CHECK(gone);
  // Within the limit, a command's token is read as before.
  CHECK(read_token({K::Command, "sleep 0.1; echo tok-3", "context a"}).value() == "tok-3");
}

TEST_CASE("messages name the secret they are about: a bind password file is not a token file") {
  TempDir dir;
  TokenSource bind{TokenSource::Kind::File, dir.write("bind.pw", "pw\n", 0644), "source ldap"};
  bind.what = "bind password";
  bind.key = "bind_password";
  auto refused = read_token(bind);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message == "refusing to use bind password file readable by group or others");
  TokenSource command{TokenSource::Kind::Command, "exit 4", "source ldap"};
  command.what = "bind password";
  command.key = "bind_password";
  auto failed = read_token(command);
  REQUIRE_FALSE(failed);
  CHECK(failed.error().describe() == "bind_password_command failed (source ldap): it exited with status 4");
}

TEST_CASE("write_config_file writes mode 0600 atomically and creates the directory") {
  TempDir dir;
  const auto path = (dir.path / "sub" / "config.yaml").string();
  ConfigFile file = two_contexts();
  REQUIRE(daoctl::local::write_config_file(path, file));
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto loaded = load_config_file(path);
  REQUIRE(loaded);
  REQUIRE(loaded->has_value());
  CHECK((*loaded)->contexts.size() == 2);
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path / "sub")) {
    ++entries;
  }
  CHECK(entries == 1);  // no temporary file left behind
}

TEST_CASE("backup_trusted_keys: one path or a list is accepted, anything else names file:line:column") {
  CHECK(parse_config("contexts:\n  - name: a\n    backup_trusted_keys: ~/k.pub\n", "c.yaml"));
  CHECK(parse_config("contexts:\n  - name: a\n    backup_trusted_keys:\n      - /etc/daoctl/a.pub\n      - ~/b.pub\n",
                     "c.yaml"));
  auto bad = parse_config("contexts:\n  - name: a\n    backup_trusted_keys: {a: 1}\n", "c.yaml");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().object == "c.yaml:3:26");
  auto bad_item = parse_config("contexts:\n  - name: a\n    backup_trusted_keys:\n      - [x]\n", "c.yaml");
  REQUIRE_FALSE(bad_item);
  CHECK(bad_item.error().object == "c.yaml:4:9");
}
