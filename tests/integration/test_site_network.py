"""The network of the shared site deployment: the three sites' VPCs, their routes, peering, flow
logs and endpoints, the security groups and the private names."""

from __future__ import annotations

import pytest

from tests.deployment import SITE_DEPLOYMENT as DEPLOYMENT
from tests.deployment import TAG_KEY, as_dict

# The deployment (tests/conftest.py's site fixture) is shared with the other test_site_*.py files and
# tests/security/test_security_aws.py.
pytestmark = pytest.mark.integration


def test_network_sites_routes_and_least_privilege_groups(site, aws_client):
    ec2 = aws_client("ec2")
    tagged = [{"Name": "tag:" + TAG_KEY, "Values": [DEPLOYMENT]}]
    vpcs = {as_dict(v["Tags"])["Name"]: v for v in ec2.describe_vpcs(Filters=tagged)["Vpcs"]}
    assert {name: v["CidrBlock"] for name, v in vpcs.items()} == {
        DEPLOYMENT + "-pacs": "10.10.0.0/16", DEPLOYMENT + "-client": "10.20.0.0/16", DEPLOYMENT + "-storage": "10.30.0.0/16"}
    pacs, storage = vpcs[DEPLOYMENT + "-pacs"]["VpcId"], vpcs[DEPLOYMENT + "-storage"]["VpcId"]
    # NAT only where a host needs the internet (client, storage: one gateway each); the PACS VPC
    # has no way out but its endpoints; PACS <-> storage through the peering
    nats = [n for n in ec2.describe_nat_gateways()["NatGateways"] if n["State"] == "available"]
    assert sorted(n["VpcId"] for n in nats if n["VpcId"] in [v["VpcId"] for v in vpcs.values()]) == sorted(
        [vpcs[DEPLOYMENT + "-client"]["VpcId"], vpcs[DEPLOYMENT + "-storage"]["VpcId"]])
    subnets = {s["SubnetId"]: s for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [pacs]}])["Subnets"]}
    [peering] = [p for p in ec2.describe_vpc_peering_connections()["VpcPeeringConnections"] if as_dict(p.get("Tags", [])).get(TAG_KEY) == DEPLOYMENT]
    assert peering["Status"]["Code"] == "active"
    assert {peering["RequesterVpcInfo"]["VpcId"], peering["AccepterVpcInfo"]["VpcId"]} == {pacs, storage}
    private = [s for s in subnets.values() if as_dict(s["Tags"])["dicoogle:tier"] == "private"]
    assert len(private) == 2
    for subnet in private:
        [table] = ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [subnet["SubnetId"]]}])["RouteTables"]
        routes = {r.get("DestinationCidrBlock"): r for r in table["Routes"]}
        assert "0.0.0.0/0" not in routes, routes
        assert routes["10.30.0.0/16"]["VpcPeeringConnectionId"] == peering["VpcPeeringConnectionId"]
    # every site's traffic is recorded in the log bucket: the DICOM path's audit trail
    flows = {f["ResourceId"]: f for f in ec2.describe_flow_logs()["FlowLogs"] if f["ResourceId"] in [v["VpcId"] for v in vpcs.values()]}
    assert sorted(flows) == sorted(v["VpcId"] for v in vpcs.values())
    assert {(f["LogDestination"], f["TrafficType"], f["MaxAggregationInterval"]) for f in flows.values()} == {
        ("arn:aws:s3:::%s-logs-123456789012-eu-west-1/flow-logs/" % DEPLOYMENT, "ALL", 60)}
    storage_nat = [n["NatGatewayId"] for n in nats if n["VpcId"] == storage]
    for subnet in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [storage]}, {"Name": "tag:dicoogle:tier", "Values": ["private"]}])["Subnets"]:
        [table] = ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [subnet["SubnetId"]]}])["RouteTables"]
        routes = {r.get("DestinationCidrBlock"): r for r in table["Routes"]}
        assert [routes["0.0.0.0/0"]["NatGatewayId"]] == storage_nat
    endpoints = {e["ServiceName"].split(".", 3)[-1] for e in ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [pacs]}])["VpcEndpoints"]}
    assert endpoints == {"s3", "ecr.api", "ecr.dkr", "logs", "secretsmanager"}
    # nothing but the ALB admits the internet, and only on 443
    groups = ec2.describe_security_groups(Filters=tagged)["SecurityGroups"]
    open_to_all = [(g["GroupName"], p.get("FromPort")) for g in groups for p in g["IpPermissions"]
                   if any(r["CidrIp"] == "0.0.0.0/0" for r in p.get("IpRanges", []))]
    assert open_to_all == [(DEPLOYMENT + "-alb", 443)]
    storage_host = next(g for g in groups if g["GroupName"] == DEPLOYMENT + "-storage-host")
    assert [(p["FromPort"], p["ToPort"]) for p in storage_host["IpPermissions"]] == [(7777, 7777)]
    # storage.<domain> names the storage host's reserved interface, for the PACS VPC
    route53 = aws_client("route53")
    [zone] = [z for z in route53.list_hosted_zones()["HostedZones"] if z["Config"].get("Comment") == DEPLOYMENT + " private names"]
    records = {r["Name"]: r for r in route53.list_resource_record_sets(HostedZoneId=zone["Id"])["ResourceRecordSets"]}
    [eni] = ec2.describe_network_interfaces(Filters=tagged)["NetworkInterfaces"]
    assert records["storage.dicoogle.internal."]["ResourceRecords"] == [{"Value": eni["PrivateIpAddress"]}]
    assert records["pacs.dicoogle.internal."]["Type"] == "CNAME"
