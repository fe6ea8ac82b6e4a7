"""The network role's loop results turned into the facts the roles after it read."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.dicoogle.aws.plugins.filter.network import (
    nat_gateway_ids, nat_gateway_requests, nat_gateway_subnets, private_route_tables,
    route_table_ids_by_site, subnet_ids_by_site, subnet_requests, vpc_layout, vpc_subnets,
)

SITES = ["pacs", "client", "storage"]
ZONES = ["eu-west-1a", "eu-west-1b"]
LAYOUT = vpc_layout({"pacs": "10.10.0.0/16", "client": "10.20.0.0/16", "storage": "10.30.0.0/16"}, 2)
PLAN = vpc_subnets(LAYOUT, ZONES, {"pacs": "d-pacs", "client": "d-client", "storage": "d-storage"})
# as the network role records its subnets: each planned subnet with what ec2_vpc_subnets answered
SUBNETS = [dict(planned, id="subnet-%d" % i, cidr_block=planned["cidr"]) for i, planned in enumerate(PLAN)]


def ids(subnets):
    return [s["id"] for s in subnets]


def test_planned_subnets_are_asked_for_in_their_sites_vpc_with_their_tags():
    vpcs = {"pacs": "vpc-1", "client": "vpc-2", "storage": "vpc-3"}
    requests = subnet_requests(PLAN, vpcs, {"dicoogle:deployment": "d"})
    assert [r["cidr"] for r in requests] == [p["cidr"] for p in PLAN]
    first = PLAN[0]
    assert requests[0] == {"vpc_id": vpcs[first["site"]], "cidr": first["cidr"], "az": first["az"], "map_public": False,
                           "tags": {"dicoogle:deployment": "d", "Name": first["name"], "dicoogle:site": first["site"],
                                    "dicoogle:tier": first["tier"]}}
    with pytest.raises(AnsibleFilterError, match="subnet d-storage-public-a: no VPC ID is known for the site storage"):
        subnet_requests(PLAN, {"pacs": "vpc-1", "client": "vpc-2"}, {})


def test_subnet_ids_are_grouped_by_site_and_tier_in_order():
    by_site = subnet_ids_by_site(SUBNETS, SITES)
    assert set(by_site) == set(SITES)
    pacs_private = [s["id"] for s in SUBNETS if s["site"] == "pacs" and s["tier"] == "private"]
    assert by_site["pacs"]["private"] == pacs_private and len(pacs_private) == 2
    assert by_site["client"]["public"] == [s["id"] for s in SUBNETS if s["site"] == "client" and s["tier"] == "public"]
    # a site without subnets still has both tiers; subnets of unnamed sites are left out
    assert subnet_ids_by_site(SUBNETS, ["pacs", "elsewhere"])["elsewhere"] == {"public": [], "private": []}
    assert "client" not in subnet_ids_by_site(SUBNETS, ["pacs"])


def test_a_subnet_without_an_id_fails():
    with pytest.raises(AnsibleFilterError, match="subnet d-pacs-public-a has no ID"):
        subnet_ids_by_site([p for p in PLAN if p["name"] == "d-pacs-public-a"], SITES)


def test_nat_gateways_go_in_the_sites_public_subnets_of_the_first_zone_or_every_zone():
    single = nat_gateway_subnets(SUBNETS, ["client", "storage"], ZONES, "single")
    assert [(s["site"], s["tier"], s["az"]) for s in single] == [("client", "public", "eu-west-1a"), ("storage", "public", "eu-west-1a")]
    per_az = nat_gateway_subnets(SUBNETS, ["client"], ZONES, "per_az")
    assert [(s["site"], s["az"]) for s in per_az] == [("client", "eu-west-1a"), ("client", "eu-west-1b")]
    assert nat_gateway_subnets(SUBNETS, [], ZONES, "per_az") == []
    with pytest.raises(AnsibleFilterError, match="must be per_az or single, got 'none'"):
        nat_gateway_subnets(SUBNETS, ["client"], ZONES, "none")


def test_nat_gateway_ids_by_site_and_zone():
    subnets = nat_gateway_subnets(SUBNETS, ["client", "storage"], ZONES, "per_az")
    gateways = [{"subnet_id": s["id"], "nat_gateway_id": "nat-%s-%s" % (s["site"], s["az"][-1])} for s in subnets]
    assert nat_gateway_ids(subnets, gateways) == {"client": {"eu-west-1a": "nat-client-a", "eu-west-1b": "nat-client-b"},
                                                  "storage": {"eu-west-1a": "nat-storage-a", "eu-west-1b": "nat-storage-b"}}
    with pytest.raises(AnsibleFilterError, match="holds no nat_gateway_id"):
        nat_gateway_ids(subnets[:1], [{"subnet_id": subnets[0]["id"]}])
    with pytest.raises(AnsibleFilterError, match="4 NAT gateway subnets but 3 gateways"):
        nat_gateway_ids(subnets, gateways[1:])


def routes_of(tables, site, az):
    [table] = [t for t in tables if t["site"] == site and t["az"] == az]
    return table["routes"]


def test_private_subnets_route_to_their_zones_nat_gateway_and_to_the_peer_vpc():
    nat_ids = {"client": {"eu-west-1a": "nat-ca", "eu-west-1b": "nat-cb"}, "storage": {"eu-west-1a": "nat-sa"}}
    tables = private_route_tables(SUBNETS, nat_ids, LAYOUT, {"pacs": "storage", "storage": "pacs"}, "pcx-1")
    assert [t["tier"] for t in tables] == ["private"] * 6 and ids(tables) == [s["id"] for s in SUBNETS if s["tier"] == "private"]
    # per zone where the zone has a gateway
    assert routes_of(tables, "client", "eu-west-1b") == [{"dest": "0.0.0.0/0", "nat_gateway_id": "nat-cb"}]
    # else the site's first gateway (single), then the peer VPC through the peering
    assert routes_of(tables, "storage", "eu-west-1b") == [
        {"dest": "0.0.0.0/0", "nat_gateway_id": "nat-sa"}, {"dest": "10.10.0.0/16", "vpc_peering_connection_id": "pcx-1"}]
    # no gateway, no way out: the PACS VPC reaches AWS through its endpoints only
    assert routes_of(tables, "pacs", "eu-west-1a") == [{"dest": "10.30.0.0/16", "vpc_peering_connection_id": "pcx-1"}]


def test_route_table_ids_by_site_pair_the_tables_with_their_results():
    tables = private_route_tables(SUBNETS, {}, LAYOUT, {}, "pcx-1")
    results = [{"id": "rtb-%d" % i} for i in range(len(tables))]
    by_site = route_table_ids_by_site(tables, results)
    assert by_site == {"client": ["rtb-0", "rtb-1"], "pacs": ["rtb-2", "rtb-3"], "storage": ["rtb-4", "rtb-5"]}
    # a check-mode run of a new table has none: an empty ID
    assert route_table_ids_by_site(tables[:1], [{"id": None}]) == {"client": [""]}
    with pytest.raises(AnsibleFilterError, match="6 route tables but 5 results"):
        route_table_ids_by_site(tables, results[1:])


def test_nat_gateway_requests_name_each_gateway_and_address_after_its_subnet():
    requests = nat_gateway_requests([{"id": "subnet-1", "name": "d-client-public-eu-west-1a"}], {"k": "v"})
    named = {"k": "v", "Name": "d-client-nat-eu-west-1a"}
    assert requests == [{"subnet_id": "subnet-1", "tags": named, "address_tags": named}]
    assert nat_gateway_requests([], {"k": "v"}) == []
