#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: vpc_purge
short_description: Delete VPCs together with everything inside them that blocks their deletion
version_added: 0.1.0
description:
  - Deletes one or more VPCs, found by ID or by tags, from any state they are in (fully built,
    half-built or already half-deleted), removing first what blocks the deletion, in dependency
    order, VPC after VPC.
  - 1. VPC endpoints (interface, gateway and Gateway Load Balancer ones), waiting until they are gone.
  - 2. NAT gateways, waiting until they are deleted, then the Elastic IPs they used (O(release_addresses)).
  - 3. VPC peering connections in which the VPC is requester or accepter (a pending request to the
    VPC is rejected, since only its requester can delete it).
  - 4. Network interfaces that are C(available) and not managed by another service.
  - 5. Internet gateways (detached, then deleted) and egress-only internet gateways.
  - 6. Subnets (moved back to the default network ACL first).
  - 7. Route tables other than the main one (their associations first).
  - 8. Security groups other than C(default) (all their rules first, since groups refer to each other).
  - 9. Network ACLs other than the default one.
  - 10. The VPC.
  - What is already gone counts as done, so an interrupted run is resumed by running it again; a
    second run on the same input changes nothing.
  - Network interfaces that are in use by something the module does not delete (instances, load
    balancers, Lambda functions, EFS mount targets...) make the VPC undeletable; the module then
    fails before deleting gateways and subnets, with a message naming each interface and its description
    (in check mode, a warning names them).
  - Deletions that AWS completes asynchronously, and dependency errors that AWS keeps reporting for a
    while after a dependency is deleted, are waited for up to O(wait_timeout).
  - The default VPC of the region is never deleted.
  - Supports check mode, which finds everything and deletes nothing.
  - Fills a gap of amazon.aws, whose M(amazon.aws.ec2_vpc_net) with C(state=absent) deletes an empty VPC only
    and fails on anything inside it.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  vpc_ids:
    description:
      - IDs of the VPCs to delete, such as C(vpc-0123456789abcdef0). IDs of VPCs that no longer exist are ignored.
      - With O(tags), the VPCs listed here and those carrying the tags are deleted.
      - At least one of O(vpc_ids) and O(tags) is required.
    type: list
    elements: str
  tags:
    description:
      - Every VPC carrying all these tags (key and value) is deleted. Finding none is no error.
      - Must name at least one tag, so that it never matches every VPC of the region.
    type: dict
  release_addresses:
    description:
      - Release the Elastic IPs that the VPCs' NAT gateways used, after the NAT gateways are deleted.
      - An address that is meanwhile associated with something else is kept, with a warning.
    type: bool
    default: true
  address_tags:
    description:
      - Also release the Elastic IPs that carry all these tags and are associated with nothing, such
        as those of a run that stopped between allocating an address and creating its NAT gateway.
      - They are released after the VPCs are deleted, and also when no VPC matches.
      - Not given, no other address is released. Must name at least one tag.
    type: dict
  wait_timeout:
    description:
      - Seconds to wait for each deletion that AWS completes asynchronously (endpoints, NAT gateways,
        network interfaces of deleted NAT gateways and endpoints) and for dependency errors to clear.
    type: int
    default: 900
  poll_interval:
    description: Seconds between two checks while waiting.
    type: int
    default: 5
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Tear down the deployment's VPCs, whatever state they are in
  dicoogle.aws.vpc_purge:
    tags:
      "dicoogle:deployment": dicoogle
    address_tags:
      "dicoogle:deployment": dicoogle
  register: purge

- name: Delete one VPC, keeping the Elastic IPs of its NAT gateways
  dicoogle.aws.vpc_purge:
    vpc_ids: ["{{ vpc.vpc.id }}"]
    release_addresses: false
    wait_timeout: 1800

- name: What would go
  dicoogle.aws.vpc_purge:
    tags:
      "dicoogle:deployment": dicoogle
  check_mode: true
  register: would_purge
