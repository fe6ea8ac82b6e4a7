"""Fixtures shared by the unit and integration tests."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request

import pytest
from ansible.module_utils.testing import patch_module_args

from tests.helpers import ROOT, VENV_BIN, free_port


@pytest.fixture(scope="session")
def moto_port(tmp_path_factory):
    """A moto server of the tests' own, started the way the lab starts it."""
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "files/lab/moto_server.py"), "-H", "127.0.0.1", "-p", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = "http://127.0.0.1:%d/moto-api/data.json" % port
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                response.read()
            break
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                pytest.fail("moto server did not start; see %s" % log)
            time.sleep(0.2)
    yield port
    proc.terminate()
    proc.wait(timeout=10)


class PlaybookRun:
    def __init__(self, proc: subprocess.CompletedProcess):
        self.rc = proc.returncode
        self.output = proc.stdout + proc.stderr
        recap = re.findall(r"^\S+\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", self.output, re.M)
        self.changed = sum(int(row[1]) for row in recap)
        # changed per playbook, for a script that runs several (lab.sh up: site, flows, status)
        self.changed_by_playbook = [
            sum(int(n) for n in re.findall(r"^\S+\s+: ok=\d+\s+changed=(\d+)", part, re.M))
            for part in self.output.split("PLAY RECAP")[1:]
        ]
        self.failed = sum(int(row[3]) for row in recap)
        self.ok = sum(int(row[0]) for row in recap)

    def __repr__(self):
        return "PlaybookRun(rc=%d, changed=%d)\n%s" % (self.rc, self.changed, self.output[-6000:])


@pytest.fixture(scope="session")
def ansible_env(moto_port):
    env = dict(os.environ)
    env.update(
        ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        DICOOGLE_LAB_MOTO_PORT=str(moto_port),
        PATH="%s:%s" % (VENV_BIN, env.get("PATH", "")),
    )
    return env


@pytest.fixture(scope="session")
def run_playbook(ansible_env):
    """Run a playbook with the lab inventory against the tests' moto server."""

    def run(playbook, *extra_args, extra_vars=None, inventory="inventories/lab"):
        cmd = [str(VENV_BIN / "ansible-playbook"), "-i", inventory, playbook]
        for key, value in (extra_vars or {}).items():
            # strings as key=value, anything else (lists, dicts) as JSON
            cmd += ["-e", "%s=%s" % (key, value) if isinstance(value, str) else json.dumps({key: value})]
        cmd += list(extra_args)
        proc = subprocess.run(cmd, cwd=ROOT, env=ansible_env, capture_output=True, text=True, timeout=900, check=False)
        return PlaybookRun(proc)

    return run


@pytest.fixture(scope="session")
def aws_client(moto_port):
    import boto3

    def client(service):
        return boto3.client(
            service,
            endpoint_url="http://127.0.0.1:%d" % moto_port,
            region_name="eu-west-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    return client


@pytest.fixture(scope="session")
def run_lab(ansible_env):
    """Run scripts/lab.sh (what `make lab` and `make lab-down` run) against the tests' moto."""

    def run(action, *extra_args, extra_vars=None, env=None):
        cmd = [str(ROOT / "scripts/lab.sh"), action] + list(extra_args)
        for key, value in (extra_vars or {}).items():
            cmd += ["-e", "%s=%s" % (key, value)]
        proc = subprocess.run(cmd, cwd=ROOT, env=dict(ansible_env, **(env or {})), capture_output=True, text=True,
                              timeout=900, check=False)
        return PlaybookRun(proc)

    return run


@pytest.fixture
def run_module(capsys):
    """Run a module's main() in-process with these arguments and return its JSON result."""

    def run(module, args, check_mode=False):
        args = dict(args)
        if check_mode:
            args["_ansible_check_mode"] = True
        with patch_module_args(args):
            with pytest.raises(SystemExit):
                module.main()
        return json.loads(capsys.readouterr().out)

    return run
