# bash completion for daoctl. Generated from the command tree by daoctl-gendocs: do not edit.
# Install: copy to /usr/share/bash-completion/completions/daoctl, or: source <(daoctl completion bash)
# Commands, flags, choices and formats are listed here; contexts, job files,
# backup ids, user and group names come from the hidden `daoctl __complete`.
_daoctl_subcommands() {
  case "$1" in
    "daoctl") echo "sync stats deprovision backup import policy branding diff apply export-env users groups departments api config doctor version completion" ;;
    "daoctl sync") echo "validate plan apply status watch" ;;
    "daoctl stats") echo "export report" ;;
    "daoctl deprovision") echo "plan apply user reactivate" ;;
    "daoctl backup") echo "create list show download verify restore prune run" ;;
    "daoctl import") echo "validate plan apply" ;;
    "daoctl policy") echo "password registration keywords" ;;
    "daoctl policy password") echo "get set diff" ;;
    "daoctl policy registration") echo "get set diff" ;;
    "daoctl policy keywords") echo "get set diff" ;;
    "daoctl branding") echo "get set diff logo favicon" ;;
    "daoctl users") echo "list get create update deactivate reactivate delete" ;;
    "daoctl groups") echo "list get create delete add-member remove-member" ;;
    "daoctl departments") echo "list tree" ;;
    "daoctl config") echo "view get-contexts set-context use-context delete-context" ;;
    "daoctl completion") echo "bash zsh fish" ;;
    *) echo "" ;;
  esac
}
_daoctl_flags() {
  case "$1" in
    "daoctl") echo "--version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl sync") echo "--version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl sync validate") echo "-f --file --state-dir --today --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl sync plan") echo "-f --file --state-dir --today --out --detailed-exitcode --html --retries --max-retry-wait --allow-deprovision --adopt-from --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl sync apply") echo "-f --file --state-dir --today --plan --allow-deprovision --adopt-from --concurrency --retries --max-retry-wait --summary-file --metrics-file --results-file --incremental --full-every --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl sync status") echo "-f --file --state-dir --today --results-file --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl sync watch") echo "-f --file --state-dir --today --interval --max-backoff --full-every --allow-deprovision --concurrency --metrics-file --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl stats") echo "--version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl stats export") echo "--from --to --since --granularity --group-by --format -O --output-file --excel --action --page-size --sign --timestamp-url --summary-file --metrics-file --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl stats report") echo "--from --to --since --granularity --group-by -O --output-file --page-size --summary-file --metrics-file --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl deprovision") echo "--version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl deprovision plan") echo "-f --file --state-dir --today --audit-file --staging --detailed-exitcode --html --allow-deprovision --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl deprovision apply") echo "-f --file --state-dir --today --audit-file --staging --allow-deprovision --summary-file --metrics-file --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl deprovision user") echo "-f --file --state-dir --today --audit-file --transfer-to --reason --immediately --dry-run --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl deprovision reactivate") echo "-f --file --state-dir --today --audit-file --reason --dry-run --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl backup") echo "--version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl backup create") echo "--include --note --wait --wait-timeout --dry-run --summary-file --metrics-file --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl backup list") echo "--kind --state --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl backup show") echo "--version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl backup download") echo "-O --output-file --dir --trusted-key --encrypt-to --timestamp-url --timestamp-ca --summary-file --metrics-file --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl backup verify") echo "--read-data --deep --trusted-key --identity --timestamp-ca --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl backup restore") echo "--confirm --trusted-key --identity --timestamp-ca --wait-timeout --dry-run --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl backup prune") echo "--keep-last --keep-hourly --keep-daily --keep-weekly --keep-monthly --keep-yearly --keep-within --dir --dry-run --summary-file --metrics-file --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl backup run") echo "--dir --keep-last --keep-hourly --keep-daily --keep-weekly --keep-monthly --keep-yearly --keep-within --prune-server --note --trusted-key --encrypt-to --timestamp-url --timestamp-ca --wait-timeout --summary-file --summary --metrics-file --metrics --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl import") echo "--version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl import validate") echo "--format --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl import plan") echo "--format --authors --fallback-author --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl import apply") echo "--format --authors --fallback-author --report --batch --summary-file --metrics-file --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl policy") echo "--version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl policy password") echo "--version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl policy password get") echo "--version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl policy password set") echo "-f --file --min-length --require-upper --require-lower --require-digit --require-symbol --history --max-age-days --lockout-threshold --lockout-minutes --dry-run --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl policy password diff") echo "-f --file --min-length --require-upper --require-lower --require-digit --require-symbol --history --max-age-days --lockout-threshold --lockout-minutes --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl policy registration") echo "--version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl policy registration get") echo "--version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl policy registration set") echo "-f --file --mode --allowed-domain --dry-run --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl policy registration diff") echo "-f --file --mode --allowed-domain --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl policy keywords") echo "--version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl policy keywords get") echo "--version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl policy keywords set") echo "-f --file --flag --hide --scope --dry-run --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl policy keywords diff") echo "-f --file --flag --hide --scope --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl branding") echo "--version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl branding get") echo "--version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl branding set") echo "-f --file --primary-color --accent-color --background-color --css-file --dry-run --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl branding diff") echo "-f --file --primary-color --accent-color --background-color --css-file --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl branding logo") echo "--dry-run --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl branding favicon") echo "--dry-run --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl diff") echo "-f --file --prune --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl apply") echo "-f --file --prune --summary-file --metrics-file --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl export-env") echo "-O --output-file --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl users") echo "--version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl users list") echo "--filter --page-size --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl users get") echo "--version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl users create") echo "--user-name --email --given-name --family-name --display-name --title --external-id --department-id --active --inactive --dry-run --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl users update") echo "--set --dry-run --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl users deactivate") echo "--dry-run --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl users reactivate") echo "--dry-run --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl users delete") echo "--dry-run --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl groups") echo "--version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl groups list") echo "--filter --page-size --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl groups get") echo "--version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl groups create") echo "--external-id --dry-run --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl groups delete") echo "--dry-run --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl groups add-member") echo "--dry-run --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl groups remove-member") echo "--dry-run --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl departments") echo "--version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl departments list") echo "--version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl departments tree") echo "--version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl api") echo "-d --data -H --header --paginate --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl config") echo "--version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl config view") echo "--version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl config get-contexts") echo "--version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl config set-context") echo "--url --token-file --token-command --ca-file --insecure-skip-verify --timeout --use --dry-run --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl config use-context") echo "--dry-run --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl config delete-context") echo "--dry-run --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl doctor") echo "--job --state-dir --cert-warn-days --version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl version") echo "--version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    "daoctl completion") echo "--version --context --config -o --output -q --quiet -v --verbose --no-color --no-pager -y --yes --log-format --url --ca-file --insecure --timeout --attempt-timeout --concurrency --rate-limit --pacing" ;;
    *) echo "" ;;
  esac
}
_daoctl_choices() {
  case "$1" in
    --log-format) echo "text json" ;;
    --pacing) echo "adaptive fixed" ;;
    --granularity) echo "day week month" ;;
    --group-by) echo "none department user" ;;
    --include) echo "db files" ;;
    --kind) echo "scheduled manual" ;;
    --state) echo "creating ready failed" ;;
    --format) echo "manifest slack mattermost wxr" ;;
    *) return 1 ;;
  esac
}
_daoctl_formats() {
  case "$1" in
    "daoctl sync validate") echo "table json" ;;
    "daoctl sync plan") echo "table json" ;;
    "daoctl sync apply") echo "table" ;;
    "daoctl sync status") echo "table json" ;;
    "daoctl sync watch") echo "table json yaml csv" ;;
    "daoctl stats export") echo "csv json ndjson xlsx prometheus" ;;
    "daoctl stats report") echo "table json yaml csv" ;;
    "daoctl deprovision plan") echo "table json" ;;
    "daoctl deprovision apply") echo "table" ;;
    "daoctl deprovision user") echo "table json" ;;
    "daoctl deprovision reactivate") echo "table json" ;;
    "daoctl backup create") echo "table json yaml csv" ;;
    "daoctl backup list") echo "table json yaml csv" ;;
    "daoctl backup show") echo "table json yaml csv" ;;
    "daoctl backup download") echo "table json yaml csv" ;;
    "daoctl backup verify") echo "table json yaml csv" ;;
    "daoctl backup restore") echo "table json yaml csv" ;;
    "daoctl backup prune") echo "table json yaml csv" ;;
    "daoctl backup run") echo "table json" ;;
    "daoctl import validate") echo "table json yaml csv" ;;
    "daoctl import plan") echo "table json yaml csv" ;;
    "daoctl import apply") echo "table json yaml csv" ;;
    "daoctl policy password get") echo "table json yaml csv" ;;
    "daoctl policy password set") echo "table json yaml" ;;
    "daoctl policy password diff") echo "table json" ;;
    "daoctl policy registration get") echo "table json yaml csv" ;;
    "daoctl policy registration set") echo "table json yaml" ;;
    "daoctl policy registration diff") echo "table json" ;;
    "daoctl policy keywords get") echo "table json yaml csv" ;;
    "daoctl policy keywords set") echo "table json yaml" ;;
    "daoctl policy keywords diff") echo "table json" ;;
    "daoctl branding get") echo "table json yaml csv" ;;
    "daoctl branding set") echo "table json yaml" ;;
    "daoctl branding diff") echo "table json" ;;
    "daoctl branding logo") echo "table json yaml csv" ;;
    "daoctl branding favicon") echo "table json yaml csv" ;;
    "daoctl diff") echo "table json" ;;
    "daoctl apply") echo "table json" ;;
    "daoctl export-env") echo "yaml" ;;
    "daoctl users list") echo "table json yaml csv" ;;
    "daoctl users get") echo "table json yaml csv" ;;
    "daoctl users create") echo "table json yaml csv" ;;
    "daoctl users update") echo "table json yaml csv" ;;
    "daoctl users deactivate") echo "table json yaml csv" ;;
    "daoctl users reactivate") echo "table json yaml csv" ;;
    "daoctl users delete") echo "table json yaml" ;;
    "daoctl groups list") echo "table json yaml csv" ;;
    "daoctl groups get") echo "table json yaml csv" ;;
    "daoctl groups create") echo "table json yaml csv" ;;
    "daoctl groups delete") echo "table json yaml" ;;
    "daoctl groups add-member") echo "table json yaml csv" ;;
    "daoctl groups remove-member") echo "table json yaml csv" ;;
    "daoctl departments list") echo "table json yaml csv" ;;
    "daoctl departments tree") echo "table json yaml" ;;
    "daoctl api") echo "json" ;;
    "daoctl config view") echo "table yaml json" ;;
    "daoctl config get-contexts") echo "table json yaml csv" ;;
    "daoctl config set-context") echo "table json yaml" ;;
    "daoctl config use-context") echo "table json yaml" ;;
    "daoctl config delete-context") echo "table json yaml" ;;
    "daoctl doctor") echo "table json yaml" ;;
    "daoctl version") echo "table json yaml" ;;
    "daoctl completion") echo "" ;;
    *) echo "table json yaml csv" ;;
  esac
}
_daoctl_dynamic_path() {
  case "$1" in
    "daoctl deprovision user"|"daoctl deprovision reactivate"|"daoctl backup show"|"daoctl backup download"|"daoctl backup verify"|"daoctl backup restore"|"daoctl users get"|"daoctl users update"|"daoctl users deactivate"|"daoctl users reactivate"|"daoctl users delete"|"daoctl groups get"|"daoctl groups delete"|"daoctl groups add-member"|"daoctl groups remove-member"|"daoctl config set-context"|"daoctl config use-context"|"daoctl config delete-context") return 0 ;;
  esac
  return 1
}
_daoctl_reply() {  # COMPREPLY from stdin, one value a line (no mapfile: zsh runs this too)
  local line
  COMPREPLY=()
  while IFS= read -r line; do
    [ -n "$line" ] && COMPREPLY+=("$line")
  done
}
# Asks `daoctl __complete WORDS...` (values, then a directive line ":N"; 4: no
# file names). It never prints errors and gives up on the platform within ~2 s.
_daoctl_dynamic() {
  local out last directive
  out=$("${COMP_WORDS[0]}" __complete "${COMP_WORDS[@]:1:$COMP_CWORD}" 2>/dev/null) || out=":0"
  last=${out##*$'\n'}
  directive=${last#:}
  case $out in
    *$'\n'*) out=${out%$'\n'*} ;;
    *) out="" ;;
  esac
  _daoctl_reply <<<"$(printf '%s\n' "$out" | cut -f1)"
  case $directive in
    *[!0-9]*|"") directive=0 ;;
  esac
  if [ ${#COMPREPLY[@]} -eq 0 ] && [ $((directive & 4)) -eq 0 ]; then
    _daoctl_reply <<<"$(compgen -f -- "$cur")"
  fi
}
_daoctl_complete() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
  # Not "path": zsh ties that name to PATH.
  local cmdpath="daoctl" i w subs
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=${COMP_WORDS[i]}
    [[ $w == -* ]] && continue
    subs=" $(_daoctl_subcommands "$cmdpath") "
    [[ $subs == *" $w "* ]] && cmdpath="$cmdpath $w"
  done
  case "$prev" in
    --context|--dir|--fallback-author|--file|--state-dir|--transfer-to|-f) _daoctl_dynamic; return 0 ;;
    -o|--output) _daoctl_reply <<<"$(compgen -W "$(_daoctl_formats "$cmdpath")" -- "$cur")"; return 0 ;;
    --config|--ca-file|--out|--plan|-O|--output-file|--summary-file|--metrics-file|--results-file)
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
}
_daoctl() {
  _daoctl_complete
  # A directory is a step on the way: no space after it.
  if [ -n "${ZSH_VERSION:-}" ]; then
    # zsh's bashcompinit registers this with -o nospace and adds a space
    # after values that end in one: every value but a directory.
    local spaced=() v
    for v in "${COMPREPLY[@]}"; do
      case $v in
        */) spaced+=("$v") ;;
        *) spaced+=("$v ") ;;
      esac
    done
    COMPREPLY=("${spaced[@]}")
  elif [ ${#COMPREPLY[@]} -eq 1 ] && [[ ${COMPREPLY[0]} == */ ]]; then
    compopt -o nospace 2>/dev/null
  fi
  return 0
}
complete -F _daoctl daoctl
