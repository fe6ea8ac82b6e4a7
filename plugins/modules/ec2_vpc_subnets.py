#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ec2_vpc_subnets
short_description: Create or update a list of VPC subnets in one call
version_added: 0.1.0
description:
  - Makes each subnet of the list exist in its VPC, with its CIDR block, availability zone, public address
    mapping and tags, reading the VPCs' subnets once for the whole list.
  - Fills a gap of amazon.aws.ec2_vpc_subnet, which converges one subnet per call; a loop over it pays a
    module start and a lookup per subnet, the greater part of a no-change run of a network of a dozen
    subnets. Options and results are named as that module names them.
  - A subnet is found by its VPC and CIDR block. One that exists in another availability zone than the one
    asked for is an error, as a subnet cannot move. Subnets not in the list are left alone; deleting them is
    amazon.aws.ec2_vpc_subnet's (with its state absent) or a whole VPC's teardown's job.
  - Supports check mode and diff mode.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  subnets:
    description: The subnets.
    type: list
    elements: dict
    required: true
    suboptions:
      vpc_id:
        description: The VPC of the subnet.
        type: str
        required: true
      cidr:
        description: The subnet's IPv4 CIDR block.
        type: str
        required: true
      az:
        description: The subnet's availability zone; not given, AWS chooses one at creation and any is kept.
        type: str
      map_public:
        description: Whether instances launched in the subnet get a public IPv4 address.
        type: bool
        default: false
      tags:
        description: The subnet's tags; not given, the tags of a subnet that exists are left as they are.
        type: dict
  purge_tags:
    description: Whether tags not in O(subnets[].tags) are removed (for a subnet whose tags are given).
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait, for all the subnets together, until new subnets are C(available).
    type: int
    default: 300
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The PACS VPC's subnets, public and private, in two zones
  dicoogle.aws.ec2_vpc_subnets:
    subnets:
      - {vpc_id: vpc-0123456789abcdef0, cidr: 10.20.0.0/24, az: eu-west-1a, tags: {Name: dicoogle-pacs-public-a}}
      - {vpc_id: vpc-0123456789abcdef0, cidr: 10.20.1.0/24, az: eu-west-1b, tags: {Name: dicoogle-pacs-public-b}}
      - {vpc_id: vpc-0123456789abcdef0, cidr: 10.20.10.0/24, az: eu-west-1a, tags: {Name: dicoogle-pacs-private-a}}
      - {vpc_id: vpc-0123456789abcdef0, cidr: 10.20.11.0/24, az: eu-west-1b, tags: {Name: dicoogle-pacs-private-b}}
  register: pacs_subnets
"""

RETURN = r"""
subnets:
  description:
    - Each subnet of O(subnets), in their order, as it is (or, in check mode, would be) after the call.
    - In check mode a subnet that would be created has no C(id).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The subnet's ID.
      type: str
      sample: subnet-0123456789abcdef0
    vpc_id:
      description: Its VPC.
      type: str
    cidr_block:
      description: Its IPv4 CIDR block.
      type: str
    availability_zone:
      description: Its availability zone.
      type: str
    map_public_ip_on_launch:
      description: Whether instances launched in it get a public IPv4 address.
      type: bool
    state:
      description: C(available) or C(pending).
      type: str
    tags:
      description: Its tags.
      type: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.dicoogle.aws.plugins.module_utils import ec2
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import Waiter
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import fails_on_aws_errors
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import text_tags


def described(subnet):
    """A subnet as the module returns it, from DescribeSubnets' or CreateSubnet's answer."""
    return {"id": subnet["SubnetId"], "vpc_id": subnet["VpcId"], "cidr_block": subnet["CidrBlock"],
            "availability_zone": subnet["AvailabilityZone"], "map_public_ip_on_launch": bool(subnet.get("MapPublicIpOnLaunch")),
            "state": subnet.get("State"), "tags": boto3_tag_list_to_ansible_dict(subnet.get("Tags") or [])}


def planned(wanted, tags):
    """A subnet that does not exist yet, as it will be."""
    return {"vpc_id": wanted["vpc_id"], "cidr_block": wanted["cidr"], "availability_zone": wanted["az"],
            "map_public_ip_on_launch": wanted["map_public"], "state": "available", "tags": tags}


