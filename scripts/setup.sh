#!/usr/bin/env bash
# Everything a fresh Debian 12 machine (as root) needs for `make lab` and `make test`.
# Idempotent and quick when nothing changed: each step checks before it acts.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${DICOOGLE_VENV:-$ROOT/.venv}"
BASE_IMAGE="${DICOOGLE_LAB_BASE_IMAGE:-dicoogle-lab/debian12-systemd:1}"
# gcc and libc6-dev: ghostunnel's static build (cgo); Go itself comes with the machine (Debian 12's
# golang is 1.19, older than ghostunnel needs).
APT_PACKAGES=(docker.io mmdebstrap dcmtk stunnel4 orthanc python3-venv git make curl shellcheck gcc libc6-dev)
log() { printf '[setup] %s\n' "$*"; }

install_apt() {
  local missing=()
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "apt: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The tests start their own Orthanc on free loopback ports; the package's service stays off.
  if [ -d /run/systemd/system ]; then systemctl disable --now orthanc >/dev/null 2>&1 || true; fi
}

install_venv() {
  local stamp="$VENV/.requirements.sha256" want
  want="$(cat "$ROOT/requirements.txt" "$ROOT/requirements-dev.txt" "$ROOT/constraints.txt" | sha256sum | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$VENV/bin/ansible-playbook" ]; then
    return 0
  fi
  log "venv: installing pinned requirements into $VENV"
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$ROOT/requirements-dev.txt" -c "$ROOT/constraints.txt"
  echo "$want" >"$stamp"
}

link_collection() {
  # ansible-test and FQCN resolution need the repository at ansible_collections/dicoogle/aws.
  local link="$ROOT/.build/ansible_collections/dicoogle/aws"
  mkdir -p "$(dirname "$link")"
  [ -L "$link" ] || ln -sfn ../../.. "$link"
}

start_docker() {
  docker info >/dev/null 2>&1 && return 0
  log "docker: starting dockerd"
  nohup dockerd >/var/log/dicoogle-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && return 0
    sleep 1
  done
  log "docker: dockerd did not start, see /var/log/dicoogle-dockerd.log"
  return 1
}

build_base_image() {
  docker image inspect "$BASE_IMAGE" >/dev/null 2>&1 && return 0
  log "docker: building $BASE_IMAGE (mmdebstrap, Debian 12 with systemd and python3)"
  local tar
  tar="$(mktemp --suffix=.tar)"
  mmdebstrap --quiet --variant=minbase \
    --include=systemd,systemd-sysv,python3,sudo,ca-certificates,iproute2 \
    bookworm "$tar"
  docker import \
    -c 'CMD ["/lib/systemd/systemd"]' -c 'ENV container=docker' \
    "$tar" "$BASE_IMAGE" >/dev/null
  rm -f "$tar"
}

build_ghostunnel() {
  # From its Go module at the tunnel role's pinned version, into .build/ghostunnel/<version>/ (the
  # lab inventory's dicoogle_ghostunnel_build_dir); the module finds it there on a re-run.
  if ! command -v go >/dev/null 2>&1; then
    log "go: not on the PATH (make adds /usr/local/go/bin). ghostunnel, the lab's tunnel engine, is built from its Go module: install Go 1.21 or newer"
    return 1
  fi
  ANSIBLE_CONFIG="$ROOT/ansible.cfg" "$VENV/bin/ansible-playbook" -i "$ROOT/inventories/lab" \
    "$ROOT/files/lab/ghostunnel_build.yml" >"$ROOT/.build/ghostunnel-build.log" 2>&1 || {
    log "ghostunnel: the build failed, see .build/ghostunnel-build.log"
    tail -n 20 "$ROOT/.build/ghostunnel-build.log" >&2
    return 1
  }
  if grep -q "changed=[1-9]" "$ROOT/.build/ghostunnel-build.log"; then
    log "ghostunnel: built from its Go module into .build/ghostunnel (see .build/ghostunnel-build.log)"
  fi
}

install_apt
install_venv
link_collection
build_ghostunnel
start_docker
build_base_image