"""

RETURN = r"""
vpcs:
  description:
    - The VPCs deleted (in check mode, that would be deleted), each with what was deleted inside it.
    - Resources that were already gone are not listed.
  returned: always
  type: list
  elements: dict
  contains:
    vpc_id:
      description: ID of the VPC.
      type: str
      sample: vpc-0123456789abcdef0
    deleted:
      description: IDs of what was deleted with the VPC, by kind.
      type: dict
      contains:
        flow_logs:
          description: Flow logs of the VPC.
          type: list
          elements: str
          sample: [fl-0123456789abcdef0]
        vpc_endpoints:
          description: VPC endpoints.
          type: list
          elements: str
          sample: [vpce-0123456789abcdef0]
        nat_gateways:
          description: NAT gateways.
          type: list
          elements: str
          sample: [nat-0123456789abcdef0]
        addresses:
          description: Allocation IDs of the released Elastic IPs of the NAT gateways.
          type: list
          elements: str
          sample: [eipalloc-0123456789abcdef0]
        peering_connections:
          description: VPC peering connections deleted (or rejected).
          type: list
          elements: str
          sample: [pcx-0123456789abcdef0]
        network_interfaces:
          description: Available network interfaces.
          type: list
          elements: str
          sample: [eni-0123456789abcdef0]
        internet_gateways:
          description: Internet gateways and egress-only internet gateways.
          type: list
          elements: str
          sample: [igw-0123456789abcdef0, eigw-0123456789abcdef0]
        subnets:
          description: Subnets.
          type: list
          elements: str
          sample: [subnet-0123456789abcdef0]
        route_tables:
          description: Route tables other than the main one.
          type: list
          elements: str
          sample: [rtb-0123456789abcdef0]
        security_groups:
          description: Security groups other than C(default).
          type: list
          elements: str
          sample: [sg-0123456789abcdef0]
        network_acls:
          description: Network ACLs other than the default one.
          type: list
          elements: str
          sample: [acl-0123456789abcdef0]
addresses:
  description: Allocation IDs of the unassociated Elastic IPs released because they carry O(address_tags).
  returned: always
  type: list
  elements: str
  sample: [eipalloc-0123456789abcdef0]
