"""Provisioning against moto: the AWS side of site.yml (the lab inventory, --limit localhost) on
a new deployment, its no-change re-run and teardown.yml, each measured for wall time, tasks run,
resources changed and AWS API calls (moto's request recorder), with the ten slowest tasks of the
converge (ansible.posix.profile_tasks)."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from labkit import VENV_BIN, free_port, wait_for_port  # noqa: E402  pylint: disable=wrong-import-position

DEPLOYMENT = "bench"
# AWS's default web certificate (ACM, DNS-validated in the public zone) rather than the lab's
# imported one: the path whose waits bench/aws_estimate.py models.
EXTRA = {"front_door_certificate": "acm"}
SLOWEST = 10
# "<task name> ------- 12.34s", as profile_tasks prints its recap
PROFILE_LINE = re.compile(r"^(?P<name>\S.*?) -+ +(?P<seconds>\d+\.\d+)s$")
# Actions that change something (the rest describe, list or get); Cognito's Admin* calls are
# named by the verb that follows (AdminCreateUser changes, AdminGetUser reads).
MUTATING = re.compile(r"(Admin)?(Create|Put|Delete|Update|Modify|Attach|Detach|Associate|Disassociate|Authorize|Revoke|Register|"
                      r"Deregister|Tag|Untag|Run|Terminate|Allocate|Release|Import|Schedule|Cancel|Enable|Disable|Set|Add|Remove|"
                      r"Change|Start|Request|Accept|Confirm|POST|PUT|DELETE)")
CREDENTIAL = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/(?P<service>[^/]+)/aws4_request")


def api_call(entry: dict) -> tuple[str, str]:
    """(service, action) of a request moto recorded: the signing scope names the service; the
    action is X-Amz-Target's (JSON protocols), Action= (query protocols) or method and path (REST)."""
    headers = {k.lower(): v for k, v in entry.get("headers", {}).items()}
    match = CREDENTIAL.search(headers.get("authorization", ""))
    service = match.group("service") if match else "unsigned"
    if "x-amz-target" in headers:
        return service, headers["x-amz-target"].rsplit(".", 1)[-1]
    body = entry.get("body") or ""
    if entry.get("body_encoded"):
        body = base64.b64decode(body).decode("utf-8", "replace")
    action = urllib.parse.parse_qs(body).get("Action") or urllib.parse.parse_qs(urllib.parse.urlsplit(entry["url"]).query).get("Action")
    if action:
        return service, action[0]
    path = urllib.parse.urlsplit(entry["url"]).path.strip("/").split("/")[0]
    return service, "%s /%s" % (entry["method"], path)


ANSIBLE_PLAYBOOK = str(VENV_BIN / "ansible-playbook")


def playbook_env(**extra) -> dict:
    """The environment the benchmarks run ansible-playbook in: the project's ansible.cfg, this
    venv first on PATH, every task timed in run order (profile_tasks' recap only)."""
    return dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
                ANSIBLE_CALLBACKS_ENABLED="ansible.posix.profile_tasks", PROFILE_TASKS_SUMMARY_ONLY="true",
                PROFILE_TASKS_TASK_OUTPUT_LIMIT="all", PROFILE_TASKS_SORT_ORDER="none",
                PATH="%s:%s" % (VENV_BIN, os.environ.get("PATH", "")), **extra)


def recorded(path: Path, start: int) -> list[tuple[str, str]]:
    lines = path.read_text().splitlines() if path.exists() else []
    return [api_call(json.loads(line)) for line in lines[start:]]


def timed_tasks(output: str) -> list[tuple[str, float]]:
    """Every task of a profile_tasks recap with its seconds, in the recap's order (the run's order
    with PROFILE_TASKS_SORT_ORDER=none)."""
    recap = output.split("TASKS RECAP", 1)[-1]
    return [(m.group("name"), float(m.group("seconds"))) for m in map(PROFILE_LINE.match, recap.splitlines()) if m]


