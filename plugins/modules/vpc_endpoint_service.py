#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: vpc_endpoint_service
short_description: Manage a VPC endpoint service (the provider side of PrivateLink), found by its name
version_added: 0.1.0
description:
  - Creates, updates or deletes a VPC endpoint service configuration in front of network load
    balancers, so that consumers in other VPCs or accounts reach them through interface endpoints.
  - The service is found by its C(Name) tag, so a re-run never creates a second one.
  - Updates in place the load balancers, whether connections need acceptance, the principals
    allowed to connect and the tags. Supports check mode.
  - Fills a gap of community.aws, which only reads endpoint services
    (M(amazon.aws.ec2_vpc_endpoint_service_info)).
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  name:
    description: Name of the service (its C(Name) tag).
    type: str
    required: true
  state:
    description: Whether the service should exist.
    type: str
    choices: [present, absent]
    default: present
  network_load_balancer_arns:
    description: ARNs of the network load balancers behind the service. Required with O(state=present).
    type: list
    elements: str
  acceptance_required:
    description: Whether each endpoint connection must be accepted by the provider.
    type: bool
    default: true
  allowed_principals:
    description:
      - ARNs of the principals allowed to create endpoints to the service (such as
        C(arn:aws:iam::123456789012:root)). Others are removed.
      - Not given, the permissions are left as they are.
    type: list
    elements: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Expose the PACS NLB to the client site's account
  dicoogle.aws.vpc_endpoint_service:
    name: dicoogle-pacs
    network_load_balancer_arns: ["{{ nlb.load_balancer_arn }}"]
    acceptance_required: false
    allowed_principals: ["arn:aws:iam::{{ account_id }}:root"]
    tags:
      "dicoogle:deployment": dicoogle
  register: endpoint_service
"""

RETURN = r"""
service:
  description: The service configuration, with its tags and allowed principals; empty when absent.
  returned: always
  type: dict
  contains:
    service_id:
      description: ID.
      type: str
      sample: vpce-svc-0123456789abcdef0
    service_name:
      description: Name consumers create their interface endpoint with.
      type: str
      sample: com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0
    acceptance_required:
      description: Whether connections need acceptance.
      type: bool
    network_load_balancer_arns:
      description: The load balancers behind it.
      type: list
      elements: str
    allowed_principals:
      description: Principals allowed to connect.
      type: list
      elements: str
    tags:
      description: Resource tags, C(Name) included.
      type: dict
"""

import re

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.ec2 import ensure_ec2_tags
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.dicoogle.aws.plugins.module_utils import ec2
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import fails_on_aws_errors

NLB_ARN = re.compile(r"^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer/(net|app)/[^/]+/[0-9a-f]+$")
PRINCIPAL = re.compile(r"^(\*|arn:aws[a-z-]*:iam::\d{12}:[^\s]+)$")


def find(client, module):
    name = module.params["name"]
    found = [s for s in ec2.endpoint_services_named(client, name) if s.get("ServiceState") not in ("Deleting", "Deleted", "Failed")]
    if len(found) > 1:
        module.fail_json(msg="%d endpoint services are named %s; remove the extra ones" % (len(found), name))
    return found[0] if found else None


def create(client, module):
    params = module.params
    tags = dict(params["tags"] or {}, Name=params["name"])
    return ec2.create_endpoint_service(client, params["name"], dict(
        NetworkLoadBalancerArns=params["network_load_balancer_arns"],
        AcceptanceRequired=params["acceptance_required"],
        TagSpecifications=[{"ResourceType": "vpc-endpoint-service", "Tags": ansible_dict_to_boto3_tag_list(tags)}],
    ), params["allowed_principals"])


def update(client, module, service):
    params = module.params
    sid = service["ServiceId"]
    changed = False
    current_nlbs = set(service.get("NetworkLoadBalancerArns", []))
    wanted_nlbs = set(params["network_load_balancer_arns"])
    modify = {}
    if current_nlbs != wanted_nlbs:
        modify.update(AddNetworkLoadBalancerArns=sorted(wanted_nlbs - current_nlbs),
                      RemoveNetworkLoadBalancerArns=sorted(current_nlbs - wanted_nlbs))
    if service.get("AcceptanceRequired") != params["acceptance_required"]:
        modify["AcceptanceRequired"] = params["acceptance_required"]
    modify = {k: v for k, v in modify.items() if v != []}
    if modify:
        changed = True
        if not module.check_mode:
            ec2.modify_endpoint_service(client, sid, configuration=modify)
    if params["allowed_principals"] is not None:
        current = set(ec2.endpoint_service_principals(client, sid))
        wanted = set(params["allowed_principals"])
        if current != wanted:
            changed = True
            if not module.check_mode:
                permissions = dict(AddAllowedPrincipals=sorted(wanted - current), RemoveAllowedPrincipals=sorted(current - wanted))
                ec2.modify_endpoint_service(client, sid, permissions={k: v for k, v in permissions.items() if v})
    tags = dict(params["tags"] or {}, Name=params["name"])
    changed |= ensure_ec2_tags(client, module, sid, tags=tags, purge_tags=params["purge_tags"])
    return changed


def validate(module):
    params = module.params
    if not re.match(r"^[\w .:/=+@-]{1,255}$", params["name"]):
        module.fail_json(msg="name %r must be 1-255 letters, digits, spaces or _.:/=+-@" % params["name"])
    if params["state"] == "present":
        bad = [arn for arn in params["network_load_balancer_arns"] if not NLB_ARN.match(arn)]
        if not params["network_load_balancer_arns"] or bad:
            module.fail_json(msg="network_load_balancer_arns must list load balancer ARNs, got %r" % (bad or []))
    bad = [p for p in params["allowed_principals"] or [] if not PRINCIPAL.match(p)]
    if bad:
        module.fail_json(msg="allowed_principals must be IAM ARNs (or *), got %r" % bad)


@fails_on_aws_errors
def run(module):
    client = ec2.client_of(module)
    service = find(client, module)
    changed = False
    if module.params["state"] == "present":
        if service is None:
            changed = True
            if not module.check_mode:
                create(client, module)
        else:
            changed = update(client, module, service)
    elif service is not None:
        changed = True
        if not module.check_mode:
            ec2.delete_endpoint_service(client, service["ServiceId"])

    result = {}
    service = find(client, module) if module.params["state"] == "present" else None
    if service:
        tags = boto3_tag_list_to_ansible_dict(service.pop("Tags", []))
        result = camel_dict_to_snake_dict(service)
        result["tags"] = tags
        result["allowed_principals"] = ec2.endpoint_service_principals(client, service["ServiceId"])
    module.exit_json(changed=changed, service=result)


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        network_load_balancer_arns=dict(type="list", elements="str"),
        acceptance_required=dict(type="bool", default=True),
        allowed_principals=dict(type="list", elements="str"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_if=[("state", "present", ("network_load_balancer_arns",))],
    )
    validate(module)
    run(module)


if __name__ == "__main__":
    main()
