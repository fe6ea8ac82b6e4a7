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


class FilterModule:
    def filters(self):
        return {"vpc_layout": vpc_layout, "vpc_subnets": vpc_subnets}
