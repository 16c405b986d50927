#!/usr/bin/env bash
# Errors say each detail once (issue 19): a broken file of every kind daoctl
# reads (job, environment, config, HR CSV and JSON, import manifest) gives a
# first line that names file:line:column once, then the message; never
# "invalid environment file X (X): X:4:3: ...". The exact first lines.
source "$(dirname "$0")/lib.sh"
start_sim
cd "$E2E_DIR" || exit 1
first() { head -n1 <<<"$ERR"; }

# Sync job: a YAML syntax error, and an unknown key (with the schema's other findings after it).
printf 'version: 1\nname: x\nsources:\n  hr:\n    type: csv\n   path: a.csv\n' >job1.yaml
expect_exit 2 "job: YAML syntax error" "$DAOCTL_BIN" sync validate -f job1.yaml
expect_eq "job: syntax error first line" "$(first)" "daoctl: error: job1.yaml:6:4: cannot parse YAML: end of map not found"
printf 'version: 1\nname: x\nsourcez: {}\n' >job2.yaml
expect_exit 2 "job: unknown key" "$DAOCTL_BIN" sync validate -f job2.yaml
expect_eq "job: unknown key first line" "$(first)" \
  "daoctl: error: job2.yaml:3:1: unknown key 'sourcez' (did you mean 'sources'?)"
expect_eq "job: the file is named once per line" "$(grep -o 'job2\.yaml' <<<"$(first)" | wc -l)" "1"

# Environment file: unknown key, syntax error, a logo that is not there.
printf 'version: 1\npolicies:\n  password:\n    min_lenght: 3\n' >env1.yaml
expect_exit 2 "env: unknown key" "$DAOCTL_BIN" diff -f env1.yaml
expect_eq "env: unknown key first line" "$(first)" \
  "daoctl: error: env1.yaml:4:5: unknown key 'min_lenght' (did you mean 'min_length'?)"
printf 'version: 1\npolicies: [\n' >env2.yaml
expect_exit 2 "env: YAML syntax error" "$DAOCTL_BIN" diff -f env2.yaml
expect_eq "env: syntax error first line" "$(first)" "daoctl: error: env2.yaml:3:1: cannot parse YAML: end of sequence flow not found"
printf 'version: 1\nbranding:\n  logo: missing.png\n' >env3.yaml
expect_exit 2 "env: missing logo file" "$DAOCTL_BIN" diff -f env3.yaml
expect_eq "env: missing logo first line" "$(first)" \
  "daoctl: error: env3.yaml:3:9: cannot read the logo image missing.png: No such file or directory"

# Config file: unknown key (with did-you-mean) and a syntax error.
printf 'current-context: a\ncontexts:\n  - name: a\n    urll: http://x\n' >cfg1.yaml
expect_exit 2 "config: unknown key" "$DAOCTL_BIN" --config cfg1.yaml config get-contexts
expect_eq "config: unknown key first line" "$(first)" \
  "daoctl: error: cfg1.yaml:4:5: invalid config file: unknown key 'urll' (did you mean 'url'?)"
printf 'current-context: a\ncontexts:\n  - name: a\n   url: http://x\n' >cfg2.yaml
expect_exit 2 "config: syntax error" "$DAOCTL_BIN" --config cfg2.yaml config get-contexts
expect_eq "config: syntax error first line" "$(first)" \
  "daoctl: error: cfg2.yaml:4:4: cannot parse config file: end of sequence not found"

# Import manifest (YAML).
printf 'version: 1\ncommunities:\n  - {id: c, name: C\n' >man1.yaml
expect_exit 1 "manifest: YAML syntax error" "$DAOCTL_BIN" import validate man1.yaml
expect_eq "manifest: syntax error first line" "$(first)" "daoctl: error: man1.yaml:4:1: cannot parse YAML: end of map flow not found"


# Import manifest (JSON Lines): a stray comma names its line and column.
printf '{"kind":"header","version":1}\n{"kind":"post","id":"p1",,"author":"a"}\n' >man2.jsonl
expect_exit 1 "manifest: JSON Lines syntax error" "$DAOCTL_BIN" import validate man2.jsonl
expect_eq "manifest: JSON Lines problem names line and column" "$(first)" \
  "man2.jsonl:2:26: invalid JSON: syntax error while parsing object key - unexpected ','; expected string literal"

# HR exports as they really break: an unescaped quote inside a quoted
# Cyrillic name, a truncated export, a row with an extra cell, a JSON export
# with a missing comma. Columns count characters, not bytes. A source that
# cannot be read is a safety stop (5, README: "failed source"): nothing is
# planned from half an export.
printf '%s\n' 'version: 1' 'name: hr-only' 'sources:' '  hr:' '    type: csv' '    path: hr.csv' '    key: id' \
  'mapping:' '  externalId: "{hr.id}"' '  userName: "{hr.login}"' '  displayName: "{hr.name}"' >hrjob.yaml
printf 'id,login,name\n1,ivan,"Иван Петров"\n2,anna,"Анна "Большая" Смирнова"\n' >hr.csv
expect_exit 5 "HR CSV: an unescaped quote" "$DAOCTL_BIN" sync plan -f hrjob.yaml
expect_eq "HR CSV: an unescaped quote, first line" "$(first)" \
  "daoctl: error: ./hr.csv:3:15: cannot read source hr (csv): malformed CSV in ./hr.csv: unexpected 'Б' after the closing quote of a field"
printf 'id,login,name\n1,ivan,"Иван Петров\n2,anna,Анна\n' >hr.csv
expect_exit 5 "HR CSV: a truncated export" "$DAOCTL_BIN" sync plan -f hrjob.yaml
expect_eq "HR CSV: a truncated export, first line" "$(first)" \
  "daoctl: error: ./hr.csv:2:8: cannot read source hr (csv): cannot read ./hr.csv: the file ends inside a quoted field: the quoted field that starts here is never closed: the export is truncated or has an unbalanced quote"
printf 'id,login,name\n1,ivan,Иван,extra\n' >hr.csv
expect_exit 5 "HR CSV: a ragged row" "$DAOCTL_BIN" sync plan -f hrjob.yaml
expect_eq "HR CSV: a ragged row, first line" "$(first)" \
  "daoctl: error: ./hr.csv:2:13: cannot read source hr (csv): ragged row in ./hr.csv: the row has 4 cells, the header has 3 columns"
sed -i 's/type: csv/type: json/; s/hr\.csv/hr.json/' hrjob.yaml
printf '[{"id":"1","login":"ivan","name":"Иван"},\n {"id":"2","login":"anna" "name":"Анна"}]\n' >hr.json
expect_exit 5 "HR JSON: a missing comma" "$DAOCTL_BIN" sync plan -f hrjob.yaml
expect_eq "HR JSON: a missing comma, first line" "$(first)" \
  "daoctl: error: ./hr.json:2:32: cannot read source hr (json): malformed JSON in ./hr.json: syntax error while parsing object - unexpected string literal; expected '}'"

finish
