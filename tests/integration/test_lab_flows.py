"""`make lab` end to end (scripts/lab.sh up): the sites and the PACS task on Docker, moto as AWS,
the PACS task run from the task definition the pacs_service role registered in moto's ECS,
then the clinical flow of playbooks/dicom_tests.yml, every step passing; the sample's own
commands from the client host; every tunnel running the ghostunnel binary built from its Go
module; a second run that changes nothing in site.yml and duplicates no data; a broken flow
reported as failed; certificates rotated under traffic while a second client-site node joins, which
then runs its flows from its own host; the same deployment switched to stunnel passing every flow
with that node taken out and its certificate refused; teardown leaving no container, network or
resource."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest
import yaml

from tests.deployment import LAB_DEPLOYMENT, running_instances
from tests.helpers import ROOT, docker_available, ghostunnel_build

# The deployment (tests/conftest.py's lab fixture) is shared with tests/security/test_security_lab.py.
pytestmark = [pytest.mark.integration, docker_available]

DEPLOYMENT = LAB_DEPLOYMENT
AET = "DICOOGLE-STORAGE"
ENDPOINT = "pacs.dicoogle.internal"
# A second client-site node: one entry more in dicoogle_dicom_nodes, its host beside the lab's
# inventory. The rotation test adds it; the broken-flow test's site.yml run (without it) removes it.
SECOND_NODE = {"name": "ward-2", "site": "client", "role": "workstation", "ae_title": "WARD-2"}
WITH_SECOND_NODE = ("-i", str(ROOT / "tests/integration/inventories/second_client_node.yml"), "-e", json.dumps({"dicoogle_dicom_nodes": [
    {"name": "client", "site": "client", "role": "modality", "ae_title": "DICOOGLE-CLIENT"}, SECOND_NODE,
    {"name": "storage", "site": "storage", "role": "storage", "ae_title": "CONSUMER"}]}))


def in_client(*command):
    return subprocess.run(["docker", "exec", DEPLOYMENT + "-client"] + list(command),
                          capture_output=True, text=True, check=False, timeout=120)


def in_container(host, *command):
    """What the command prints (stdout, then stderr: ghostunnel prints its version there)."""
    done = subprocess.run(["docker", "exec", "%s-%s" % (DEPLOYMENT, host)] + list(command),
                          capture_output=True, text=True, check=True, timeout=120)
    return done.stdout + done.stderr


def tunnel_processes():
    """What runs as each tunnel: (executable, command line) of the task's tunnel containers' main
    process and of the client and storage hosts' tunnel units' main processes."""
    found = {}
    for container in ("pacs-tunnel-server", "pacs-tunnel-qr", "pacs-tunnel-client"):
        found[container] = (in_container(container, "readlink", "/proc/1/exe").strip(),
                            in_container(container, "cat", "/proc/1/cmdline").split("\0"))
    # the unit runs as the tunnel user: its /proc/<pid>/exe needs ptrace rights that root lacks in a
    # container, so the executable is the one its command line started (systemd execs argv[0])
    for place, unit in (("client", "dicoogle-tunnel-pacs-store"), ("client-qr", "dicoogle-tunnel-pacs-qr"),
                        ("storage", "dicoogle-tunnel-storage-scp")):
        host = place.split("-", maxsplit=1)[0]
        pid = in_container(host, "systemctl", "show", "-p", "MainPID", "--value", unit).strip()
        argv = in_container(host, "cat", "/proc/%s/cmdline" % pid).split("\0")
        found[place] = (argv[0], argv)
    return found


def docker_inspect(kind, *names):
    return json.loads(subprocess.run(["docker", kind, "inspect", *names], capture_output=True, text=True, check=True).stdout)


def listening_ports(container, network_only=False):
    """TCP ports listened on in the container's network namespace (/proc/net/tcp{,6}, state 0A);
    network_only leaves out IPv4 loopback addresses (Docker's DNS resolver listens on 127.0.0.11)."""
    table = in_container(container, "cat", "/proc/net/tcp", "/proc/net/tcp6")
    # an IPv4 address is 8 hex digits, little-endian: 127.x.x.x ends in 7F
    return {int(fields[1].rsplit(":", 1)[1], 16) for fields in (line.split() for line in table.splitlines()[1:])
            if len(fields) > 3 and fields[3] == "0A" and not (network_only and re.fullmatch(r"[0-9A-F]{6}7F", fields[1].split(":")[0]))}


def junit(state):
    return ET.parse(state / "reports" / "junit.xml").getroot()


def lab_containers():
    out = subprocess.run(["docker", "ps", "-a", "--filter", "label=dicoogle.deployment=" + DEPLOYMENT, "--format", "{{.Names}}"],
                         capture_output=True, text=True, check=True).stdout
    return sorted(out.split())


@pytest.fixture(scope="module")
def study(lab):
    import pydicom

    files = sorted((lab.state / "dicom_tests" / "study").rglob("*.dcm"))
    datasets = [pydicom.dcmread(f) for f in files]
    return SimpleNamespace(uid=datasets[0].StudyInstanceUID, sops=[d.SOPInstanceUID for d in datasets])


def test_make_lab_passes_every_flow(lab):
    assert lab.first.rc == 0, lab.first
    report = junit(lab.state)
    names = [case.get("name") for case in report.findall("testcase")]
    assert report.get("tests") == "9" and report.get("failures") == "0", ET.tostring(report)
    assert names[0].startswith("Bulk upload") and names[-1].startswith("Search")
    summary = (lab.state / "reports" / "summary.txt").read_text()
    assert "9/9" in summary
    # the lab's stand-ins for the client's upload, DataSync's bytes and the ALB's sign-in
    assert summary.count("stand-in: ") == 3, summary
    assert "PRIVATE KEY" not in lab.first.output
    # site.yml, dicom_tests.yml and status.yml use no deprecated option, return value or behaviour
    assert "[DEPRECATION WARNING]" not in lab.first.output


# What the AWS inventory's variables need from the lab's to replay the flow against it: which AWS
# and which PACS (the connection, the engine the lab's Docker has and its administrator, the
# certificate the loopback nginx answers with) ...
LAB_CONNECTION = ["dicoogle_aws_connection", "dicoogle_aws_region", "dicoogle_pacs_engine", "dicoogle_pacs_admin_user", "dicoogle_public_domain",
                  "front_door_certificate", "dicoogle_lab_https_port"]
# ... and the stand-ins, each of which the report must name.
LAB_STAND_INS = {
    "dicom_tests_uploader": "bulk upload: from localhost, not from the client host through its S3 endpoint",
    "dicom_tests_lab_copy": "sync: after the DataSync run, the controller copied the objects into",
    "dicoogle_web_sign_in": "web API: reached at https://127.0.0.1:",
    "dicoogle_pacs_url": "without the ALB's Cognito sign-in",
}


def test_status_reports_each_certificates_days_left(lab):
    """status.yml reads what the task and the hosts were given (the certificates in Secrets Manager,
    the web certificate in ACM) and says how long each one has: the CA 10 years, the leaves 397 days."""
    found = {name: int(days) for name, days in re.findall(r"certificate ((?:ACM )?[\w.-]+) \([^)]*\):\s+(\d+) days left", lab.first.output)}
    leaves = ["nginx", "ghostunnel", "client", "storage", "web"]
    assert sorted(found) == sorted(["ca"] + leaves + ["ACM dicoogle-eu-west-1.lab.dicoogle.test"]), found
    assert 3640 <= found["ca"] <= 3650
    assert all(390 <= found[leaf] <= 397 for leaf in leaves + ["ACM dicoogle-eu-west-1.lab.dicoogle.test"]), found
    assert "due for renewal" not in lab.first.output


def test_the_aws_inventory_reaches_every_step_with_the_lab_stand_ins_named(lab, run_playbook, tmp_path):
    """dicom_tests.yml with inventories/aws's variables, the lab's hosts and only the overrides
    above: every step runs its AWS path (the storage role's DataSync task run and waited for, the
    index, the DICOM steps from the client host, the API through the task's nginx) and passes; what
    the lab stands in for is named in the report. The Cognito sign-in itself is the
    AWS-only part (tests/unit/plugins/module_utils/test_web_sign_in.py)."""
    inventory = tmp_path / "aws-on-lab"
    (inventory / "group_vars").mkdir(parents=True)
    # the containers stand for the EC2 instances inventories/aws finds by their tags
    shutil.copy(ROOT / "inventories/lab/hosts.yml", inventory / "hosts.yml")
    aws = yaml.safe_load((ROOT / "inventories/aws/group_vars/all.yml").read_text())
    lab_vars = yaml.safe_load((ROOT / "inventories/lab/group_vars/all.yml").read_text())
    overrides = {key: lab_vars[key] for key in LAB_CONNECTION + list(LAB_STAND_INS) + ["dicom_tests_datasync_poll_interval"]}
    (inventory / "group_vars" / "all.yml").write_text(yaml.safe_dump(dict(aws, **overrides)))

    run = run_playbook("playbooks/dicom_tests.yml", inventory=str(inventory), extra_vars={
        "dicoogle_deployment": lab.deployment, "dicoogle_state_dir": str(lab.state), "dicoogle_lab_https_port": str(lab.https_port)})
    assert run.rc == 0, run
    report = junit(lab.state)
    assert report.get("tests") == "9" and report.get("failures") == "0", ET.tostring(report)
    named = [p.get("value") for p in report.findall("properties/property[@name='stand-in']")]
    assert len(named) == 3 and all(any(part in line for line in named) for part in LAB_STAND_INS.values()), named
    sync = [case for case in report.findall("testcase") if case.get("name").startswith("Sync")][0]
    assert sync.find("system-out").text.startswith("DataSync SUCCESS"), ET.tostring(sync)
    summary = (lab.state / "reports" / "summary.txt").read_text()
    assert "9/9" in summary and summary.count("stand-in: ") == 3


def test_task_and_sites_run_as_designed(lab):
    assert lab_containers() == sorted(DEPLOYMENT + suffix for suffix in
                                      ["-client", "-storage", "-endpoint", "-pacs", "-pacs-nginx", "-pacs-tunnel-server", "-pacs-tunnel-qr",
                                       "-pacs-tunnel-client"])
    # the endpoint's stand-in listens on exactly the NLB's listeners' ports: the tunnels', no plain DIMSE
    assert listening_ports("endpoint", network_only=True) == {16666, 11045}
    # the task's containers share the engine's network namespace, as in an awsvpc task
    mode = subprocess.run(["docker", "inspect", "-f", "{{.HostConfig.NetworkMode}}", DEPLOYMENT + "-pacs-nginx"],
                          capture_output=True, text=True, check=True).stdout.strip()
    assert mode.startswith("container:")
    # the engine's configuration is the task definition's, written in the container by its
    # entrypoint: no password in it (Orthanc expands the secret's variable), none on the Docker host
    configuration = json.loads(in_container("pacs", "cat", "/etc/orthanc/orthanc.json"))
    assert configuration["RegisteredUsers"] == {"admin": "${PACS_ADMIN_PASSWORD}"}
    assert sorted(p.name for p in (lab.state / "pacs").iterdir()) == ["images"]


def test_the_task_runs_the_task_definition_pacs_service_registered(lab, aws_client):
    """What runs is the task definition in the lab's ECS (the family's latest ACTIVE revision), as
    Fargate would run it: each container runs the image it names, its command and entry point (or
    the image's), exactly its environment variables and secrets (by name) beside the image's own and
    its mount points; the first container's network namespace, which the others join, has every
    port mapping, each one listened on, and publishes the web container's on the loopback."""
    definition = aws_client("ecs").describe_task_definition(taskDefinition=DEPLOYMENT + "-pacs")["taskDefinition"]
    assert definition["status"] == "ACTIVE"
    containers = definition["containerDefinitions"]
    assert [c["name"] for c in containers] == ["pacs", "nginx", "tunnel-server", "tunnel-qr", "tunnel-client"]
    names = [DEPLOYMENT + "-pacs"] + ["%s-pacs-%s" % (DEPLOYMENT, c["name"]) for c in containers[1:]]
    running = docker_inspect("container", *names)
    owner = running[0]
    for container, run in zip(containers, running):
        place = container["name"]
        [image] = docker_inspect("image", container["image"])
        assert run["State"]["Running"], place
        assert run["Config"]["Image"] == container["image"] and run["Image"] == image["Id"], place
        assert run["Config"]["Cmd"] == (container.get("command") or image["Config"]["Cmd"]), place
        assert run["Config"]["Entrypoint"] == (container.get("entryPoint") or image["Config"]["Entrypoint"]), place
        # names only: the values include the secrets
        env = {variable.split("=", 1)[0] for variable in run["Config"]["Env"]}
        declared = {e["name"] for e in container.get("environment", [])} | {s["name"] for s in container.get("secrets", [])}
        assert env == declared | {variable.split("=", 1)[0] for variable in image["Config"]["Env"] or []}, place
        assert sorted(m["Destination"] for m in run["Mounts"]) == sorted(m["containerPath"] for m in container.get("mountPoints", [])), place
        if run is not owner:
            assert run["HostConfig"]["NetworkMode"] in ("container:" + owner["Id"], "container:" + names[0]), place
    ports = {p["containerPort"] for c in containers for p in c.get("portMappings", [])}
    assert ports == {8443, 16666, 11045}
    [owner_image] = docker_inspect("image", containers[0]["image"])
    assert set(owner["Config"]["ExposedPorts"]) == set(owner_image["Config"].get("ExposedPorts") or {}) | {"%d/tcp" % p for p in ports}
    assert ports <= listening_ports("pacs"), listening_ports("pacs")
    assert owner["HostConfig"]["PortBindings"] == {"8443/tcp": [{"HostIp": "127.0.0.1", "HostPort": str(lab.https_port)}]}


def test_every_tunnel_runs_the_ghostunnel_binary_built_from_its_module(lab):
    """The default engine runs for real: the task's tunnel server and client and the client host's
    unit execute ghostunnel, the binary set-up built from the Go module at the pinned version."""
    built = ghostunnel_build()
    version = built.parent.name
    digest = subprocess.run(["sha256sum", str(built)], capture_output=True, text=True, check=True).stdout.split()[0]
    processes = tunnel_processes()
    for place, (executable, argv) in processes.items():
        assert executable == "/usr/local/bin/ghostunnel", (place, executable)
        host = place.split("-", maxsplit=1)[0] if place.startswith(("client", "storage")) else place
        assert in_container(host, "sha256sum", executable).split()[0] == digest, place
        assert version in in_container(host, executable, "--version"), place
    assert processes["pacs-tunnel-server"][1][1:3] == ["server", "--listen=0.0.0.0:16666"]
    assert processes["pacs-tunnel-qr"][1][1:4] == ["server", "--listen=0.0.0.0:11045", "--target=127.0.0.1:1045"]
    assert all("--allow-cn=client.dicoogle.internal" in processes[name][1] for name in ("pacs-tunnel-server", "pacs-tunnel-qr"))
    assert processes["client-qr"][1][1:4] == ["client", "--listen=127.0.0.1:1045", "--target=pacs.dicoogle.internal:11045"]
    assert "--override-server-name=pacs.dicoogle.internal" in processes["client-qr"][1]
    # the storage node: its tunnel server admits the PACS's name only, in front of storescp on its loopback
    assert processes["storage"][1][1:4] == ["server", "--listen=0.0.0.0:7777", "--target=127.0.0.1:11112"]
    assert "--allow-cn=pacs.dicoogle.internal" in processes["storage"][1]
    assert "--override-server-name=storage.dicoogle.internal" in processes["pacs-tunnel-client"][1]
    assert "--override-server-name=pacs.dicoogle.internal" in processes["client"][1]


# The sample's commands, pointed at the client host's loopback: its Q/R tunnel carries them to the PACS.
def test_sample_findscu_from_the_client(lab, study):
    find = in_client("findscu", "-v", "-S", "-k", "0008,0052=STUDY", "-aec", AET, "127.0.0.1", "1045",
                     "-k", "0010,0020=*", "-k", "0020,000d")
    assert find.returncode == 0, find.stderr
    assert study.uid in find.stdout + find.stderr


def test_sample_movescu_from_the_client(lab, study):
    # what the flow moved before is removed: the files below come from this command
    subprocess.run(["docker", "exec", DEPLOYMENT + "-storage", "rm", "-rf", "/var/lib/storescp/study_" + study.uid], check=True)
    move = in_client("movescu", "-v", "-S", "-aec", AET, "-aet", "CONSUMER", "-aem", "CONSUMER",
                     "-k", "StudyInstanceUID=" + study.uid, "127.0.0.1", "1045")
    assert move.returncode == 0 and "Final Move Response (Success)" in move.stderr, move.stderr
    listed = subprocess.run(["docker", "exec", DEPLOYMENT + "-storage", "find", "/var/lib/storescp/study_" + study.uid, "-name", "*.dcm"],
                            capture_output=True, text=True, check=True).stdout
    assert sorted(re.findall(r"\.([0-9.]+)\.dcm", listed)) == sorted(study.sops)


def test_sample_dcmsend_through_the_client_tunnel(lab):
    send = in_client("dcmsend", "-v", "127.0.0.1", "16666", "/var/tmp/dicoogle-tests/store/0.dcm")
    assert send.returncode == 0, send.stderr
    assert "with status SUCCESS" in send.stdout + send.stderr


def test_pacs_plain_port_is_not_the_tunnel(lab):
    """The tunnel server admits the client certificate only: plain DICOM to 16666 is refused."""
    refused = in_client("echoscu", "-aec", AET, ENDPOINT, "16666")
    assert refused.returncode != 0


def test_second_make_lab_changes_nothing_and_duplicates_no_data(lab, study, aws_client):
    again = lab.up()
    assert again.rc == 0, again
    site_changed, flows_changed, status_changed = again.changed_by_playbook
    assert site_changed == 0, again
    # make lab itself (scripts/lab.sh, from the source tree), as the first run (the installed collection)
    assert "[DEPRECATION WARNING]" not in again.output
    assert junit(lab.state).get("failures") == "0"
    versions = aws_client("s3").list_object_versions(Bucket=DEPLOYMENT + "-images-123456789012-eu-west-1").get("Versions", [])
    assert len(versions) == 1
    # the search step asserted 1/1/1/2 again: the re-sent and re-indexed instances were not doubled
    assert re.search(r"Search through the web API\s+passed", (lab.state / "reports" / "summary.txt").read_text())


# Continuous DICOM traffic from the client host while the certificates rotate: one C-ECHO through its
# Q/R tunnel and one C-STORE through its C-STORE tunnel after the other, each a new association,
# each logged as "<kind> <start> <end> <ok>" (epoch seconds), until the stop file appears.
TRAFFIC = r"""
log=/var/tmp/rotation-traffic.log stop=/var/tmp/rotation-traffic.stop
rm -f "$log" "$stop"
while [ ! -e "$stop" ]; do
  start=$(date +%s.%N)
  if echoscu -to 10 -ta 10 -td 10 -aet DICOOGLE-CLIENT -aec {aet} 127.0.0.1 1045 >/dev/null 2>&1; then ok=1; else ok=0; fi
  echo "echo $start $(date +%s.%N) $ok" >>"$log"
  start=$(date +%s.%N)
  case "$(dcmsend -v -to 10 -ta 10 -td 10 127.0.0.1 16666 /var/tmp/dicoogle-tests/store/0.dcm 2>&1)" in
    *"with status SUCCESS"*) ok=1 ;;
    *) ok=0 ;;
  esac
  echo "store $start $(date +%s.%N) $ok" >>"$log"
done
echo done >>"$log"
"""


def traffic_figures(lines):
    """Per kind: associations tried and failed, and the longest time without a successful one (from
    the end of a success to the end of the next, the first and last included)."""
    figures = {}
    for kind in ("echo", "store"):
        rows = [(float(start), float(end), ok == "1") for k, start, end, ok in (line.split() for line in lines if line.startswith(kind + " "))]
        ends = [end for start, end, ok in rows if ok]
        bounds = [rows[0][0]] + ends + [rows[-1][1]]
        figures[kind] = {"tried": len(rows), "failed": sum(1 for row in rows if not row[2]),
                         "longest_gap_s": round(max(b - a for a, b in zip(bounds, bounds[1:])), 2),
                         "failures": [(start, end) for start, end, ok in rows if not ok]}
    return figures


def unit_state(host, unit):
    """The unit's main process and when it last started and last reloaded (systemd's timestamps, UTC)."""
    shown = in_container(host, "env", "TZ=UTC", "systemctl", "show", "-p", "MainPID", "-p", "ActiveEnterTimestamp", "-p", "ExecReload", unit)
    reloaded = re.search(r"start_time=\[(?:\w+ )?([0-9-]+ [0-9:]+)", shown)
    return {"pid": re.search(r"MainPID=(\d+)", shown).group(1), "started": re.search(r"ActiveEnterTimestamp=(.*)", shown).group(1),
            "reloaded": reloaded.group(1) if reloaded else None}


def epoch(docker_time):
    """Docker's RFC 3339 time (nanoseconds, Z) as epoch seconds."""
    from datetime import datetime, timezone
    return datetime.strptime(docker_time[:26].rstrip("Z"), "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=timezone.utc).timestamp()


HOST_TUNNELS = (("client", "dicoogle-tunnel-pacs-store"), ("client", "dicoogle-tunnel-pacs-qr"), ("storage", "dicoogle-tunnel-storage-scp"))


@pytest.mark.changes_deployment
def test_rotation_under_traffic_replaces_the_ca_renews_every_leaf_reloads_the_hosts_and_rolls_the_pacs(lab, aws_client):
    """playbooks/rotate.yml with rotate_ca=true while the client host sends C-ECHO and C-STORE without
    pause: a new CA, trusted everywhere beside the old one first, then issuing every leaf anew (a new
    key and certificate each, Secrets Manager new versions, the PACS task the new ones: a new task
    definition revision, the lab's task replaced; the hosts' tunnels reload theirs in place), then
    trusted alone: a leaf of the old CA is refused afterwards. The figures (associations tried,
    failed, longest gap) go to reports/rotation.json; no association fails once the PACS's task runs
    again for the last time, while the hosts' tunnels reload. The second client-site node joins in
    the same run: its own host (a container, an EC2 instance in moto), leaf, secrets and tunnels, its
    name admitted by the PACS's tunnel servers."""
    from cryptography import x509

    leaves = ["nginx", "ghostunnel", "client", "storage"]
    pki = lab.state / "pki"
    before = {leaf: x509.load_pem_x509_certificate((pki / (leaf + ".crt")).read_bytes()) for leaf in leaves}
    old_ca = x509.load_pem_x509_certificate((pki / "ca.crt").read_bytes())
    # the client's leaf of the old CA, kept to show it refused once the old CA is retired
    old = "/var/tmp/dicoogle-old-ca"
    subprocess.run(["docker", "exec", DEPLOYMENT + "-client", "mkdir", "-p", old], check=True)
    for name in ("client.crt", "client.key", "ca.crt"):
        subprocess.run(["docker", "cp", str(pki / name), "%s-client:%s/%s" % (DEPLOYMENT, old, name)], check=True)
    units_before = {unit: unit_state(host, unit) for host, unit in HOST_TUNNELS}
    ecs = aws_client("ecs")
    revision_before = ecs.describe_task_definition(taskDefinition=DEPLOYMENT + "-pacs")["taskDefinition"]["revision"]
    subprocess.run(["docker", "exec", "-d", DEPLOYMENT + "-client", "sh", "-c", TRAFFIC.format(aet=AET)], check=True)
    try:
        # in the same run a second client-site node joins (its host, leaf, secrets and admission):
        # one site.yml pass and one PACS roll for both
        rotated = lab.play("playbooks/rotate.yml", "-e", "rotate_ca=true", *WITH_SECOND_NODE)
    finally:
        subprocess.run(["docker", "exec", DEPLOYMENT + "-client", "touch", "/var/tmp/rotation-traffic.stop"], check=True)
        for _attempt in range(60):
            lines = in_container("client", "cat", "/var/tmp/rotation-traffic.log").splitlines()
            if lines and lines[-1] == "done":
                break
            subprocess.run(["sleep", "1"], check=True)
    assert rotated.rc == 0 and rotated.changed > 0, rotated
    assert "PRIVATE KEY" not in rotated.output

    # a new CA (its own key, the same name), trusted alone at the end, the old one's files gone
    new_ca = x509.load_pem_x509_certificate((pki / "ca.crt").read_bytes())
    assert new_ca.public_key().public_numbers() != old_ca.public_key().public_numbers() and new_ca.subject == old_ca.subject
    assert x509.load_pem_x509_certificates((pki / "trust.crt").read_bytes()) == [new_ca]
    assert not list(pki.glob("ca-next.*")) and not (pki / "ca-previous.crt").exists()
    # every leaf: a new key pair and a new certificate from the new CA, the same names
    after = {leaf: x509.load_pem_x509_certificate((pki / (leaf + ".crt")).read_bytes()) for leaf in leaves}
    for leaf in leaves:
        assert after[leaf].serial_number != before[leaf].serial_number, leaf
        assert after[leaf].public_key().public_numbers() != before[leaf].public_key().public_numbers(), leaf
        assert (after[leaf].subject, after[leaf].issuer) == (before[leaf].subject, before[leaf].issuer), leaf
        after[leaf].verify_directly_issued_by(new_ca)
    # Secrets Manager holds them, and the task definition names those versions: ECS's task reads them
    sm = aws_client("secretsmanager")
    for leaf in leaves:
        assert sm.get_secret_value(SecretId="%s/%s-cert" % (DEPLOYMENT, leaf))["SecretString"] == (pki / (leaf + ".crt")).read_text(), leaf
    for secret, name in (("ca-cert", "ca.crt"), ("ca-trust", "trust.crt")):
        assert sm.get_secret_value(SecretId="%s/%s" % (DEPLOYMENT, secret))["SecretString"] == (pki / name).read_text(), secret
    definition = ecs.describe_task_definition(taskDefinition=DEPLOYMENT + "-pacs")["taskDefinition"]
    assert definition["revision"] > revision_before
    [service] = ecs.describe_services(cluster=DEPLOYMENT, services=[DEPLOYMENT + "-pacs"])["services"]
    # (moto answers <family>:<revision> where ECS answers the ARN)
    assert definition["taskDefinitionArn"].endswith("/" + service["taskDefinition"].split("/")[-1])
    for container in ("pacs-tunnel-server", "pacs-tunnel-qr", "pacs-tunnel-client"):
        assert in_container(container, "cat", "/run/secrets/tunnel-cert.pem").strip() == (pki / "ghostunnel.crt").read_text().strip()
        assert in_container(container, "cat", "/run/secrets/tunnel-ca.pem").strip() == (pki / "trust.crt").read_text().strip()
    # the hosts' tunnels: the same processes, reloaded after the task ran again, with the new files
    units_after = {unit: unit_state(host, unit) for host, unit in HOST_TUNNELS}
    for host, unit in HOST_TUNNELS:
        assert units_after[unit]["pid"] == units_before[unit]["pid"] and units_after[unit]["started"] == units_before[unit]["started"], unit
        assert units_after[unit]["reloaded"] and units_after[unit]["reloaded"] != units_before[unit]["reloaded"], unit
    # each host presents its node's leaf, named as the host
    for host, unit in HOST_TUNNELS:
        name = unit.replace("dicoogle-tunnel-", "")
        assert in_container(host, "cat", "/etc/dicoogle-tunnel/%s/cert.pem" % name).strip() == (pki / (host + ".crt")).read_text().strip()
        assert in_container(host, "cat", "/etc/dicoogle-tunnel/%s/ca.pem" % name).strip() == (pki / "trust.crt").read_text().strip()
    # the client's leaf of the old CA, which a stolen copy would present, is refused by both of the
    # PACS's tunnel servers now that the old CA is not trusted (the client verifies the server with the new one)
    subprocess.run(["docker", "cp", str(pki / "trust.crt"), "%s-client:%s/trust-now.crt" % (DEPLOYMENT, old)], check=True)
    for port in (16666, 11045):
        refused = in_client("echoscu", "-v", "-to", "10", "-aec", AET, "+tls", old + "/client.key", old + "/client.crt",
                            "+cf", old + "/trust-now.crt", ENDPOINT, str(port))
        assert refused.returncode != 0 and "Association Accepted" not in refused.stdout + refused.stderr, (port, refused.stdout + refused.stderr)

    # the second client-site node: its host runs its tunnels with its own leaf, its secrets hold it,
    # the PACS's tunnel servers admit its name, and on "AWS" its instance runs with its node's tag
    second = x509.load_pem_x509_certificate((pki / "ward-2.crt").read_bytes())
    assert second.subject.rfc4514_string() == "CN=ward-2.dicoogle.internal,O=dicoogle.aws,C=PT", second.subject
    for name in ("pacs-store", "pacs-qr"):
        assert in_container("ward-2", "cat", "/etc/dicoogle-tunnel/%s/cert.pem" % name).strip() == (pki / "ward-2.crt").read_text().strip()
    assert sm.get_secret_value(SecretId=DEPLOYMENT + "/ward-2-key")["SecretString"] == (pki / "ward-2.key").read_text()
    for container in ("tunnel-server", "tunnel-qr"):
        [defined] = [c for c in definition["containerDefinitions"] if c["name"] == container]
        assert "--allow-cn=ward-2.dicoogle.internal" in defined["command"] and "--allow-cn=client.dicoogle.internal" in defined["command"], defined
    instances = running_instances(aws_client, DEPLOYMENT)
    assert sorted(instances) == ["client", "storage", "ward-2"], sorted(instances)
    assert {t["Key"]: t["Value"] for t in instances["ward-2"]["Tags"]}["dicoogle:role"] == "client"

    figures = traffic_figures(lines)
    task_started = max(epoch(c["State"]["StartedAt"]) for c in docker_inspect(
        "container", *("%s-pacs-%s" % (DEPLOYMENT, c) for c in ("nginx", "tunnel-server", "tunnel-qr", "tunnel-client"))))
    report = {kind: {k: v for k, v in f.items() if k != "failures"} for kind, f in figures.items()}
    report["failed_after_the_task_ran_again"] = sum(1 for f in figures.values() for start, end in f["failures"] if start > task_started + 2)
    (lab.state / "reports" / "rotation.json").write_text(json.dumps(report, indent=2))
    print("rotation under traffic:", json.dumps(report))
    assert all(f["tried"] >= 20 for f in figures.values()), report
    # the hosts reloaded after the task ran again: no association failed from then on
    assert report["failed_after_the_task_ran_again"] == 0, figures
    # and traffic flowed at the end
    assert lines[-3].endswith(" 1") and lines[-2].endswith(" 1"), lines[-3:]


@pytest.mark.changes_deployment
def test_the_second_client_node_runs_echo_find_and_store_from_its_own_host(lab):
    """The node the rotation test added: after the flow from the client, C-ECHO, C-FIND of the study
    and C-STORE from ward-2's host, with its AE title, through its own tunnels."""
    flows = lab.play("playbooks/dicom_tests.yml", *WITH_SECOND_NODE)
    assert flows.rc == 0, flows
    report = junit(lab.state)
    assert report.get("tests") == "12" and report.get("failures") == "0", ET.tostring(report)
    assert [case.get("name") for case in report.findall("testcase")][-3:] == [
        "C-ECHO from ward-2 through its Q/R tunnel", "C-FIND of the study from ward-2", "C-STORE from ward-2 through its mTLS tunnel"]
    # kept for the revocation test (the pki role removes the files with the node)
    saved = lab.state.parent / "second-node"
    saved.mkdir(exist_ok=True)
    for name in ("ward-2.crt", "ward-2.key", "client.crt", "client.key", "ca.crt"):
        shutil.copy(lab.state / "pki" / name, saved / name)


@pytest.mark.changes_deployment
def test_a_broken_flow_fails_the_run_and_is_reported(lab):
    """The storage node stopped: the C-MOVE step fails and the run with it. site.yml then restores
    the deployment with the other tunnel engine, stunnel, and without the second client-site node
    (one site.yml run for all three; the next tests replay the flow on it and check the node's
    revocation)."""
    stop = subprocess.run(["docker", "exec", DEPLOYMENT + "-storage", "systemctl", "stop", "storescp.socket"],
                          capture_output=True, text=True, check=False)
    assert stop.returncode == 0, stop.stderr
    try:
        broken = lab.play("playbooks/dicom_tests.yml")
        assert broken.rc != 0
        failed = {case.get("name") for case in junit(lab.state) if case.find("failure") is not None}
        assert "C-MOVE of the study to the storage node" in failed, failed
        assert "C-ECHO from the client through its Q/R tunnel" not in failed
    finally:
        restored = lab.play("playbooks/site.yml", "-e", "dicoogle_tunnel_engine=stunnel")
    assert restored.rc == 0 and restored.changed >= 1, restored


@pytest.mark.changes_deployment
def test_stunnel_replaces_ghostunnel_and_every_flow_passes(lab, aws_client):
    """stunnel remains an engine: the deployment the test above restored with it (the task
    definition, the task's tunnels and the client host's unit) passes the clinical flow."""
    flows = lab.play("playbooks/dicom_tests.yml", "-e", "dicoogle_tunnel_engine=stunnel")
    assert flows.rc == 0, flows
    report = junit(lab.state)
    assert report.get("tests") == "9" and report.get("failures") == "0", ET.tostring(report)
    for place, (executable, argv) in tunnel_processes().items():
        assert executable == "/usr/bin/stunnel4", (place, executable, argv)
    definition = aws_client("ecs").describe_task_definition(taskDefinition=DEPLOYMENT + "-pacs")["taskDefinition"]
    tunnels = {c["name"]: c for c in definition["containerDefinitions"] if c["name"].startswith("tunnel-")}
    conf = {name: {e["name"]: e["value"] for e in c["environment"]}["TUNNEL_CONF"] for name, c in tunnels.items()}
    for server, port in (("tunnel-server", 16666), ("tunnel-qr", 11045)):
        assert "accept = 0.0.0.0:%d\nconnect = 127.0.0.1:1045" % port in conf[server], conf[server]
        assert "checkHost = client.dicoogle.internal" in conf[server]
        assert "requireCert = yes" in conf[server] and "verifyChain = yes" in conf[server]
    assert "client = yes\naccept = 127.0.0.1:17777\nconnect = storage.dicoogle.internal:7777" in conf["tunnel-client"]
    assert "checkHost = storage.dicoogle.internal" in conf["tunnel-client"]
    assert all(c["image"].split("/")[-1].startswith("stunnel:sha-") and not c.get("command") for c in tunnels.values())


@pytest.mark.changes_deployment
def test_removing_the_second_node_revokes_it(lab, aws_client):
    """ward-2's entry taken out (the broken-flow test's site.yml run): its host, instance, leaf and
    secrets are gone, and its certificate, which a stolen copy would present, is refused by both of
    the PACS's tunnel servers, where the client's is admitted."""
    assert "%s-ward-2" % DEPLOYMENT not in lab_containers()
    assert sorted(running_instances(aws_client, DEPLOYMENT)) == ["client", "storage"]
    assert not list((lab.state / "pki").glob("ward-2.*"))
    secrets = [s["Name"] for s in aws_client("secretsmanager").list_secrets()["SecretList"]]
    assert [name for name in secrets if "ward-2" in name] == [], secrets
    saved = lab.state.parent / "second-node"
    work = "/var/tmp/dicoogle-revoked"
    subprocess.run(["docker", "exec", DEPLOYMENT + "-client", "mkdir", "-p", work], check=True)
    subprocess.run(["docker", "cp", str(saved) + "/.", "%s-client:%s" % (DEPLOYMENT, work)], check=True)
    for port in (16666, 11045):
        def echo(node, port=port):
            return in_client("echoscu", "-v", "-to", "10", "-aec", AET, "+tls", "%s/%s.key" % (work, node), "%s/%s.crt" % (work, node),
                             "+cf", work + "/ca.crt", ENDPOINT, str(port))
        admitted, refused = echo("client"), echo("ward-2")
        assert admitted.returncode == 0, (port, admitted.stdout + admitted.stderr)
        assert refused.returncode != 0 and "Association Accepted" not in refused.stdout + refused.stderr, (port, refused.stdout + refused.stderr)


@pytest.mark.ends_deployment
def test_teardown_leaves_no_container_network_or_resource(lab, aws_client):
    down = lab.down()
    assert down.rc == 0, down
    assert lab_containers() == []
    networks = subprocess.run(["docker", "network", "ls", "--format", "{{.Name}}"], capture_output=True, text=True, check=True).stdout
    assert DEPLOYMENT + "-lab" not in networks.split()
    buckets = [b["Name"] for b in aws_client("s3").list_buckets()["Buckets"] if b["Name"].startswith(DEPLOYMENT + "-")]
    assert buckets == []
