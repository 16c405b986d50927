# The parts of an Active Directory sync job that the AD scripts share
# (sync_ad.sh and sync_ad_incremental.sh against Samba, sync_ad_ranged.sh
# against tests/tools/ranged_ldap). Source it after lib.sh. Meant for a job's
# heredoc, as ldap_source (lib_ldap.sh) is:
#
#   sources:
#   $(ad_source "$SAMBA_URL" "$SAMBA_BIND_DN" "$STAFF_OU" "page_size: 500")
#   mapping:
#   $(ad_mapping 'title: "{ad.title}"')
#
# ad_source URL BIND_DN BASE_DN [LINE...]: the `sources:` entry "ad" (type
# ldap, flavor active_directory, password from $AD_BIND_PASSWORD), with each
# LINE (e.g. "page_size: 100", or a nested "groups:" block's lines with their
# own extra indent) added to it.
ad_source() {
  printf '  ad:\n    type: ldap\n    flavor: active_directory\n    url: %s\n    bind_dn: "%s"\n    bind_password_env: AD_BIND_PASSWORD\n    base_dn: "%s"\n' \
    "$1" "$2" "$3"
  shift 3
  local line
  for line in "$@"; do printf '    %s\n' "$line"; done
}

# ad_mapping [LINE...]: the mapping of an AD user (objectGUID as externalId,
# sAMAccountName, the first mail lower-cased, names, `active` from the
# disabled flags), then each LINE (e.g. 'title: "{ad.title}"').
ad_mapping() {
  cat <<'YAML'
  externalId: "{ad.objectGUID}"
  userName: "{ad.sAMAccountName}"
  email: "{ad.mail | first | lower}"
  name.givenName: "{ad.givenName}"
  name.familyName: "{ad.sn}"
  displayName: "{ad.givenName} {ad.sn}"
  active: "{not ad.disabled}"
YAML
  local line
  for line in "$@"; do printf '  %s\n' "$line"; done
}
