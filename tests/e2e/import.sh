#!/usr/bin/env bash
# daoctl import against daoctl-sim with the real samples in ../shared/realdata:
# Mattermost bulk export, Slack export folder (and the same folder zipped),
# WordPress WXR (valid ones, and the malformed one -> a clear error); counts,
# authors, threads and timestamps read back; reruns create nothing twice.
source "$(dirname "$0")/lib.sh"
start_sim
RD="$DAOCTL_SHARED_DIR/realdata"
MM="$RD/zulip/zerver/tests/fixtures/mattermost_fixtures/export.json"
SLACK="$RD/zulip/zerver/tests/fixtures/slack_fixtures/test_slack_importer"
WXR="$RD/wordpress-importer/phpunit/data"

api() { curl -sf -H "Authorization: Bearer $DAOCTL_SIM_TOKEN" "$SIM_URL$1"; }
ADMIN=$(mkuser import-admin admin@corp.example)
HARRY=$(mkuser harry.p harry@zulip.com)   # mapped by e-mail
RON=$(mkuser ron ron@corp.example)        # mapped by userName
mkuser showell30 steve@corp.example >/dev/null

# A missing local file is a usage error (exit 2), never "not found" (7), which
# is a platform lookup's answer (found by the man page doctest).
expect_exit 2 "a missing import file is a usage error" "$DAOCTL_BIN" import validate "$E2E_DIR/no-such-content.yaml"
expect_match "and names the file" "$ERR" 'no-such-content\.yaml'
expect_exit 2 "a missing import folder too" "$DAOCTL_BIN" import plan "$E2E_DIR/no-such-dir/" --format slack
# ---------------------------------------------------------------- Mattermost
check "mattermost: validate" "$DAOCTL_BIN" import validate "$MM" -o json
expect_eq "mattermost: validate counts posts" "$(jq -r '.[] | select(.kind=="post") | .count' <<<"$OUT")" "19"
check "mattermost: plan" "$DAOCTL_BIN" import plan "$MM" --fallback-author import-admin -o json
expect_match "mattermost: plan lists the fallback authors" "$(jq -c .unmapped_authors <<<"$OUT")" '"malfoy"'
check "mattermost: apply" "$DAOCTL_BIN" import apply "$MM" --fallback-author import-admin -o json
expect_eq "mattermost: 19 posts created (snape posts in a channel the export lacks)" "$(jq -r '.[] | select(.kind=="post") | .created' <<<"$OUT")" "19"
expect_match "mattermost: report names fallback authors" "$ERR" 'source user "malfoy" maps to no platform user'
posts=$(api "/api/v1/posts?limit=1000")
expect_eq "mattermost: 19 posts on the platform" "$(jq '.items | length' <<<"$posts")" "19"
hello=$(jq -c '.items[] | select(.body=="Hello world")' <<<"$posts")
expect_eq "mattermost: author kept (by e-mail)" "$(jq -r .author_id <<<"$hello")" "$HARRY"
expect_eq "mattermost: timestamp kept" "$(jq -r .created_at <<<"$hello")" "2019-03-21T10:46:33Z"
thread=$(jq -r '.items[] | select(.body=="harry joined the channel." and .comment_count==1) | .id' <<<"$posts" | head -n1)
comments=$(api "/api/v1/posts/$thread/comments")
expect_eq "mattermost: reply became a comment by ron" "$(jq -r '.items[0].author_id + " " + .items[0].body' <<<"$comments")" "$RON The weather is so hot!"
welcome=$(jq -r '.items[] | select(.body | startswith("@ron")) | .body' <<<"$posts")
expect_eq "mattermost: mention mapped to the platform userName" "$welcome" "@ron Welcome mate!"
expect_exit 0 "mattermost: rerun succeeds" "$DAOCTL_BIN" import apply "$MM" --fallback-author import-admin -o json
expect_eq "mattermost: rerun creates nothing" "$(jq '[.[].created] | add' <<<"$OUT")" "0"
expect_eq "mattermost: still 19 posts" "$(api '/api/v1/posts?limit=1000' | jq '.items | length')" "19"

# ---------------------------------------------------------------- Slack (folder and zip)
check "slack: validate folder" "$DAOCTL_BIN" import validate "$SLACK" -o json
expect_exit 3 "slack: apply without fallback fails the unmapped items (exit 3)" \
  "$DAOCTL_BIN" import apply "$SLACK" -o json --report "$E2E_DIR/slack-report.jsonl"
