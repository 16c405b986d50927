# The platform's end state as stable text, for comparing a run that met
# faults or kills with a clean run. Source after lib.sh; reads through
# $DAOCTL_BIN against $DAOCTL_URL.
#
#   end_state   one JSON line of users (by externalId, with their manager's
#               externalId and department path) and the department paths,
#               then one line of posts (by external id, with counts), then
#               one line per post of its comments (parent by external id),
#               sorted. Ids the server happened to assign never appear.
end_state() {
  local users depts posts
  users=$("$DAOCTL_BIN" users list -o json) || return 1
  depts=$("$DAOCTL_BIN" departments list -o json) || return 1
  posts=$("$DAOCTL_BIN" api GET '/api/v1/posts?limit=1000') || return 1
  jq -cn --argjson u "$users" --argjson d "$depts" '
    ($u | map({key: .id, value: .externalId}) | from_entries) as $ext
    | ($d | map({key: (.id | tostring), value: .path}) | from_entries) as $dep
    | {users: ($u | map({externalId, userName, displayName, active, name,
          department: $dep[.["urn:daoffice:scim:schemas:extension:profile:1.0:User"].departmentId // ""],
          manager: $ext[.["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].manager.value // ""],
          managedBy: .["urn:daoffice:scim:schemas:extension:profile:1.0:User"].managedBy})
        | sort_by(.externalId // .userName)),
       departments: ($d | map(.path) | sort)}' || return 1
  local ids id
  ids=$(jq -r '.items[].id' <<<"$posts")
  {
    jq -c '.items | map({external_id, body, created_at, comment_count, reaction_counts}) | sort_by(.external_id)' <<<"$posts"
    for id in $ids; do
      "$DAOCTL_BIN" api GET "/api/v1/posts/$id/comments?limit=100" |
        jq -c '.items as $c | ($c | map({key: .id, value: .external_id}) | from_entries) as $x
          | $c | map({external_id, body, parent: $x[.parent_id // ""]}) | sort_by(.external_id)' || return 1
    done | sort
  }
}


# write_workload NAME N P FANOUT DEPTS TEAMS: the shared fixture of the
# fault and crash tests, in $E2E_DIR: hr.csv with N employees (each managed
# by employee (i-1)/FANOUT, in Company/D<i%DEPTS>/T<i%TEAMS>), sync.yaml
# (job NAME, concurrency 4) and content.jsonl (namespace NAME, community
# "Workload NAME", P posts each with a comment, a reply and a reaction by
# author@corp.example).
write_workload() {
  local name=$1 n=$2 p=$3 fanout=$4 depts=$5 teams=$6 i boss
  {
    echo "id,login,first,last,dept,boss"
    for ((i = 0; i < n; i++)); do
      boss=""
      ((i > 0)) && boss="emp-$(((i - 1) / fanout))"
      printf 'emp-%d,user%03d,Имя%d,Фамилия%d,Company/D%d/T%d,%s\n' "$i" "$i" "$i" "$i" $((i % depts)) $((i % teams)) "$boss"
    done
  } >"$E2E_DIR/hr.csv"
  cat >"$E2E_DIR/sync.yaml" <<YAML
version: 1
name: $name
sources:
  hr: {type: csv, path: hr.csv, key: id}
mapping:
  externalId: "{hr.id}"
  userName: "{hr.login}"
  name.givenName: "{hr.first}"
  name.familyName: "{hr.last}"
  displayName: "{hr.first} {hr.last}"
  department: "{hr.dept}"
  manager: "{hr.boss}"
apply: {concurrency: 4}
YAML
  {
    echo "{\"kind\":\"header\",\"version\":1,\"namespace\":\"$name\"}"
    echo '{"kind":"user","key":"a","email":"author@corp.example"}'
    echo "{\"kind\":\"community\",\"id\":\"c\",\"name\":\"Workload $name\"}"
    for ((i = 0; i < p; i++)); do
      printf '{"kind":"post","id":"p%d","author":"a","community":"c","body":"post %d","created_at":"2021-01-01T00:%02d:00Z","comments":[{"id":"c%d","author":"a","body":"first %d","created_at":"2021-01-02T00:00:00Z","replies":[{"id":"r%d","author":"a","body":"reply %d","created_at":"2021-01-03T00:00:00Z"}]}],"reactions":[{"user":"a","kind":"like"}]}\n' "$i" "$i" "$i" "$i" "$i" "$i" "$i"
    done
  } >"$E2E_DIR/content.jsonl"
}
