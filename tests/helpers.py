"""Small helpers shared by the tests."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

# The repository, and the bin directory of the venv the tests run in (ansible-playbook, ...).
ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


# One moto server of the tests holds several deployments at once, as an account whose quotas were
# raised would: its Elastic IPs, VPCs, internet and NAT gateways (files/lab/aws_rules.py has a new
# account's defaults, which `make lab` keeps).
RAISED_QUOTAS_ENV = {"DICOOGLE_LAB_QUOTAS": '{"L-0263D0A3": 40, "L-F678F1CE": 40, "L-A4707A72": 40, "L-FE5A380F": 20}'}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 10) -> None:
    """Return once something accepts connections on 127.0.0.1:port; raise after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError("nothing listens on 127.0.0.1:%d" % port)


# Tests that need the Docker engine scripts/setup.sh starts.
docker_available = pytest.mark.skipif(
    shutil.which("docker") is None or subprocess.run(["docker", "info"], capture_output=True, check=False).returncode != 0,
    reason="needs the Docker engine that scripts/setup.sh starts",
)


def moto_client(port: int, service: str):
    """A boto3 client of the moto server on 127.0.0.1:port, in the lab's region."""
    import boto3

    return boto3.client(service, endpoint_url="http://127.0.0.1:%d" % port, region_name="eu-west-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def ghostunnel_build() -> Path:
    """The ghostunnel that scripts/setup.sh built from its Go module at the roles' pinned version."""
    import re

    default = (ROOT / "roles/tunnel/defaults/main.yml").read_text()
    version = re.search(r"^tunnel_ghostunnel_version: .*'(v[0-9.]+)'", default, re.M).group(1)
    return ROOT / ".build" / "ghostunnel" / version / "ghostunnel"


def env_without_go(path: str) -> dict:
    """An environment update: the PATH less the directories that hold a go command; skips the test
    where go shares its directory with the tools a playbook run needs (a distribution's /usr/bin)."""
    import os

    holding = [d for d in path.split(":") if d and os.path.exists(os.path.join(d, "go"))]
    if any(os.path.exists(os.path.join(d, tool)) for d in holding for tool in ("sh", "docker", "python3")):
        pytest.skip("go shares a directory with the tools the run needs: %s" % holding)
    return {"PATH": ":".join(d for d in path.split(":") if d and d not in holding)}
