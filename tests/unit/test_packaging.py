"""What the collection declares about itself: honest metadata, a licence, the runtime requirements
an execution environment reads (ranges, not the development pins), the Ansible it is tested with,
and a changelog that antsibull-changelog generates from changelogs/."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import yaml
from ansible.release import __version__ as ansible_core_version

from tests.helpers import ROOT, VENV_BIN


def test_galaxy_metadata_is_honest_and_licensed():
    galaxy = yaml.safe_load((ROOT / "galaxy.yml").read_text())
    assert galaxy["license"] == ["GPL-3.0-or-later"]
    assert "GNU GENERAL PUBLIC LICENSE" in (ROOT / "LICENSE").read_text() and "Version 3" in (ROOT / "LICENSE").read_text()
    assert not [key for key, value in galaxy.items() if "example.invalid" in str(value)]


def test_requires_ansible_states_the_tested_core():
    runtime = yaml.safe_load((ROOT / "meta/runtime.yml").read_text())
    tested = ".".join(ansible_core_version.split(".")[:2])
    assert runtime["requires_ansible"] == ">=%s.0" % tested, (runtime["requires_ansible"], ansible_core_version)


def test_the_execution_environment_reads_runtime_ranges_not_the_development_pins():
    ee = yaml.safe_load((ROOT / "meta/execution-environment.yml").read_text())
    assert ee["version"] == 1
    python, system = (ROOT / ee["dependencies"]["python"]), (ROOT / ee["dependencies"]["system"])
    requirements = [line for line in python.read_text().splitlines() if line and not line.startswith("#")]
    assert {"boto3", "botocore", "pydicom"} <= {re.split(r"[<>=!~ ]", line)[0] for line in requirements}
    # ranges: no pin, and none of the development tool chain
    assert not [line for line in requirements if "==" in line or re.match(r"(ansible|moto|molecule|pytest)\b", line)], requirements
    assert [line for line in system.read_text().splitlines() if line and not line.startswith("#")]
    development = (ROOT / "requirements-dev.txt").read_text()
    assert "-r requirements.txt" in development and "moto[server]==" in development


def test_the_changelog_is_generated_from_changelogs(tmp_path):
    """antsibull-changelog lints the fragments and changelog.yaml, and regenerates CHANGELOG.md as committed."""
    env = dict(os.environ, PATH="%s:%s" % (VENV_BIN, os.environ.get("PATH", "")), ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"))
    lint = subprocess.run([str(VENV_BIN / "antsibull-changelog"), "lint"], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert lint.returncode == 0 and not lint.stdout.strip(), lint.stdout + lint.stderr
    copy = tmp_path / "collection"
    copy.mkdir()
    # the plugins, whose descriptions the changelog lists: antsibull-changelog reads them again (its
    # cache, changelogs/.plugin-cache.yaml, is not committed)
    for name in ("galaxy.yml", "changelogs", "plugins", "meta"):
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy)(ROOT / name, copy / name)
    (copy / "changelogs/.plugin-cache.yaml").unlink(missing_ok=True)
    generate = subprocess.run([str(VENV_BIN / "antsibull-changelog"), "generate"], cwd=copy, env=env,
                              capture_output=True, text=True, check=False)
    assert generate.returncode == 0, generate.stdout + generate.stderr
    assert (copy / "CHANGELOG.md").read_text() == (ROOT / "CHANGELOG.md").read_text()
