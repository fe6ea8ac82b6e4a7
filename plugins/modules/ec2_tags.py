#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ec2_tags
short_description: Set the tags of several EC2 resources, each its own, in one call
version_added: 0.1.0
description:
  - Brings the tags of each EC2 resource of the list (an Elastic IP allocation, an instance, a volume, ...)
    to the tags given for it, reading the tags of all of them in one request.
  - Fills a gap of amazon.aws.ec2_tag, which tags one resource per call; a loop over it pays a module start
    and a lookup per resource. Options are named as that module names them.
  - Supports check mode and diff mode.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  resources:
    description: The resources and their tags.
    type: list
    elements: dict
    required: true
    suboptions:
      resource:
        description: The resource's ID.
        type: str
        required: true
      tags:
        description: The tags the resource must have.
        type: dict
        required: true
  purge_tags:
    description: Whether a resource's tags not in O(resources[].tags) are removed (AWS's own C(aws:) tags never are).
    type: bool
    default: false
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Name the Elastic IPs of two NAT gateways
  dicoogle.aws.ec2_tags:
    resources:
      - {resource: eipalloc-0123456789abcdef0, tags: {Name: pacs-nat-a}}
      - {resource: eipalloc-0123456789abcdef1, tags: {Name: pacs-nat-b}}
"""

RETURN = r"""
resources:
  description: Each resource of O(resources), in their order, with its tags after the call.
  returned: always
  type: list
  elements: dict
  contains:
    resource:
      description: The resource's ID.
      type: str
      sample: eipalloc-0123456789abcdef0
    tags:
      description: Its tags.
      type: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.dicoogle.aws.plugins.module_utils import ec2
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import EACH_RESOURCE_TAGS_SPEC
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import fails_on_aws_errors
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import reconcile_each_resource_tags


@fails_on_aws_errors
def run(module):
    params = module.params
    client = ec2.client_of(module)
    ids = sorted({r["resource"] for r in params["resources"]})
    if len(ids) != len(params["resources"]):
        module.fail_json(msg="resources lists a resource twice")
    current = {resource_id: {} for resource_id in ids}
    if ids:
        for tag in ec2.describe(client, "describe_tags", "Tags", "read the tags of %s" % ", ".join(ids),
                                Filters=[{"Name": "resource-id", "Values": ids}]):
            current[tag["ResourceId"]][tag["Key"]] = tag["Value"]
    changed, results, diff = reconcile_each_resource_tags(module, params["resources"], current, params["purge_tags"],
                                                          lambda resource_id, to_add, to_remove: ec2.retag(client, resource_id, to_add, to_remove))
    module.exit_json(changed=changed, resources=results, diff=diff)


def main():
    module = AnsibleAWSModule(argument_spec=dict(EACH_RESOURCE_TAGS_SPEC), supports_check_mode=True)
    run(module)


if __name__ == "__main__":
    main()
