"""Fixtures shared by the unit and integration tests."""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from types import SimpleNamespace

import pytest
from ansible.module_utils.testing import patch_module_args

from tests.deployment import LAB_DEPLOYMENT, SITE_DEPLOYMENT
from tests.helpers import RAISED_QUOTAS_ENV, ROOT, VENV_BIN, free_port, moto_client


# The files that share a deployment (the session fixtures site and lab below): pytest-xdist must
# run each set on one worker, after which the deployment is torn down once. xdist's own
# xdist_group marks do not group with pytest 9 (the "@group" suffix xdist writes into the node id
# is no longer read back), so the tests' scheduler below does it.
SHARED_DEPLOYMENTS = {
    "tests/integration/test_site_foundation.py": "site",
    "tests/integration/test_site_network.py": "site",
    "tests/integration/test_site_storage.py": "site",
    "tests/integration/test_site_edge_hosts.py": "site",
    "tests/integration/test_site_privatelink.py": "site",
    "tests/integration/test_site_pacs_service.py": "site",
    "tests/integration/test_site_front_door.py": "site",
    "tests/integration/test_site_alerts.py": "site",
    "tests/security/test_security_aws.py": "site",
    # a controller with an empty state directory runs the same site (changes_deployment)
    "tests/integration/test_site_state.py": "site",
    # after every test that reads or adds to the site: its second run, check mode, teardown, rebuild
    "tests/integration/test_site_lifecycle.py": "site",
    "tests/integration/test_lab_flows.py": "lab",
    "tests/security/test_security_lab.py": "lab",
}


# Work units that take longest, handed out first (the rest follow in collection order) so that
# neither worker idles at the end: about 16, 17, 9 and 3 minutes here. A worker takes its next unit
# when its current one has fewer than two tests left: the worker of the site (one unit) takes the
# faults' tests next, while the other runs the lab; the short files even them out.
FIRST = ["site", "lab", "tests/faults/test_faults.py", "tests/integration/test_validation.py"]

# Files whose tests each build a deployment of their own: a unit per test, so that either worker
# can take the next one.
UNIT_PER_TEST = {"tests/faults/test_faults.py"}


def work_unit(nodeid):
    """The unit of work a test belongs to: its shared deployment, its own (UNIT_PER_TEST) or its file."""
    path = nodeid.split("::", 1)[0]
    if path in UNIT_PER_TEST:
        return nodeid
    return SHARED_DEPLOYMENTS.get(path, path)


def pytest_collection_modifyitems(items):
    """The longest work units first; the tests that change a shared deployment (changes_deployment)
    after the tests that read it as built, and those that tear it down (ends_deployment) last. A test file that uses a shared deployment must
    be listed in SHARED_DEPLOYMENTS."""
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        shared = {"site", "lab"} & set(getattr(item, "fixturenames", ()))
        if shared and path not in SHARED_DEPLOYMENTS:
            raise pytest.UsageError("%s uses the shared deployment %s: add it to SHARED_DEPLOYMENTS in tests/conftest.py" % (path, shared.pop()))

    files = list(SHARED_DEPLOYMENTS)

    def rank(item):
        path = item.nodeid.split("::", 1)[0]
        unit = SHARED_DEPLOYMENTS.get(path, path)
        late = 2 if item.get_closest_marker("ends_deployment") else 1 if item.get_closest_marker("changes_deployment") else 0
        # within a shared deployment, its files in SHARED_DEPLOYMENTS' order (the whole-deployment checks last)
        position = files.index(path) if path in files else 0
        return (FIRST.index(unit) if unit in FIRST else len(FIRST), late, position)

    items.sort(key=rank)


@pytest.hookimpl(optionalhook=True)  # without pytest-xdist (-p no:xdist) there is no such hook
def pytest_xdist_make_scheduler(config, log):
    """With --dist loadgroup: a test file's tests run on one worker, and so do the files that share
    a deployment; units and tests in collection order (as sorted above), not by test count."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    config.option.loadscopereorder = False

    class DeploymentScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return work_unit(nodeid)

    return DeploymentScheduling(config, log)


# Seconds each work unit took, per worker, in the order the worker ran them: printed at the end of
# a run, to keep the workers' loads even (FIRST above) and see which unit ends a run late.
UNIT_SECONDS = {}


def pytest_runtest_logreport(report):
    gateway = getattr(getattr(report, "node", None), "gateway", None)
    units = UNIT_SECONDS.setdefault(gateway.id if gateway is not None else "main", {})
    unit = work_unit(report.nodeid)
    units[unit] = units.get(unit, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter):
    if len(UNIT_SECONDS) < 2:
        return
    terminalreporter.section("work units per worker, in the order run (s; units under 10 s summed)")
    for worker, units in sorted(UNIT_SECONDS.items()):
        long = ["%s %d" % (unit.rsplit("/", 1)[-1], seconds) for unit, seconds in units.items() if seconds >= 10]
        short = sum(seconds for seconds in units.values() if seconds < 10)
        terminalreporter.write_line("%s: %d s: %s" % (worker, sum(units.values()), ", ".join(long + ["others %d" % short])))


@pytest.fixture(scope="session")
def moto_port(tmp_path_factory):
    """A moto server of the tests' own, started the way the lab starts it."""
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "files/lab/moto_server.py"), "-H", "127.0.0.1", "-p", str(port)],
            env=dict(os.environ, **RAISED_QUOTAS_ENV),
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

    def run(playbook, *extra_args, extra_vars=None, inventory="inventories/lab", env=None):
        cmd = [str(VENV_BIN / "ansible-playbook"), "-i", inventory, playbook]
        for key, value in (extra_vars or {}).items():
            # strings as key=value, anything else (lists, dicts) as JSON
            cmd += ["-e", "%s=%s" % (key, value) if isinstance(value, str) else json.dumps({key: value})]
        cmd += list(extra_args)
        proc = subprocess.run(cmd, cwd=ROOT, env=dict(ansible_env, **(env or {})), capture_output=True, text=True, timeout=900,
                              check=False)
        return PlaybookRun(proc)

    return run


