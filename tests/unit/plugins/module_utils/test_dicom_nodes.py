"""The DICOM nodes' one description: its checks name each wrong entry and field, the defaults are
the sample's two nodes, and the PKI's leaves and secrets derive from it."""

from __future__ import annotations

import pytest

from ansible_collections.dicoogle.aws.plugins.module_utils import deployment, dicom_nodes

# the reserved names, as the error lists them
TAKEN = "(nginx, ghostunnel, ca, ca-next, ca-previous, trust, ec2, endpoint are the PKI's files and the lab's endpoint)"
CLIENT, STORAGE = dicom_nodes.DEFAULT_NODES
WARD = {"name": "ward-2", "site": "client", "role": "workstation", "ae_title": "WARD2-WS"}
TWO_AT_THE_STORAGE_SITE = "dicoogle_dicom_nodes has 2 nodes at the storage site: this version runs one storage node (the PACS's one move destination)"


def test_the_defaults_are_the_samples_client_and_storage_nodes():
    nodes = dicom_nodes.normalize()
    assert [(n["name"], n["site"], n["role"], n["ae_title"], n["certificate_name"]) for n in nodes] == [
        ("client", "client", "modality", "DICOOGLE-CLIENT", "client.dicoogle.internal"),
        ("storage", "storage", "storage", "CONSUMER", "storage.dicoogle.internal")]
    assert dicom_nodes.errors(None) == [] and dicom_nodes.errors([CLIENT, STORAGE]) == []


def test_the_leaves_are_the_pacs_own_then_one_per_node():
    nodes = dicom_nodes.normalize([WARD, STORAGE], "example.internal")
    assert dicom_nodes.certificate_leaves(nodes) == ["nginx", "ghostunnel", "ward-2", "storage"]
    # the default leaves are the ones whose secrets deployment_names names
    assert deployment.CERTIFICATE_LEAVES == ("nginx", "ghostunnel", "client", "storage")
    assert dicom_nodes.node_leaves(nodes) == [
        {"name": "ward-2", "common_name": "ward-2.example.internal", "dns": ["ward-2.example.internal", "localhost"],
         "ip": ["127.0.0.1"], "extended_key_usage": ["clientAuth", "serverAuth"]},
        {"name": "storage", "common_name": "storage.example.internal", "dns": ["storage.example.internal", "localhost"],
         "ip": ["127.0.0.1"], "extended_key_usage": ["serverAuth", "clientAuth"]}]
    names = deployment.deployment_names("d", certificates=dicom_nodes.certificate_leaves(nodes))
    assert names["secret_names"]["ward-2_cert"] == "ward-2-cert"


def test_a_second_client_site_node_is_one_more_entry():
    nodes = dicom_nodes.normalize([CLIENT, WARD, STORAGE])
    assert [n["certificate_name"] for n in nodes] == ["client.dicoogle.internal", "ward-2.dicoogle.internal", "storage.dicoogle.internal"]
    assert dicom_nodes.certificate_leaves(nodes) == ["nginx", "ghostunnel", "client", "ward-2", "storage"]


def test_a_certificate_name_can_be_given():
    node = dicom_nodes.normalize([dict(WARD, certificate_name="ws.ward2.example.org"), STORAGE])[0]
    assert node["certificate_name"] == "ws.ward2.example.org"


