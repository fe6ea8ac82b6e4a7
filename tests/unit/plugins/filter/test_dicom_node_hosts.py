"""Each DICOM node's inventory host: the host whose dicoogle_node names it, or the host of its name."""

from __future__ import annotations

from ansible_collections.dicoogle.aws.plugins.filter.dicom_nodes import dicom_node_hosts


def test_a_host_runs_the_node_it_names_or_the_node_of_its_own_name():
    hostvars = {"dicoogle-client": {"dicoogle_node": "client"}, "ward-2": {}, "old-storage": {"dicoogle_node": "storage"}}
    assert dicom_node_hosts(["dicoogle-client", "ward-2", "old-storage"], hostvars) == {
        "client": "dicoogle-client", "ward-2": "ward-2", "storage": "old-storage"}


def test_no_hosts_no_nodes():
    assert dicom_node_hosts([], {}) == {} and dicom_node_hosts(None, {}) == {}
