# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Names and tags shared by every resource a dicoogle.aws deployment creates."""

from __future__ import annotations

import re

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