@pytest.fixture(scope="session")
def aws_client(moto_port):
    return functools.partial(moto_client, moto_port)


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


# Production's TLS-only bucket policies. The lab leaves them out because moto refuses every object
# call under a Deny + Condition statement and the lab's flows upload objects; the
# AWS-only deployment makes no object call, so it keeps what AWS gets.
TLS_ONLY_BUCKETS = {
    "foundation_log_bucket_deny_insecure_transport": True,
    "storage_images_deny_insecure_transport": True,
    "storage_images_uploads_only_from_endpoint": True,
    "edge_hosts_ssm_bucket_deny_insecure_transport": True,
}


@pytest.fixture(scope="session")
def site(tmp_path_factory, run_lab, run_playbook):
    """The AWS side of the lab (no Docker hosts, no flows) as deployment it-site, built at -vvv so
    that tests/security can read everything the build printed. Shared by the files that
    SHARED_DEPLOYMENTS maps to "site"; its teardown is a test (ends_deployment)."""
    state = tmp_path_factory.mktemp("site") / "state"
    extra = {"dicoogle_deployment": SITE_DEPLOYMENT, "dicoogle_state_dir": str(state)}
    production = ("-e", json.dumps(TLS_ONLY_BUCKETS))

    def lab(action, *args):
        return run_lab(action, "--limit", "localhost", *production, *args, extra_vars=extra, env={"DICOOGLE_LAB_FLOWS": "0"})

    def play(playbook, *args):
        return run_playbook(playbook, "--limit", "localhost", *production, *args, extra_vars=extra)

    @functools.lru_cache(maxsize=None)
    def second():
        """The second run of the converged deployment, once: the tests that check what it changed or
        printed share it (it costs a whole no-op run)."""
        return lab("up")

    first = lab("up", "-vvv")
    assert first.rc == 0, first
    return SimpleNamespace(deployment=SITE_DEPLOYMENT, state=state, lab=lab, play=play, first=first, second=second, production=production)


@pytest.fixture(scope="session")
def installed_collection(tmp_path_factory):
    """The collection's tarball, installed as its users install it (tests/collection.py)."""
    from tests import collection

    work = tmp_path_factory.mktemp("installed")
    tarball, build = collection.build(work)
    return SimpleNamespace(tarball=tarball, build=build, path=collection.install(tarball, work))


@pytest.fixture(scope="session")
def run_installed(ansible_env, installed_collection, tmp_path_factory):
    """`ansible-playbook dicoogle.aws.<playbook>` as a user of the installed collection runs it: from
    a directory outside the repository, without the repository's ansible.cfg, with only the
    installed collections; the inventory by its path. Several playbooks run one after the other
    (up to the first that fails), as scripts/lab.sh runs them."""
    from tests import collection

    cwd = tmp_path_factory.mktemp("user")
    env = dict(collection.user_env(installed_collection.path), DICOOGLE_LAB_MOTO_PORT=ansible_env["DICOOGLE_LAB_MOTO_PORT"])

    def run(playbooks, *extra_args, extra_vars=None, inventory=ROOT / "inventories/lab"):
        done = []
        for playbook in playbooks:
            cmd = [str(VENV_BIN / "ansible-playbook"), "dicoogle.aws." + playbook, "-i", str(inventory), *extra_args]
            for key, value in (extra_vars or {}).items():
                cmd += ["-e", "%s=%s" % (key, value)]
            done.append(subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=900, check=False))
            if done[-1].returncode:
                break
        return PlaybookRun(subprocess.CompletedProcess(cmd, done[-1].returncode, "".join(p.stdout for p in done),
                                                       "".join(p.stderr for p in done)))

    return run


@pytest.fixture(scope="session")
def lab(tmp_path_factory, run_lab, run_playbook, run_installed):
    """The lab as deployment it-lab: the sites and the PACS task on Docker, the flows, built at -vvv
    from the installed collection (site, dicom_tests and status by their FQCN, as `make lab` runs
    them); later runs (`up`, `down`) are `make lab`'s from the source tree. Shared by the files that
    SHARED_DEPLOYMENTS maps to "lab"; torn down at the end of the session (and checked by an
    ends_deployment test before that)."""
    state = tmp_path_factory.mktemp("lab") / "state"
    extra = {"dicoogle_deployment": LAB_DEPLOYMENT, "dicoogle_state_dir": str(state), "dicoogle_lab_https_port": str(free_port())}
    first = run_installed(["site", "dicom_tests", "status"], "-vvv", extra_vars=extra)
    yield SimpleNamespace(
        deployment=LAB_DEPLOYMENT, state=state, first=first, https_port=int(extra["dicoogle_lab_https_port"]),
        up=lambda *a: run_lab("up", *a, extra_vars=extra),
        down=lambda *a: run_lab("down", *a, extra_vars=extra),
        play=lambda playbook, *a: run_playbook(playbook, *a, extra_vars=extra),
    )
    run_lab("down", extra_vars=extra)