expect_match "slack: report says why" "$(cat "$E2E_DIR/slack-report.jsonl")" 'has no platform user and there is no --fallback-author'
check "slack: apply with fallback" "$DAOCTL_BIN" import apply "$SLACK" --fallback-author admin@corp.example -o json
steve=$(api "/api/v1/posts?limit=1000" | jq -r '.items[] | select(.body=="This is Steve typing random stuff.")')
expect_eq "slack: author mapped by userName" "$(jq -r .author_id <<<"$steve")" "$(api '/scim/v2/Users?filter=userName%20eq%20%22showell30%22' | jq -r '.Resources[0].id')"
expect_eq "slack: ts became created_at" "$(jq -r .created_at <<<"$steve")" "2018-01-20T13:22:17Z"
(cd "$SLACK" && zip -qr "$E2E_DIR/slack.zip" .)
check "slack: the zip applies too (same ids: nothing new)" "$DAOCTL_BIN" import apply "$E2E_DIR/slack.zip" --fallback-author admin@corp.example -o json
expect_eq "slack: zip rerun creates no post" "$(jq '[.[] | select(.kind=="post") | .created] | add // 0' <<<"$OUT")" "0"
python3 - "$E2E_DIR/evil.zip" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr("users.json", "[]")
    z.writestr("../../etc/evil.json", "[]")
PY
expect_exit 5 "slack: zip-slip entry refused (safety stop)" "$DAOCTL_BIN" import validate "$E2E_DIR/evil.zip"
expect_match "slack: zip-slip error names the entry" "$ERR" 'etc/evil.json'

# ---------------------------------------------------------------- WordPress
check "wxr: apply valid-wxr-1.1" "$DAOCTL_BIN" import apply "$WXR/valid-wxr-1.1.xml" --fallback-author import-admin -o json
news=$(api "/api/v1/posts?type=news&limit=1000")
expect_match "wxr: news imported with titles" "$(jq -r '.items[].title' <<<"$news")" 'Hello world'
check "wxr: theme unit test data" "$DAOCTL_BIN" import apply "$WXR/theme-unit-test-data.xml" --fallback-author import-admin -o json
expect_match "wxr: comments imported" "$(jq -r '.[] | select(.kind=="comment") | .created' <<<"$OUT")" '^[1-9]'
threaded=$(api "/api/v1/posts?type=news&limit=1000" | jq -r '.items[] | select(.title=="Template: Comments") | .id')
tc=$(api "/api/v1/posts/$threaded/comments?limit=1000")
expect_match "wxr: threaded replies keep their parent" "$(jq '[.items[] | select(.parent_id != null)] | length' <<<"$tc")" '^[1-9]'
expect_exit 1 "wxr: malformed XML is an error" "$DAOCTL_BIN" import validate "$WXR/malformed-simple.xml"
expect_match "wxr: the error names file:line:column" "$ERR" 'malformed-simple\.xml:[0-9]+:[0-9]+'
check "wxr: utf-8 challenges" "$DAOCTL_BIN" import validate "$WXR/wxr-utf-8-challenges.xml"

# ---------------------------------------------------------------- native manifest
mkdir -p "$E2E_DIR/m"
printf 'PNGDATA' >"$E2E_DIR/m/banner.png"
cat >"$E2E_DIR/m/content.yaml" <<YAML
version: 1
namespace: e2e
users: [{key: h, email: harry@zulip.com}]
communities: [{id: all, name: All hands}]
posts:
  - {id: n1, type: news, title: Welcome, body: "**hi**", author: h, community: all,
     created_at: "2020-01-02T03:04:05Z", pinned: true, banner: banner.png,
     comments: [{id: c1, author: h, body: first, created_at: "2020-01-02T04:00:00Z",
                 replies: [{id: c2, author: h, body: reply, created_at: "2020-01-02T05:00:00Z"}]}],
     reactions: [{user: h, kind: celebrate}]}
events:
  - {id: e1, title: Party, starts_at: "2020-02-01T18:00:00Z", ends_at: "2020-02-01T22:00:00Z", organizer: h,
     invitations: [{user: h, state: going}]}
