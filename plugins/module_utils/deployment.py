# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Names and tags shared by every resource a dicoogle.aws deployment creates."""

from __future__ import annotations

import re

from ansible_collections.dicoogle.aws.plugins.module_utils import dicom_nodes

# Every resource carries this tag; teardown and the resource report find a deployment by it.
DEPLOYMENT_TAG_KEY = "dicoogle:deployment"
DEPLOYMENT_NAME_PATTERN = re.compile(r"^[a-z]([a-z0-9-]{0,22}[a-z0-9])?$")
# Beginnings AWS refuses in names made from the deployment's: load balancers may not begin with
# "internal-", security groups with "sg-", S3 buckets with "xn--", "sthree-" or "amzn-s3-demo-".
# (24 characters keep every derived name within its limit: the 32 of target groups
# <deployment>-store is the tightest.)
RESERVED_BEGINNINGS = ("internal-", "sg-", "xn--", "sthree-", "amzn-s3-demo-")


def deployment_name_error(name):
    """Return a message a user can act on when ``name`` is not a valid deployment name."""
    if name is None or not isinstance(name, str) or not DEPLOYMENT_NAME_PATTERN.match(name):
        return (
            "deployment must be 1-24 lowercase letters, digits or dashes, start with a letter and "
            "not end with a dash (it is part of bucket, repository and secret names); got %r" % (name,)
        )
    if "--" in name:
        return "deployment may not hold two dashes in a row (ECR repository names refuse them); got %r" % (name,)
    reserved = [b for b in RESERVED_BEGINNINGS if name.startswith(b)]
    if reserved:
        return ("deployment may not begin with %r (AWS refuses it in load balancer, security group or "
                "bucket names); got %r" % (reserved[0], name))
    return None


def tags_match(tags, deployment, tag_key=DEPLOYMENT_TAG_KEY):
    """True when an Ansible-style tag dict marks the resource as part of ``deployment``."""
    return (tags or {}).get(tag_key) == deployment


# The ports the roles agree on, by name: one role opens or listens on a port that another connects
# to or forwards to, so each number lives here once (the roles' defaults read it; a role's own
# variable still overrides it).
SHARED_PORTS = {
    # nginx of the PACS task (TLS in front of the engine's web port): the ALB's target
    "pacs_https": 8443,
    # the PACS task's tunnel server (mutual TLS C-STORE): the NLB's store listener; the client
    # site's tunnel listens on the same port of its loopback
    "pacs_tunnel": 16666,
    # the PACS engine's DICOM query/retrieve port, on the task's loopback only (its Q/R tunnel
    # server's target); the client site's Q/R tunnel listens on the same port of its loopback
    "pacs_qr": 1045,
    # the PACS task's Q/R tunnel server (mutual TLS C-FIND/C-MOVE/C-ECHO): the NLB's qr listener
    "pacs_qr_tunnel": 11045,
    # the PACS task's tunnel client on 127.0.0.1: the move destination CONSUMER, carried to the
    # storage site's storescp
    "pacs_consumer": 17777,
    # the storage site's tunnel server (mutual TLS, admits the PACS's certificate name only)
    "storage_scp": 7777,
    # the storage site's storescp, on the storage host's loopback: the tunnel server's target
    "storage_scp_loopback": 11112,
    # Dicoogle's web and C-STORE ports inside the task: its image seeds them, the task maps them
    "dicoogle_web": 8080,
    "dicoogle_store": 6666,
}

# Secrets Manager names below "<deployment>/": the foundation stores them, the PACS task, the front
# door and the playbooks read them; the state role restores the PKI and the EC2 key from them.
CA_CERTIFICATE_SECRET = "ca-cert"
# The CAs every peer trusts (the PKI's trust.crt): the issuing CA alone, or during a CA rotation the
# issuing CA with the one coming in or going out. The PACS task's tunnels read it.
CA_TRUST_SECRET = "ca-trust"
# The CA's private key: only the deployer reads it (no role of the deployment is granted it), to
# find the PKI again on a controller whose state directory is empty.
CA_KEY_SECRET = "ca-key"
EC2_KEY_SECRET = "ec2-key"
PACS_ADMIN_PASSWORD_SECRET = "pacs-admin-password"
WEB_AUTOMATION_SECRET = "web-automation"
# The PKI's leaves whose certificate and key the foundation stores as <leaf>-cert and <leaf>-key:
# the PACS's own and the default DICOM nodes' (a deployment's own nodes name theirs).
CERTIFICATE_LEAVES = tuple(dicom_nodes.certificate_leaves())


def shared_port(name):
    """The port named ``name`` in SHARED_PORTS; a ValueError that lists the names otherwise."""
    if name not in SHARED_PORTS:
        raise ValueError("no shared port is named %r; the shared ports are %s" % (name, ", ".join(sorted(SHARED_PORTS))))
    return SHARED_PORTS[name]


def certificate_secret_names(leaf):
    """The secrets (below the deployment's prefix) of a PKI leaf: its certificate and its key."""
    return {"cert": "%s-cert" % leaf, "key": "%s-key" % leaf}


def deployment_names(deployment, account=None, region=None, certificates=CERTIFICATE_LEAVES):
    """Every name that one role derives from the deployment's name and another role reads.

    The names are derived from any value: validating the deployment's name is the
    deployment_name test's job (deployment_name_error), which reports it with the variable.
    ``account`` and ``region`` add the names that hold them; ``certificates`` are the PKI leaves
    whose secrets are named.
    """
    deployment = "" if deployment is None else str(deployment)
    secret_names = {
        "ca_cert": CA_CERTIFICATE_SECRET,
        "ca_trust": CA_TRUST_SECRET,
        "ca_key": CA_KEY_SECRET,
        "ec2_key": EC2_KEY_SECRET,
        "pacs_admin_password": PACS_ADMIN_PASSWORD_SECRET,
        "web_automation": WEB_AUTOMATION_SECRET,
    }
    for leaf in certificates or ():
        for part, name in certificate_secret_names(leaf).items():
            secret_names["%s_%s" % (leaf, part)] = name
    prefix = deployment + "/"
    names = {
        "tag_key": DEPLOYMENT_TAG_KEY,
        "kms_alias": "alias/" + deployment,
        "key_pair": deployment,
        # ECR repositories and secrets live below "<deployment>/" (IAM policies grant that prefix)
        "ecr_repository_prefix": prefix,
        "secret_prefix": prefix,
        "secret_names": secret_names,
        "secrets": {key: prefix + name for key, name in secret_names.items()},
        "datasync_task": deployment + "-bulk-import",
        # the PACS task definition's family, registered on ECS (the lab runs the revision the service names)
        "pacs_task_family": deployment + "-pacs",
        # the ECS cluster and the service that runs that task (the lab runs the revision it names)
        "pacs_cluster": deployment,
        "pacs_service": deployment + "-pacs",
        # the internal NLB of the PACS's DICOM ports, offered to the client site by PrivateLink (the
        # lab's endpoint stand-in forwards what it listens on)
        "pacs_nlb": deployment + "-pacs",
        # load balancer target groups, by the port they forward to: the ALB's and the NLB's
        "target_groups": {"web": deployment + "-web", "store": deployment + "-store", "qr": deployment + "-qr"},
        # the network interface the network role reserves for the storage host
        "storage_host_interface": deployment + "-storage-host",
        # the Docker network of the lab's sites and PACS task
        "lab_network": deployment + "-lab",
    }
    if account and region:
        # the access logs' bucket (bucket names are global: the account and region make it unique)
        names["log_bucket"] = "%s-logs-%s-%s" % (deployment, account, region)
    return names
