"""The collection as Ansible users get it: the tarball holds what they run and nothing of the
source tree's tooling; installed into an empty collections path with only the collections
galaxy.yml declares, every playbook resolves by its FQCN from a directory outside the repository;
an execution environment's build context is made from it. (tests/conftest.py's lab fixture runs
the lab's site.yml and flows from this installed copy.)"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tarfile

import pytest
import yaml

from tests import collection
from tests.helpers import ROOT, VENV_BIN

pytestmark = pytest.mark.integration

# What a user of the collection runs, and the files that describe it.
RUNTIME_ENTRIES = {"plugins", "roles", "playbooks", "meta", "inventories", "docs", "changelogs", "README.md", "CHANGELOG.md", "LICENSE",
                   "requirements.txt", "bindep.txt", "MANIFEST.json", "FILES.json"}
PLAYBOOKS = sorted(p.stem for p in (ROOT / "playbooks").glob("*.yml"))


def members(tarball):
    with tarfile.open(tarball) as archive:
        return archive.getnames()


def named_collections():
    """Every collection that a role, playbook, inventory or plugin of the source tree names."""
    found = set()
    for base in ("roles", "playbooks", "inventories", "plugins"):
        for path in (ROOT / base).rglob("*"):
            if path.suffix in (".yml", ".yaml", ".j2", ".py") and "molecule" not in path.parts:
                text = path.read_text()
                found |= {m.group(1) for m in re.finditer(r"\b((?:amazon|community|ansible)\.[a-z_0-9]+)\.[a-z_0-9]+", text)}
                found |= {"%s.%s" % m.groups() for m in re.finditer(r"ansible_collections\.([a-z_0-9]+)\.([a-z_0-9]+)", text)}
    return found - {"ansible.builtin", "ansible.module_utils", "ansible.plugins", "dicoogle.aws"}


def test_the_tarball_holds_only_what_users_run(installed_collection):
    names = members(installed_collection.tarball)
    assert {name.split("/")[0] for name in names} == RUNTIME_ENTRIES
    assert not [n for n in names if "/molecule" in n or n.startswith(("inventories/lab", "changelogs/fragments")) or "__pycache__" in n]
    build = installed_collection.build
    assert "WARNING" not in build.stdout + build.stderr, build.stdout + build.stderr
    manifest = json.loads(tarfile.open(installed_collection.tarball).extractfile("MANIFEST.json").read())["collection_info"]
    assert manifest["license"] == ["GPL-3.0-or-later"]
    assert "example.invalid" not in json.dumps(manifest)


def test_every_collection_named_is_declared():
    declared = set(collection.declared_dependencies())
    named = named_collections()
    assert {"amazon.aws", "community.general"} <= named
    assert named <= declared, "named but not declared in galaxy.yml: %s" % sorted(named - declared)


def test_the_installed_collection_has_only_the_declared_dependencies_and_its_playbooks_resolve(installed_collection, tmp_path):
    installed = {"%s.%s" % (p.parent.name, p.name) for p in installed_collection.path.glob("ansible_collections/*/*")}
    declared = set(collection.declared_dependencies())
    # community.docker brings its own dependency
    assert installed == declared | {"dicoogle.aws", "community.library_inventory_filtering_v1"}
    env = collection.user_env(installed_collection.path)
    for name in PLAYBOOKS:
        if name == "group_vars":
            continue
        check = subprocess.run([str(VENV_BIN / "ansible-playbook"), "dicoogle.aws." + name, "-i", str(ROOT / "inventories/lab"), "--syntax-check"],
                               cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
        assert check.returncode == 0, (name, check.stdout + check.stderr)
        assert str(installed_collection.path / "ansible_collections/dicoogle/aws/playbooks") in check.stdout, check.stdout


def test_an_execution_environment_build_context_is_made_from_the_collection(installed_collection, tmp_path):
    """ansible-builder finds the collection's own Python and system needs (meta/execution-environment.yml)
    beside its dependencies', and `ansible-builder create` makes a build context of the README's
    definition (docs/execution-environment) that installs the collection's tarball."""
    introspect = subprocess.run([str(VENV_BIN / "ansible-builder"), "introspect", "--sanitize", str(installed_collection.path)],
                                cwd=tmp_path, env=collection.user_env(), capture_output=True, text=True, check=False)
    assert introspect.returncode == 0, introspect.stderr
    found = yaml.safe_load(introspect.stdout.split("\n", 1)[1])
    ours = {line.split("  # from collection")[0] for part in ("python", "system") for line in found[part] if line.endswith("dicoogle.aws")}
    runtime = {line for line in (ROOT / "requirements.txt").read_text().splitlines() if line and not line.startswith("#")}
    system = {line for line in (ROOT / "bindep.txt").read_text().splitlines() if line and not line.startswith("#")}
    assert {"pydicom>=3.0,<4", "boto3>=1.34.0"} <= ours and {r.split("#")[0].strip() for r in runtime | system} <= ours, ours

    definition = tmp_path / "ee"
    shutil.copytree(ROOT / "docs/execution-environment", definition)
    shutil.copy(installed_collection.tarball, definition / "dicoogle-aws.tar.gz")
    create = subprocess.run([str(VENV_BIN / "ansible-builder"), "create", "-f", "execution-environment.yml", "-c", "context"],
                            cwd=definition, env=collection.user_env(), capture_output=True, text=True, check=False)
    assert create.returncode == 0, create.stdout + create.stderr
    context = definition / "context"
    containerfile = next(context.glob("[CD]*file")).read_text()
    assert "ansible-galaxy collection install" in containerfile and "COPY _build /build" in containerfile
    assert (context / "_build/collections/dicoogle-aws.tar.gz").read_bytes() == installed_collection.tarball.read_bytes()
    # the galaxy stage's install (in /build) finds the tarball its requirements name
    requirements = yaml.safe_load((context / "_build/requirements.yml").read_text())
    [entry] = requirements["collections"]
    assert entry["type"] == "file" and (context / "_build" / entry["name"]).is_file()
