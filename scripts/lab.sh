#!/usr/bin/env bash
# The local lab: moto on 127.0.0.1 stands for AWS; site.yml, status.yml and teardown.yml run
# against it exactly as they run against AWS (inventories/lab only sets the endpoint).
#   scripts/lab.sh up [ansible-playbook options]     start moto if needed, converge site.yml,
#                                                    replay the DICOM flows (dicom_tests.yml;
#                                                    DICOOGLE_LAB_FLOWS=0 skips them), print
#                                                    what exists
#   scripts/lab.sh down [ansible-playbook options]   teardown.yml, then stop what `up` started
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${DICOOGLE_VENV:-$ROOT/.venv}"
STATE="$ROOT/inventories/lab/.state"
PORT="${DICOOGLE_LAB_MOTO_PORT:-5757}"
PIDFILE="$STATE/moto-$PORT.pid"
export DICOOGLE_LAB_MOTO_PORT="$PORT"
export ANSIBLE_CONFIG="$ROOT/ansible.cfg"
export PATH="$VENV/bin:$PATH"
log() { printf '[lab] %s\n' "$*"; }

moto_up() {
  if curl -fsS "http://127.0.0.1:$PORT/moto-api/data.json" >/dev/null 2>&1; then return 0; fi
  mkdir -p "$STATE"
  log "starting moto server on 127.0.0.1:$PORT"
  nohup "$VENV/bin/python" "$ROOT/files/lab/moto_server.py" -H 127.0.0.1 -p "$PORT" >"$STATE/moto-$PORT.log" 2>&1 &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 60); do
    curl -fsS "http://127.0.0.1:$PORT/moto-api/data.json" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  log "moto did not start, see $STATE/moto-$PORT.log"
  return 1
}

moto_down() {
  [ -f "$PIDFILE" ] || return 0
  kill "$(cat "$PIDFILE")" 2>/dev/null || true
  rm -f "$PIDFILE"
  log "moto server stopped"
}

cd "$ROOT"
action="${1:-}"
shift || true
case "$action" in
  up)
    moto_up
    ansible-playbook -i inventories/lab playbooks/site.yml "$@"
    if [ "${DICOOGLE_LAB_FLOWS:-1}" != 0 ]; then
      ansible-playbook -i inventories/lab playbooks/dicom_tests.yml "$@"
    fi
    ansible-playbook -i inventories/lab playbooks/status.yml "$@"
    ;;
  down)
    if curl -fsS "http://127.0.0.1:$PORT/moto-api/data.json" >/dev/null 2>&1; then
      ansible-playbook -i inventories/lab playbooks/teardown.yml "$@"
    else
      log "moto is not running: nothing in AWS to tear down"
    fi
    moto_down
    ;;
  *)
    echo "usage: $0 up|down" >&2
    exit 2
    ;;
esac
