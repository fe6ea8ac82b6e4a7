#!/usr/bin/env bash
# The quality gates of `make test`: collection build, ansible-lint (production profile),
# ansible-test sanity, molecule scenarios of the host roles, then pytest (unit tests, then
# integration tests against moto).
#   scripts/test.sh [build|lint|sanity|molecule|unit|integration]...   (no argument: all of them)
# Stages joined by "+" run side by side (each its own process, its output printed when all are
# done): with no argument, lint, sanity and molecule do, as none of them needs the others.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${DICOOGLE_VENV:-$ROOT/.venv}"
export PATH="$VENV/bin:$PATH"
export ANSIBLE_CONFIG="$ROOT/ansible.cfg"
cd "$ROOT" || exit 1

build() {
  ansible-galaxy collection build --force --output-path "$ROOT/.build/dist" .
}

lint() {
  ansible-lint --profile production
}

sanity() {
  # ansible-test wants the collection at .../ansible_collections/dicoogle/aws (not behind a
  # symlink) with its dependencies beside it; a copy of the tracked files in a temp dir gives both.
  local top work site pip_version
  top="$(mktemp -d)"
  work="$top/ansible_collections/dicoogle/aws"
  mkdir -p "$work"
  git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -xf - -C "$work"
  site="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
  # copies, not symlinks: ansible-test does not follow symlinked collections
  mkdir -p "$top/ansible_collections/amazon" "$top/ansible_collections/community"
  cp -r "$site/ansible_collections/amazon/aws" "$top/ansible_collections/amazon/aws" || return 1
  cp -r "$site/ansible_collections/community/aws" "$top/ansible_collections/community/aws" || return 1
  # ansible-test downloads get-pip.py from a host this network does not reach: seed its cache.
  pip_version="$("$VENV/bin/python" -c 'import ansible_test._internal.python_requirements as r, inspect, re; print(re.search(r"pip=.(\d+\.\d+)", inspect.getsource(r)).group(1))')"
  mkdir -p "$HOME/.ansible/test/cache"
  cp "$ROOT/files/ansible-test/get_pip.py" "$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
  (cd "$work" && ansible-test sanity --python 3.11 --color no)
  local rc=$?
  rm -rf "$top"
  return $rc
}

molecule_lane() {
  # Scenarios one after another, each "role" or "role:tunnel engine"; a container and a molecule
  # state directory of its own per scenario, so that lanes can run side by side.
  local spec role engine name rc=0
  for spec in "$@"; do
    role="${spec%%:*}"
    engine=""
    [ "$role" != "$spec" ] && engine="${spec#*:}"
    name="dicoogle-molecule-$role${engine:+-$engine}"
    (cd "$ROOT/roles/$role" && env DICOOGLE_MOLECULE_INSTANCE="$name" \
      MOLECULE_EPHEMERAL_DIRECTORY="${XDG_CACHE_HOME:-$HOME/.cache}/dicoogle-molecule/$name" \
      ${engine:+DICOOGLE_TUNNEL_ENGINE=$engine} molecule test) || rc=1
  done
  return $rc
}

molecule_run() {
  # Each host role's scenario: converge, idempotence, verify with real DICOM traffic in a systemd
  # container. The tunnel role runs with each engine: ghostunnel (the default, from the build
  # folder that set-up filled) and stunnel, each in a lane of its own (the longest scenarios),
  # beside the lane of the other roles.
  side_by_side "molecule:dcmtk,storescp" "molecule:tunnel" "molecule:tunnel:stunnel"
}

# Test files run two at a time (pytest-xdist; a file's tests stay together on one worker, which
# has its own moto server, and so do the files that share a deployment: tests/conftest.py); the
# slowest tests are listed at the end.
parallel=(-n "${DICOOGLE_TEST_WORKERS:-2}" --dist loadgroup --durations=15)

pytest_run() {
  "$VENV/bin/python" -m pytest "$@"
}

run_stage() {
  case "$1" in
    build) build ;;
    lint) lint ;;
    sanity) sanity ;;
    molecule) molecule_run ;;
    molecule:*) local lane; IFS=, read -r -a lane <<<"${1#molecule:}"; molecule_lane "${lane[@]}" ;;
    unit) pytest_run tests/unit ;;
    integration) pytest_run "${parallel[@]}" tests/integration tests/faults ;;
    security) pytest_run "${parallel[@]}" tests/security ;;
    tests) pytest_run "${parallel[@]}" tests/unit tests/integration tests/faults tests/security ;;
    *) echo "unknown stage $1" >&2; false ;;
  esac
}

side_by_side() {
  # The stages given, each in a process of its own; their outputs in order once all are done.
  # Fails when one of them does.
  local logs stage pids=() rc=0 i=0
  logs="$(mktemp -d)"
  # Interrupted (CI's time limit, Ctrl-C): stop the stages and show what they printed so far.
  trap 'kill "${pids[@]}" 2>/dev/null; tail -n 40 "$logs"/*.log; exit 130' INT TERM
  for stage in "$@"; do
    (started=$SECONDS; run_stage "$stage" >"$logs/$i.log" 2>&1; code=$?
     printf '%s %d\n' "$code" $((SECONDS - started)) >"$logs/$i.rc"; exit "$code") &
    pids+=($!)
    i=$((i + 1))
  done
  i=0
  for stage in "$@"; do
    wait "${pids[$i]}" || rc=1
    printf '\n--- %s (%s s, exit %s) ---\n' "$stage" "$(cut -d' ' -f2 "$logs/$i.rc")" "$(cut -d' ' -f1 "$logs/$i.rc")"
    cat "$logs/$i.log"
    i=$((i + 1))
  done
  trap - INT TERM
  rm -rf "$logs"
  return $rc
}

stages=("$@")
[ ${#stages[@]} -eq 0 ] && stages=(build lint+sanity+molecule tests)
failed=()
timings=()
for stage in "${stages[@]}"; do
  printf '\n=== %s ===\n' "$stage"
  started=$SECONDS
  if [[ "$stage" == *+* ]]; then
    IFS=+ read -r -a group <<<"$stage"
    side_by_side "${group[@]}"
  else
    run_stage "$stage"
  fi || failed+=("$stage")
  timings+=("$(printf '%-22s %5d s' "$stage" $((SECONDS - started)))")
done

# Each stage's wall time, for the CI time budget.
printf '\n=== stage times ===\n'
printf '%s\n' "${timings[@]}"

if [ ${#failed[@]} -gt 0 ]; then
  printf '\nFailed stages: %s\n' "${failed[*]}"
  exit 1
fi
