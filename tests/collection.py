"""The collection as its users get it: the tarball `ansible-galaxy collection build` makes, installed
with `ansible-galaxy collection install` into an empty collections path, with the dependencies
galaxy.yml declares and nothing else.

This machine reaches no Galaxy server: each dependency's artifact is built from the copy that the
venv's `ansible` package holds (its MANIFEST.json gives the galaxy.yml), and the install runs
`--offline` with those artifacts, so that the resolver still checks them against galaxy.yml's
version ranges."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sysconfig
from pathlib import Path

import yaml

from tests.helpers import ROOT, VENV_BIN

# Where the venv's ansible package keeps the collections it bundles.
BUNDLED = Path(sysconfig.get_paths()["purelib"]) / "ansible_collections"


def galaxy(cwd: Path, *args) -> subprocess.CompletedProcess:
    """ansible-galaxy collection, run from ``cwd`` (outside the repository: no ansible.cfg of it)."""
    return subprocess.run([str(VENV_BIN / "ansible-galaxy"), "collection", *args], cwd=cwd, env=user_env(), capture_output=True,
                          text=True, check=False, timeout=600)


def user_env(collections_path=None) -> dict:
    """A user's environment: none of the repository's configuration (ansible.cfg), the venv's
    programs on the PATH, and with ``collections_path`` only the collections installed there
    (not those of the ansible package on sys.path)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("ANSIBLE_")}
    env["PATH"] = "%s:%s" % (VENV_BIN, env.get("PATH", ""))
    env.update(ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    if collections_path is not None:
        env.update(ANSIBLE_COLLECTIONS_PATH=str(collections_path), ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false")
    return env


def build(output: Path) -> tuple[Path, subprocess.CompletedProcess]:
    """The collection's tarball, built from the source tree into ``output``."""
    done = galaxy(output, "build", "--force", "--output-path", str(output), str(ROOT))
    assert done.returncode == 0, done.stdout + done.stderr
    version = yaml.safe_load((ROOT / "galaxy.yml").read_text())["version"]
    return output / ("dicoogle-aws-%s.tar.gz" % version), done


def declared_dependencies() -> dict:
    return yaml.safe_load((ROOT / "galaxy.yml").read_text())["dependencies"]


def dependency_artifact(fqcn: str, work: Path) -> Path:
    """A tarball of collection ``fqcn`` (and version) as the venv's ansible package holds it."""
    namespace, name = fqcn.split(".")
    installed = BUNDLED / namespace / name
    info = json.loads((installed / "MANIFEST.json").read_text())["collection_info"]
    source = work / "src" / namespace / name
    shutil.rmtree(source, ignore_errors=True)
    shutil.copytree(installed, source, ignore=shutil.ignore_patterns("__pycache__", "MANIFEST.json", "FILES.json"))
    meta = {key: info[key] for key in ("namespace", "name", "version", "readme", "authors", "dependencies") if info.get(key)}
    meta["license"] = info.get("license") or []
    if not meta["license"]:
        meta["license_file"] = info["license_file"]
    meta.setdefault("readme", "README.md")
    (source / "galaxy.yml").write_text(yaml.safe_dump(meta))
    done = galaxy(work, "build", "--force", "--output-path", str(work / "artifacts"), str(source))
    assert done.returncode == 0, done.stdout + done.stderr
    return work / "artifacts" / ("%s-%s-%s.tar.gz" % (namespace, name, info["version"]))


def install(tarball: Path, work: Path) -> Path:
    """An empty collections path with the tarball installed and the declared dependencies (and
    theirs) resolved from the artifacts of the venv's copies; returns the path."""
    wanted, artifacts, seen = list(declared_dependencies()), [], set()
    while wanted:
        fqcn = wanted.pop()
        if fqcn in seen:
            continue
        seen.add(fqcn)
        artifacts.append(dependency_artifact(fqcn, work))
        manifest = json.loads((BUNDLED / fqcn.replace(".", "/") / "MANIFEST.json").read_text())
        wanted.extend(manifest["collection_info"]["dependencies"] or {})
    path = work / "collections"
    # --force: a dicoogle.aws already in the user's default path (~/.ansible/collections, where a
    # molecule run installs the collection under test) would otherwise make it "Nothing to do".
    done = galaxy(work, "install", "--offline", "--force", "-p", str(path), str(tarball), *map(str, artifacts))
    assert done.returncode == 0, done.stdout + done.stderr
    return path
