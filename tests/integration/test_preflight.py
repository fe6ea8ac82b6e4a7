"""playbooks/preflight.yml (site.yml's first play) against lab servers of its own: a new account's
quotas, then quotas lowered; it prints one table, fails naming the check, and changes nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.helpers import ROOT, free_port, moto_client, wait_for_port


@pytest.fixture
def fresh_lab(tmp_path):
    """A lab AWS endpoint of a new account; quotas from DICOOGLE_LAB_QUOTAS as the test asks."""
    servers = []

    def start(quotas=None):
        port = free_port()
        servers.append(subprocess.Popen([sys.executable, str(ROOT / "files/lab/moto_server.py"), "-H", "127.0.0.1", "-p", str(port)],
                                        env=dict(os.environ, DICOOGLE_LAB_QUOTAS=json.dumps(quotas or {})),
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_for_port(port, timeout=30)
        return port

    yield start
    for server in servers:
        server.terminate()
        server.wait(timeout=10)


def everything(port):
    """What an account holds, as the checks that could create something would change it."""
    def client(service):
        return moto_client(port, service)

    return {
        "vpcs": len(client("ec2").describe_vpcs()["Vpcs"]), "eips": len(client("ec2").describe_addresses()["Addresses"]),
        "buckets": len(client("s3").list_buckets()["Buckets"]), "keys": len(client("kms").list_keys()["Keys"]),
        "secrets": len(client("secretsmanager").list_secrets()["SecretList"]),
        "zones": len(client("route53").list_hosted_zones()["HostedZones"]),
    }


def preflight(run_playbook, port, tmp_path, **extra):
    return run_playbook("playbooks/preflight.yml", env={"DICOOGLE_LAB_MOTO_PORT": str(port)},
                        extra_vars=dict({"dicoogle_state_dir": str(tmp_path / "state")}, **extra))


def table(run):
    """The printed table's rows: check -> verdict."""
    block = run.output.split("Print the preflight table", 1)[1].split("TASK [", 1)[0]
    rows = [line.strip() for line in block.splitlines() if line.strip().endswith((" ok", " FAIL"))]
    return {row.rsplit("  ", 1)[0].split("  ")[0].strip(): row.rsplit(" ", 1)[1] for row in rows}


def test_a_new_account_passes_every_check_and_nothing_is_made(fresh_lab, run_playbook, tmp_path):
    port = fresh_lab()
    before = everything(port)
    run = preflight(run_playbook, port, tmp_path)
    assert run.rc == 0 and run.changed == 0, run
    verdicts = table(run)
    for check in ("network inputs and names", "credentials", "services of eu-west-1", "VPCs per region",
                  "internet gateways per region", "Elastic IPs per region", "NAT gateways per zone",
                  "interface endpoints per VPC", "public zone lab.dicoogle.test", "availability zones of eu-west-1",
                  "Docker engine", "Python libraries"):
        assert verdicts.get(check) == "ok", (check, verdicts)
    assert "session-manager-plugin" not in verdicts  # the lab's hosts are containers
    assert everything(port) == before and not (tmp_path / "state").exists()
    # zones asked by name that the region does not offer, and a library the controller lacks, fail
    # their checks before any change
    pinned = preflight(run_playbook, port, tmp_path, network_availability_zones=["eu-west-1a", "eu-west-1z"],
                       preflight_python_libraries=["boto3", "dicoogle_no_such_library"])
    assert pinned.rc != 0 and table(pinned)["availability zones of eu-west-1"] == "FAIL", pinned
    assert table(pinned)["Python libraries"] == "FAIL" and "missing: dicoogle_no_such_library" in pinned.output
    assert table(pinned)["Docker engine"] == "ok"
    assert everything(port) == before


def test_quotas_too_low_fail_before_any_change_naming_the_check(fresh_lab, run_playbook, tmp_path):
    port = fresh_lab({"L-0263D0A3": 1, "L-F678F1CE": 3})  # 1 Elastic IP; 3 VPCs, the default VPC holding one
    before = everything(port)
    run = site = run_playbook("playbooks/site.yml", env={"DICOOGLE_LAB_MOTO_PORT": str(port)},
                              extra_vars={"dicoogle_state_dir": str(tmp_path / "state")})
    assert site.rc != 0, run
    verdicts = table(run)
    assert verdicts["Elastic IPs per region"] == verdicts["VPCs per region"] == "FAIL", verdicts
    assert verdicts["NAT gateways per zone"] == "ok"
    assert "Preflight failed: VPCs per region; Elastic IPs per region" in run.output
    assert "ask AWS for 1 more" in run.output
    # site.yml stopped at its first play: nothing was made, not even the local PKI
    assert run.changed == 0 and everything(port) == before and not (tmp_path / "state").exists()


def test_a_name_too_long_for_aws_fails_the_check_of_its_roles(fresh_lab, run_playbook, tmp_path):
    port = fresh_lab()
    run = preflight(run_playbook, port, tmp_path, dicoogle_deployment="radiology-pacs-eu-west-1x")  # 25
    assert run.rc != 0, run
    verdicts = table(run)
    assert verdicts["foundation inputs and names"] == verdicts["pki inputs and names"] == "FAIL"
    assert verdicts["network inputs and names"] == "ok"
    assert "credentials" not in verdicts  # invalid inputs: AWS is not asked
    assert "dicoogle_deployment" in run.output
