from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.dicoogle.aws.plugins.filter.network import vpc_layout, vpc_subnets

SITES = {"pacs": "10.10.0.0/16", "client": "10.20.0.0/16", "storage": "10.30.0.0/24"}


def test_public_and_private_subnets_per_zone_and_the_host_address():
    layout = vpc_layout(SITES, 3)
    assert layout["pacs"] == {"cidr": "10.10.0.0/16", "public": ["10.10.0.0/20", "10.10.16.0/20", "10.10.32.0/20"],
                              "private": ["10.10.128.0/20", "10.10.144.0/20", "10.10.160.0/20"], "host_address": "10.10.128.10"}
    assert layout["storage"]["private"][:2] == ["10.30.0.128/28", "10.30.0.144/28"]
    assert layout["storage"]["host_address"] == "10.30.0.138"


def test_subnets_are_named_by_vpc_tier_and_zone():
    subnets = vpc_subnets(vpc_layout(SITES, 2), ["eu-west-1a", "eu-west-1b"], {"pacs": "d-pacs", "client": "d-client", "storage": "d-st"})
    assert len(subnets) == 12
    assert {"site": "pacs", "tier": "private", "cidr": "10.10.144.0/20", "az": "eu-west-1b", "name": "d-pacs-private-b"} in subnets


@pytest.mark.parametrize("cidrs, count, message", [
    (dict(SITES, pacs="10.10.0.0/33"), 2, "pacs: '10.10.0.0/33' is not a valid IPv4 CIDR"),
    (dict(SITES, pacs="10.10.0.1/16"), 2, "not a valid IPv4 CIDR"),
    (dict(SITES, pacs="10.0.0.0/8"), 2, "prefix /8"),
    (dict(SITES, client="10.10.128.0/20"), 2, "overlap: client (10.10.128.0/20) and pacs (10.10.0.0/16)"),
    (SITES, 4, "must be 2 or 3, got 4"),
    (SITES, "x", "must be 2 or 3"),
], ids=str)
def test_bad_plans_are_refused_with_the_reason(cidrs, count, message):
    with pytest.raises(AnsibleFilterError) as error:
        vpc_layout(cidrs, count)
    assert message in str(error.value)


def test_too_few_zones_are_refused():
    with pytest.raises(AnsibleFilterError, match="2 availability zones given, the layout needs 3"):
        vpc_subnets(vpc_layout(SITES, 3), ["a1", "b1"], {"pacs": "p", "client": "c", "storage": "s"})
