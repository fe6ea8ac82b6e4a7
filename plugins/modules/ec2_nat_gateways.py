#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ec2_nat_gateways
short_description: Create NAT gateways, each in its subnet with an Elastic IP of its own, and tag both, in one call
version_added: 0.1.0
description:
  - Makes sure each public subnet of the list has a NAT gateway (pending or available), with a new Elastic IP
    for a new gateway, and brings the tags of each gateway and of its Elastic IP to those given. A subnet's
    existing gateway is kept as it is found (whatever its address), as M(amazon.aws.ec2_vpc_nat_gateway) keeps it
    with C(if_exist_do_not_create).
  - Fills a gap of amazon.aws.ec2_vpc_nat_gateway, which makes one gateway per call and cannot tag its Elastic IP
    (a loop over it, then amazon.aws.ec2_tag per address, pays a module start for each gateway and each address).
    Gateways are removed with amazon.aws.ec2_vpc_nat_gateway or dicoogle.aws.vpc_purge.
  - An Elastic IP allocated for a gateway that EC2 then refuses is released before the module fails.
  - Supports check mode and diff mode.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  nat_gateways:
    description: The gateways, one per subnet.
    type: list
    elements: dict
    required: true
    suboptions:
      subnet_id:
        description: The public subnet of the gateway.
        type: str
        required: true
      tags:
        description: The gateway's tags.
        type: dict
        default: {}
      address_tags:
        description: The tags of its Elastic IP.
        type: dict
        default: {}
  purge_tags:
    description: Whether tags not in O(nat_gateways[].tags) or O(nat_gateways[].address_tags) are removed (AWS's own C(aws:) tags never are).
    type: bool
    default: true
  wait:
    description: Whether to wait until new gateways are C(available).
    type: bool
    default: false
  wait_timeout:
    description: Seconds to wait, for all the gateways together.
    type: int
    default: 320
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: A NAT gateway in each zone's public subnet, its Elastic IP named after it
  dicoogle.aws.ec2_nat_gateways:
    nat_gateways:
      - {subnet_id: subnet-0123456789abcdef0, tags: {Name: pacs-nat-a}, address_tags: {Name: pacs-nat-a}}
      - {subnet_id: subnet-0123456789abcdef1, tags: {Name: pacs-nat-b}, address_tags: {Name: pacs-nat-b}}
"""

RETURN = r"""
nat_gateways:
  description: Each gateway of O(nat_gateways), in their order (in check mode, a new one has no IDs).
  returned: always
  type: list
  elements: dict
  contains:
    subnet_id:
      description: Its subnet.
      type: str
    nat_gateway_id:
      description: The gateway's ID.
      type: str
      sample: nat-0123456789abcdef0
    allocation_id:
      description: The allocation ID of its Elastic IP.
      type: str
      sample: eipalloc-0123456789abcdef0
    public_ip:
      description: Its public address.
      type: str
    state:
      description: The gateway's state (C(pending) or C(available)).
      type: str
    tags:
      description: The gateway's tags.
      type: dict
    address_tags:
      description: Its Elastic IP's tags.
      type: dict
"""

import uuid

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.dicoogle.aws.plugins.module_utils import ec2
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import Waiter
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import fails_on_aws_errors
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import text_tags

LIVE = ("pending", "available")


def existing(client, subnet_ids):
    """The subnets' live gateways (the first of a subnet kept) and their Elastic IPs' tags, in two reads."""
    gateways = {}
    for gateway in ec2.describe(client, "describe_nat_gateways", "NatGateways", "list the NAT gateways of %s" % ", ".join(subnet_ids),
                                Filters=[{"Name": "subnet-id", "Values": subnet_ids}, {"Name": "state", "Values": list(LIVE)}]):
        gateways.setdefault(gateway["SubnetId"], gateway)
    allocations = [g["NatGatewayAddresses"][0]["AllocationId"] for g in gateways.values() if g.get("NatGatewayAddresses")]
    address_tags = {}
    if allocations:
        for address in ec2.describe(client, "describe_addresses", "Addresses", "read the Elastic IPs %s" % ", ".join(allocations),
                                    AllocationIds=allocations):
            address_tags[address["AllocationId"]] = boto3_tag_list_to_ansible_dict(address.get("Tags", []))
    return gateways, address_tags


def create(client, wanted):
    """A new gateway in the subnet with a new Elastic IP; the address is released if the gateway is refused."""
    allocation = ec2.allocate_address(client, wanted["subnet_id"], text_tags(wanted["address_tags"]))
    try:
        gateway = ec2.create_nat_gateway(client, wanted["subnet_id"], allocation["AllocationId"], str(uuid.uuid4()), text_tags(wanted["tags"]))
    except Exception:
        ec2.release_address(client, allocation["AllocationId"])
        raise
    return {"subnet_id": wanted["subnet_id"], "nat_gateway_id": gateway["NatGatewayId"], "allocation_id": allocation["AllocationId"],
            "public_ip": allocation.get("PublicIp"), "state": gateway.get("State", "pending"),
            "tags": text_tags(wanted["tags"]), "address_tags": text_tags(wanted["address_tags"])}


def wait_available(module, client, gateway_ids):
    def states():
        found = ec2.describe(client, "describe_nat_gateways", "NatGateways", "read the NAT gateways %s" % ", ".join(gateway_ids),
                             NatGatewayIds=gateway_ids)
        return {g["NatGatewayId"]: g["State"] for g in found}

    def timed_out(last):
        module.fail_json(msg="NAT gateways %s were not available within %d s (states: %s)"
                             % (", ".join(gateway_ids), module.params["wait_timeout"], last))

    Waiter(module.params["wait_timeout"], delay=5, max_delay=15).until(
        states, timed_out, done=lambda found: len(found) == len(gateway_ids) and set(found.values()) == {"available"})


@fails_on_aws_errors
def run(module):
    params = module.params
    subnet_ids = [gateway["subnet_id"] for gateway in params["nat_gateways"]]
    twice = sorted({subnet for subnet in subnet_ids if subnet_ids.count(subnet) > 1})
    if twice:
        module.fail_json(msg="nat_gateways lists the subnet %s twice" % ", ".join(twice))
    client = ec2.client_of(module)
    gateways, address_tags = existing(client, subnet_ids) if subnet_ids else ({}, {})
    changed, results, before, after, created = False, [], {}, {}, []
    for wanted in params["nat_gateways"]:
        subnet_id = wanted["subnet_id"]
        gateway = gateways.get(subnet_id)
        if gateway is None:
            changed = True
            before[subnet_id] = {}
            result = ({"subnet_id": subnet_id, "tags": text_tags(wanted["tags"]), "address_tags": text_tags(wanted["address_tags"])}
                      if module.check_mode else create(client, wanted))
            if "nat_gateway_id" in result:
                created.append(result["nat_gateway_id"])
        else:
            address = (gateway.get("NatGatewayAddresses") or [{}])[0]
            allocation_id = address.get("AllocationId")
            current = {"tags": boto3_tag_list_to_ansible_dict(gateway.get("Tags", [])), "address_tags": address_tags.get(allocation_id, {})}
            before[subnet_id] = current
            retagged, tags = ec2.reconcile_tags(module, client, gateway["NatGatewayId"], current["tags"], text_tags(wanted["tags"]),
                                                params["purge_tags"])
            readdressed, tags_of_address = (ec2.reconcile_tags(module, client, allocation_id, current["address_tags"],
                                                               text_tags(wanted["address_tags"]), params["purge_tags"])
                                            if allocation_id else (False, {}))
            changed |= retagged or readdressed
            result = {"subnet_id": subnet_id, "nat_gateway_id": gateway["NatGatewayId"], "allocation_id": allocation_id,
                      "public_ip": address.get("PublicIp"), "state": gateway["State"], "tags": tags, "address_tags": tags_of_address}
        after[subnet_id] = {"tags": result["tags"], "address_tags": result["address_tags"]}
        results.append(result)
    if created and params["wait"]:
        wait_available(module, client, created)
    module.exit_json(changed=changed, nat_gateways=results, diff={"before": before, "after": after})


def main():
    argument_spec = dict(
        nat_gateways=dict(type="list", elements="dict", required=True, options=dict(
            subnet_id=dict(type="str", required=True),
            tags=dict(type="dict", default={}),
            address_tags=dict(type="dict", default={}),
        )),
        purge_tags=dict(type="bool", default=True),
        wait=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=320),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    run(module)


if __name__ == "__main__":
    main()
