"""DICOM data plane in the lab (`scripts/lab.sh up`, engines orthanc and stunnel, everything on
this machine): C-STORE of synthetic instances from the client host straight to the PACS's DICOM
port versus through the mutual-TLS tunnels (the client's tunnel, the PACS task's tunnel server),
and C-MOVE of a 100-instance study to the storage node (the PACS task's tunnel client, the storage
node's TLS storescp). dcmtk's storescu and movescu, run on the client host."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / ".build"))

from tests.helpers import free_port  # noqa: E402  pylint: disable=wrong-import-position

DEPLOYMENT = "bench-lab"
AET = "DICOOGLE-STORAGE"
ENDPOINT = "pacs.dicoogle.internal"
STORE_INSTANCES = 200
MOVE_INSTANCES = 100
# 512 x 512, 8 bits: a 256 KiB frame, the size of a small CT slice
SIZE = 512
WORK = "/var/tmp/dicoogle-bench"


def synthetic_study(dest: Path, seed: str, instances: int) -> tuple[str, int]:
    """Write a study of the collection's synthetic instances; return its UID and total bytes."""
    from ansible_collections.dicoogle.aws.plugins.modules.dicom_synthetic_study import build_instance, derived_uid

    dest.mkdir(parents=True)
    params = {"seed": seed, "patient_id": "BENCH-" + seed, "patient_name": "Bench^" + seed, "rows": SIZE, "columns": SIZE}
    total = 0
    for number in range(1, instances + 1):
        content = build_instance(params, 1, number)[2]
        (dest / ("%05d.dcm" % number)).write_bytes(content)
        total += len(content)
    return derived_uid(seed, "study"), total


def docker(*args, check=True, timeout=1800):
    return subprocess.run(["docker"] + list(args), capture_output=True, text=True, check=check, timeout=timeout)


def on(host, *command, check=True):
    """A command on a lab host (client or storage), timed: (seconds, completed process)."""
    started = time.monotonic()
    proc = docker("exec", "%s-%s" % (DEPLOYMENT, host), *command, check=False)
    seconds = time.monotonic() - started
    if check and proc.returncode != 0:
        raise SystemExit("%s on %s failed:\n%s" % (" ".join(command), host, (proc.stdout + proc.stderr)[-3000:]))
    return seconds, proc


def lab(action: str, state: Path, port: int, https_port: int) -> float:
    env = dict(os.environ, DICOOGLE_LAB_MOTO_PORT=str(port), DICOOGLE_LAB_FLOWS="0",
               PATH="%s:%s" % (Path(sys.executable).parent, os.environ.get("PATH", "")))
    started = time.monotonic()
    proc = subprocess.run([str(ROOT / "scripts/lab.sh"), action, "-e", "dicoogle_deployment=" + DEPLOYMENT,
                           "-e", "dicoogle_state_dir=%s" % state, "-e", "dicoogle_lab_https_port=%d" % https_port],
                          cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit("lab %s failed:\n%s" % (action, (proc.stdout + proc.stderr)[-4000:]))
    return time.monotonic() - started


def measure() -> dict:
    with tempfile.TemporaryDirectory(prefix="dicoogle-bench-dicom-") as tmp:
        tmp = Path(tmp)
        state, port, https_port = tmp / "state", free_port(), free_port()
        result = {"instances": STORE_INSTANCES, "frame": "%dx%d 8-bit" % (SIZE, SIZE)}
        studies = {}
        for name, count in (("direct", STORE_INSTANCES), ("tunnel", STORE_INSTANCES), ("move", MOVE_INSTANCES)):
            studies[name] = synthetic_study(tmp / "studies" / name, "bench-" + name, count)
        result["lab_up_s"] = round(lab("up", state, port, https_port), 1)
        try:
            on("client", "mkdir", "-p", WORK)  # not a tmpfs: docker cp writes into the container's layer
            docker("cp", str(tmp / "studies") + "/.", "%s-client:%s" % (DEPLOYMENT, WORK))
            paths = {
                "direct": [ENDPOINT, "1045"],  # the PACS's own DICOM port, no TLS: the reference
                "tunnel": ["127.0.0.1", "16666"],  # the client's tunnel -> the PACS task's tunnel server
            }
            for name, target in paths.items():
                seconds = on("client", "storescu", "-aec", AET, "-aet", "DICOOGLE-CLIENT", *target, "+sd", "%s/%s" % (WORK, name))[0]
                size = studies[name][1]
                result["store_" + name] = {"seconds": round(seconds, 2), "instances_per_s": round(STORE_INSTANCES / seconds, 1),
                                           "mb_per_s": round(size / seconds / 1e6, 1), "bytes": size}
            result["tunnel_ratio"] = round(result["store_direct"]["instances_per_s"] / result["store_tunnel"]["instances_per_s"], 2)
            # the study to move goes in through the tunnel, as the client's own do
            on("client", "storescu", "-aec", AET, "-aet", "DICOOGLE-CLIENT", "127.0.0.1", "16666", "+sd", WORK + "/move")
            uid = studies["move"][0]
            seconds, move = on("client", "movescu", "-v", "-S", "-aec", AET, "-aet", "CONSUMER", "-aem", "CONSUMER",
                               "-k", "StudyInstanceUID=" + uid, ENDPOINT, "1045")
            listed = on("storage", "find", "/var/lib/storescp/study_" + uid, "-name", "*.dcm")[1]
            moved = len(listed.stdout.split())
            if moved != MOVE_INSTANCES or "Final Move Response (Success)" not in move.stderr:
                raise SystemExit("C-MOVE moved %d of %d instances:\n%s" % (moved, MOVE_INSTANCES, move.stderr[-3000:]))
            result["move"] = {"seconds": round(seconds, 2), "instances": moved, "instances_per_s": round(moved / seconds, 1),
                              "mb_per_s": round(studies["move"][1] / seconds / 1e6, 1)}
        finally:
            result["lab_down_s"] = round(lab("down", state, port, https_port), 1)
        return result


def rows(result: dict) -> list[tuple[str, str, str]]:
    n, frame = result["instances"], result["frame"]
    out = []
    for name, label, method in (
        ("direct", "C-STORE straight to the PACS", "storescu +sd on the client host -> %s:1045 (no TLS: the reference)" % ENDPOINT),
        ("tunnel", "C-STORE through the mTLS tunnels", "storescu +sd -> 127.0.0.1:16666 (client tunnel -> PACS task's tunnel server)"),
    ):
        r = result["store_" + name]
        out.append(("%s, %d instances (%s)" % (label, n, frame), "%.1f inst/s, %.1f MB/s (%.1f s)" % (r["instances_per_s"], r["mb_per_s"], r["seconds"]),
                    method + "; one association, one docker exec"))
    out.append(("Tunnel cost: direct / tunnelled throughput", "%.2f x" % result["tunnel_ratio"], "ratio of the two rows above"))
    m = result["move"]
    out.append(("C-MOVE of a %d-instance study to the storage node" % m["instances"],
                "%.1f s (%.1f inst/s, %.1f MB/s)" % (m["seconds"], m["instances_per_s"], m["mb_per_s"]),
                "movescu -S on the client host; PACS task's tunnel client -> storage TLS storescp; files counted there"))
    out.append(("Lab up / down (AWS side in moto + Docker sites and task)", "%.0f s / %.0f s" % (result["lab_up_s"], result["lab_down_s"]),
                "scripts/lab.sh up (no flows) and down"))
    return out


if __name__ == "__main__":
    print(measure())