def read_subnets(client, vpc_ids):
    found = ec2.describe(client, "describe_subnets", "Subnets", "list the subnets of %s" % ", ".join(vpc_ids),
                         Filters=[{"Name": "vpc-id", "Values": vpc_ids}])
    return {(s["VpcId"], s["CidrBlock"]): s for s in found}


def check(module, wanted_list, existing):
    """Refuses, before any change, a list that names one subnet twice or asks a subnet to move zones."""
    seen = set()
    for wanted in wanted_list:
        key = (wanted["vpc_id"], wanted["cidr"])
        if key in seen:
            module.fail_json(msg="subnets lists %s in %s twice" % key[::-1])
        seen.add(key)
        current = existing.get(key)
        if current and wanted["az"] and current["AvailabilityZone"] != wanted["az"]:
            module.fail_json(msg="subnet %s (%s in %s) is in %s, not %s: a subnet cannot move to another zone; delete it first"
                             % (current["SubnetId"], wanted["cidr"], wanted["vpc_id"], current["AvailabilityZone"], wanted["az"]))


@fails_on_aws_errors
def run(module):
    params = module.params
    client = ec2.client_of(module)
    wanted_list = [dict(w, tags=text_tags(w["tags"]))
                   for w in params["subnets"]]
    vpc_ids = sorted({w["vpc_id"] for w in wanted_list})
    existing = read_subnets(client, vpc_ids) if vpc_ids else {}
    check(module, wanted_list, existing)

    changed, created, results, before, after = False, [], [], {}, {}
    for wanted in wanted_list:
        name = "%s %s" % (wanted["vpc_id"], wanted["cidr"])
        current = existing.get((wanted["vpc_id"], wanted["cidr"]))
        if current is None:
            changed = True
            after[name] = planned(wanted, wanted["tags"] or {})
            if module.check_mode:
                results.append(after[name])
                continue
            arguments = {"AvailabilityZone": wanted["az"]} if wanted["az"] else {}
            if wanted["tags"]:
                arguments["TagSpecifications"] = [{"ResourceType": "subnet", "Tags": ansible_dict_to_boto3_tag_list(wanted["tags"])}]
            subnet = ec2.create_subnet(client, wanted["vpc_id"], wanted["cidr"], arguments)
            subnet.setdefault("Tags", ansible_dict_to_boto3_tag_list(wanted["tags"] or {}))
            created.append(subnet["SubnetId"])
            result = described(subnet)
            # set once the subnet is available (EC2 may not know a subnet yet just after creating it)
            result["map_public_ip_on_launch"] = wanted["map_public"]
            results.append(result)
            continue
        result = described(current)
        before[name] = dict(result)
        if result["map_public_ip_on_launch"] != wanted["map_public"]:
            changed = True
            if not module.check_mode:
                ec2.set_map_public_ip(client, result["id"], wanted["map_public"])
            result["map_public_ip_on_launch"] = wanted["map_public"]
        retagged, result["tags"] = ec2.reconcile_tags(module, client, result["id"], result["tags"], wanted["tags"], params["purge_tags"])
        changed |= retagged
        after[name] = result
        results.append(result)

    if created:
        waiter = Waiter(params["wait_timeout"], delay=2)

        def states():
            found = ec2.describe(client, "describe_subnets", "Subnets", "read the new subnets", SubnetIds=created)
            return {s["SubnetId"]: s["State"] for s in found}

        def timed_out(last):
            module.fail_json(msg="subnets %s were not available within %d s (states: %s)" % (
                ", ".join(created), params["wait_timeout"], last))

        final = waiter.until(states, timed_out, done=lambda found: len(found) == len(created) and set(found.values()) == {"available"})
        for result in results:
            if result.get("id") in final:
                result["state"] = final[result["id"]]
                if result["map_public_ip_on_launch"]:
                    ec2.set_map_public_ip(client, result["id"], True)
    module.exit_json(changed=changed, subnets=results, diff={"before": before, "after": after})


def main():
    argument_spec = dict(
        subnets=dict(type="list", elements="dict", required=True, options=dict(
            vpc_id=dict(type="str", required=True),
            cidr=dict(type="str", required=True),
            az=dict(type="str"),
            map_public=dict(type="bool", default=False),
            tags=dict(type="dict"),
        )),
        purge_tags=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=300),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    run(module)


if __name__ == "__main__":
    main()
