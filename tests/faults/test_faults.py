"""site.yml interrupted at several points (the process group killed, as a lost controller or a
Ctrl-C would leave it): teardown from each point leaves no tagged resource, and a re-run converges
with nothing made twice. A moto server that goes away mid-run is reported with a clear error."""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import sys

import pytest

from tests.deployment import EXPECTED, by_type, tagged_resources
from tests.helpers import ROOT, VENV_BIN, free_port, moto_client, wait_for_port

pytestmark = pytest.mark.integration

# Where site.yml is stopped: an early task of the next role (the previous one finished), or a
# task in the middle of a role; tasks of the build, not of the first play's validation.
POINTS = {
    "net": "TASK [dicoogle.aws.privatelink : Check that the network is known]",  # after the network
    "sto": "TASK [dicoogle.aws.edge_hosts : Find the deployment's KMS key]",  # after the storage plane
    "svc": "TASK [dicoogle.aws.pacs_service : Register the task definition]",  # in the middle of the service
}


def site_command(deployment, state):
    cmd = [str(VENV_BIN / "ansible-playbook"), "-i", "inventories/lab", "playbooks/site.yml", "--limit", "localhost"]
    return cmd + ["-e", json.dumps({"dicoogle_deployment": deployment, "dicoogle_state_dir": str(state)})]


def interrupted_site(env, deployment, state, marker):
    """Run site.yml until the marker's banner, then kill it with everything it started."""
    proc = subprocess.Popen(site_command(deployment, state), cwd=ROOT, env=dict(env, PYTHONUNBUFFERED="1"),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    output = []
    reached = False
    for line in proc.stdout:
        output.append(line)
        if marker in line:
            os.killpg(proc.pid, signal.SIGKILL)
            reached = True
            break
    proc.stdout.close()
    proc.wait(timeout=60)
    assert reached, "site.yml ended before %r:\n%s" % (marker, "".join(output[-80:]))
    return "".join(output)


@pytest.fixture
def deployment(request, tmp_path, ansible_env, run_playbook, aws_client):
    """A deployment of its own per fault point, torn down (and checked) whatever the test did."""
    name = "it-fault-" + request.node.callspec.params["point"]
    extra = {"dicoogle_deployment": name, "dicoogle_state_dir": str(tmp_path / "state")}
    yield name, tmp_path / "state"
    down = run_playbook("playbooks/teardown.yml", "--limit", "localhost", extra_vars=extra)
    assert down.rc == 0, down
    assert tagged_resources(aws_client, name) == []


@pytest.mark.parametrize("point", ["net", "sto"])
def test_teardown_after_an_interrupted_site_leaves_nothing(point, deployment, ansible_env, aws_client):
    name, state = deployment
    interrupted_site(ansible_env, name, state, POINTS[point])
    partial = by_type(tagged_resources(aws_client, name))
    # part of the deployment exists, not all of it: the fixture's teardown must cope
    assert partial.get("vpc") == 3 and partial != EXPECTED, partial
    if point == "sto":
        assert partial.get("efs") == 1 and "ec2-instance" not in partial, partial


@pytest.mark.parametrize("point", ["svc"])
def test_rerun_after_an_interruption_converges_without_duplicates(point, deployment, ansible_env, aws_client, run_playbook):
    name, state = deployment
    interrupted_site(ansible_env, name, state, POINTS[point])
    partial = by_type(tagged_resources(aws_client, name))
    assert "ecs-service" not in partial and partial.get("iam-role") == EXPECTED["iam-role"], partial
    again = run_playbook("playbooks/site.yml", "--limit", "localhost",
                         extra_vars={"dicoogle_deployment": name, "dicoogle_state_dir": str(state)})
    assert again.rc == 0, again
    assert by_type(tagged_resources(aws_client, name)) == EXPECTED


def start_moto(port):
    moto = subprocess.Popen([sys.executable, str(ROOT / "files/lab/moto_server.py"), "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_port(port, timeout=30)
    return moto


def site_against_a_failing_endpoint(tmp_path, ansible_env, deployment, marker, fault):
    """site.yml against a moto server of its own; fault(moto, port) runs at the marker's banner,
    with site.yml stopped meanwhile, and returns the server in use from then on. Returns the run's return code, output and the
    server (still running, or None)."""
    port = free_port()
    moto = start_moto(port)
    try:
        env = dict(ansible_env, DICOOGLE_LAB_MOTO_PORT=str(port), PYTHONUNBUFFERED="1")
        proc = subprocess.Popen(site_command(deployment, tmp_path / "state"), cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        output = []
        faulted = False
        for line in proc.stdout:
            output.append(line)
            if marker in line and not faulted:
                # the run waits while the server changes, so the fault lands exactly here
                os.killpg(proc.pid, signal.SIGSTOP)
                try:
                    moto = fault(moto, port)
                finally:
                    os.killpg(proc.pid, signal.SIGCONT)
                faulted = True
        proc.wait(timeout=600)
    except BaseException:
        if moto is not None:
            moto.kill()
        raise
    assert faulted, "".join(output[-80:])
    return proc.returncode, "".join(output), moto, port


def test_an_aws_endpoint_that_goes_away_is_reported_clearly(tmp_path, ansible_env):
    """The lab's moto server stopped while site.yml runs: the run fails at the next AWS call and
    says which endpoint it could not reach."""

    def stop(moto, port):
        moto.terminate()
        moto.wait(timeout=10)

    rc, text, stopped, port = site_against_a_failing_endpoint(tmp_path, ansible_env, "it-fault-gone", "TASK [dicoogle.aws.network : ", stop)
    assert stopped is None
    assert rc != 0, text[-4000:]
    assert 'Could not connect to the endpoint URL: "http://127.0.0.1:%d/' % port in text, text[-4000:]
    assert "Traceback" not in text


def test_an_aws_endpoint_that_restarts_empty_is_reported_clearly(tmp_path, ansible_env):
    """The lab's moto server restarted while site.yml runs (everything made so far is gone): the
    run fails at the first lookup of what an earlier role made, naming it and the likely cause;
    teardown against the new server then leaves nothing."""

    def restart(moto, port):
        moto.terminate()
        moto.wait(timeout=10)
        return start_moto(port)

    marker = "TASK [dicoogle.aws.storage : Check that the network is known]"
    rc, text, moto, port = site_against_a_failing_endpoint(tmp_path, ansible_env, "it-fault-reset", marker, restart)
    try:
        assert rc != 0, text[-4000:]
        assert "The deployment's KMS key alias/it-fault-reset is not in eu-west-1" in text, text[-4000:]
        assert "the AWS endpoint lost its state" in text
        assert "Traceback" not in text
        env = dict(ansible_env, DICOOGLE_LAB_MOTO_PORT=str(port))
        down = subprocess.run([str(VENV_BIN / "ansible-playbook"), "-i", "inventories/lab", "playbooks/teardown.yml", "--limit", "localhost",
                               "-e", json.dumps({"dicoogle_deployment": "it-fault-reset", "dicoogle_state_dir": str(tmp_path / "state")})],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
        assert down.returncode == 0, down.stdout[-4000:]
        assert by_type(tagged_resources(functools.partial(moto_client, port), "it-fault-reset")) == {}
    finally:
        moto.kill()
