#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ec2_vpc_endpoints
short_description: Create or update a list of VPC endpoints (gateway and interface) in one call
version_added: 0.1.0
description:
  - Makes each endpoint of the list exist in its VPC, for its service, with exactly its route tables
    (gateway endpoints), subnets and security groups (interface endpoints) and its tags, reading the VPCs'
    endpoints once for the whole list. It does not wait for new endpoints to be available.
  - Fills a gap of amazon.aws.ec2_vpc_endpoint, which converges one endpoint per call; a loop over it pays
    a module start and a lookup per endpoint, a large part of a no-change run of a network with a few
    endpoints. Options are named as that module names them.
  - An endpoint is found by its VPC and service name (one that is not deleted, deleting or failed).
    Endpoints not in the list are left alone.
  - Supports check mode and diff mode.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  endpoints:
    description: The endpoints.
    type: list
    elements: dict
    required: true
    suboptions:
      vpc_id:
        description: The endpoint's VPC.
        type: str
        required: true
      service:
        description: The service's name, such as C(com.amazonaws.eu-west-1.s3).
        type: str
        required: true
      vpc_endpoint_type:
        description: The kind of endpoint.
        type: str
        choices: [Gateway, Interface]
        default: Gateway
      route_table_ids:
        description: The route tables of a gateway endpoint, exactly.
        type: list
        elements: str
        default: []
      vpc_endpoint_subnets:
        description: The subnets of an interface endpoint, exactly (one per zone).
        type: list
        elements: str
        default: []
      vpc_endpoint_security_groups:
        description: The security groups of an interface endpoint, exactly.
        type: list
        elements: str
        default: []
      tags:
        description: The endpoint's tags; not given, the tags of an endpoint that exists are left as they are.
        type: dict
  purge_tags:
    description: Whether tags not in O(endpoints[].tags) are removed (for an endpoint whose tags are given).
    type: bool
    default: true
notes:
  - Interface endpoints get AWS's default for private DNS (on, for AWS's services).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: S3 through a gateway, Secrets Manager through an interface endpoint
  dicoogle.aws.ec2_vpc_endpoints:
    endpoints:
      - vpc_id: vpc-0123456789abcdef0
        service: com.amazonaws.eu-west-1.s3
        route_table_ids: [rtb-0123456789abcdef0]
        tags: {Name: pacs-s3}
      - vpc_id: vpc-0123456789abcdef0
        service: com.amazonaws.eu-west-1.secretsmanager
        vpc_endpoint_type: Interface
        vpc_endpoint_subnets: [subnet-0123456789abcdef0, subnet-0123456789abcdef1]
        vpc_endpoint_security_groups: [sg-0123456789abcdef0]
        tags: {Name: pacs-secretsmanager}
  register: endpoints
"""

RETURN = r"""
endpoints:
  description:
    - Each endpoint of O(endpoints), in their order, as it is (or, in check mode, would be) after the call.
    - In check mode an endpoint that would be created has no C(vpc_endpoint_id).
  returned: always
  type: list
  elements: dict
  contains:
    vpc_endpoint_id:
      description: The endpoint's ID.
      type: str
      sample: vpce-0123456789abcdef0
    vpc_id:
      description: Its VPC.
      type: str
    service_name:
      description: Its service.
      type: str
    state:
      description: Its state (C(pending) just after creation).
      type: str
    tags:
      description: Its tags.
      type: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.dicoogle.aws.plugins.module_utils import ec2
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import fails_on_aws_errors

GONE = ("deleted", "deleting", "failed", "rejected", "expired")
# option: (DescribeVpcEndpoints' key, ModifyVpcEndpoint's Add... and Remove... keys)
MEMBERS = {
    "route_table_ids": ("RouteTableIds", "AddRouteTableIds", "RemoveRouteTableIds"),
    "vpc_endpoint_subnets": ("SubnetIds", "AddSubnetIds", "RemoveSubnetIds"),
    "vpc_endpoint_security_groups": ("Groups", "AddSecurityGroupIds", "RemoveSecurityGroupIds"),
}


def members(endpoint, option):
    key = MEMBERS[option][0]
    values = endpoint.get(key) or []
    return sorted(v["GroupId"] if isinstance(v, dict) else v for v in values)


def read_endpoints(client, vpc_ids):
    found = ec2.describe(client, "describe_vpc_endpoints", "VpcEndpoints", "list the endpoints of %s" % ", ".join(vpc_ids),
                         Filters=[{"Name": "vpc-id", "Values": vpc_ids}])
    return {(e["VpcId"], e["ServiceName"]): e for e in found if e.get("State", "").lower() not in GONE}


