#!/usr/bin/env bash
# One command from a fresh clone: install netjob into .venv, start the built-in lab (six
# simulated IOS devices on 127.0.0.1:10022-10027, matching inventory.yaml), run the main job
# on it, stop the lab. Extra arguments go to `netjob run` (e.g. --workers 2).
# NETJOB_NO_INSTALL=1 uses the netjob already on PATH (the tests do this).
set -euo pipefail
cd "$(dirname "$0")"
if [ -z "${NETJOB_NO_INSTALL:-}" ]; then
  python3 -m venv .venv
  # [lab]: the simulated devices (netjob_lab) the quickstart runs its job on; [fast]: the
  # libssh2 transport netjob chooses when it is installed.
  .venv/bin/pip install --quiet --disable-pip-version-check -e '.[lab,fast]'
  # pip compiles a regular install's modules, not an editable one's: compile them here, so
  # every `netjob` starts from bytecode even where PYTHONDONTWRITEBYTECODE is set.
  .venv/bin/python -m compileall -q runner netjob_lab >/dev/null
  PATH="$PWD/.venv/bin:$PATH"
fi
# The lab's documented test credentials (see README); never real ones.
export NETJOB_LAB_PASSWORD=lab-password NETJOB_LAB_SECRET=lab-enable
# inventory.yaml points at 127.0.0.1:10022-10027. If one of those ports is taken (a lab
# left running, say), the lab goes to six free ports elsewhere and the job uses the
# inventory the lab writes for them.
port=10022
inventory=(-i inventory.yaml)
free6() { python3 -c 'import socket,sys
p=int(sys.argv[1]); taken=[s.connect_ex(("127.0.0.1", q)) == 0 for q in range(p, p + 6) for s in [socket.socket()]]
sys.exit(any(taken))' "$1"; }
if ! free6 "$port"; then
  for _ in $(seq 20); do
    port=$(( 20000 + RANDOM % 40000 ))
    free6 "$port" && break
  done
  echo "quickstart: 127.0.0.1:10022-10027 are taken (a lab left running?); the lab uses $port-$((port + 5))." >&2
  inventory=()
fi
ready=$(mktemp -d)
# The lab's own lines go to a file: they name the inventory in $ready, deleted on exit.
netjob lab --devices 6 --port "$port" --inventory-out "$ready/lab.yaml" >"$ready/lab.out" &
lab=$!
trap 'kill "$lab" 2>/dev/null || true; wait "$lab" 2>/dev/null || true; rm -rf "$ready"' EXIT
# The lab writes its inventory only once every device listens: wait for it (bounded).
for _ in $(seq 300); do
  [ -s "$ready/lab.yaml" ] && break
  kill -0 "$lab" 2>/dev/null || { echo "quickstart: the lab did not start" >&2; exit 2; }
  sleep 0.1
done
[ -s "$ready/lab.yaml" ] || { echo "quickstart: the lab did not start in 30 s" >&2; exit 2; }
head -n 1 "$ready/lab.out"  # which devices, where, with which test credentials
[ ${#inventory[@]} -eq 0 ] && inventory=(-i "$ready/lab.yaml")
status=0
netjob run playbooks/show_ip_int_brief.yaml "${inventory[@]}" "$@" || status=$?
# The run prints a summary; what the devices said is in the run folder: say how to see it.
reports=()
previous=
for arg in "$@"; do
  [ "$previous" = --reports ] && reports=(--reports "$arg")
  case "$arg" in --reports=*) reports=(--reports "${arg#--reports=}") ;; esac
  previous=$arg
done
show="netjob show playbooks/show_ip_int_brief.yaml all"
[ ${#reports[@]} -gt 0 ] && show+=" ${reports[*]}"
echo "what the devices said: $show (or r001 for one host; -v on a run prints it as it goes)"
exit "$status"
