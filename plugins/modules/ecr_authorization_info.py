#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ecr_authorization_info
short_description: Get the Docker login of the account's Amazon ECR registry
version_added: 0.1.0
description:
  - Gets an authorization token of Amazon ECR and returns it as the registry host, user name and password that
    M(community.docker.docker_login) (or C(docker login)) takes, as C(aws ecr get-login-password) does.
  - The password is a registry token that is valid for 12 hours, for every ECR repository the AWS credentials of
    the task may pull from or push to. It is a secret. B(The task that registers it and the docker_login task
    must both set no_log to true), or the password is shown in the output and kept in logs.
  - The caller needs the IAM permission C(ecr:GetAuthorizationToken), which is granted on resource C(*).
  - Read-only; runs in check mode too, and never reports a change.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  registry_ids:
    description:
      - IDs of the AWS accounts whose registries to log in to, such as C(123456789012). The first one names the
        returned RV(registry); RV(registries) lists them all (the same token serves them all).
      - Not given, the registry of the account of the credentials.
    type: list
    elements: str
  image_tags:
    description:
      - Images, as C(<repository>:<tag>), to look for in the account's registry; RV(images_present) lists those
        that exist. With immutable tags, an image whose tag exists must not be pushed again, and a rebuild of the
        same inputs on another controller (other layer digests) would be refused.
      - Asked in the same module start as the login (C(ecr:DescribeImages) on those repositories).
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Get the ECR login (a 12-hour registry token; never shown)
  dicoogle.aws.ecr_authorization_info:
    region: eu-west-1
  register: ecr_login
  no_log: true

- name: Log Docker in to the registry
  community.docker.docker_login:
    registry_url: "{{ ecr_login.registry }}"
    username: "{{ ecr_login.username }}"
    password: "{{ ecr_login.password }}"
    reauthorize: true
  no_log: true

- name: Log in, and find which of the content-tagged images the registry has already
  dicoogle.aws.ecr_authorization_info:
    image_tags: ["pacs/nginx:sha-0123456789ab", "pacs/ghostunnel:sha-ba9876543210"]
  register: ecr_login
  no_log: true

- name: Log in to the registry of the shared-images account
  dicoogle.aws.ecr_authorization_info:
    registry_ids: ["210987654321"]
  register: shared_login
  no_log: true
"""

RETURN = r"""
registry:
  description: Host name of the registry (without C(https://)), as C(docker login) and image names use it.
  returned: always
  type: str
  sample: 123456789012.dkr.ecr.eu-west-1.amazonaws.com
registries:
  description: Host names of the registries of every O(registry_ids) (or the account's one), which the token serves.
  returned: always
  type: list
  elements: str
  sample: [123456789012.dkr.ecr.eu-west-1.amazonaws.com]
username:
  description: User name of the login, always C(AWS).
  returned: always
  type: str
  sample: AWS
password:
  description:
    - Password of the login, a registry token valid for 12 hours. A secret; register it in a task with C(no_log) set to C(true).
  returned: always
  type: str
images_present:
  description: The O(image_tags) that the account's registry holds, in the order given.
  returned: always
  type: list
  elements: str
  sample: ["pacs/nginx:sha-0123456789ab"]
expires_at:
  description: When the token expires (ISO 8601).
  returned: always
  type: str
  sample: "2025-01-31T22:04:05+00:00"
"""

import base64
import binascii
import re

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.dicoogle.aws.plugins.module_utils import ecr
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import fails_on_aws_errors


def host(endpoint):
    return re.sub(r"^https?://", "", endpoint or "").rstrip("/")


def decode(module, token):
    try:
        user, sep, password = base64.b64decode(token, validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError, TypeError):
        user, sep, password = "", "", ""
    if not sep or not user or not password:
        module.fail_json(msg="ECR returned an authorization token that is not base64 of user:password")
    return user, password


@fails_on_aws_errors
def run(module, registry_ids, image_tags):
    client = ecr.client_of(module)
    data = ecr.authorization_data(client, registry_ids)
    if not data:
        module.fail_json(msg="ECR returned no authorization token")

    first = data[0]
    username, password = decode(module, first["authorizationToken"])
    expires_at = first.get("expiresAt")
    module.exit_json(
        changed=False,
        registry=host(first.get("proxyEndpoint")),
        registries=[host(d.get("proxyEndpoint")) for d in data],
        username=username,
        password=password,
        expires_at=expires_at.isoformat() if hasattr(expires_at, "isoformat") else expires_at,
        images_present=[image for image in image_tags if ecr.image_tag_exists(client, *image.rsplit(":", 1))],
    )


def main():
    argument_spec = dict(
        registry_ids=dict(type="list", elements="str"),
        image_tags=dict(type="list", elements="str", default=[]),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    registry_ids = module.params["registry_ids"] or []
    bad = [i for i in registry_ids if not re.match(r"^\d{12}$", i)]
    if bad:
        module.fail_json(msg="registry_ids must be 12-digit AWS account IDs, got %r" % bad)
    untagged = [i for i in module.params["image_tags"] if not re.match(r"^[^:]+:[^:/]+$", i)]
    if untagged:
        module.fail_json(msg="image_tags must be <repository>:<tag>, got %r" % untagged)
    run(module, registry_ids, module.params["image_tags"])


if __name__ == "__main__":
    main()
