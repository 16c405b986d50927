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

