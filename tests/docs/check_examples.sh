#!/usr/bin/env bash
# The scheduling examples in examples/ stay valid and runnable:
#  1. systemd units: `systemd-analyze verify` (with the daoctl under test as
#     ExecStart) when systemd-analyze exists; always a lint of sections, keys,
#     hardening and OnCalendar expressions (`systemd-analyze calendar` when
#     present, a parser otherwise);
#  2. cron: every line is a comment, an environment assignment or a job with a
#     valid schedule, a user and a command, without cron's '%' trap;
#  3. Kubernetes: every document parses as YAML (python3-yaml); the CronJob
#     has a valid schedule, Forbid concurrency, a token Secret mounted as a file
#     whose path the config's token_command reads, mounts that name volumes;
#     the job and config files in the ConfigMap pass `daoctl sync validate`
#     and `daoctl config get-contexts`;
#  4. every daoctl command line in the examples names commands and flags that
#     exist (`daoctl <command> --help`).
# Usage: check_examples.sh DAOCTL SOURCE_DIR
set -u
daoctl=$1 src=$2
ex=$src/examples
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   - $1"; }
bad() { failed=$((failed + 1)); echo "FAIL - $1" >&2; [ $# -gt 1 ] && printf '%s\n' "$2" | head -30 >&2; return 0; }

python=""
for p in python3 /usr/bin/python3; do
  if "$p" -c 'import yaml' 2>/dev/null; then python=$p; break; fi
done
[ -n "$python" ] || { echo "python3 with the yaml module (python3-yaml, scripts/install-deps.sh) is required" >&2; exit 1; }

# ---- 1. systemd
units=("$ex"/systemd/*.service "$ex"/systemd/*.timer)
[ -e "${units[0]}" ] || { bad "examples/systemd has units"; }
if command -v systemd-analyze >/dev/null; then
  # Templates are verified as an instance; ExecStart points at the daoctl under
  # test so that verify checks a binary that exists.
  mkdir -p "$tmp/units"
  for u in "${units[@]}"; do
    name=$(basename "$u")
    name=${name/@./@nightly.}
    sed "s#/usr/bin/daoctl#$daoctl#g" "$u" >"$tmp/units/$name"
  done
  for u in "$tmp"/units/*; do
    # A timer's unit must be next to it; verify is run from the unit directory.
    if out=$(cd "$tmp/units" && SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no "$u" 2>&1) &&
       ! grep -v -e 'Failed to connect to bus' <<<"$out" | grep -q .; then
      ok "systemd-analyze verify $(basename "$u")"
    else
      bad "systemd-analyze verify $(basename "$u")" "$out"
    fi
  done
else
  echo "note: systemd-analyze is not installed; units are linted without it"
fi

"$python" - "$ex" "$tmp/cmdlines" <<'PY' || failed=$((failed + 1))
import os, re, subprocess, sys, glob, shutil
ex, cmdfile = sys.argv[1], sys.argv[2]
fails = 0
def ok(m): print("ok   - " + m)
def bad(m, detail=""):
    global fails
    fails += 1
    print("FAIL - " + m + ("\n       " + detail if detail else ""), file=sys.stderr)

KNOWN = {
  "Unit": {"Description", "Documentation", "Wants", "After", "Requires", "Before", "OnFailure", "ConditionPathExists"},
  "Service": {"Type", "User", "Group", "Environment", "EnvironmentFile", "StateDirectory", "StateDirectoryMode",
              "LogsDirectory", "ExecStart", "ExecStartPre", "SuccessExitStatus", "TimeoutStartSec", "Nice",
              "IOSchedulingClass", "UMask", "ProtectSystem", "ReadWritePaths", "ReadOnlyPaths", "ProtectHome",
              "PrivateTmp", "PrivateDevices", "NoNewPrivileges", "CapabilityBoundingSet", "AmbientCapabilities",
              "ProtectKernelTunables", "ProtectKernelModules", "ProtectKernelLogs", "ProtectControlGroups",
              "ProtectClock", "ProtectHostname", "ProtectProc", "ProcSubset", "RestrictAddressFamilies",
              "RestrictNamespaces", "RestrictRealtime", "RestrictSUIDSGID", "LockPersonality",
              "MemoryDenyWriteExecute", "SystemCallArchitectures", "SystemCallFilter", "LoadCredential",
              "NotifyAccess", "WatchdogSec", "Restart", "RestartSec", "ExecReload", "TimeoutStopSec",
              "TimeoutStartSec"},
  "Timer": {"OnCalendar", "RandomizedDelaySec", "AccuracySec", "Persistent", "Unit", "OnBootSec"},
  "Install": {"WantedBy", "RequiredBy", "Alias"},
}
def parse_unit(path):
    sections, cur, lines = {}, None, open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        while line.endswith("\\") and i + 1 < len(lines):
            i += 1
            line = line[:-1] + " " + lines[i].strip()
        i += 1
        s = line.strip()
        if not s or s[0] in "#;":
            continue
        m = re.fullmatch(r"\[([A-Za-z]+)\]", s)
        if m:
            cur = m.group(1); sections.setdefault(cur, [])
            continue
        m = re.fullmatch(r"([A-Za-z]+)=(.*)", s)
        if not m or cur is None:
            raise ValueError("not a section or Key=value line: " + s)
        sections[cur].append((m.group(1), m.group(2)))
    return sections

def calendar_ok(expr):
    if shutil.which("systemd-analyze"):
        r = subprocess.run(["systemd-analyze", "calendar", expr], capture_output=True, text=True)
        return r.returncode == 0, r.stderr.strip()
    return bool(re.fullmatch(r"(\*|\d{4})-(\*|\d{1,2})-(\*|\d{1,2}) \d{1,2}:\d{2}(:\d{2})?|daily|weekly|hourly|monthly", expr)), ""

cmdlines = []
for path in sorted(glob.glob(os.path.join(ex, "systemd", "*"))):
    name = os.path.basename(path)
    try:
        sec = parse_unit(path)
    except ValueError as e:
        bad(f"{name} parses", str(e)); continue
    unknown = [f"[{s}] {k}" for s, kv in sec.items() for k, _ in kv if k not in KNOWN.get(s, set())]
    if unknown: bad(f"{name}: only known sections and keys", ", ".join(unknown))
    else: ok(f"{name}: sections and keys are known")
    keys = {s: dict(kv) for s, kv in sec.items()}
    if name.endswith(".service"):
        svc = keys.get("Service", {})
        # A long-running watcher (sync watch) is Type=notify with a watchdog
        # and restarts; everything else runs once per timer.
        watcher = "watch" in name
        if watcher and not (svc.get("Type") == "notify" and svc.get("WatchdogSec") and svc.get("Restart")):
            bad(f"{name}: Type=notify with WatchdogSec= and Restart=")
        elif watcher and "sync watch" not in svc.get("ExecStart", ""):
            bad(f"{name}: runs daoctl sync watch")
        elif watcher: ok(f"{name}: Type=notify, WatchdogSec={svc.get('WatchdogSec')}, Restart={svc.get('Restart')}")
        if not watcher and svc.get("Type") != "oneshot": bad(f"{name}: Type=oneshot")
        if svc.get("ProtectSystem") != "strict": bad(f"{name}: ProtectSystem=strict")
        elif svc.get("NoNewPrivileges") != "yes": bad(f"{name}: NoNewPrivileges=yes")
        elif not svc.get("User"): bad(f"{name}: runs as a dedicated User=")
        else: ok(f"{name}: hardened (ProtectSystem=strict, NoNewPrivileges, User={svc.get('User')})")
        for k, v in sec["Service"]:
            if k == "ExecStart":
                cmdlines.append((name, v.replace("%i", "nightly")))
        if ("sync" in name or "backup" in name) and not watcher:
            if "--metrics-file" in svc.get("ExecStart", "") and "--summary-file" in svc.get("ExecStart", ""):
                ok(f"{name}: writes a summary and metrics")
            else:
                bad(f"{name}: writes a summary and metrics")
    if name.endswith(".timer"):
        t = keys.get("Timer", {})
        good, err = calendar_ok(t.get("OnCalendar", ""))
        if good and keys.get("Install", {}).get("WantedBy") == "timers.target":
            ok(f"{name}: OnCalendar={t.get('OnCalendar')} is valid, WantedBy=timers.target")
        else:
            bad(f"{name}: valid OnCalendar and WantedBy=timers.target", err)
        svc = name[:-len(".timer")] + ".service"
        if not os.path.exists(os.path.join(ex, "systemd", svc)): bad(f"{name}: {svc} exists")

# ---- 2. cron
NAMES = {"jan","feb","mar","apr","may","jun","jul","aug","sep","oct","nov","dec","sun","mon","tue","wed","thu","fri","sat"}
def cron_field(f, lo, hi):
    for part in f.split(","):
        m = re.fullmatch(r"(\*|(\w+)(-(\w+))?)(/(\d+))?", part)
        if not m: return False
        for v in (m.group(2), m.group(4)):
            if v is None: continue
            if v.isdigit():
                if not lo <= int(v) <= hi: return False
            elif v.lower() not in NAMES: return False
        if m.group(6) is not None and int(m.group(6)) == 0: return False
    return True
def cron_schedule_ok(fields):
    return all(cron_field(f, lo, hi) for f, (lo, hi) in zip(fields, [(0,59),(0,23),(1,31),(1,12),(0,7)]))

for path in sorted(glob.glob(os.path.join(ex, "cron", "*"))):
    name = "cron/" + os.path.basename(path)
    jobs = 0
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        s = line.strip()
        if not s or s.startswith("#"): continue
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", s): continue
        parts = s.split(None, 6)
        if s.startswith("@"):
            parts = s.split(None, 2)
            good = parts[0] in {"@reboot","@yearly","@annually","@monthly","@weekly","@daily","@midnight","@hourly"} and len(parts) == 3
            cmd = parts[2] if good else ""
        else:
            good = len(parts) == 7 and cron_schedule_ok(parts[:5])
            cmd = parts[6] if good else ""
        if not good:
            bad(f"{name}:{n}: a valid cron.d line (5 time fields, user, command)", s); continue
        if re.search(r"(?<!\\)%", cmd):
            bad(f"{name}:{n}: no unescaped % (cron turns it into a newline)", s); continue
        jobs += 1
        for seg in re.split(r"\|\||&&|;|\|", cmd):
            seg = re.sub(r"^[^$]*\$\(", "", seg)   # out=$(daoctl ...)
            seg = seg.split(")")[0]
            seg = re.sub(r"\s[0-9]*>>?\s*\S+|\s2>&1", " ", seg).strip()
            if seg.startswith("daoctl "):
                cmdlines.append((f"{name}:{n}", seg))
    if jobs: ok(f"{name}: {jobs} job line(s) with valid schedules")
    else: bad(f"{name}: has job lines")

# ---- 3. Kubernetes
import yaml
for path in sorted(glob.glob(os.path.join(ex, "kubernetes", "*.yaml"))):
    name = "kubernetes/" + os.path.basename(path)
    try:
        docs = [d for d in yaml.safe_load_all(open(path, encoding="utf-8")) if d is not None]
    except yaml.YAMLError as e:
        bad(f"{name} parses as YAML", str(e)); continue
    ok(f"{name}: {len(docs)} YAML document(s) parse")
    by_kind = {}
    for d in docs:
        if not isinstance(d, dict) or "apiVersion" not in d or "kind" not in d or "name" not in d.get("metadata", {}):
            bad(f"{name}: every document has apiVersion, kind, metadata.name"); continue
        by_kind.setdefault(d["kind"], []).append(d)
    workloads = [("CronJob", d) for d in by_kind.get("CronJob", [])] + [("Deployment", d) for d in by_kind.get("Deployment", [])]
    if not workloads: bad(f"{name}: has a CronJob or a Deployment")
    for kind, cj in workloads:
        spec = cj["spec"]
        if kind == "CronJob":
            if cj["apiVersion"] != "batch/v1": bad(f"{name}: CronJob is batch/v1")
            if cron_schedule_ok(spec["schedule"].split()) and len(spec["schedule"].split()) == 5:
                ok(f"{name}: schedule '{spec['schedule']}' is valid")
            else:
                bad(f"{name}: schedule is a valid 5-field cron expression", spec["schedule"])
            if spec.get("concurrencyPolicy") == "Forbid": ok(f"{name}: concurrencyPolicy Forbid")
            else: bad(f"{name}: concurrencyPolicy Forbid")
            pod = spec["jobTemplate"]["spec"]["template"]["spec"]
            if pod.get("restartPolicy") not in ("Never", "OnFailure"): bad(f"{name}: restartPolicy Never or OnFailure")
        else:
            # A watcher: one at a time (a second would hold no lock and exit 6,
            # crash-looping), never two during a rollout.
            if cj["apiVersion"] != "apps/v1": bad(f"{name}: Deployment is apps/v1")
            if spec.get("replicas") == 1 and spec.get("strategy", {}).get("type") == "Recreate":
                ok(f"{name}: one replica, Recreate (never two watchers)")
            else:
                bad(f"{name}: one replica, strategy Recreate")
            sel = spec.get("selector", {}).get("matchLabels", {})
            labels = spec["template"]["metadata"].get("labels", {})
            if sel and all(labels.get(k) == v for k, v in sel.items()): ok(f"{name}: the selector matches the pod labels")
            else: bad(f"{name}: the selector matches the pod labels")
            pod = spec["template"]["spec"]
            if pod.get("restartPolicy", "Always") != "Always": bad(f"{name}: restartPolicy Always")
            if pod.get("terminationGracePeriodSeconds", 30) >= 60:
                ok(f"{name}: terminationGracePeriodSeconds lets SIGTERM finish the batch")
            else:
                bad(f"{name}: terminationGracePeriodSeconds >= 60 (SIGTERM finishes the batch in flight)")
        volumes = {v["name"]: v for v in pod.get("volumes", [])}
        secrets = {s["metadata"]["name"]: s for s in by_kind.get("Secret", [])}
        cms = {c["metadata"]["name"]: c for c in by_kind.get("ConfigMap", [])}
        for c in pod["containers"]:
            mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts", [])}
            missing = [n for n in mounts.values() if n not in volumes]
            if missing: bad(f"{name}: container {c['name']} mounts declared volumes", ", ".join(missing))
            else: ok(f"{name}: container {c['name']} mounts only declared volumes")
            sc = c.get("securityContext", {})
            if sc.get("readOnlyRootFilesystem") and sc.get("allowPrivilegeEscalation") is False and pod.get("securityContext", {}).get("runAsNonRoot"):
                ok(f"{name}: non-root, read-only root filesystem, no privilege escalation")
            else:
                bad(f"{name}: non-root, read-only root filesystem, no privilege escalation")
            argv = list(c.get("command", [])) + list(c.get("args", []))
            if argv and os.path.basename(argv[0]) == "daoctl":
                cmdlines.append((f"{name} container {c['name']}", argv))
            # The token: a Secret volume, mounted, and read by the config's token_command / token_file.
            token_files = []
            for mp, vn in mounts.items():
                v = volumes.get(vn, {})
                if "secret" in v:
                    sname = v["secret"]["secretName"]
                    if sname not in secrets: bad(f"{name}: secret {sname} is defined in the file")
                    for item in v["secret"].get("items", []):
                        if item["key"] not in secrets.get(sname, {}).get("stringData", {}) and item["key"] not in secrets.get(sname, {}).get("data", {}):
                            bad(f"{name}: secret {sname} has key {item['key']}")
                        token_files.append(mp.rstrip("/") + "/" + item["path"])
            for mp, vn in mounts.items():
                v = volumes.get(vn, {})
                if "configMap" not in v: continue
                cm = cms.get(v["configMap"]["name"])
                if cm is None: bad(f"{name}: configMap {v['configMap']['name']} is defined in the file"); continue
                cfg = yaml.safe_load(cm["data"].get("config.yaml", "{}")) or {}
                refs = []
                for ctx in cfg.get("contexts", []):
                    refs += [ctx.get("token_file", "")] + re.findall(r"/\S+", ctx.get("token_command", ""))
                if any(t in refs for t in token_files):
                    ok(f"{name}: the API token is a Secret file ({', '.join(token_files)}) the config reads")
                else:
                    bad(f"{name}: the API token is a Secret file the config reads", f"secret files {token_files}, config reads {refs}")
                os.makedirs(os.path.join(os.path.dirname(cmdfile), "k8s", mp.strip("/")), exist_ok=True)
                for key, text in cm["data"].items():
                    with open(os.path.join(os.path.dirname(cmdfile), "k8s", mp.strip("/"), key), "w", encoding="utf-8") as f:
                        f.write(text)
            env = {e["name"]: e for e in c.get("env", [])}
            for e in env.values():
                ref = e.get("valueFrom", {}).get("secretKeyRef")
                if ref and ref["key"] not in secrets.get(ref["name"], {}).get("stringData", {}):
                    bad(f"{name}: env {e['name']} names an existing secret key")

with open(cmdfile, "w", encoding="utf-8") as f:
    import json
    for where, line in cmdlines:
        argv = line if isinstance(line, list) else [a for a in re.split(r"\s+", line.strip()) if a]
        f.write(json.dumps({"where": where, "argv": argv}) + "\n")
sys.exit(1 if fails else 0)
PY

# ---- 3b. the files in the ConfigMap are valid for daoctl itself
for job in "$tmp"/k8s/etc/daoctl/*.yaml; do
  [ -e "$job" ] || continue
  [ "$(basename "$job")" = config.yaml ] && continue
  if out=$(LDAP_BIND_PASSWORD=x "$daoctl" sync validate -f "$job" 2>&1); then ok "k8s ConfigMap $(basename "$job") passes daoctl sync validate"
  else bad "k8s ConfigMap $(basename "$job") passes daoctl sync validate" "$out"; fi
done
if [ -e "$tmp/k8s/etc/daoctl/config.yaml" ]; then
  if out=$(DAOCTL_CONFIG="$tmp/k8s/etc/daoctl/config.yaml" "$daoctl" config get-contexts 2>&1) && grep -q prod <<<"$out"; then
    ok "k8s ConfigMap config.yaml loads (daoctl config get-contexts)"
  else bad "k8s ConfigMap config.yaml loads" "$out"; fi
fi

# ---- 4. every daoctl command line names real commands and flags
"$python" - "$daoctl" "$tmp/cmdlines" <<'PY' || failed=$((failed + 1))
import json, re, subprocess, sys
daoctl, cmdfile = sys.argv[1], sys.argv[2]
helps = {}
def help_of(path):
    key = tuple(path)
    if key not in helps:
        r = subprocess.run([daoctl, *path, "--help"], capture_output=True, text=True)
        helps[key] = r.stdout if r.returncode == 0 else None
    return helps[key]
def subcommands(text):
    out, on = set(), False
    for line in text.splitlines():
        if re.match(r"^(SUBCOMMANDS|Subcommands):", line): on = True; continue
        if on:
            m = re.match(r"^  (\S+)", line)
            if m: out.add(m.group(1))
            elif line and not line.startswith(" "): on = False
    return out
def flag_info(text, flag):
    # CLI11: "  -f,--file TEXT REQUIRED  ..." / "  --yes  ..." ; returns (exists, takes_value)
    for line in text.splitlines():
        m = re.match(r"^\s+((?:-{1,2}[\w-]+,?)+)(\s+([A-Z][A-Z:]*(?:\s|$)))?", line)
        if not m: continue
        names = [n for n in m.group(1).split(",") if n]
        if flag in names:
            return True, bool(m.group(3)) and m.group(3).strip() not in ("REQUIRED", "Excludes", "Needs")
    return False, False
fails = 0
count = 0
for line in open(cmdfile, encoding="utf-8"):
    rec = json.loads(line)
    argv, where = rec["argv"], rec["where"]
    tokens = argv[1:]
    path, i, problems = [], 0, []
    while i < len(tokens):
        t = tokens[i]
        if t.startswith("-"):
            flag = t.split("=")[0]
            found, takes = False, False
            for p in (path, []):
                h = help_of(p)
                if h is None: continue
                found, takes = flag_info(h, flag)
                if found: break
            if not found: problems.append(f"unknown flag {flag} for 'daoctl {' '.join(path)}'")
            i += 2 if (takes and "=" not in t) else 1
            continue
        h = help_of(path)
        if h is not None and t in subcommands(h):
            path.append(t)
        i += 1
    if not path: problems.append("no daoctl command")
    elif help_of(path) is None: problems.append(f"'daoctl {' '.join(path)} --help' fails")
    count += 1
    if problems:
        fails += 1
        print(f"FAIL - {where}: daoctl {' '.join(tokens)}\n       " + "; ".join(problems), file=sys.stderr)
    else:
        print(f"ok   - {where}: 'daoctl {' '.join(path)}' and its flags exist")
if count == 0:
    print("FAIL - no daoctl command lines found in examples/", file=sys.stderr); fails += 1
sys.exit(1 if fails else 0)
PY

echo "$passed passed, $failed failed (shell checks; the python checks print their own lines)"
[ "$failed" -eq 0 ]
