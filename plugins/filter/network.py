# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Address plan of a deployment's VPCs, checked before any AWS call.

Each VPC is cut into 16 equal blocks: blocks 0.. are its public subnets (one per availability
zone), blocks 8.. its private subnets, so a third zone or a later site never moves a subnet.
"""

from __future__ import annotations

import ipaddress

from ansible.errors import AnsibleFilterError

MIN_PREFIX = 16  # AWS: a VPC is /16 to /28
MAX_PREFIX = 24  # a /24 cut into 16 blocks gives /28 subnets, the smallest AWS allows
AZ_COUNTS = (2, 3)
HOST_OFFSET = 10  # AWS reserves the first four addresses of a subnet


def _network(site, cidr):
    try:
        net = ipaddress.ip_network(str(cidr), strict=True)
    except ValueError as e:
        raise AnsibleFilterError("VPC %s: %r is not a valid IPv4 CIDR block (%s)" % (site, cidr, e)) from e
    if net.version != 4:
        raise AnsibleFilterError("VPC %s: %s is not an IPv4 CIDR block" % (site, cidr))
    if not MIN_PREFIX <= net.prefixlen <= MAX_PREFIX:
        raise AnsibleFilterError(
            "VPC %s: %s has prefix /%d; use a prefix from /%d to /%d" % (site, cidr, net.prefixlen, MIN_PREFIX, MAX_PREFIX)
        )
    return net


def vpc_layout(cidrs, az_count):
    """Map {site: cidr} and an AZ count to {site: {cidr, public: [...], private: [...]}}."""
    if not isinstance(cidrs, dict) or not cidrs:
        raise AnsibleFilterError("vpc_layout expects a dict of site name to CIDR block")
    try:
        az_count = int(az_count)
    except (TypeError, ValueError) as e:
        raise AnsibleFilterError("the availability zone count must be 2 or 3, got %r" % (az_count,)) from e
    if az_count not in AZ_COUNTS:
        raise AnsibleFilterError("the availability zone count must be 2 or 3, got %d" % az_count)
    nets = {site: _network(site, cidr) for site, cidr in cidrs.items()}
    sites = sorted(nets)
    for i, first in enumerate(sites):
        for second in sites[i + 1:]:
            if nets[first].overlaps(nets[second]):
                raise AnsibleFilterError(
                    "VPC CIDR blocks overlap: %s (%s) and %s (%s); peering and routing need distinct ranges"
                    % (first, nets[first], second, nets[second])
                )
    layout = {}
    for site, net in nets.items():
        blocks = list(net.subnets(new_prefix=net.prefixlen + 4))
        layout[site] = {
            "cidr": str(net),
            "public": [str(block) for block in blocks[:az_count]],
            "private": [str(block) for block in blocks[8:8 + az_count]],
            # The site host's fixed address (the storage host is named in DNS before it exists).
            "host_address": str(blocks[8].network_address + HOST_OFFSET),
        }
    return layout


def vpc_subnets(layout, zones, names):
    """One entry per subnet: site, tier, cidr, zone and a name such as <vpc name>-private-a."""
    if len(zones) < max(len(site["public"]) for site in layout.values()):
        raise AnsibleFilterError("%d availability zones given, the layout needs %d" % (len(zones), max(len(site["public"]) for site in layout.values())))
    subnets = []
    for site in sorted(layout):
        for tier in ("public", "private"):
            for cidr, zone in zip(layout[site][tier], zones):
                subnets.append({"site": site, "tier": tier, "cidr": cidr, "az": zone,
                                "name": "%s-%s-%s" % (names[site], tier, zone[-1:])})
    return subnets


# What the network role's modules return, turned into the facts the roles that follow read:
# plumbing kept here, where it can be tested, rather than in Jinja.


def subnet_requests(plan, vpc_ids, tags):
    """The planned subnets (vpc_subnets) as ec2_vpc_subnets takes them: in their site's VPC, tagged with ``tags``
    and their name, site and tier."""
    requests = []
    for subnet in plan:
        if subnet["site"] not in vpc_ids:
            raise AnsibleFilterError("subnet %s: no VPC ID is known for the site %s" % (subnet["name"], subnet["site"]))
        requests.append({"vpc_id": vpc_ids[subnet["site"]], "cidr": subnet["cidr"], "az": subnet["az"], "map_public": False,
                         "tags": dict(tags, **{"Name": subnet["name"], "dicoogle:site": subnet["site"], "dicoogle:tier": subnet["tier"]})})
    return requests


def subnet_ids_by_site(subnets, sites):
    """{site: {public: [subnet IDs], private: [subnet IDs]}} for every site, in the subnets' order."""
    ids = {site: {"public": [], "private": []} for site in sites}
    for subnet in subnets:
        if subnet["site"] in ids:
            if "id" not in subnet:
                raise AnsibleFilterError("subnet %s has no ID" % subnet.get("name", subnet.get("cidr")))
            ids[subnet["site"]][subnet["tier"]].append(subnet["id"])
    return ids


