# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The deployment's DICOM nodes, described once in dicoogle_dicom_nodes (module_utils/dicom_nodes.py),
and what the roles derive from them."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.dicoogle.aws.plugins.module_utils import dicom_nodes as nodes_model


def dicom_nodes(nodes=None, private_domain="dicoogle.internal"):
    """The nodes with every field (see dicom_nodes.yml)."""
    try:
        return nodes_model.normalize(nodes, private_domain)
    except ValueError as e:
        raise AnsibleFilterError("dicom_nodes: %s" % e) from e


def dicom_nodes_errors(nodes, variable="dicoogle_dicom_nodes", private_domain="dicoogle.internal"):
    """Every reason the description cannot be deployed (see dicom_nodes_errors.yml)."""
    return nodes_model.errors(nodes, variable, private_domain)


def certificate_leaves(nodes=None):
    """The PKI's leaf names, the PACS's own then the nodes' (see certificate_leaves.yml)."""
    return nodes_model.certificate_leaves(nodes)


def dicom_node_leaves(nodes):
    """The pki role's leaf of each node the dicom_nodes filter returned (see dicom_node_leaves.yml)."""
    if not isinstance(nodes, (list, tuple)) or not all(isinstance(n, dict) and n.get("certificate_name") for n in nodes):
        raise AnsibleFilterError("dicom_node_leaves: give it the nodes the dicoogle.aws.dicom_nodes filter returns")
    return nodes_model.node_leaves(nodes)


def dicom_node_hosts(hosts, hostvars):
    """The inventory host of each DICOM node, by node name (see dicom_node_hosts.yml)."""
    found = {}
    for host in hosts or []:
        variables = hostvars[host] if host in hostvars else {}
        found[variables.get("dicoogle_node") or host] = host
    return found


class FilterModule:
    def filters(self):
        return {"dicom_nodes": dicom_nodes, "dicom_nodes_errors": dicom_nodes_errors, "certificate_leaves": certificate_leaves,
                "dicom_node_leaves": dicom_node_leaves, "dicom_node_hosts": dicom_node_hosts}
