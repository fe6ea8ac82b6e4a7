#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cognito_user_pool_domain
short_description: Manage the hosted UI prefix domain of an Amazon Cognito user pool
version_added: 0.1.0
description:
  - Creates or deletes the prefix domain of a Cognito user pool, the C(<domain>.auth.<region>.amazoncognito.com)
    address of its hosted UI and OAuth 2.0 endpoints.
  - A pool has one prefix domain. The module does not replace a pool's other domain, nor take or delete a
    domain of another pool; it fails with a message that says which pool has it.
  - Custom domains (with a certificate) are not managed here.
  - Supports check mode and diff.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  user_pool_id:
    description: ID of the user pool, such as C(eu-west-1_AbCdEf123).
    type: str
    required: true
  domain:
    description:
      - The prefix, unique in the region. 1-63 lowercase letters, digits and hyphens, neither first nor last a hyphen.
      - AWS reserves the words C(aws), C(amazon) and C(cognito), which the prefix must not contain.
    type: str
    required: true
  state:
    description: Whether the domain should exist.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The hosted UI of the viewer's user pool
  dicoogle.aws.cognito_user_pool_domain:
    user_pool_id: "{{ pool.user_pool.id }}"
    domain: dicoogle-viewer-login
  register: login

- name: Remove it
  dicoogle.aws.cognito_user_pool_domain:
    user_pool_id: "{{ pool.user_pool.id }}"
    domain: dicoogle-viewer-login
    state: absent
"""

RETURN = r"""
domain:
  description: The domain; empty when absent. In check mode, a domain to create has no status nor distribution.
  returned: always
  type: dict
  contains:
    domain:
      description: The prefix.
      type: str
      sample: dicoogle-viewer-login
    user_pool_id:
      description: The pool it belongs to.
      type: str
    status:
      description: Status, such as C(CREATING) or C(ACTIVE).
      type: str
    cloudfront_distribution:
      description: The CloudFront distribution that serves it.
      type: str
    url:
      description: Address of the hosted UI.
      type: str
      sample: https://dicoogle-viewer-login.auth.eu-west-1.amazoncognito.com
"""

import re

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

DOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
POOL_ID = re.compile(r"^[\w-]+_[0-9a-zA-Z]+$")
RESERVED = ("aws", "amazon", "cognito")


def validate(module):
    params = module.params
    domain = params["domain"]
    if not DOMAIN.match(domain):
        module.fail_json(msg="domain %r must be 1-63 lowercase letters, digits or hyphens, and neither start nor end with a hyphen "
                             "(it is a prefix, not a full domain name)" % domain)
    reserved = [word for word in RESERVED if word in domain]
    if reserved:
        module.fail_json(msg="domain %r must not contain %s, which AWS reserves; choose another prefix" % (domain, " or ".join(reserved)))
    if len(params["user_pool_id"]) > 55 or not POOL_ID.match(params["user_pool_id"]):
        module.fail_json(msg="user_pool_id %r is not a Cognito user pool ID (<region>_<id>)" % params["user_pool_id"])


def describe_domain(client, module, domain):
    """The domain's description, or None when no pool has it (Cognito then gives an empty description)."""
    try:
        found = client.describe_user_pool_domain(aws_retry=True, Domain=domain)["DomainDescription"]
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Failed to describe domain %s" % domain)
    return found if found.get("UserPoolId") else None


def pool_domain(client, module, pool_id):
    """The prefix domain the pool has now, or None."""
    try:
        pool = client.describe_user_pool(aws_retry=True, UserPoolId=pool_id)["UserPool"]
    except is_boto3_error_code("ResourceNotFoundException"):
        module.fail_json(msg="user pool %s does not exist" % pool_id)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg="Failed to describe user pool %s" % pool_id)
    return pool.get("Domain")


def returned(client, domain, pool_id, description):
    description = description or {}
    return {
        "domain": domain,
        "user_pool_id": pool_id,
        "status": description.get("Status"),
        "cloudfront_distribution": description.get("CloudFrontDistribution"),
        "url": "https://%s.auth.%s.amazoncognito.com" % (domain, client.meta.region_name),
    }


def main():
    argument_spec = dict(
        user_pool_id=dict(type="str", required=True),
        domain=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)
    pool_id, domain = module.params["user_pool_id"], module.params["domain"]
    client = module.client("cognito-idp", retry_decorator=AWSRetry.jittered_backoff())

    current = describe_domain(client, module, domain)
    if current and current["UserPoolId"] != pool_id:
        module.fail_json(msg="domain %s belongs to user pool %s, not %s; remove it from that pool first or choose another prefix"
                             % (domain, current["UserPoolId"], pool_id))
    before = {"domain": domain} if current else {}

    if module.params["state"] == "absent":
        if current and not module.check_mode:
            try:
                client.delete_user_pool_domain(aws_retry=True, UserPoolId=pool_id, Domain=domain)
            except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
                module.fail_json_aws(e, msg="Failed to delete domain %s of user pool %s" % (domain, pool_id))
        module.exit_json(changed=current is not None, domain={}, diff=dict(before=before, after={}))

    if current:
        module.exit_json(changed=False, domain=returned(client, domain, pool_id, current), diff=dict(before=before, after=before))
    other = pool_domain(client, module, pool_id)
    if other:
        module.fail_json(msg="user pool %s already has the domain %s, and a pool has one prefix domain; remove it (state=absent) first"
                             % (pool_id, other))
    if not module.check_mode:
        try:
            client.create_user_pool_domain(aws_retry=True, UserPoolId=pool_id, Domain=domain)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg="Failed to create domain %s for user pool %s" % (domain, pool_id))
        current = describe_domain(client, module, domain)
    module.exit_json(changed=True, domain=returned(client, domain, pool_id, current), diff=dict(before={}, after={"domain": domain}))


if __name__ == "__main__":
    main()