NAT_PLACEMENTS = ("single", "per_az")


def nat_gateway_subnets(subnets, sites, zones, placement):
    """The public subnets that get a NAT gateway: the sites' subnets in every zone (per_az) or in
    the first zone only (single: a site's host lives in one zone)."""
    if placement not in NAT_PLACEMENTS:
        raise AnsibleFilterError("the NAT gateway placement must be per_az or single, got %r" % (placement,))
    in_zones = list(zones) if placement == "per_az" else list(zones)[:1]
    return [s for s in subnets if s["tier"] == "public" and s["site"] in sites and s["az"] in in_zones]


def nat_gateway_ids(subnets, gateways):
    """{site: {zone: NAT gateway ID}}: the nat_gateway_subnets paired with what ec2_nat_gateways returned for them,
    in the same order."""
    if len(subnets) != len(gateways):
        raise AnsibleFilterError("%d NAT gateway subnets but %d gateways" % (len(subnets), len(gateways)))
    ids = {}
    for subnet, gateway in zip(subnets, gateways):
        if not gateway.get("nat_gateway_id"):
            raise AnsibleFilterError("the gateway of %s holds no nat_gateway_id" % subnet.get("name", subnet.get("id")))
        ids.setdefault(subnet["site"], {})[subnet["az"]] = gateway["nat_gateway_id"]
    return ids


def nat_gateway_requests(subnets, tags):
    """Each of the nat_gateway_subnets as ec2_nat_gateways takes it: the gateway and its Elastic IP tagged with
    ``tags`` and named after the subnet (<vpc>-public-<zone> becomes <vpc>-nat-<zone>)."""
    return [{"subnet_id": subnet["id"], "tags": dict(tags, Name=subnet["name"].replace("-public-", "-nat-")),
             "address_tags": dict(tags, Name=subnet["name"].replace("-public-", "-nat-"))} for subnet in subnets]


def private_route_tables(subnets, nat_ids, layout, peers, peering_id):
    """One route table per private subnet: the subnet with its ``routes``.

    A site with NAT gateways routes 0.0.0.0/0 to the gateway of the subnet's zone (else to the
    site's first one); a site in ``peers`` ({site: peer site}) routes the peer VPC's block through
    the peering connection ``peering_id``.
    """
    tables = []
    for subnet in subnets:
        if subnet["tier"] != "private":
            continue
        site, routes = subnet["site"], []
        gateways = nat_ids.get(site) or {}
        if gateways:
            routes.append({"dest": "0.0.0.0/0", "nat_gateway_id": gateways.get(subnet["az"], next(iter(gateways.values())))})
        if site in peers:
            routes.append({"dest": layout[peers[site]]["cidr"], "vpc_peering_connection_id": peering_id})
        tables.append(dict(subnet, routes=routes))
    return tables


def route_table_ids_by_site(tables, results):
    """{site: [route table IDs]}: the private route tables (each a table of private_route_tables)
    paired in order with what ec2_vpc_route_tables answered for them ('' where a check-mode run made none)."""
    if len(tables) != len(results):
        raise AnsibleFilterError("%d route tables but %d results" % (len(tables), len(results)))
    ids = {}
    for table, result in zip(tables, results):
        ids.setdefault(table["site"], []).append(result.get("id") or "")
    return ids


class FilterModule:
    def filters(self):
        return {
            "vpc_layout": vpc_layout,
            "vpc_subnets": vpc_subnets,
            "subnet_requests": subnet_requests,
            "subnet_ids_by_site": subnet_ids_by_site,
            "nat_gateway_subnets": nat_gateway_subnets,
            "nat_gateway_ids": nat_gateway_ids,
            "nat_gateway_requests": nat_gateway_requests,
            "private_route_tables": private_route_tables,
            "route_table_ids_by_site": route_table_ids_by_site,
        }
