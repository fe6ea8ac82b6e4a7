"""DICOM data plane in the lab (`scripts/lab.sh up`, PACS engine orthanc, everything on this
machine), for each tunnel engine (ghostunnel, then the same lab re-run with stunnel): C-STORE of
synthetic instances from the client host straight to the PACS's DICOM port versus through the
mutual-TLS tunnels (the client's tunnel, the PACS task's tunnel server), in ROUNDS alternating
rounds whose ratios give the tunnel's cost (median and spread); and C-MOVE of a 100-instance study
to the storage node (the PACS task's tunnel client, the storage node's tunnel server and storescp). dcmtk's
storescu and movescu, run on the client host. Then, on the lab as the last engine left it, the bulk path
for 1,000 instances: into the images bucket (community.aws.s3_sync), into the PACS's images
directory (the lab's stand-in for DataSync: every object fetched), indexed by the PACS
(dicoogle.aws.pacs_index)."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / ".build"))

from bench.provisioning import ANSIBLE_PLAYBOOK, playbook_env, timed_tasks  # noqa: E402  pylint: disable=wrong-import-position
from labkit import free_port, moto_client  # noqa: E402  pylint: disable=wrong-import-position

DEPLOYMENT = "bench-lab"
AET = "DICOOGLE-STORAGE"
# The baseline without TLS: the engine's own DICOM port at the task's address, which only the lab's
# Docker network reaches (on AWS no listener or rule offers it; the client's Q/R tunnel does).
TASK = DEPLOYMENT + "-pacs"
STORE_INSTANCES = 200
# Rounds of direct-then-tunnelled C-STORE per engine: each round's ratio is taken within it, so a
# busy moment of this machine weighs on both sides of one ratio.
ROUNDS = 5
ENGINES = ("ghostunnel", "stunnel")
MOVE_INSTANCES = 100
BULK_INSTANCES = 1000
BULK_PREFIX = "bench-bulk/"
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


def lab(action: str, state: Path, port: int, https_port: int, engine: str = ENGINES[0]) -> float:
    env = dict(os.environ, DICOOGLE_LAB_MOTO_PORT=str(port), DICOOGLE_LAB_FLOWS="0",
               PATH="%s:%s" % (Path(sys.executable).parent, os.environ.get("PATH", "")))
    started = time.monotonic()
    proc = subprocess.run([str(ROOT / "scripts/lab.sh"), action, "-e", "dicoogle_deployment=" + DEPLOYMENT,
                           "-e", "dicoogle_state_dir=%s" % state, "-e", "dicoogle_lab_https_port=%d" % https_port,
                           "-e", "dicoogle_tunnel_engine=" + engine],
                          cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit("lab %s failed:\n%s" % (action, (proc.stdout + proc.stderr)[-4000:]))
    return time.monotonic() - started


def bulk_playbook(tag: str, state: Path, port: int, https_port: int, study: Path, report: Path) -> float:
    """Run bench/bulk_path.yml's tasks of one tag; return the seconds of the tagged task
    (profile_tasks), without Ansible's start-up."""
    env = playbook_env(DICOOGLE_LAB_MOTO_PORT=str(port))
    extra = {"dicoogle_deployment": DEPLOYMENT, "dicoogle_state_dir": str(state), "dicoogle_lab_https_port": https_port,
             "bench_study_dir": str(study), "bench_prefix": BULK_PREFIX, "bench_result": str(report)}
    proc = subprocess.run([ANSIBLE_PLAYBOOK, "-i", "inventories/lab", "bench/bulk_path.yml",
                           "--tags", tag, "-e", json.dumps(extra)], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit("bulk path (%s) failed:\n%s" % (tag, (proc.stdout + proc.stderr)[-4000:]))
    timed = dict(timed_tasks(proc.stdout))
    task = "Upload the study into the images bucket" if tag == "upload" else "Index the images directory and wait"
    return timed[task]


def bulk_sync(port: int, state: Path) -> tuple[float, int]:
    """The lab's stand-in for DataSync (which cannot reach a Docker volume): every object under
    the prefix fetched into the PACS's images directory. Returns seconds and objects."""
    s3 = moto_client(port, "s3")
    [bucket] = [b["Name"] for b in s3.list_buckets()["Buckets"] if b["Name"].startswith(DEPLOYMENT + "-images-")]
    dest = state / "pacs/images/froms3"
    dest.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    keys = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=BULK_PREFIX) for o in page.get("Contents", [])]
    for key in keys:
        s3.download_file(bucket, key, str(dest / key.rsplit("/", 1)[-1]))
    return time.monotonic() - started, len(keys)


