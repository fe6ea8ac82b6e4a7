# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The deployment's DICOM nodes outside the PACS, described once: each node's name, site, role, AE
title and certificate name. The PKI's leaves, the secrets that hold them and the names each tunnel
admits derive from this description (the roles read it through the dicom_nodes filters)."""

from __future__ import annotations

import re

# role -> the site it belongs to: modalities and workstations query and send from the client site
# (through its tunnels to the PACS's endpoint); storage nodes receive C-MOVEs at the storage site.
ROLES = {"modality": "client", "workstation": "client", "storage": "storage"}
SITES = ("client", "storage")
# The PKI's leaves that are not nodes: the PACS task's nginx and its tunnels (server and client),
# and the names their certificates carry (<label>.<private domain>), which no node may carry.
SERVICE_LEAVES = ("nginx", "ghostunnel")
SERVICE_LABELS = ("nginx", "pacs")
# Names a node may not take: the PKI's other files and secrets (ca.crt, ca-next.crt, ca-previous.crt,
# trust.crt, <deployment>/ca-cert, <deployment>/ec2-key) would collide with its leaf's, and a host <deployment>-<name> with the lab's
# endpoint stand-in (<deployment>-endpoint) or the PACS task's containers (<deployment>-pacs-*).
RESERVED_NAMES = SERVICE_LEAVES + ("ca", "ca-next", "ca-previous", "trust", "ec2", "endpoint")
RESERVED_PREFIX = "pacs"
# The sample's two nodes: the client host (a modality) and the storage host (CONSUMER).
DEFAULT_NODES = (
    {"name": "client", "site": "client", "role": "modality", "ae_title": "DICOOGLE-CLIENT"},
    {"name": "storage", "site": "storage", "role": "storage", "ae_title": "CONSUMER"},
)
FIELDS = ("name", "site", "role", "ae_title", "certificate_name")
# A name is a leaf's file stem, a secret's and a container's suffix and a DNS label.
NAME = re.compile(r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$")
DNS_NAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")


def ae_title_error(value):
    """Why a value is not a valid AE title (PS3.5 AE value representation), or None."""
    if not isinstance(value, str) or not 1 <= len(value.strip()) <= 16 or len(value) > 16:
        return "must be 1 to 16 characters"
    if "\\" in value or not all(" " <= c <= "~" for c in value):
        return "must be printable ASCII without a backslash"
    return None


def certificate_name(node, private_domain):
    """The name a node's certificate carries: its own, or <name>.<private domain>."""
    return node.get("certificate_name") or "%s.%s" % (node.get("name"), private_domain)


def errors(nodes, variable="dicoogle_dicom_nodes", private_domain="dicoogle.internal"):
    """Every reason the description cannot be deployed, each naming the entry and its field."""
    if nodes is None:
        return []
    if not isinstance(nodes, (list, tuple)):
        return ["%s must be a list of nodes, got %s" % (variable, type(nodes).__name__)]
    found = []
    names, titles, certificates = {}, {}, {}
    for index, node in enumerate(nodes):
        where = "%s[%d]" % (variable, index)
        if not isinstance(node, dict):
            found.append("%s must be a dictionary, got %s" % (where, type(node).__name__))
            continue
        unknown = sorted(set(node) - set(FIELDS))
        if unknown:
            found.append("%s has unknown fields %s (the fields are %s)" % (where, ", ".join(unknown), ", ".join(FIELDS)))
        name = node.get("name")
        if not isinstance(name, str) or not NAME.match(name):
            found.append("%s.name must be 2-32 lowercase letters, digits and hyphens, starting with a letter (got %r)" % (where, name))
        elif name in RESERVED_NAMES:
            found.append("%s.name %s is taken (%s are the PKI's files and the lab's endpoint)" % (where, name, ", ".join(RESERVED_NAMES)))
        elif name.startswith(RESERVED_PREFIX):
            found.append("%s.name %s starts with %s, the PACS task's name" % (where, name, RESERVED_PREFIX))
        # the storage node answers as storage.<private domain> (the private zone's record): no other node takes that name
        elif name == "storage" and node.get("site") != "storage":
            found.append("%s.name storage is the storage node's host name; a %s-site node takes another" % (where, node.get("site")))
        role = node.get("role")
        if role not in ROLES:
            found.append("%s.role must be one of %s (got %r)" % (where, ", ".join(ROLES), role))
        site = node.get("site")
        if site not in SITES:
            found.append("%s.site must be one of %s (got %r)" % (where, ", ".join(SITES), site))
        elif role in ROLES and ROLES[role] != site:
            found.append("%s is a %s, which belongs to the %s site, not the %s site" % (where, role, ROLES[role], site))
        reason = ae_title_error(node.get("ae_title"))
        if reason:
            found.append("%s.ae_title %s (got %r)" % (where, reason, node.get("ae_title")))
        certificate = node.get("certificate_name")
        if certificate is not None and (not isinstance(certificate, str) or not DNS_NAME.match(certificate)):
            found.append("%s.certificate_name must be a lowercase DNS name (got %r)" % (where, certificate))
        certificate = certificate_name(node, private_domain) if isinstance(name, str) else certificate
        # a node with the PACS's name would pass the storage node's tunnel, or pose as the PACS to the client's
        if certificate in ["%s.%s" % (label, private_domain) for label in SERVICE_LABELS]:
            found.append("%s's certificate name %s is the PACS task's own" % (where, certificate))
        for seen, key, what in ((names, name, "name"), (titles, node.get("ae_title"), "ae_title"), (certificates, certificate, "certificate_name")):
            if isinstance(key, str) and key:
                if key in seen:
                    found.append("%s.%s %s is also %s[%d]'s" % (where, what, key, variable, seen[key]))
                seen.setdefault(key, index)
    for site, needed in (("client", "nothing would reach the PACS"), ("storage", "the PACS's C-MOVEs need one")):
        count = sum(1 for n in nodes if isinstance(n, dict) and n.get("site") == site)
        if count == 0:
            found.append("%s has no node at the %s site: %s" % (variable, site, needed))
    # every client-site node is a host of its own; the PACS task has one move destination, reached
    # as storage.<private domain>: a second storage node would get a certificate but no route
    storage = sum(1 for n in nodes if isinstance(n, dict) and n.get("site") == "storage")
    if storage > 1:
        found.append("%s has %d nodes at the storage site: this version runs one storage node (the PACS's one move destination)" % (variable, storage))
    return found


def normalize(nodes=None, private_domain="dicoogle.internal"):
    """The nodes with every field: certificate_name defaults to <name>.<private domain>. None: the
    default nodes. A ValueError lists every error."""
    nodes = DEFAULT_NODES if nodes is None else nodes
    problems = errors(nodes, private_domain=private_domain)
    if problems:
        raise ValueError("; ".join(problems))
    return [dict(node, certificate_name=certificate_name(node, private_domain)) for node in nodes]


def certificate_leaves(nodes=None):
    """The PKI's leaf names: the PACS's own, then one per node."""
    return list(SERVICE_LEAVES) + [node["name"] for node in (DEFAULT_NODES if nodes is None else nodes)]


def node_leaves(nodes):
    """The pki role's leaf of each (normalized) node: its certificate name as CN and SAN, for both
    ends of a tunnel (a client site's node is first a client, a storage node first a server)."""
    usages = {"client": ["clientAuth", "serverAuth"], "storage": ["serverAuth", "clientAuth"]}
    return [{"name": node["name"], "common_name": node["certificate_name"], "dns": [node["certificate_name"], "localhost"],
             "ip": ["127.0.0.1"], "extended_key_usage": usages[node["site"]]} for node in nodes]