@pytest.mark.parametrize("nodes, expected", [
    ("client", ["dicoogle_dicom_nodes must be a list of nodes, got str"]),
    ([dict(CLIENT, name="Client"), STORAGE],
     ["dicoogle_dicom_nodes[0].name must be 2-32 lowercase letters, digits and hyphens, starting with a letter (got 'Client')"]),
    # the PKI's own files and secrets
    ([dict(CLIENT, name="ghostunnel"), STORAGE],
     ["dicoogle_dicom_nodes[0].name ghostunnel is taken " + TAKEN]),
    ([dict(CLIENT, name="ec2"), STORAGE],
     ["dicoogle_dicom_nodes[0].name ec2 is taken " + TAKEN]),
    # a host <deployment>-<name> beside the lab's endpoint and the PACS task's containers
    ([dict(CLIENT, name="endpoint"), STORAGE],
     ["dicoogle_dicom_nodes[0].name endpoint is taken " + TAKEN]),
    ([dict(CLIENT, name="pacs-nginx"), STORAGE], ["dicoogle_dicom_nodes[0].name pacs-nginx starts with pacs, the PACS task's name"]),
    # storage.<domain> is the storage node's host
    ([dict(CLIENT, name="storage", ae_title="C"), dict(STORAGE, name="archive")],
     ["dicoogle_dicom_nodes[0].name storage is the storage node's host name; a client-site node takes another"]),
    # the PACS's certificate name, given or derived, would pass the storage node's tunnel
    ([dict(CLIENT, certificate_name="pacs.dicoogle.internal"), STORAGE],
     ["dicoogle_dicom_nodes[0]'s certificate name pacs.dicoogle.internal is the PACS task's own"]),
    ([dict(CLIENT, name="pacs"), STORAGE], ["dicoogle_dicom_nodes[0].name pacs starts with pacs, the PACS task's name",
                                            "dicoogle_dicom_nodes[0]'s certificate name pacs.dicoogle.internal is the PACS task's own"]),
    ([dict(CLIENT, certificate_name="storage.dicoogle.internal"), STORAGE],
     ["dicoogle_dicom_nodes[1].certificate_name storage.dicoogle.internal is also dicoogle_dicom_nodes[0]'s"]),
    ([dict(CLIENT, role="scanner"), STORAGE],
     ["dicoogle_dicom_nodes[0].role must be one of modality, workstation, storage (got 'scanner')"]),
    ([dict(CLIENT, site="storage"), STORAGE],
     ["dicoogle_dicom_nodes[0] is a modality, which belongs to the client site, not the storage site",
      "dicoogle_dicom_nodes has no node at the client site: nothing would reach the PACS",
      TWO_AT_THE_STORAGE_SITE]),
    ([dict(CLIENT, ae_title="A-TITLE-LONGER-THAN-16"), STORAGE],
     ["dicoogle_dicom_nodes[0].ae_title must be 1 to 16 characters (got 'A-TITLE-LONGER-THAN-16')"]),
    ([dict(CLIENT, ae_title="A\\B"), STORAGE],
     ["dicoogle_dicom_nodes[0].ae_title must be printable ASCII without a backslash (got 'A\\\\B')"]),
    ([dict(CLIENT, ae_title="CONSUMER"), STORAGE], ["dicoogle_dicom_nodes[1].ae_title CONSUMER is also dicoogle_dicom_nodes[0]'s"]),
    ([dict(CLIENT, certificate_name="Bad Name"), STORAGE],
     ["dicoogle_dicom_nodes[0].certificate_name must be a lowercase DNS name (got 'Bad Name')"]),
    ([dict(CLIENT, port=104), STORAGE],
     ["dicoogle_dicom_nodes[0] has unknown fields port (the fields are name, site, role, ae_title, certificate_name)"]),
    ([CLIENT], ["dicoogle_dicom_nodes has no node at the storage site: the PACS's C-MOVEs need one"]),
    ([CLIENT, STORAGE, dict(STORAGE, name="archive-2", ae_title="ARCHIVE-2")], [TWO_AT_THE_STORAGE_SITE]),
])
def test_each_error_names_its_entry_and_field(nodes, expected):
    assert dicom_nodes.errors(nodes) == expected
    with pytest.raises(ValueError) as raised:
        dicom_nodes.normalize(nodes)
    assert str(raised.value) == "; ".join(expected)


def test_every_error_is_reported_at_once():
    found = dicom_nodes.errors([{"name": "x", "site": "moon", "role": "x", "ae_title": ""}])
    assert [message.split(" ")[0] for message in found] == [
        "dicoogle_dicom_nodes[0].name", "dicoogle_dicom_nodes[0].role", "dicoogle_dicom_nodes[0].site",
        "dicoogle_dicom_nodes[0].ae_title", "dicoogle_dicom_nodes", "dicoogle_dicom_nodes"]
