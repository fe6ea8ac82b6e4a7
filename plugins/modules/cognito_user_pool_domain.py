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
  - Fills a gap, as amazon.aws and community.aws have no module for the domains of Cognito user pools.
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

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import is_ansible_aws_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.dicoogle.aws.plugins.module_utils import cognito
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import fails_on_aws_errors
from ansible_collections.dicoogle.aws.plugins.module_utils.cognito import POOL_ID


def validate(module):
    params = module.params
    problem = cognito.domain_problem(params["domain"])
    if problem:
        module.fail_json(msg=problem)
    if len(params["user_pool_id"]) > 55 or not POOL_ID.match(params["user_pool_id"]):
        module.fail_json(msg="user_pool_id %r is not a Cognito user pool ID (<region>_<id>)" % params["user_pool_id"])


def pool_domain(client, module, pool_id):
    """The prefix domain the pool has now, or None."""
    try:
        pool = cognito.describe_user_pool(client, pool_id)
    except is_ansible_aws_error_code("ResourceNotFoundException"):
        module.fail_json(msg="user pool %s does not exist" % pool_id)
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


@fails_on_aws_errors
def run(module):
    pool_id, domain = module.params["user_pool_id"], module.params["domain"]
    client = cognito.client_of(module)

    current = cognito.describe_domain(client, domain)
    if current and current["UserPoolId"] != pool_id:
        module.fail_json(msg="domain %s belongs to user pool %s, not %s; remove it from that pool first or choose another prefix"
                             % (domain, current["UserPoolId"], pool_id))
    before = {"domain": domain} if current else {}

    if module.params["state"] == "absent":
        if current and not module.check_mode:
            cognito.delete_domain(client, pool_id, domain)
        module.exit_json(changed=current is not None, domain={}, diff=dict(before=before, after={}))

    if current:
        module.exit_json(changed=False, domain=returned(client, domain, pool_id, current), diff=dict(before=before, after=before))
    other = pool_domain(client, module, pool_id)
    if other:
        module.fail_json(msg="user pool %s already has the domain %s, and a pool has one prefix domain; remove it (state=absent) first"
                             % (pool_id, other))
    if not module.check_mode:
        cognito.create_domain(client, pool_id, domain)
        current = cognito.describe_domain(client, domain)
    module.exit_json(changed=True, domain=returned(client, domain, pool_id, current), diff=dict(before={}, after={"domain": domain}))


def main():
    argument_spec = dict(
        user_pool_id=dict(type="str", required=True),
        domain=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)
    run(module)


if __name__ == "__main__":
    main()
