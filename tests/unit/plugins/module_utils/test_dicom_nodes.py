"""The DICOM nodes' one description: its checks name each wrong entry and field, the defaults are
the sample's two nodes, and the PKI's leaves and secrets derive from it."""

from __future__ import annotations

import pytest

from ansible_collections.dicoogle.aws.plugins.module_utils import deployment, dicom_nodes

SECOND_CLIENT = {"name": "ward-2", "site": "client", "role": "workstation", "ae_title": "WARD2-WS"}


def test_the_defaults_are_the_samples_client_and_storage_nodes():
    nodes = dicom_nodes.normalize()
    assert [(n["name"], n["site"], n["role"], n["ae_title"], n["certificate_name"]) for n in nodes] == [
        ("client", "client", "modality", "DICOOGLE-CLIENT", "client.dicoogle.internal"),
        ("storage", "storage", "storage", "CONSUMER", "storage.dicoogle.internal")]
    assert dicom_nodes.errors(None) == [] and dicom_nodes.errors(list(dicom_nodes.DEFAULT_NODES)) == []


def test_the_leaves_are_the_pacs_own_then_one_per_node():
    nodes = dicom_nodes.normalize(list(dicom_nodes.DEFAULT_NODES) + [SECOND_CLIENT], "example.internal")
    assert dicom_nodes.certificate_leaves(nodes) == ["nginx", "ghostunnel", "client", "storage", "ward-2"]
    # the default leaves are the ones whose secrets deployment_names names
    assert deployment.CERTIFICATE_LEAVES == ("nginx", "ghostunnel", "client", "storage")
    [ward] = [leaf for leaf in dicom_nodes.node_leaves(nodes) if leaf["name"] == "ward-2"]
    assert ward == {"name": "ward-2", "common_name": "ward-2.example.internal", "dns": ["ward-2.example.internal", "localhost"],
                    "ip": ["127.0.0.1"], "extended_key_usage": ["clientAuth", "serverAuth"]}
    names = deployment.deployment_names("d", certificates=dicom_nodes.certificate_leaves(nodes))
    assert names["secret_names"]["ward-2_cert"] == "ward-2-cert"


def test_a_certificate_name_can_be_given():
    [node] = [n for n in dicom_nodes.normalize([dict(SECOND_CLIENT, certificate_name="ws.ward2.example.org"),
                                                dicom_nodes.DEFAULT_NODES[1]]) if n["site"] == "client"]
    assert node["certificate_name"] == "ws.ward2.example.org"


@pytest.mark.parametrize("nodes, expected", [
    ("client", ["dicoogle_dicom_nodes must be a list of nodes, got str"]),
    ([{"name": "Client", "site": "client", "role": "modality", "ae_title": "A"}, dicom_nodes.DEFAULT_NODES[1]],
     ["dicoogle_dicom_nodes[0].name must be 2-32 lowercase letters, digits and hyphens, starting with a letter (got 'Client')"]),
    ([{"name": "ghostunnel", "site": "client", "role": "modality", "ae_title": "A"}, dicom_nodes.DEFAULT_NODES[1]],
     ["dicoogle_dicom_nodes[0].name ghostunnel is the PACS's own certificate's name"]),
    ([dict(dicom_nodes.DEFAULT_NODES[0], role="scanner"), dicom_nodes.DEFAULT_NODES[1]],
     ["dicoogle_dicom_nodes[0].role must be one of modality, workstation, storage (got 'scanner')"]),
    ([dict(dicom_nodes.DEFAULT_NODES[0], site="storage"), dicom_nodes.DEFAULT_NODES[1]],
     ["dicoogle_dicom_nodes[0] is a modality, which belongs to the client site, not the storage site",
      "dicoogle_dicom_nodes has no node at the client site: nothing would reach the PACS"]),
    ([dict(dicom_nodes.DEFAULT_NODES[0], ae_title="A-TITLE-LONGER-THAN-16"), dicom_nodes.DEFAULT_NODES[1]],
     ["dicoogle_dicom_nodes[0].ae_title must be 1 to 16 characters (got 'A-TITLE-LONGER-THAN-16')"]),
    ([dict(dicom_nodes.DEFAULT_NODES[0], ae_title="A\\B"), dicom_nodes.DEFAULT_NODES[1]],
     ["dicoogle_dicom_nodes[0].ae_title must be printable ASCII without a backslash (got 'A\\\\B')"]),
    ([dicom_nodes.DEFAULT_NODES[0], dict(SECOND_CLIENT, ae_title="DICOOGLE-CLIENT"), dicom_nodes.DEFAULT_NODES[1]],
     ["dicoogle_dicom_nodes[1].ae_title DICOOGLE-CLIENT is also dicoogle_dicom_nodes[0]'s"]),
    ([dicom_nodes.DEFAULT_NODES[0], dict(SECOND_CLIENT, certificate_name="Bad Name"), dicom_nodes.DEFAULT_NODES[1]],
     ["dicoogle_dicom_nodes[1].certificate_name must be a lowercase DNS name (got 'Bad Name')"]),
    ([dict(dicom_nodes.DEFAULT_NODES[0], port=104), dicom_nodes.DEFAULT_NODES[1]],
     ["dicoogle_dicom_nodes[0] has unknown fields port (the fields are name, site, role, ae_title, certificate_name)"]),
    ([dicom_nodes.DEFAULT_NODES[0]], ["dicoogle_dicom_nodes has no storage node: the PACS's C-MOVEs need one"]),
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
