"""Each fact more than one role uses has one home, plugins/module_utils/deployment.py: the roles'
defaults read it there (through the deployment_names and shared_port filters) and no role,
playbook or inventory holds a copy of it."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from ansible_collections.dicoogle.aws.plugins.module_utils import deployment as root
from tests.helpers import ROOT, VENV_BIN

DEPLOYMENT = "unit-d"

# The shared facts as literals: the ports, the tag key, the shared secrets' names (whole words:
# /run/secrets/nginx-cert.pem is a file of the image, not the secret), the DataSync task's suffix.
COPIES = {
    **{"port %s (%d)" % (name, port): re.compile(r"(?<![\w.:/-])%d(?![\w.])" % port) for name, port in root.SHARED_PORTS.items()},
    "tag key": re.compile(re.escape(root.DEPLOYMENT_TAG_KEY)),
    **{"secret %s" % name: re.compile(r"(?<![\w/.-])%s(?![\w.-])" % re.escape(name))
       for name in root.deployment_names(DEPLOYMENT)["secret_names"].values()},
    "DataSync task": re.compile(r"(\}\}|')-bulk-import"),
}
# Where a copy cannot read the root, and why.
CANNOT_READ_THE_ROOT = {
    # the aws_ec2 inventory plugin templates the values of its filters, not their keys
    ("inventories/aws/hosts.aws_ec2.yml", "tag key"),
    # the image's EXPOSE line documents nginx's port; the task definition maps it
    ("roles/images/templates/nginx.Dockerfile.j2", "port pacs_https (8443)"),
}


def sources():
    """The roles' files (their molecule scenarios are test fixtures), the playbooks, the inventories."""
    paths = [p for p in (ROOT / "roles").glob("*/*/**/*") if p.is_file() and "molecule" not in p.parts and "meta" not in p.parts]
    paths += list((ROOT / "playbooks").rglob("*.yml")) + list((ROOT / "inventories").rglob("*.yml"))
    return sorted(paths)


def test_no_role_playbook_or_inventory_holds_a_copy_of_a_shared_fact():
    copies = []
    for path in sources():
        relative = str(path.relative_to(ROOT))
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if line.strip().startswith("#"):
                continue
            copies += ["%s:%d %s: %s" % (relative, number, fact, line.strip()) for fact, pattern in COPIES.items()
                       if pattern.search(line) and (relative, fact) not in CANNOT_READ_THE_ROOT]
    assert copies == []


def test_the_scan_finds_a_copy():
    assert COPIES["port pacs_qr (1045)"].search("network_pacs_qr_port: 1045")
    assert COPIES["secret pacs-admin-password"].search("pacs_service_admin_secret: pacs-admin-password")
    assert COPIES["DataSync task"].search("x: \"{{ d }}-bulk-import\"")
    assert not COPIES["secret nginx-cert"].search("ssl_certificate /run/secrets/nginx-cert.pem;")