YAML
check "manifest: apply" "$DAOCTL_BIN" import apply "$E2E_DIR/m/content.yaml" -o json
n1=$(api "/api/v1/posts?external_id=manifest:e2e:post:n1" | jq '.items[0]')
expect_eq "manifest: pinned news with banner" "$(jq -c '[.pinned, (.banner != null), .created_at, .reaction_counts.celebrate]' <<<"$n1")" '[true,true,"2020-01-02T03:04:05Z",1]'
cat >"$E2E_DIR/m/bad.yaml" <<'YAML'
version: 1
posts:
  - {id: p, author: h, body: x, created_at: yesterday}
YAML
expect_exit 1 "manifest: schema error" "$DAOCTL_BIN" import validate "$E2E_DIR/m/bad.yaml"
expect_match "manifest: error names file:line:column and path" "$ERR" 'bad\.yaml:3:[0-9]+: /posts/0/created_at'
# ---------------------------------------------------------------- JSON Lines manifest (posts streamed from the file)
printf 'hello' >"$E2E_DIR/m/note.txt"
{
  echo '{"kind":"header","version":1,"namespace":"jl"}'
  echo '{"kind":"user","key":"h","email":"harry@zulip.com"}'
  echo '{"kind":"community","id":"c","name":"Streamed"}'
  for i in 1 2 3; do
    echo "{\"kind\":\"post\",\"id\":\"p$i\",\"author\":\"h\",\"community\":\"c\",\"body\":\"line $i\",\"created_at\":\"2021-0$i-01T00:00:00Z\",\"attachments\":[\"note.txt\"],\"comments\":[{\"id\":\"k$i\",\"author\":\"h\",\"body\":\"c$i\",\"created_at\":\"2021-0$i-02T00:00:00Z\",\"replies\":[{\"id\":\"r$i\",\"author\":\"h\",\"body\":\"r$i\",\"created_at\":\"2021-0$i-03T00:00:00Z\"}]}],\"reactions\":[{\"user\":\"h\",\"kind\":\"like\"}]}"
  done
} >"$E2E_DIR/m/content.jsonl"
check "jsonl: validate" "$DAOCTL_BIN" import validate "$E2E_DIR/m/content.jsonl" -o json
expect_eq "jsonl: counts without holding the posts" \
  "$(jq -c '[.[] | select(.kind=="post" or .kind=="comment" or .kind=="reaction" or .kind=="file") | .count]' <<<"$OUT")" '[1,3,6,3]'
check "jsonl: plan" "$DAOCTL_BIN" import plan "$E2E_DIR/m/content.jsonl" -o json
expect_eq "jsonl: plan reads the posts again (none exist yet)" "$(jq -c '[.kinds[] | select(.kind=="post") | .existing]' <<<"$OUT")" '[0]'
check "jsonl: apply" "$DAOCTL_BIN" import apply "$E2E_DIR/m/content.jsonl" -o json
expect_eq "jsonl: created per kind" "$(jq -c '[.[] | select(.kind!="community") | [.kind, .created]] | sort' <<<"$OUT")" \
  '[["comment",6],["file",1],["post",3],["reaction",3]]'
p2=$(api "/api/v1/posts?external_id=manifest:jl:post:p2" | jq '.items[0]')
expect_eq "jsonl: post with its attachment and timestamp" "$(jq -c '[.body, (.attachments | length), .created_at]' <<<"$p2")" '["line 2",1,"2021-02-01T00:00:00Z"]'
c2=$(api "/api/v1/posts/$(jq -r .id <<<"$p2")/comments?limit=100")
expect_eq "jsonl: the reply keeps its parent" "$(jq -r '.items[] | select(.body=="r2") | .parent_id' <<<"$c2")" "$(jq -r '.items[] | select(.body=="c2") | .id' <<<"$c2")"
check "jsonl: plan after apply" "$DAOCTL_BIN" import plan "$E2E_DIR/m/content.jsonl" -o json
expect_eq "jsonl: every post exists now" "$(jq -c '[.kinds[] | select(.kind=="post") | .existing]' <<<"$OUT")" '[3]'
check "jsonl: rerun" "$DAOCTL_BIN" import apply "$E2E_DIR/m/content.jsonl" -o json
expect_eq "jsonl: rerun creates nothing" "$(jq '[.[].created] | add' <<<"$OUT")" "0"
finish
