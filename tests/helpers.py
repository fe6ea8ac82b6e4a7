"""Small helpers shared by the tests; those the benchmarks use too (paths, ports, moto clients)
come from labkit and are named here as well."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from labkit import ROOT, VENV_BIN, free_port, moto_client, wait_for_port

__all__ = ["RAISED_QUOTAS_ENV", "UnsafeText", "ROOT", "VENV_BIN", "docker_available", "env_without_go", "free_port", "ghostunnel_build",
           "moto_client", "wait_for_port"]


class UnsafeText(str):
    """A string YAML tags !unsafe (Ansible never templates it): the role specs' Jinja defaults."""


# The tests read YAML with yaml.safe_load; Ansible's !unsafe tag loads as UnsafeText.
yaml.SafeLoader.add_constructor("!unsafe", lambda loader, node: UnsafeText(loader.construct_scalar(node)))

# One moto server of the tests holds several deployments at once, as an account whose quotas were
# raised would: its Elastic IPs, VPCs, internet and NAT gateways (files/lab/aws_rules.py has a new
# account's defaults, which `make lab` keeps).
RAISED_QUOTAS_ENV = {"DICOOGLE_LAB_QUOTAS": '{"L-0263D0A3": 40, "L-F678F1CE": 40, "L-A4707A72": 40, "L-FE5A380F": 20}'}


# Tests that need the Docker engine scripts/setup.sh starts.
docker_available = pytest.mark.skipif(
    shutil.which("docker") is None or subprocess.run(["docker", "info"], capture_output=True, check=False).returncode != 0,
    reason="needs the Docker engine that scripts/setup.sh starts",
)


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