# Variable -> what the root says, for deployment unit-d in account 123456789012.
NAMES = root.deployment_names(DEPLOYMENT)
PORTS = root.SHARED_PORTS
EXPECTED = {
    **{role + "_tag_key": "dicoogle:deployment"
       for role in ("preflight", "network", "storage", "privatelink", "pacs_service", "foundation", "front_door", "edge_hosts")},
    **{role + "_kms_alias": "alias/unit-d" for role in ("storage", "pacs_service", "foundation", "front_door", "edge_hosts")},
    "foundation_key_pair_name": "unit-d", "edge_hosts_key_pair_name": "unit-d", "state_key_pair_name": "unit-d",
    "storage_datasync_task_name": "unit-d-bulk-import", "dicom_tests_datasync_task": "unit-d-bulk-import",
    "front_door_target_group_name": "unit-d-web", "pacs_service_web_target_group": "unit-d-web",
    "pacs_service_store_target_group": "unit-d-store", "pacs_service_qr_target_group": "unit-d-qr",
    "pacs_service_cluster_name": "unit-d", "lab_pacs_task_cluster": "unit-d", "pacs_service_name": "unit-d-pacs", "lab_pacs_task_service": "unit-d-pacs",
    "pacs_service_family": "unit-d-pacs", "edge_hosts_storage_interface_name": "unit-d-storage-host", "lab_sites_network": "unit-d-lab",
    "foundation_pacs_admin_secret": "pacs-admin-password", "pacs_service_admin_secret": "pacs-admin-password",
    "dicoogle_pacs_admin_password_secret": "unit-d/pacs-admin-password", "dicoogle_web_automation_secret": "unit-d/web-automation",
    "pacs_service_nginx_secrets": {"NGINX_CERT_PEM": "nginx-cert", "NGINX_KEY_PEM": "nginx-key"},
    "pacs_service_tunnel_secrets": {"TUNNEL_CERT_PEM": "ghostunnel-cert", "TUNNEL_KEY_PEM": "ghostunnel-key", "TUNNEL_CA_PEM": "ca-trust"},
    "foundation_secret_files_names": ["ca-cert", "ca-trust", "ca-key", "nginx-cert", "nginx-key", "ghostunnel-cert", "ghostunnel-key", "client-cert",
                                      "client-key", "storage-cert", "storage-key", "ec2-key"],
    # the state role restores the files the foundation stores, from the same secrets (but trust.crt,
    # which the pki role derives from the CA files)
    "state_files_as_the_foundation_stores_them": True,
    "network_pacs_https_port": 8443, "pacs_service_https_port": 8443, "front_door_target_port": 8443,
    "network_pacs_store_tls_port": 16666, "pacs_service_tunnel_port": 16666, "dicom_tests_tunnel_port": 16666,
    "pacs_service_qr_port": 1045, "dicom_tests_qr_port": 1045, "images_dicoogle_qr_port": 1045,
    "network_pacs_qr_tunnel_port": 11045, "pacs_service_qr_tunnel_port": 11045,
    "privatelink_ports": {"store": 16666, "qr": 11045},
    "privatelink_nlb_name": "unit-d-pacs", "lab_endpoint_nlb_name": "unit-d-pacs", "lab_endpoint_network": "unit-d-lab",
    "pacs_service_consumer_port": 17777, "images_consumer_port": 17777, "pacs_config_consumer_port": 17777,
    "network_storage_scp_port": 7777, "pacs_service_storage_address": "storage.dicoogle.internal:7777",
    # storescp on the storage host's loopback, behind the tunnel server on 7777
    "storescp_port": 11112,
    "images_dicoogle_web_port": 8080, "images_dicoogle_store_port": 6666,
    "pacs_service_dicoogle_store_port": 6666, "pacs_service_orthanc_store_port": 1045,
}
# Names that are not variables of one role: how the playbooks and the engine table read them.
EXPRESSIONS = {
    "dicoogle_pacs_admin_password_secret": "(dicoogle_deployment | dicoogle.aws.deployment_names).secrets.pacs_admin_password",
    "dicoogle_web_automation_secret": "(dicoogle_deployment | dicoogle.aws.deployment_names).secrets.web_automation",
    "foundation_secret_files_names": "foundation_secret_files.keys() | list",
    "state_files_as_the_foundation_stores_them": (
        "state_files == dict(foundation_secret_files.keys() | map('regex_replace', '^', 'unit-d/') | zip(foundation_secret_files.values()))"
        " | dict2items | rejectattr('key', 'equalto', 'unit-d/ca-trust') | items2dict"),
    "images_consumer_port": "images_dicoogle_move_destinations[0].port",
    "pacs_config_consumer_port": "pacs_config_move_destinations[0].port",
    "pacs_service_dicoogle_store_port": "pacs_service_engines.dicoogle.store_port",
    "pacs_service_orthanc_store_port": "pacs_service_engines.orthanc.store_port",
}


