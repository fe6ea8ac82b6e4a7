#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ec2_vpc_route_tables
short_description: Create or update a list of VPC route tables, each with exactly its routes and subnets, in one call
version_added: 0.1.0
description:
  - Makes each route table of the list exist in its VPC, found by its C(Name) tag, with exactly the IPv4
    routes listed (routes to gateways, NAT gateways or peering connections) and exactly the subnets listed
    associated with it (a subnet associated with another table is moved), reading the VPCs' tables once
    for the whole list.
  - Fills a gap of amazon.aws.ec2_vpc_route_table, which converges one table per call and pauses after
    each change; a loop over it pays a module start and the table's lookups per table, the greater part
    of a no-change run of a network of several tables. Route options are named as that module names them.
  - Routes this module does not manage are kept - the VPC's local route, routes to prefix lists (those a
    gateway endpoint adds), IPv6 routes. Tables not in the list are left alone.
  - Supports check mode and diff mode.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  route_tables:
    description: The route tables.
    type: list
    elements: dict
    required: true
    suboptions:
      vpc_id:
        description: The table's VPC.
        type: str
        required: true
      name:
        description: The table's C(Name) tag, by which it is found (unique in its VPC).
        type: str
        required: true
      subnets:
        description: The subnets associated with the table, exactly.
        type: list
        elements: str
        default: []
      routes:
        description: The IPv4 routes, exactly; each has one target.
        type: list
        elements: dict
        default: []
        suboptions:
          dest:
            description: The destination IPv4 block.
            type: str
            required: true
          gateway_id:
            description: An internet gateway.
            type: str
          nat_gateway_id:
            description: A NAT gateway.
            type: str
          vpc_peering_connection_id:
            description: A VPC peering connection.
            type: str
      tags:
        description: The table's tags besides C(Name); not given, the tags of a table that exists are left as they are.
        type: dict
  purge_tags:
    description: Whether tags not in O(route_tables[].tags) are removed (for a table whose tags are given).
    type: bool
    default: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: A public table to the internet gateway and a private one to a NAT gateway
  dicoogle.aws.ec2_vpc_route_tables:
    route_tables:
      - vpc_id: vpc-0123456789abcdef0
        name: pacs-public
        subnets: [subnet-0123456789abcdef0, subnet-0123456789abcdef1]
        routes: [{dest: 0.0.0.0/0, gateway_id: igw-0123456789abcdef0}]
      - vpc_id: vpc-0123456789abcdef0
        name: pacs-private-eu-west-1a
        subnets: [subnet-0123456789abcdef2]
        routes: [{dest: 0.0.0.0/0, nat_gateway_id: nat-0123456789abcdef0}]
  register: tables
"""

RETURN = r"""
route_tables:
  description:
    - Each table of O(route_tables), in their order, as it is (or, in check mode, would be) after the call.
    - In check mode a table that would be created has no C(id).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The table's ID.
      type: str
      sample: rtb-0123456789abcdef0
    name:
      description: Its C(Name) tag.
      type: str
    vpc_id:
      description: Its VPC.
      type: str
    subnets:
      description: The subnets associated with it.
      type: list
      elements: str
    routes:
      description: The routes this module manages, as O(route_tables[].routes) lists them.
      type: list
      elements: dict
    tags:
      description: Its tags.
      type: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.dicoogle.aws.plugins.module_utils import ec2
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import fails_on_aws_errors
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import text_tags

# option: the key of a route's target in EC2's API
TARGETS = {"gateway_id": "GatewayId", "nat_gateway_id": "NatGatewayId", "vpc_peering_connection_id": "VpcPeeringConnectionId"}


def managed_routes(table):
    """{destination: (target option, target)} of the table's IPv4 routes to a gateway, NAT gateway or peering."""
    routes = {}
    for route in table.get("Routes") or []:
        destination = route.get("DestinationCidrBlock")
        if not destination or route.get("DestinationPrefixListId") or route.get("GatewayId") == "local":
            continue
        for option, key in TARGETS.items():
            if route.get(key) and not (key == "GatewayId" and route[key].startswith("vpce-")):
                routes[destination] = (option, route[key])
    return routes


def wanted_routes(routes):
    return {r["dest"]: next((option, r[option]) for option in TARGETS if r[option]) for r in routes}


def shown(routes):
    return [{"dest": dest, option: target} for dest, (option, target) in sorted(routes.items())]


def name_of(table):
    return boto3_tag_list_to_ansible_dict(table.get("Tags") or []).get("Name")


def read_tables(module, client, vpc_ids):
    found = ec2.describe(client, "describe_route_tables", "RouteTables", "list the route tables of %s" % ", ".join(vpc_ids),
                         Filters=[{"Name": "vpc-id", "Values": vpc_ids}])
    by_name, association_of = {}, {}
    for table in found:
        key = (table["VpcId"], name_of(table))
        if key[1] and key in by_name:
            module.fail_json(msg="%s has two route tables named %s (%s, %s): name one otherwise" % (
                key[0], key[1], by_name[key]["RouteTableId"], table["RouteTableId"]))
        by_name[key] = table
        for association in table.get("Associations") or []:
            if association.get("SubnetId"):
                association_of[association["SubnetId"]] = (table["RouteTableId"], association["RouteTableAssociationId"])
    return by_name, association_of