def measure_bulk(tmp: Path, state: Path, port: int, https_port: int, study: tuple[str, int]) -> dict:
    report = tmp / "bulk.json"
    upload = bulk_playbook("upload", state, port, https_port, tmp / "studies" / "bulk", report)
    sync, objects = bulk_sync(port, state)
    index = bulk_playbook("index", state, port, https_port, tmp / "studies" / "bulk", report)
    counts = json.loads(report.read_text())
    if objects != BULK_INSTANCES or counts["indexed"] != BULK_INSTANCES or counts["errors"]:
        raise SystemExit("bulk path: %d objects synchronised, %d indexed, %d errors of %d" % (objects, counts["indexed"], counts["errors"], BULK_INSTANCES))
    total = upload + sync + index
    return {"instances": BULK_INSTANCES, "bytes": study[1], "upload_s": round(upload, 1), "sync_s": round(sync, 1), "index_s": round(index, 1),
            "total_s": round(total, 1), "instances_per_s": round(BULK_INSTANCES / total, 1)}


def spread(values: list[float]) -> dict:
    ordered = sorted(values)
    return {"median": round(statistics.median(ordered), 2), "min": round(ordered[0], 2), "max": round(ordered[-1], 2),
            "runs": [round(v, 2) for v in values]}


def store(name: str, target: list[str]) -> float:
    """One association sending the study `name` (already on the client host) to target."""
    return on("client", "storescu", "-aec", AET, "-aet", "DICOOGLE-CLIENT", *target, "+sd", "%s/%s" % (WORK, name))[0]


def fresh_study(tmp: Path, name: str) -> int:
    """A study no earlier round sent (the PACS stores it, rather than recognising a duplicate), on
    the client host as WORK/<name>; returns its bytes."""
    local = tmp / "studies" / name
    size = synthetic_study(local, name, STORE_INSTANCES)[1]
    docker("cp", str(local), "%s-client:%s/%s" % (DEPLOYMENT, WORK, name))
    shutil.rmtree(local)
    return size


def measure_engine(tmp: Path, engine: str, studies: dict) -> dict:
    """ROUNDS rounds of direct then tunnelled C-STORE of new studies, then one C-MOVE, on the lab as it runs."""
    direct, tunnelled = [], []
    for number in range(ROUNDS):
        names = ["bench-%s-%d-%s" % (engine, number, path) for path in ("direct", "tunnel")]
        size = fresh_study(tmp, names[0])
        fresh_study(tmp, names[1])
        direct.append(store(names[0], [TASK, "1045"]))  # the PACS's own DICOM port, no TLS
        tunnelled.append(store(names[1], ["127.0.0.1", "16666"]))  # client tunnel -> task's tunnel server
        on("client", "rm", "-rf", *("%s/%s" % (WORK, name) for name in names))
    result = {
        "direct_s": spread(direct), "tunnel_s": spread(tunnelled),
        "direct_mb_per_s": round(size / statistics.median(direct) / 1e6, 1),
        "tunnel_mb_per_s": round(size / statistics.median(tunnelled) / 1e6, 1),
        # instances per second direct / tunnelled, within each round
        "ratio": spread([t / d for d, t in zip(direct, tunnelled)]),
    }
    uid = studies["move"][0]
    on("storage", "rm", "-rf", "/var/lib/storescp/study_" + uid)
    seconds, move = on("client", "movescu", "-v", "-S", "-aec", AET, "-aet", "CONSUMER", "-aem", "CONSUMER",
                       "-k", "StudyInstanceUID=" + uid, "127.0.0.1", "1045")  # the client's Q/R tunnel
    listed = on("storage", "find", "/var/lib/storescp/study_" + uid, "-name", "*.dcm")[1]
    moved = len(listed.stdout.split())
    if moved != MOVE_INSTANCES or "Final Move Response (Success)" not in move.stderr:
        raise SystemExit("C-MOVE moved %d of %d instances:\n%s" % (moved, MOVE_INSTANCES, move.stderr[-3000:]))
    result["move"] = {"seconds": round(seconds, 2), "instances": moved, "instances_per_s": round(moved / seconds, 1),
                      "mb_per_s": round(studies["move"][1] / seconds / 1e6, 1)}
    return result


