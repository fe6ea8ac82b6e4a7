"""Host configuration: dcmtk on a new Debian 12 host (a container of the lab's base image) from
the distribution's packages, as site.yml installs it, versus built from source, as the sample's
hosts do at every boot (here: the dcmtk role's source method, Debian's dcmtk 3.6.7 source archive
checked against the sha256 its .dsc lists, configured with cmake and built on every core). Each
is run twice: the second run is what a re-run or a reboot costs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.provisioning import ANSIBLE_PLAYBOOK, playbook_env  # noqa: E402  pylint: disable=wrong-import-position

PLAYBOOK = ROOT / "bench/dcmtk_host.yml"
IMAGE = os.environ.get("DICOOGLE_LAB_BASE_IMAGE", "dicoogle-lab/debian12-systemd:1")
# Debian 12's dcmtk: the release its package is built from.
SOURCE_VERSION = "3.6.7"
POOL = "https://deb.debian.org/debian/pool/main/d/dcmtk/"
DSC = "dcmtk_3.6.7-9~deb12u4.dsc"
ARCHIVE = "dcmtk_3.6.7.orig.tar.gz"


def archive_sha256(dsc: str, name: str) -> str:
    """The sha256 a Debian source package's .dsc lists for one of its files."""
    section = dsc.split("Checksums-Sha256:", 1)[1]
    for line in section.splitlines()[1:]:
        if not line.startswith(" "):
            break
        digest, _size, filename = line.split()
        if filename == name:
            return digest
    raise ValueError("%s is not listed in the .dsc" % name)


def fetch_source(dest: Path) -> tuple[Path, str, float]:
    """Download the source archive; return its path, its pinned sha256 and the seconds it took."""
    started = time.monotonic()
    with urllib.request.urlopen(POOL + DSC, timeout=60) as response:
        digest = archive_sha256(response.read().decode(), ARCHIVE)
    path = dest / ARCHIVE
    with urllib.request.urlopen(POOL + ARCHIVE, timeout=300) as response:
        path.write_bytes(response.read())
    return path, digest, time.monotonic() - started


def container(name: str) -> None:
    subprocess.run(["docker", "rm", "-f", name], capture_output=True, check=False)
    subprocess.run(["docker", "run", "-d", "--name", name, "--cap-add", "SYS_ADMIN", "--cgroupns=host",
                    "-v", "/sys/fs/cgroup:/sys/fs/cgroup:rw", "--tmpfs", "/run", "--tmpfs", "/tmp", IMAGE, "/lib/systemd/systemd"],
                   capture_output=True, check=True)


def configure(name: str, extra: dict) -> tuple[float, dict]:
    env = playbook_env()
    started = time.monotonic()
    proc = subprocess.run([ANSIBLE_PLAYBOOK, "-i", name + ",", "-c", "community.docker.docker",
                           str(PLAYBOOK), "-e", json.dumps(extra)], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - started
    if proc.returncode != 0:
        raise SystemExit("dcmtk on %s failed:\n%s" % (name, (proc.stdout + proc.stderr)[-4000:]))
    changed = int(re.search(r"changed=(\d+)", proc.stdout).group(1))
    return seconds, {"changed": changed}


def tool_version(name: str) -> str:
    out = subprocess.run(["docker", "exec", name, "storescu", "--version"], capture_output=True, text=True, check=True).stdout
    return re.search(r"v(\d+\.\d+\.\d+)", out).group(1)


def measure(results=None) -> dict:  # pylint: disable=unused-argument
    result = {}
    with tempfile.TemporaryDirectory(prefix="dicoogle-bench-dcmtk-") as tmp:
        archive, digest, download = fetch_source(Path(tmp))
        methods = {
            "package": {"dcmtk_install_method": "package"},
            "source": {"dcmtk_install_method": "source", "dcmtk_source_version": SOURCE_VERSION,
                       "dcmtk_source_local_archive": str(archive), "dcmtk_source_sha256": digest},
        }
        for method, extra in methods.items():
            name = "dicoogle-bench-dcmtk-" + method
            container(name)
            try:
                first, first_run = configure(name, extra)
                second, second_run = configure(name, extra)
                result[method] = {"first_s": round(first, 1), "second_s": round(second, 1), "changed_first": first_run["changed"],
                                  "changed_second": second_run["changed"], "version": tool_version(name)}
            finally:
                subprocess.run(["docker", "rm", "-f", name], capture_output=True, check=False)
        result["source"]["download_s"] = round(download, 1)
        result["source"]["archive_bytes"] = archive.stat().st_size
    result["cores"] = os.cpu_count()
    result["ratio"] = round((result["source"]["first_s"] + result["source"]["download_s"]) / result["package"]["first_s"], 1)
    return result


def rows(result: dict) -> list[tuple[str, str, str]]:
    package, source = result["package"], result["source"]
    return [
        ("dcmtk on a new host from Debian's packages (first run / re-run)", "%.0f s / %.0f s" % (package["first_s"], package["second_s"]),
         "bench/dcmtk_host.yml on a new Debian 12 container: connect, facts, apt lists, dcmtk role (package); dcmtk %s" % package["version"]),
        ("dcmtk on a new host built from source (first run / re-run)",
         "%.0f s (+ %.0f s download) / %.0f s" % (source["first_s"], source["download_s"], source["second_s"]),
         "same playbook, dcmtk role's source method: Debian's %s source (%.1f MB, sha256 from its .dsc), cmake, build on %d cores; "
         "the sample does this at every boot" % (source["version"], source["archive_bytes"] / 1e6, result["cores"])),
        ("Source build / packages, first run", "%.1f x" % result["ratio"], "ratio of the two rows above (download included)"),
    ]


if __name__ == "__main__":
    print(json.dumps(measure(), indent=2))