def check(module, wanted_list):
    """Refuses, before any change, an endpoint listed twice or members its type does not take."""
    seen = set()
    for wanted in wanted_list:
        key = (wanted["vpc_id"], wanted["service"])
        if key in seen:
            module.fail_json(msg="endpoints lists %s in %s twice" % key[::-1])
        seen.add(key)
        foreign = ["route_table_ids"] if wanted["vpc_endpoint_type"] == "Interface" else ["vpc_endpoint_subnets", "vpc_endpoint_security_groups"]
        given = [option for option in foreign if wanted[option]]
        if given:
            module.fail_json(msg="the %s endpoint of %s in %s takes no %s" % (
                wanted["vpc_endpoint_type"], wanted["service"], wanted["vpc_id"], ", ".join(given)))


def creation_arguments(wanted):
    arguments = {"VpcEndpointType": wanted["vpc_endpoint_type"]}
    for option, (_key, add, _remove) in MEMBERS.items():
        if wanted[option]:
            # CreateVpcEndpoint names them as ModifyVpcEndpoint's Add... keys, without "Add"
            arguments[add[len("Add"):]] = wanted[option]
    if wanted["tags"]:
        arguments["TagSpecifications"] = [{"ResourceType": "vpc-endpoint", "Tags": ansible_dict_to_boto3_tag_list(wanted["tags"])}]
    return arguments


def described(endpoint):
    return {"vpc_endpoint_id": endpoint.get("VpcEndpointId"), "vpc_id": endpoint["VpcId"], "service_name": endpoint["ServiceName"],
            "state": endpoint.get("State"), "tags": boto3_tag_list_to_ansible_dict(endpoint.get("Tags") or []),
            **{option: members(endpoint, option) for option in MEMBERS}}


@fails_on_aws_errors
def run(module):
    params = module.params
    client = ec2.client_of(module)
    wanted_list = [dict(w, tags=None if w["tags"] is None else {str(k): str(v) for k, v in w["tags"].items()})
                   for w in params["endpoints"]]
    check(module, wanted_list)
    vpc_ids = sorted({w["vpc_id"] for w in wanted_list})
    existing = read_endpoints(client, vpc_ids) if vpc_ids else {}

    changed, results, before, after = False, [], {}, {}
    for wanted in wanted_list:
        label = "%s %s" % (wanted["vpc_id"], wanted["service"])
        current = existing.get((wanted["vpc_id"], wanted["service"]))
        if current is None:
            changed = True
            planned = {"VpcId": wanted["vpc_id"], "ServiceName": wanted["service"], "State": "pending",
                       "Tags": ansible_dict_to_boto3_tag_list(wanted["tags"] or {}), "RouteTableIds": wanted["route_table_ids"],
                       "SubnetIds": wanted["vpc_endpoint_subnets"],
                       "Groups": [{"GroupId": g} for g in wanted["vpc_endpoint_security_groups"]]}
            if not module.check_mode:
                made = ec2.create_vpc_endpoint(client, wanted["vpc_id"], wanted["service"], creation_arguments(wanted))
                planned.update(VpcEndpointId=made["VpcEndpointId"], State=made.get("State", "pending"))
            result = described(planned)
            after[label] = result
            results.append(result)
            continue
        result = described(current)
        before[label] = dict(result)
        changes = {}
        for option, (_key, add, remove) in MEMBERS.items():
            have, want = set(result[option]), set(wanted[option])
            if want - have:
                changes[add] = sorted(want - have)
            if have - want:
                changes[remove] = sorted(have - want)
            result[option] = sorted(want)
        if changes:
            changed = True
            if not module.check_mode:
                ec2.modify_vpc_endpoint(client, result["vpc_endpoint_id"], changes)
        retagged, result["tags"] = ec2.reconcile_tags(module, client, result["vpc_endpoint_id"], result["tags"], wanted["tags"], params["purge_tags"])
        changed |= retagged
        after[label] = result
        results.append(result)
    module.exit_json(changed=changed, endpoints=results, diff={"before": before, "after": after})


def main():
    argument_spec = dict(
        endpoints=dict(type="list", elements="dict", required=True, options=dict(
            vpc_id=dict(type="str", required=True),
            service=dict(type="str", required=True),
            vpc_endpoint_type=dict(type="str", choices=["Gateway", "Interface"], default="Gateway"),
            route_table_ids=dict(type="list", elements="str", default=[]),
            vpc_endpoint_subnets=dict(type="list", elements="str", default=[]),
            vpc_endpoint_security_groups=dict(type="list", elements="str", default=[]),
            tags=dict(type="dict"),
        )),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    run(module)


if __name__ == "__main__":
    main()
