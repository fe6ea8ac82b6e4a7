"""ec2_vpc_route_tables: a list of route tables, each with exactly its routes and subnets, converged in one call."""

from __future__ import annotations

from ansible_collections.dicoogle.aws.plugins.modules import ec2_vpc_route_tables

TAGS = {"dicoogle:deployment": "unit"}


def network(aws):
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.%d.0/24" % i)["Subnet"]["SubnetId"] for i in range(3)]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    peer = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    pcx = ec2.create_vpc_peering_connection(VpcId=vpc, PeerVpcId=peer)["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    return vpc, subnets, igw, pcx


def plan(vpc, subnets, igw, pcx):
    return [
        {"vpc_id": vpc, "name": "public", "subnets": subnets[:2], "routes": [{"dest": "0.0.0.0/0", "gateway_id": igw}], "tags": TAGS},
        {"vpc_id": vpc, "name": "private", "subnets": subnets[2:], "routes": [{"dest": "10.1.0.0/16", "vpc_peering_connection_id": pcx}],
         "tags": TAGS},
    ]


def tables_of(aws, vpc):
    found = aws("ec2").describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"]
    return {ec2_vpc_route_tables.name_of(t): t for t in found}


def subnets_in(table):
    return sorted(a["SubnetId"] for a in table["Associations"] if a.get("SubnetId"))


def test_creates_the_tables_with_their_routes_and_subnets_then_changes_nothing(aws, run_module):
    vpc, subnets, igw, pcx = network(aws)
    first = run_module(ec2_vpc_route_tables, {"route_tables": plan(vpc, subnets, igw, pcx)})
    assert first["changed"] is True, first
    made = tables_of(aws, vpc)
    assert [t["id"] for t in first["route_tables"]] == [made["public"]["RouteTableId"], made["private"]["RouteTableId"]]
    assert ec2_vpc_route_tables.managed_routes(made["public"]) == {"0.0.0.0/0": ("gateway_id", igw)}
    assert ec2_vpc_route_tables.managed_routes(made["private"]) == {"10.1.0.0/16": ("vpc_peering_connection_id", pcx)}
    assert subnets_in(made["public"]) == sorted(subnets[:2]) and subnets_in(made["private"]) == subnets[2:]
    assert {t["Key"]: t["Value"] for t in made["private"]["Tags"]} == dict(TAGS, Name="private")
    again = run_module(ec2_vpc_route_tables, {"route_tables": plan(vpc, subnets, igw, pcx)})
    assert again["changed"] is False and again["route_tables"] == first["route_tables"], again


def test_routes_and_subnets_are_brought_to_exactly_those_listed(aws, run_module):
    vpc, subnets, igw, pcx = network(aws)
    run_module(ec2_vpc_route_tables, {"route_tables": plan(vpc, subnets, igw, pcx)})
    public = tables_of(aws, vpc)["public"]["RouteTableId"]
    aws("ec2").create_route(RouteTableId=public, DestinationCidrBlock="192.168.0.0/16", GatewayId=igw)  # by hand
    # the second subnet moves from the public table to the private one, which loses its peering route
    moved = plan(vpc, subnets, igw, pcx)
    moved[0]["subnets"], moved[1]["subnets"], moved[1]["routes"] = subnets[:1], subnets[1:], []
    preview = run_module(ec2_vpc_route_tables, {"route_tables": moved}, check_mode=True)
    assert preview["changed"] is True and subnets_in(tables_of(aws, vpc)["public"]) == sorted(subnets[:2])
    result = run_module(ec2_vpc_route_tables, {"route_tables": moved})
    assert result["changed"] is True
    made = tables_of(aws, vpc)
    assert ec2_vpc_route_tables.managed_routes(made["public"]) == {"0.0.0.0/0": ("gateway_id", igw)}
    assert ec2_vpc_route_tables.managed_routes(made["private"]) == {}
    assert subnets_in(made["public"]) == subnets[:1] and subnets_in(made["private"]) == sorted(subnets[1:])
    assert run_module(ec2_vpc_route_tables, {"route_tables": moved})["changed"] is False


def test_routes_of_gateway_endpoints_and_the_local_route_are_kept(aws, run_module):
    vpc, subnets, igw, pcx = network(aws)
    run_module(ec2_vpc_route_tables, {"route_tables": plan(vpc, subnets, igw, pcx)})
    private = tables_of(aws, vpc)["private"]["RouteTableId"]
    aws("ec2").create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.eu-west-1.s3", RouteTableIds=[private])
    before = tables_of(aws, vpc)["private"]["Routes"]
    assert run_module(ec2_vpc_route_tables, {"route_tables": plan(vpc, subnets, igw, pcx)})["changed"] is False
    assert tables_of(aws, vpc)["private"]["Routes"] == before


def test_check_mode_creates_nothing(aws, run_module):
    vpc, subnets, igw, pcx = network(aws)
    result = run_module(ec2_vpc_route_tables, {"route_tables": plan(vpc, subnets, igw, pcx)}, check_mode=True)
    assert result["changed"] is True and [t["id"] for t in result["route_tables"]] == [None, None]
    assert set(tables_of(aws, vpc)) == {None}  # the VPC's main table only


def test_a_route_without_one_target_or_a_subnet_in_two_tables_is_refused_before_any_change(aws, run_module):
    vpc, subnets, igw, pcx = network(aws)
    tables = plan(vpc, subnets, igw, pcx)
    tables[0]["routes"][0]["nat_gateway_id"] = "nat-1"
    result = run_module(ec2_vpc_route_tables, {"route_tables": tables})
    assert result["failed"] is True and "exactly one of" in result["msg"]
    tables = plan(vpc, subnets, igw, pcx)
    tables[1]["subnets"] = subnets[1:]
    result = run_module(ec2_vpc_route_tables, {"route_tables": tables})
    assert result["failed"] is True and "both list the subnet %s" % subnets[1] in result["msg"]
    assert set(tables_of(aws, vpc)) == {None}