def measure(results=None) -> dict:  # pylint: disable=unused-argument
    with tempfile.TemporaryDirectory(prefix="dicoogle-bench-dicom-") as tmp:
        tmp = Path(tmp)
        state, port, https_port = tmp / "state", free_port(), free_port()
        result = {"instances": STORE_INSTANCES, "frame": "%dx%d 8-bit" % (SIZE, SIZE), "rounds": ROUNDS, "engines": {}}
        studies = {}
        for name, count in (("move", MOVE_INSTANCES), ("bulk", BULK_INSTANCES)):
            studies[name] = synthetic_study(tmp / "studies" / name, "bench-" + name, count)
        result["lab_up_s"] = round(lab("up", state, port, https_port), 1)
        try:
            on("client", "mkdir", "-p", WORK)  # not a tmpfs: docker cp writes into the container's layer
            docker("cp", str(tmp / "studies" / "move"), "%s-client:%s/move" % (DEPLOYMENT, WORK))
            # the study to move goes in through the tunnel, as the client's own do
            store("move", ["127.0.0.1", "16666"])
            for engine in ENGINES:
                if engine != ENGINES[0]:
                    result["switch_%s_s" % engine] = round(lab("up", state, port, https_port, engine), 1)
                result["engines"][engine] = measure_engine(tmp, engine, studies)
            result["bulk"] = measure_bulk(tmp, state, port, https_port, studies["bulk"])
        finally:
            result["lab_down_s"] = round(lab("down", state, port, https_port), 1)
        return result


def rows(result: dict) -> list[tuple[str, str, str]]:
    n, frame, rounds = result["instances"], result["frame"], result["rounds"]
    out = []
    for engine, r in result["engines"].items():
        d, t, ratio = r["direct_s"], r["tunnel_s"], r["ratio"]
        out.append(("%s: C-STORE of %d instances (%s), direct / through the mTLS tunnels" % (engine, n, frame),
                    "%.1f s (%.1f-%.1f) / %.1f s (%.1f-%.1f); %.1f / %.1f MB/s"
                    % (d["median"], d["min"], d["max"], t["median"], t["min"], t["max"], r["direct_mb_per_s"], r["tunnel_mb_per_s"]),
                    "median (min-max) of %d rounds, each: storescu +sd on the client host -> %s:1045 (no TLS), then -> "
                    "127.0.0.1:16666 (client tunnel -> PACS task's tunnel server); one association, one docker exec" % (rounds, TASK)))
        out.append(("%s: tunnel cost, direct / tunnelled throughput" % engine,
                    "%.2f x (%.2f-%.2f)" % (ratio["median"], ratio["min"], ratio["max"]),
                    "median (min-max) of the %d rounds' ratios, each taken within its round" % rounds))
        m = r["move"]
        out.append(("%s: C-MOVE of a %d-instance study to the storage node" % (engine, m["instances"]),
                    "%.1f s (%.1f inst/s, %.1f MB/s)" % (m["seconds"], m["instances_per_s"], m["mb_per_s"]),
                    "movescu -S on the client host through its Q/R tunnel; PACS task's tunnel client -> storage node's tunnel "
                    "-> storescp; files counted there"))
    b = result["bulk"]
    out.append(("Bulk path, %d instances (%.0f MB): upload / sync / index" % (b["instances"], b["bytes"] / 1e6),
                "%.1f s / %.1f s / %.1f s = %.1f s (%.1f inst/s)" % (b["upload_s"], b["sync_s"], b["index_s"], b["total_s"], b["instances_per_s"]),
                "community.aws.s3_sync into the images bucket (moto); every object fetched into the PACS's images directory "
                "(the lab's stand-in for DataSync); dicoogle.aws.pacs_index until done, all %d indexed" % b["instances"]))
    out.append(("Lab up / down (AWS side in moto + Docker sites and task)", "%.0f s / %.0f s" % (result["lab_up_s"], result["lab_down_s"]),
                "scripts/lab.sh up (no flows) and down"))
    for engine in list(result["engines"])[1:]:
        out.append(("Lab re-run switching the tunnels to %s" % engine, "%.0f s" % result["switch_%s_s" % engine],
                    "scripts/lab.sh up -e dicoogle_tunnel_engine=%s on the running lab (no flows)" % engine))
    return out


if __name__ == "__main__":
    print(measure())
