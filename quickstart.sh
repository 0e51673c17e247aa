#!/usr/bin/env bash
# One command from a fresh clone: install netjob into .venv, start the built-in lab (six
# simulated IOS devices on 127.0.0.1:10022-10027, matching inventory.yaml), run the main job
# on it, stop the lab. Extra arguments go to `netjob run` (e.g. --workers 2).
# NETJOB_NO_INSTALL=1 uses the netjob already on PATH (the tests do this).
set -euo pipefail
cd "$(dirname "$0")"
if [ -z "${NETJOB_NO_INSTALL:-}" ]; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -e .
  PATH="$PWD/.venv/bin:$PATH"
fi
# The lab's documented test credentials (see README); never real ones.
export NETJOB_LAB_PASSWORD=lab-password NETJOB_LAB_SECRET=lab-enable
if python3 -c 'import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(("127.0.0.1", 10022)) != 0)'; then
  echo "quickstart: something already listens on 127.0.0.1:10022 (a netjob lab left running?)." >&2
  echo "  If it is the lab: netjob run playbooks/show_ip_int_brief.yaml; or stop it and run this again." >&2
  exit 2
fi
ready=$(mktemp -d)
# The lab's own lines go to a file: they name the inventory in $ready, deleted on exit.
netjob lab --devices 6 --port 10022 --inventory-out "$ready/lab.yaml" >"$ready/lab.out" &
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
netjob run playbooks/show_ip_int_brief.yaml "$@"