def render(tmp_path, expressions, extra_vars=None):
    """The roles' defaults and vars, rendered by Ansible: {name: value of expressions[name]}."""
    files = sorted(str(p) for p in (ROOT / "roles").glob("*/defaults/main.yml")) + [
        str(ROOT / "roles/foundation/vars/main.yml"), str(ROOT / "roles/pacs_service/vars/main.yml"), str(ROOT / "roles/state/vars/main.yml")]
    out = tmp_path / "rendered.json"
    playbook = tmp_path / "render.yml"
    playbook.write_text(json.dumps([{
        "hosts": "localhost", "gather_facts": False,
        "vars": dict({"dicoogle_deployment": DEPLOYMENT, "dicoogle_state_dir": str(tmp_path), "dicoogle_aws_region": "eu-west-1"},
                     **(extra_vars or {})),
        "tasks": [
            {"ansible.builtin.include_vars": {"file": "{{ item }}"}, "loop": files},
            {"ansible.builtin.copy": {"dest": str(out), "mode": "0600", "content": "{{ rendered | to_json }}"},
             "vars": {"rendered": {name: "{{ %s }}" % expression for name, expression in expressions.items()}}},
        ],
    }]))
    run = subprocess.run([str(VENV_BIN / "ansible-playbook"), "-i", "localhost,", "-c", "local", "-e", "ansible_python_interpreter=" + sys.executable,
                          str(playbook)],
                         capture_output=True, text=True, cwd=ROOT, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    return json.loads(out.read_text())


def test_the_roles_defaults_read_the_root(tmp_path):
    """The roles' defaults and vars as Ansible renders them: the same names and ports (as numbers)
    as the root's, which are those the deployment's resources had before the root existed."""
    rendered = render(tmp_path, {name: EXPRESSIONS.get(name, name) for name in EXPECTED})
    assert {k: v for k, v in rendered.items() if v != EXPECTED[k]} == {}
    # and they are the root's
    assert rendered["storage_datasync_task_name"] == NAMES["datasync_task"]
    assert rendered["privatelink_ports"] == {"store": PORTS["pacs_tunnel"], "qr": PORTS["pacs_qr_tunnel"]}
    assert rendered["privatelink_nlb_name"] == rendered["lab_endpoint_nlb_name"] == NAMES["pacs_nlb"]


# A deployment's own nodes: a workstation with its own certificate name, an archive with its own AE title.
OWN_NODES = [{"name": "ward-2", "site": "client", "role": "workstation", "ae_title": "WARD2-WS", "certificate_name": "ws.ward2.example.org"},
             {"name": "archive", "site": "storage", "role": "storage", "ae_title": "ARCHIVE"}]
FROM_THE_NODES = {
    "pki_leaves": "pki_leaves | map(attribute='common_name') | list",
    "foundation_secret_certificates": "foundation_secret_certificates", "state_certificates": "state_certificates",
    "pacs_service_allow_cn": "pacs_service_allow_cn", "pacs_service_storage_name": "pacs_service_storage_name",
    "pacs_service_storage_aetitle": "pacs_service_storage_aetitle", "storescp_aetitle": "storescp_aetitle",
    "dicom_tests_calling_aetitle": "dicom_tests_calling_aetitle", "dicom_tests_move_destination": "dicom_tests_move_destination",
    "images_move_destination": "images_dicoogle_move_destinations[0].aetitle",
    "pacs_config_move_destination": "pacs_config_move_destinations[0].aetitle",
    # a host per node, on AWS and in the lab
    "edge_hosts_nodes": "edge_hosts_nodes | map(attribute='name') | list", "lab_sites_nodes": "lab_sites_nodes | map(attribute='name') | list",
}


def test_the_roles_read_the_dicom_nodes_from_their_one_description(tmp_path):
    """What the nodes give each role follows dicoogle_dicom_nodes, not the sample's names."""
    rendered = render(tmp_path, FROM_THE_NODES, {"dicoogle_dicom_nodes": OWN_NODES})
    assert rendered == {
        "pki_leaves": ["nginx.dicoogle.internal", "pacs.dicoogle.internal", "ws.ward2.example.org", "archive.dicoogle.internal"],
        "foundation_secret_certificates": ["nginx", "ghostunnel", "ward-2", "archive"],
        "state_certificates": ["nginx", "ghostunnel", "ward-2", "archive"],
        "pacs_service_allow_cn": ["ws.ward2.example.org"], "pacs_service_storage_name": "archive.dicoogle.internal",
        "pacs_service_storage_aetitle": "ARCHIVE", "storescp_aetitle": "ARCHIVE",
        "dicom_tests_calling_aetitle": "WARD2-WS", "dicom_tests_move_destination": "ARCHIVE",
        "images_move_destination": "ARCHIVE", "pacs_config_move_destination": "ARCHIVE",
        "edge_hosts_nodes": ["ward-2", "archive"], "lab_sites_nodes": ["ward-2", "archive"],
    }