"""

import re

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import is_ansible_aws_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.dicoogle.aws.plugins.module_utils import ec2
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import Waiter
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import fails_on_aws_errors
from ansible_collections.dicoogle.aws.plugins.module_utils.ec2 import NOT_FOUND

VPC_ID = re.compile(r"^vpc-[0-9a-f]{8,17}$")

# Errors that AWS reports for a while after a dependency was deleted (such as the addresses of a
# just deleted NAT gateway that still hold an internet gateway): retried until wait_timeout.
TRANSIENT = ("DependencyViolation", "InvalidIPAddress.InUse")

ENDPOINT_GONE = ("deleting", "deleted")
NAT_TO_DELETE = ("pending", "available")
PEERING_GONE = ("deleted", "deleting", "rejected", "failed", "expired")
# network interfaces that AWS deletes itself with the NAT gateway or endpoint they belong to
SERVICE_INTERFACE_TYPES = ("nat_gateway", "natGateway", "vpc_endpoint", "gateway_load_balancer_endpoint")

KINDS = ("flow_logs", "vpc_endpoints", "nat_gateways", "addresses", "peering_connections", "network_interfaces",
         "internet_gateways", "subnets", "route_tables", "security_groups", "network_acls")


def vpc_filter(vpc_id, name="vpc-id"):
    return [{"Name": name, "Values": [vpc_id]}]


def tag_filters(tags):
    return [{"Name": "tag:%s" % key, "Values": [str(value)]} for key, value in sorted(tags.items())]


def describe_eni(eni):
    return "%s (%s, %s%s)" % (eni["NetworkInterfaceId"], eni.get("Status"), eni.get("InterfaceType", "interface"),
                              ", %r" % eni["Description"] if eni.get("Description") else "")


class Purge:
    def __init__(self, module, client):
        self.module = module
        self.client = client
        self.check_mode = module.check_mode
        self.timeout = module.params["wait_timeout"]
        self.interval = module.params["poll_interval"]

    # ---- AWS calls ---------------------------------------------------------------------------

    def describe(self, operation, key, context, **kwargs):
        return ec2.describe(self.client, operation, key, context, **kwargs)

    def call(self, operation, context, vpc_id=None, **kwargs):
        """Make a change. False when what it changes is already gone; transient errors are retried until wait_timeout."""
        transient = []

        def attempt():
            try:
                return ec2.change(self.client, operation, context, **kwargs)
            except is_ansible_aws_error_code(TRANSIENT) as e:
                transient.append(e.exception)
                return None
            except AnsibleAWSError as e:  # pylint: disable=duplicate-except
                self.module.fail_json_aws(e.exception, msg="%s%s" % (e.message, self.blockers(vpc_id)))

        def timed_out(_made):
            self.module.fail_json_aws(transient[-1], msg="Failed to %s after %d seconds of retries%s"
                                      % (context, self.timeout, self.blockers(vpc_id)))

        return Waiter(self.timeout, self.interval).until(attempt, timed_out, done=lambda made: made is not None)

    def blockers(self, vpc_id):
        if vpc_id is None:
            return ""
        enis = self.describe("describe_network_interfaces", "NetworkInterfaces",
                             "list the network interfaces of %s" % vpc_id, Filters=vpc_filter(vpc_id))
        if not enis:
            return ""
        return "; network interfaces still in %s: %s" % (vpc_id, ", ".join(describe_eni(e) for e in enis))

    def wait(self, what, pending):
        """Wait until pending() returns nothing; fail naming what it returned at wait_timeout."""
        def timed_out(left):
            self.module.fail_json(msg="Timed out after %d seconds waiting for %s: %s. Raise wait_timeout or run "
                                      "vpc_purge again, which resumes where it stopped" % (self.timeout, what, ", ".join(left)))

        Waiter(self.timeout, self.interval).until(pending, timed_out, done=lambda left: not left)

    # ---- the VPCs ----------------------------------------------------------------------------

    def find_vpcs(self):
        params = self.module.params
        found = []
        if params["vpc_ids"]:
            found += self.describe("describe_vpcs", "Vpcs", "look up the VPCs %s" % ", ".join(params["vpc_ids"]),
                                   Filters=[{"Name": "vpc-id", "Values": params["vpc_ids"]}])
        if params["tags"]:
            found += self.describe("describe_vpcs", "Vpcs", "look up the VPCs tagged %s" % params["tags"],
                                   Filters=tag_filters(params["tags"]))
        vpcs = []
        for vpc in found:
            if vpc["VpcId"] not in [v["VpcId"] for v in vpcs]:
                vpcs.append(vpc)
        default = [v["VpcId"] for v in vpcs if v.get("IsDefault")]
        if default:
            self.module.fail_json(msg="%s is the default VPC of the region, which vpc_purge does not delete; "
                                      "leave it out of vpc_ids and tags" % default[0])
        return [v["VpcId"] for v in vpcs]

    def purge(self, vpc_id):
        deleted = {kind: [] for kind in KINDS}
        deleted["flow_logs"] = self.flow_logs(vpc_id)
        deleted["vpc_endpoints"], service_enis = self.endpoints(vpc_id)
        deleted["nat_gateways"], deleted["addresses"], nat_enis = self.nat_gateways(vpc_id)
        deleted["peering_connections"] = self.peering_connections(vpc_id)
        deleted["network_interfaces"] = self.network_interfaces(vpc_id, service_enis | nat_enis)
        deleted["internet_gateways"] = self.internet_gateways(vpc_id)
        deleted["subnets"] = self.subnets(vpc_id)
        deleted["route_tables"] = self.route_tables(vpc_id)
        deleted["security_groups"] = self.security_groups(vpc_id)
        deleted["network_acls"] = self.network_acls(vpc_id)
        if not self.check_mode:
            self.call("delete_vpc", "delete VPC %s" % vpc_id, vpc_id=vpc_id, VpcId=vpc_id)
        return {"vpc_id": vpc_id, "deleted": deleted}

    # 0. flow logs (a deleted VPC's flow logs would stay, recording nothing)
    def flow_logs(self, vpc_id):
        flows = self.describe("describe_flow_logs", "FlowLogs", "list the flow logs of %s" % vpc_id,
                              Filters=[{"Name": "resource-id", "Values": [vpc_id]}])
        ids = [f["FlowLogId"] for f in flows if f.get("ResourceId") == vpc_id]
        if ids and not self.check_mode:
            self.call("delete_flow_logs", "delete the flow logs of %s" % vpc_id, vpc_id=vpc_id, FlowLogIds=ids)
        return ids

    # 1. endpoints
    def live_endpoints(self, vpc_id):
        endpoints = self.describe("describe_vpc_endpoints", "VpcEndpoints", "list the VPC endpoints of %s" % vpc_id,
                                  Filters=vpc_filter(vpc_id))
        return [e for e in endpoints if e.get("VpcId") == vpc_id and e.get("State", "").lower() != "deleted"]

    def endpoints(self, vpc_id):
        endpoints = self.live_endpoints(vpc_id)
        enis = {eni for e in endpoints for eni in e.get("NetworkInterfaceIds", [])}
        doomed = [e["VpcEndpointId"] for e in endpoints if e.get("State", "").lower() not in ENDPOINT_GONE]
        if self.check_mode or not endpoints:
            return doomed, enis
        if doomed:
            unsuccessful = ec2.delete_vpc_endpoints(self.client, vpc_id, doomed)
            failed = [u for u in unsuccessful if u.get("Error", {}).get("Code") not in NOT_FOUND]
            if failed:
                self.module.fail_json(msg="Failed to delete the VPC endpoints of %s: %s" % (vpc_id, "; ".join(
                    "%s: %s" % (u.get("ResourceId"), u.get("Error", {}).get("Message")) for u in failed)))
        self.wait("the VPC endpoints of %s to be deleted" % vpc_id,
                  lambda: [e["VpcEndpointId"] for e in self.live_endpoints(vpc_id)])
        return doomed, enis

    # 2. NAT gateways and their addresses
    def nat_list(self, vpc_id):
        nats = self.describe("describe_nat_gateways", "NatGateways", "list the NAT gateways of %s" % vpc_id,
                             Filters=vpc_filter(vpc_id))
        return [n for n in nats if n.get("VpcId") == vpc_id]

    def nat_gateways(self, vpc_id):
        nats = self.nat_list(vpc_id)
        doomed = [n["NatGatewayId"] for n in nats if n.get("State") in NAT_TO_DELETE]
        # addresses of deleting and deleted NAT gateways too: a run may have stopped before releasing them
        addresses = {a["AllocationId"]: a.get("NetworkInterfaceId") for n in nats if n.get("State") != "failed"
                     for a in n.get("NatGatewayAddresses", []) if a.get("AllocationId")}
        enis = {a["NetworkInterfaceId"] for n in nats for a in n.get("NatGatewayAddresses", []) if a.get("NetworkInterfaceId")}
        if not self.check_mode:
            for nat_id in doomed:
                self.call("delete_nat_gateway", "delete NAT gateway %s of %s" % (nat_id, vpc_id), NatGatewayId=nat_id)
            self.wait("the NAT gateways of %s to be deleted" % vpc_id, lambda: [
                n["NatGatewayId"] for n in self.nat_list(vpc_id) if n.get("State") in ("pending", "available", "deleting")])
        released = self.release_nat_addresses(vpc_id, addresses) if self.module.params["release_addresses"] else []
        return doomed, released, enis

    def release(self, allocation_id, context):
        if self.check_mode:
            return True
        return self.call("release_address", context, AllocationId=allocation_id)

    def release_nat_addresses(self, vpc_id, addresses):
        if not addresses:
            return []
        found = self.describe("describe_addresses", "Addresses", "look up the Elastic IPs of the NAT gateways of %s" % vpc_id,
                              Filters=[{"Name": "allocation-id", "Values": sorted(addresses)}])
        released = []
        for address in found:
            allocation_id = address["AllocationId"]
            if address.get("AssociationId") and address.get("NetworkInterfaceId") != addresses.get(allocation_id):
                self.module.warn("Elastic IP %s (%s) of a deleted NAT gateway of %s is now associated with %s; it is kept"
                                 % (allocation_id, address.get("PublicIp"), vpc_id,
                                    address.get("NetworkInterfaceId") or address.get("InstanceId")))
                continue
            if self.release(allocation_id, "release Elastic IP %s of a NAT gateway of %s" % (allocation_id, vpc_id)):
                released.append(allocation_id)
        return released

    def release_tagged_addresses(self):
        tags = self.module.params["address_tags"]
        if not tags:
            return []
        found = self.describe("describe_addresses", "Addresses", "look up the Elastic IPs tagged %s" % tags,
                              Filters=tag_filters(tags) + [{"Name": "domain", "Values": ["vpc"]}])
        released = []
        for address in found:
            if address.get("AssociationId") or address.get("NetworkInterfaceId") or address.get("InstanceId"):
                continue
            if self.release(address["AllocationId"], "release Elastic IP %s" % address["AllocationId"]):
                released.append(address["AllocationId"])
        return released

    # 3. peering connections
    def peering_connections(self, vpc_id):
        found = {}
        for side in ("requester", "accepter"):
            for pcx in self.describe("describe_vpc_peering_connections", "VpcPeeringConnections",
                                     "list the peering connections of %s" % vpc_id,
                                     Filters=vpc_filter(vpc_id, "%s-vpc-info.vpc-id" % side)):
                found[pcx["VpcPeeringConnectionId"]] = pcx
        doomed = []
        for pcx_id, pcx in sorted(found.items()):
            requester = pcx.get("RequesterVpcInfo", {}).get("VpcId")
            accepter = pcx.get("AccepterVpcInfo", {}).get("VpcId")
            status = pcx.get("Status", {}).get("Code")
            if vpc_id not in (requester, accepter) or status in PEERING_GONE:
                continue
            doomed.append(pcx_id)
            if self.check_mode:
                continue
            if status == "pending-acceptance" and requester != vpc_id:
                # only the requester deletes a pending request; the accepter rejects it
                done = self.call("reject_vpc_peering_connection", "reject peering connection %s to %s" % (pcx_id, vpc_id),
                                 VpcPeeringConnectionId=pcx_id)
            else:
                done = self.call("delete_vpc_peering_connection", "delete peering connection %s of %s" % (pcx_id, vpc_id),
                                 VpcPeeringConnectionId=pcx_id)
            if not done:
                doomed.remove(pcx_id)
        return doomed

    # 4. network interfaces
    def enis(self, vpc_id):
        return self.describe("describe_network_interfaces", "NetworkInterfaces", "list the network interfaces of %s" % vpc_id,
                             Filters=vpc_filter(vpc_id))

    def network_interfaces(self, vpc_id, service_enis):
        def deletable(eni):
            return eni.get("Status") == "available" and not eni.get("RequesterManaged")

        def going(eni):
            return eni["NetworkInterfaceId"] in service_enis or eni.get("InterfaceType") in SERVICE_INTERFACE_TYPES

        if self.check_mode:
            enis = self.enis(vpc_id)
            blocking = [e for e in enis if not deletable(e) and not going(e)]
            if blocking:
                self.module.warn("%s cannot be deleted while these network interfaces are in use, which vpc_purge does not "
                                 "delete: %s" % (vpc_id, ", ".join(describe_eni(e) for e in blocking)))
            return [e["NetworkInterfaceId"] for e in enis if deletable(e) and not going(e)]
        # those of the deleted NAT gateways and endpoints go away by themselves, or become available
        self.wait("the network interfaces of the NAT gateways and endpoints of %s to be released" % vpc_id,
                  lambda: [e["NetworkInterfaceId"] for e in self.enis(vpc_id) if going(e) and not deletable(e)])
        enis = self.enis(vpc_id)
        deleted = []
        for eni in enis:
            if deletable(eni) and self.call("delete_network_interface", "delete network interface %s of %s"
                                            % (eni["NetworkInterfaceId"], vpc_id), NetworkInterfaceId=eni["NetworkInterfaceId"]):
                deleted.append(eni["NetworkInterfaceId"])
        blocking = [e for e in enis if not deletable(e)]
        if blocking:
            self.module.fail_json(
                msg="%s cannot be deleted while these network interfaces are in use, which vpc_purge does not delete: %s. "
                    "Delete what uses them (instances, load balancers, Lambda functions, EFS mount targets...) and run "
                    "vpc_purge again" % (vpc_id, ", ".join(describe_eni(e) for e in blocking)),
                network_interfaces=[e["NetworkInterfaceId"] for e in blocking])
        return deleted

    # 5. internet gateways
    def internet_gateways(self, vpc_id):
        deleted = []
        igws = self.describe("describe_internet_gateways", "InternetGateways", "list the internet gateways of %s" % vpc_id,
                             Filters=vpc_filter(vpc_id, "attachment.vpc-id"))
        for igw in igws:
            igw_id = igw["InternetGatewayId"]
            if vpc_id not in [a.get("VpcId") for a in igw.get("Attachments", [])]:
                continue
            deleted.append(igw_id)
            if self.check_mode:
                continue
            self.call("detach_internet_gateway", "detach internet gateway %s from %s" % (igw_id, vpc_id), vpc_id=vpc_id,
                      InternetGatewayId=igw_id, VpcId=vpc_id)
            if not self.call("delete_internet_gateway", "delete internet gateway %s of %s" % (igw_id, vpc_id),
                             InternetGatewayId=igw_id):
                deleted.remove(igw_id)
        # DescribeEgressOnlyInternetGateways filters by tags only
        eigws = self.describe("describe_egress_only_internet_gateways", "EgressOnlyInternetGateways",
                              "list the egress-only internet gateways")
        for eigw in eigws:
            eigw_id = eigw["EgressOnlyInternetGatewayId"]
            if vpc_id not in [a.get("VpcId") for a in eigw.get("Attachments", []) if a.get("State") != "detached"]:
                continue
            if self.check_mode or self.call("delete_egress_only_internet_gateway", "delete egress-only internet gateway %s of %s"
                                            % (eigw_id, vpc_id), EgressOnlyInternetGatewayId=eigw_id):
                deleted.append(eigw_id)
        return deleted

    # 6. subnets
    def acls(self, vpc_id):
        acls = self.describe("describe_network_acls", "NetworkAcls", "list the network ACLs of %s" % vpc_id,
                             Filters=vpc_filter(vpc_id))
        return [a for a in acls if a.get("VpcId") == vpc_id]

    def subnets(self, vpc_id):
        subnets = self.describe("describe_subnets", "Subnets", "list the subnets of %s" % vpc_id, Filters=vpc_filter(vpc_id))
        subnet_ids = [s["SubnetId"] for s in subnets if s.get("VpcId") == vpc_id]
        if self.check_mode or not subnet_ids:
            return subnet_ids
        # back to the default ACL, so that the custom ones can be deleted whatever becomes of their associations
        acls = self.acls(vpc_id)
        default = [a["NetworkAclId"] for a in acls if a.get("IsDefault")]
        for acl in acls:
            for association in acl.get("Associations", []):
                if default and not acl.get("IsDefault") and association.get("SubnetId") in subnet_ids:
                    self.call("replace_network_acl_association", "move subnet %s back to the default network ACL %s"
                              % (association["SubnetId"], default[0]),
                              AssociationId=association["NetworkAclAssociationId"], NetworkAclId=default[0])
        return [subnet_id for subnet_id in subnet_ids
                if self.call("delete_subnet", "delete subnet %s of %s" % (subnet_id, vpc_id), vpc_id=vpc_id, SubnetId=subnet_id)]

    # 7. route tables
    def route_tables(self, vpc_id):
        tables = self.describe("describe_route_tables", "RouteTables", "list the route tables of %s" % vpc_id,
                               Filters=vpc_filter(vpc_id))
        deleted = []
        for table in tables:
            table_id = table["RouteTableId"]
            associations = table.get("Associations", [])
            main = any(a.get("Main") for a in associations)
            if not main:
                deleted.append(table_id)
            if self.check_mode:
                continue
            for association in associations:
                state = association.get("AssociationState", {}).get("State", "associated")
                if not association.get("Main") and state not in ("disassociating", "disassociated"):
                    self.call("disassociate_route_table", "disassociate %s from route table %s of %s"
                              % (association.get("SubnetId") or association.get("GatewayId"), table_id, vpc_id),
                              AssociationId=association["RouteTableAssociationId"])
            if not main and not self.call("delete_route_table", "delete route table %s of %s" % (table_id, vpc_id),
                                          RouteTableId=table_id):
                deleted.remove(table_id)
        return deleted

    # 8. security groups
    def security_groups(self, vpc_id):
        groups = self.describe("describe_security_groups", "SecurityGroups", "list the security groups of %s" % vpc_id,
                               Filters=vpc_filter(vpc_id))
        groups = [g for g in groups if g.get("VpcId") == vpc_id]
        doomed = [g["GroupId"] for g in groups if g.get("GroupName") != "default"]
        if self.check_mode or not doomed:
            return doomed
        # rules first: groups refer to each other (the default one too), which blocks their deletion
        for group in groups:
            ingress, egress = group.get("IpPermissions", []), group.get("IpPermissionsEgress", [])
            if group.get("GroupName") == "default":
                ingress, egress = self.referring(ingress, doomed), self.referring(egress, doomed)
            if ingress:
                self.call("revoke_security_group_ingress", "revoke the inbound rules of security group %s of %s"
                          % (group["GroupId"], vpc_id), GroupId=group["GroupId"], IpPermissions=ingress)
            if egress:
                self.call("revoke_security_group_egress", "revoke the outbound rules of security group %s of %s"
                          % (group["GroupId"], vpc_id), GroupId=group["GroupId"], IpPermissions=egress)
        return [group_id for group_id in doomed
                if self.call("delete_security_group", "delete security group %s of %s" % (group_id, vpc_id), vpc_id=vpc_id,
                             GroupId=group_id)]

    @staticmethod
    def referring(permissions, group_ids):
        """The parts of these rules that refer to these groups."""
        found = []
        for permission in permissions:
            pairs = [p for p in permission.get("UserIdGroupPairs", []) if p.get("GroupId") in group_ids]
            if pairs:
                rule = {k: v for k, v in permission.items() if k in ("IpProtocol", "FromPort", "ToPort")}
                rule["UserIdGroupPairs"] = pairs
                found.append(rule)
        return found

    # 9. network ACLs
    def network_acls(self, vpc_id):
        doomed = [a["NetworkAclId"] for a in self.acls(vpc_id) if not a.get("IsDefault")]
        if self.check_mode:
            return doomed
        return [acl_id for acl_id in doomed
                if self.call("delete_network_acl", "delete network ACL %s of %s" % (acl_id, vpc_id), NetworkAclId=acl_id)]


def validate(module):
    params = module.params
    if not params["vpc_ids"] and params["tags"] is None:
        module.fail_json(msg="vpc_ids or tags is required: give the IDs of the VPCs to delete, or the tags they all carry")
    bad = [v for v in params["vpc_ids"] or [] if not VPC_ID.match(v)]
    if bad:
        module.fail_json(msg="vpc_ids must list VPC IDs such as vpc-0123456789abcdef0, got %r" % bad)
    for option in ("tags", "address_tags"):
        tags = params[option]
        if tags is None:
            continue
        if not tags:
            module.fail_json(msg="%s must name at least one tag: empty, it would match everything in the region" % option)
        bad = [k for k, v in tags.items() if not str(k).strip() or v is None or isinstance(v, (dict, list))]
        if bad:
            module.fail_json(msg="%s must map tag keys to string values, got %r" % (option, {k: tags[k] for k in bad}))
    if params["wait_timeout"] <= 0:
        module.fail_json(msg="wait_timeout must be a number of seconds above 0, got %d" % params["wait_timeout"])
    if params["poll_interval"] < 0:
        module.fail_json(msg="poll_interval must be 0 or more seconds, got %d" % params["poll_interval"])


@fails_on_aws_errors
def run(module):
    purge = Purge(module, ec2.client_of(module))
    vpcs = [purge.purge(vpc_id) for vpc_id in purge.find_vpcs()]
    addresses = purge.release_tagged_addresses()
    module.exit_json(changed=bool(vpcs or addresses), vpcs=vpcs, addresses=addresses)


def main():
    argument_spec = {
        "vpc_ids": {"type": "list", "elements": "str"},
        "tags": {"type": "dict"},
        "release_addresses": {"type": "bool", "default": True},
        "address_tags": {"type": "dict"},
        "wait_timeout": {"type": "int", "default": 900},
        "poll_interval": {"type": "int", "default": 5},
    }
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)
    run(module)


if __name__ == "__main__":
    main()