def slowest_tasks(output: str, count: int = SLOWEST) -> list[tuple[str, float]]:
    return sorted(timed_tasks(output), key=lambda t: -t[1])[:count]


def recap(output: str) -> dict:
    rows = re.findall(r"^\S+\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)", output, re.M)
    keys = ("ok", "changed", "unreachable", "failed", "skipped")
    return {key: sum(int(row[i]) for row in rows) for i, key in enumerate(keys)}


def run(playbook: str, port: int, state: Path, recording: Path) -> dict:
    env = playbook_env(DICOOGLE_LAB_MOTO_PORT=str(port))
    before = len(recording.read_text().splitlines()) if recording.exists() else 0
    started = time.monotonic()
    proc = subprocess.run([ANSIBLE_PLAYBOOK, "-i", "inventories/lab", playbook, "--limit", "localhost",
                           "-e", json.dumps({"dicoogle_deployment": DEPLOYMENT, "dicoogle_state_dir": str(state), **EXTRA})],
                          cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    wall = time.monotonic() - started
    output = proc.stdout + proc.stderr
    if proc.returncode != 0:
        raise SystemExit("%s failed (rc %d):\n%s" % (playbook, proc.returncode, output[-4000:]))
    calls = recorded(recording, before)
    services = Counter(service for service, action in calls)
    mutating = [action for service, action in calls if MUTATING.match(action)]
    return {"playbook": playbook, "wall_s": round(wall, 1), "tasks": len(re.findall(r"^TASK \[", output, re.M)), **recap(output),
            "api_calls": len(calls), "api_by_service": dict(services.most_common()), "api_mutating": len(mutating),
            "slowest": slowest_tasks(output), "timeline": timed_tasks(output)}


def measure(results=None) -> dict:  # pylint: disable=unused-argument
    with tempfile.TemporaryDirectory(prefix="dicoogle-bench-") as tmp:
        tmp = Path(tmp)
        recording, port = tmp / "requests.jsonl", free_port()
        moto = subprocess.Popen([sys.executable, str(ROOT / "files/lab/moto_server.py"), "-H", "127.0.0.1", "-p", str(port)],
                                env=dict(os.environ, MOTO_ENABLE_RECORDING="true", MOTO_RECORDER_FILEPATH=str(recording)),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for_port(port, timeout=60)
            state = tmp / "state"
            return {
                "converge": run("playbooks/site.yml", port, state, recording),
                "rerun": run("playbooks/site.yml", port, state, recording),
                "teardown": run("playbooks/teardown.yml", port, state, recording),
            }
        finally:
            moto.terminate()
            moto.wait(timeout=30)


def rows(result: dict) -> list[tuple[str, str, str]]:
    """(figure, value, method) rows of the report table."""
    method = "site.yml --limit localhost, inventories/lab, new deployment, against a local moto server"
    out = []
    for key, label in (("converge", "Converge of a new deployment"), ("rerun", "Re-run, nothing to change"), ("teardown", "Teardown")):
        r = result[key]
        out.append((label + ": wall time", "%.0f s" % r["wall_s"], method if key != "teardown" else "teardown.yml, same deployment"))
        out.append((label + ": tasks run / changed", "%d / %d" % (r["tasks"], r["changed"]), "TASK banners; PLAY RECAP changed="))
        top = ", ".join("%s %d" % item for item in list(r["api_by_service"].items())[:4])
        out.append((label + ": AWS API calls", "%d (%d mutating; %s)" % (r["api_calls"], r["api_mutating"], top),
                    "moto's request recorder (MOTO_ENABLE_RECORDING), service from the SigV4 scope"))
    for rank, (name, seconds) in enumerate(result["converge"]["slowest"], 1):
        out.append(("Converge, slowest task %d" % rank, "%.1f s" % seconds, name))
    return out


if __name__ == "__main__":
    print(json.dumps(measure(), indent=2))
