"""ec2_nat_gateways: NAT gateways, each with an Elastic IP of its own, both tagged, in one call."""

from __future__ import annotations

from ansible_collections.dicoogle.aws.plugins.modules import ec2_nat_gateways


def public_subnets(aws, count=2):
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    return [ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.%d.0/24" % index)["Subnet"]["SubnetId"] for index in range(count)]


def live_gateways(aws):
    return [g for g in aws("ec2").describe_nat_gateways()["NatGateways"] if g["State"] in ("pending", "available")]


def tags_of(aws, resource_id):
    found = aws("ec2").describe_tags(Filters=[{"Name": "resource-id", "Values": [resource_id]}])["Tags"]
    return {t["Key"]: t["Value"] for t in found}


def wanted(subnets):
    return [{"subnet_id": s, "tags": {"Name": "nat-%d" % i, "d": "x"}, "address_tags": {"Name": "eip-%d" % i}} for i, s in enumerate(subnets)]


def test_each_subnet_gets_one_gateway_with_its_own_tagged_address(aws, run_module):
    subnets = public_subnets(aws)
    preview = run_module(ec2_nat_gateways, {"nat_gateways": wanted(subnets)}, check_mode=True)
    assert preview["changed"] is True and live_gateways(aws) == [] and aws("ec2").describe_addresses()["Addresses"] == []
    first = run_module(ec2_nat_gateways, {"nat_gateways": wanted(subnets)})
    assert first["changed"] is True
    gateways = {g["SubnetId"]: g for g in live_gateways(aws)}
    assert sorted(gateways) == sorted(subnets)
    for index, (subnet, result) in enumerate(zip(subnets, first["nat_gateways"])):
        assert result["nat_gateway_id"] == gateways[subnet]["NatGatewayId"]
        assert result["allocation_id"] == gateways[subnet]["NatGatewayAddresses"][0]["AllocationId"]
        assert tags_of(aws, result["nat_gateway_id"]) == {"Name": "nat-%d" % index, "d": "x"}
        assert tags_of(aws, result["allocation_id"]) == {"Name": "eip-%d" % index}
    assert len({r["allocation_id"] for r in first["nat_gateways"]}) == 2
    again = run_module(ec2_nat_gateways, {"nat_gateways": wanted(subnets)})
    assert again["changed"] is False, again
    assert [r["nat_gateway_id"] for r in again["nat_gateways"]] == [r["nat_gateway_id"] for r in first["nat_gateways"]]
    assert len(live_gateways(aws)) == 2 and len(aws("ec2").describe_addresses()["Addresses"]) == 2


def test_an_existing_gateway_is_kept_and_retagged_with_its_address(aws, run_module):
    [subnet] = public_subnets(aws, 1)
    ec2 = aws("ec2")
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    existing = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=allocation)["NatGateway"]["NatGatewayId"]
    ec2.create_tags(Resources=[existing], Tags=[{"Key": "stray", "Value": "1"}])
    result = run_module(ec2_nat_gateways, {"nat_gateways": wanted([subnet]), "_ansible_diff": True})
    assert result["changed"] is True and result["nat_gateways"][0]["nat_gateway_id"] == existing
    assert tags_of(aws, existing) == {"Name": "nat-0", "d": "x"} and tags_of(aws, allocation) == {"Name": "eip-0"}
    assert result["diff"]["before"][subnet]["tags"] == {"stray": "1"}
    assert len(live_gateways(aws)) == 1


def test_a_subnet_listed_twice_is_refused(aws, run_module):
    [subnet] = public_subnets(aws, 1)
    result = run_module(ec2_nat_gateways, {"nat_gateways": wanted([subnet, subnet])})
    assert result["failed"] is True and "twice" in result["msg"] and subnet in result["msg"]
    assert live_gateways(aws) == []


def test_the_address_of_a_refused_gateway_is_released(aws, run_module):
    result = run_module(ec2_nat_gateways, {"nat_gateways": [{"subnet_id": "subnet-0123456789abcdef0"}]})
    assert result["failed"] is True and "create the NAT gateway of subnet-0123456789abcdef0" in result["msg"], result
    assert aws("ec2").describe_addresses()["Addresses"] == []