def check(module, wanted_list):
    """Refuses, before any change, a table listed twice, a route without exactly one target, a subnet in two tables."""
    seen, subnets = set(), {}
    for wanted in wanted_list:
        key = (wanted["vpc_id"], wanted["name"])
        if key in seen:
            module.fail_json(msg="route_tables lists %s in %s twice" % key[::-1])
        seen.add(key)
        for route in wanted["routes"]:
            targets = [option for option in TARGETS if route[option]]
            if len(targets) != 1:
                module.fail_json(msg="route table %s: the route to %s needs exactly one of %s" % (wanted["name"], route["dest"], ", ".join(TARGETS)))
        for subnet in wanted["subnets"]:
            if subnet in subnets:
                module.fail_json(msg="route tables %s and %s both list the subnet %s" % (subnets[subnet], wanted["name"], subnet))
            subnets[subnet] = wanted["name"]


def converge_table(module, client, table_id, current, wanted, association_of):
    """Routes, then subnets, of one table; True when something differs (and, outside check mode, was changed)."""
    changed = False
    have, want = current["routes"], wanted_routes(wanted["routes"])
    for destination, (option, target) in sorted(want.items()):
        if have.get(destination) == (option, target):
            continue
        changed = True
        if not module.check_mode:
            ec2.change_route(client, "replace" if destination in have else "create", table_id, destination, {TARGETS[option]: target})
    for destination in sorted(set(have) - set(want)):
        changed = True
        if not module.check_mode:
            ec2.change_route(client, "delete", table_id, destination, {})
    # association_of ({subnet: (table, association)}) follows the moves, so that a later table of the
    # list neither disassociates a subnet an earlier one took nor replaces an association that is gone.
    for subnet in wanted["subnets"]:
        if table_id is not None and association_of.get(subnet, (None,))[0] == table_id:
            continue
        changed = True
        if not module.check_mode:
            association_of[subnet] = (table_id, ec2.associate_subnet(client, table_id, subnet, association_of.get(subnet, (None, None))[1]))
    for subnet in sorted(set(current["subnets"]) - set(wanted["subnets"])):
        if association_of.get(subnet, (None,))[0] != table_id:
            continue  # moved to another table of the list already
        changed = True
        if not module.check_mode:
            ec2.disassociate_subnet(client, association_of.pop(subnet)[1])
    return changed


@fails_on_aws_errors
def run(module):
    params = module.params
    client = ec2.client_of(module)
    wanted_list = [dict(w, tags=text_tags(w["tags"]))
                   for w in params["route_tables"]]
    check(module, wanted_list)
    vpc_ids = sorted({w["vpc_id"] for w in wanted_list})
    existing, association_of = read_tables(module, client, vpc_ids) if vpc_ids else ({}, {})

    changed, results, before, after = False, [], {}, {}
    for wanted in wanted_list:
        label = "%s %s" % (wanted["vpc_id"], wanted["name"])
        table = existing.get((wanted["vpc_id"], wanted["name"]))
        tags_wanted = None if wanted["tags"] is None else dict(wanted["tags"], Name=wanted["name"])
        if table is None:
            changed = True
            table_id = None
            if not module.check_mode:
                table_id = ec2.create_route_table(client, wanted["vpc_id"], wanted["name"], tags_wanted or {"Name": wanted["name"]})["RouteTableId"]
            current = {"routes": {}, "subnets": [], "tags": tags_wanted or {"Name": wanted["name"]}}
        else:
            table_id = table["RouteTableId"]
            current = {"routes": managed_routes(table),
                       "subnets": sorted(a["SubnetId"] for a in table.get("Associations") or [] if a.get("SubnetId")),
                       "tags": boto3_tag_list_to_ansible_dict(table.get("Tags") or [])}
            before[label] = {"routes": shown(current["routes"]), "subnets": current["subnets"], "tags": current["tags"]}
        if table_id or module.check_mode:
            changed |= converge_table(module, client, table_id, current, wanted, association_of)
        tags = current["tags"]
        if table is not None:
            retagged, tags = ec2.reconcile_tags(module, client, table_id, current["tags"], tags_wanted, params["purge_tags"])
            changed |= retagged
        result = {"id": table_id, "name": wanted["name"], "vpc_id": wanted["vpc_id"], "subnets": sorted(wanted["subnets"]),
                  "routes": shown(wanted_routes(wanted["routes"])), "tags": tags}
        after[label] = {"routes": result["routes"], "subnets": result["subnets"], "tags": tags}
        results.append(result)
    module.exit_json(changed=changed, route_tables=results, diff={"before": before, "after": after})


def main():
    argument_spec = dict(
        route_tables=dict(type="list", elements="dict", required=True, options=dict(
            vpc_id=dict(type="str", required=True),
            name=dict(type="str", required=True),
            subnets=dict(type="list", elements="str", default=[]),
            routes=dict(type="list", elements="dict", default=[], options=dict(
                dest=dict(type="str", required=True),
                gateway_id=dict(type="str"),
                nat_gateway_id=dict(type="str"),
                vpc_peering_connection_id=dict(type="str"),
            )),
            tags=dict(type="dict"),
        )),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    run(module)


if __name__ == "__main__":
    main()
