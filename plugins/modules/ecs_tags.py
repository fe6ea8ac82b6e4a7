#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ecs_tags
short_description: Set the tags of several Amazon ECS resources, each its own, in one call
version_added: 0.1.0
description:
  - Brings the tags of each ECS resource of the list (a cluster, a task definition revision, a service...), named
    by its ARN, to the tags given for it.
  - Fills a gap of community.aws.ecs_tag, which tags one resource per call, and of community.aws.ecs_cluster and
    community.aws.ecs_taskdefinition, which set no tags; a task of ecs_tag for each resource pays a module start
    and a lookup of the resource by name. Options are named as ec2_tags names them.
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
        description: The resource's ARN, such as the C(clusterArn) of community.aws.ecs_cluster or the C(taskDefinitionArn)
          of community.aws.ecs_taskdefinition.
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
- name: Tag a cluster and the task definition registered in it
  dicoogle.aws.ecs_tags:
    resources:
      - resource: "{{ cluster.cluster.clusterArn }}"
        tags: {"dicoogle:deployment": dicoogle}
      - resource: "{{ taskdef.taskdefinition.taskDefinitionArn }}"
        tags: {"dicoogle:deployment": dicoogle}
"""

RETURN = r"""
resources:
  description: Each resource of O(resources), in their order, with its tags after the call.
  returned: always
  type: list
  elements: dict
  contains:
    resource:
      description: The resource's ARN.
      type: str
      sample: arn:aws:ecs:eu-west-1:123456789012:cluster/dicoogle
    tags:
      description: Its tags.
      type: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.dicoogle.aws.plugins.module_utils import aws
from ansible_collections.dicoogle.aws.plugins.module_utils import ecs
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import fails_on_aws_errors


@fails_on_aws_errors
def run(module):
    params = module.params
    arns = [wanted["resource"] for wanted in params["resources"]]
    if len(set(arns)) != len(arns):
        module.fail_json(msg="resources lists a resource twice")
    client = ecs.client_of(module)
    # every resource is read before any is changed: an unknown one fails the module with nothing changed
    current = {arn: ecs.tags_of(client, arn) for arn in arns}
    changed, results, diff = aws.reconcile_each_resource_tags(module, params["resources"], current, params["purge_tags"],
                                                              lambda arn, to_add, to_remove: ecs.retag(client, arn, to_add, to_remove))
    module.exit_json(changed=changed, resources=results, diff=diff)


def main():
    module = AnsibleAWSModule(argument_spec=dict(aws.EACH_RESOURCE_TAGS_SPEC), supports_check_mode=True)
    run(module)


if __name__ == "__main__":
    main()
