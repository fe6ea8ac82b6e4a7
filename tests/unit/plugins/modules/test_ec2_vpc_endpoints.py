"""ec2_vpc_endpoints: a list of gateway and interface endpoints converged in one call."""

from __future__ import annotations

from ansible_collections.dicoogle.aws.plugins.modules import ec2_vpc_endpoints

S3 = "com.amazonaws.eu-west-1.s3"
SECRETS = "com.amazonaws.eu-west-1.secretsmanager"


def network(aws):
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.%d.0/24" % i, AvailabilityZone=az)["Subnet"]["SubnetId"]
               for i, az in ((1, "eu-west-1a"), (2, "eu-west-1b"))]
    tables = [ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"] for _index in range(2)]
    group = ec2.create_security_group(GroupName="endpoints", Description="endpoints", VpcId=vpc)["GroupId"]
    return vpc, subnets, tables, group


def plan(vpc, subnets, tables, group):
    return [
        {"vpc_id": vpc, "service": S3, "route_table_ids": tables, "tags": {"Name": "s3"}},
        {"vpc_id": vpc, "service": SECRETS, "vpc_endpoint_type": "Interface", "vpc_endpoint_subnets": subnets,
         "vpc_endpoint_security_groups": [group], "tags": {"Name": "secrets"}},
    ]


def endpoints_of(aws, vpc):
    found = aws("ec2").describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["VpcEndpoints"]
    return {e["ServiceName"]: e for e in found}


def test_creates_the_endpoints_once_in_their_order(aws, run_module):
    vpc, subnets, tables, group = network(aws)
    first = run_module(ec2_vpc_endpoints, {"endpoints": plan(vpc, subnets, tables, group)})
    assert first["changed"] is True, first
    made = endpoints_of(aws, vpc)
    assert [e["vpc_endpoint_id"] for e in first["endpoints"]] == [made[S3]["VpcEndpointId"], made[SECRETS]["VpcEndpointId"]]
    assert sorted(made[S3]["RouteTableIds"]) == sorted(tables) and made[S3]["VpcEndpointType"] == "Gateway"
    assert sorted(made[SECRETS]["SubnetIds"]) == sorted(subnets) and made[SECRETS]["VpcEndpointType"] == "Interface"
    assert [g["GroupId"] for g in made[SECRETS]["Groups"]] == [group]
    assert {t["Key"]: t["Value"] for t in made[SECRETS]["Tags"]} == {"Name": "secrets"}
    again = run_module(ec2_vpc_endpoints, {"endpoints": plan(vpc, subnets, tables, group)})
    assert again["changed"] is False, again
    assert [e["vpc_endpoint_id"] for e in again["endpoints"]] == [e["vpc_endpoint_id"] for e in first["endpoints"]]
    assert len(endpoints_of(aws, vpc)) == 2


def test_route_tables_and_tags_are_brought_to_exactly_those_listed(aws, run_module):
    vpc, subnets, tables, group = network(aws)
    run_module(ec2_vpc_endpoints, {"endpoints": plan(vpc, subnets, tables, group)})
    fewer = plan(vpc, subnets, tables[:1], group)
    fewer[0]["tags"] = {"Name": "s3", "site": "pacs"}
    preview = run_module(ec2_vpc_endpoints, {"endpoints": fewer}, check_mode=True)
    assert preview["changed"] is True and len(endpoints_of(aws, vpc)[S3]["RouteTableIds"]) == 2
    result = run_module(ec2_vpc_endpoints, {"endpoints": fewer})
    assert result["changed"] is True
    s3 = endpoints_of(aws, vpc)[S3]
    assert s3["RouteTableIds"] == tables[:1]
    assert {t["Key"]: t["Value"] for t in s3["Tags"]} == {"Name": "s3", "site": "pacs"}
    assert result["diff"]["before"]["%s %s" % (vpc, S3)]["route_table_ids"] == sorted(tables)


def test_check_mode_creates_nothing(aws, run_module):
    vpc, subnets, tables, group = network(aws)
    result = run_module(ec2_vpc_endpoints, {"endpoints": plan(vpc, subnets, tables, group)}, check_mode=True)
    assert result["changed"] is True and [e["vpc_endpoint_id"] for e in result["endpoints"]] == [None, None]
    assert endpoints_of(aws, vpc) == {}


def test_members_its_type_does_not_take_are_refused_before_any_change(aws, run_module):
    vpc, subnets, tables, group = network(aws)
    endpoints = plan(vpc, subnets, tables, group)
    endpoints[1]["route_table_ids"] = tables
    result = run_module(ec2_vpc_endpoints, {"endpoints": endpoints})
    assert result["failed"] is True and "takes no route_table_ids" in result["msg"], result
    assert endpoints_of(aws, vpc) == {}
