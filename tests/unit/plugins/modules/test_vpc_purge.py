from __future__ import annotations

from ansible_collections.dicoogle.aws.plugins.modules import vpc_purge

TAGS = {"dicoogle:deployment": "unit"}
REGION = "eu-west-1"


def tag_spec(kind, tags):
    return [{"ResourceType": kind, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]


def build(aws):
    """A full tagged VPC peered with a second, untagged one; the IDs of everything in them."""
    ec2 = aws("ec2")
    ids = {}
    vpc = ids["vpc"] = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=tag_spec("vpc", TAGS))["Vpc"]["VpcId"]
    other = ids["other_vpc"] = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    ids["other_subnet"] = ec2.create_subnet(VpcId=other, CidrBlock="10.1.1.0/24")["Subnet"]["SubnetId"]
    ids["other_sg"] = ec2.create_security_group(VpcId=other, GroupName="other", Description="other")["GroupId"]
    ids["other_eigw"] = ec2.create_egress_only_internet_gateway(VpcId=other)["EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]

    public = ids["public"] = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone=REGION + "a")["Subnet"]["SubnetId"]
    private = ids["private"] = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24", AvailabilityZone=REGION + "b")["Subnet"]["SubnetId"]
    igw = ids["igw"] = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    ids["eigw"] = ec2.create_egress_only_internet_gateway(VpcId=vpc)["EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]
    eip = ids["eip"] = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ids["nat"] = ec2.create_nat_gateway(SubnetId=public, AllocationId=eip)["NatGateway"]["NatGatewayId"]

    rtb = ids["rtb"] = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="192.168.0.0/16", NatGatewayId=nat)
    for subnet in (public, private):
        ec2.associate_route_table(RouteTableId=rtb, SubnetId=subnet)

    sg_a = ids["sg_a"] = ec2.create_security_group(VpcId=vpc, GroupName="pacs", Description="pacs")["GroupId"]
    sg_b = ids["sg_b"] = ec2.create_security_group(VpcId=vpc, GroupName="storage", Description="storage")["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=sg_a, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 104, "ToPort": 104, "UserIdGroupPairs": [{"GroupId": sg_b, "Description": "dicom"}]}])
    ec2.authorize_security_group_ingress(GroupId=sg_b, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 2049, "ToPort": 2049, "UserIdGroupPairs": [{"GroupId": sg_a}],
         "IpRanges": [{"CidrIp": "10.0.0.0/16", "Description": "vpc"}]}])

    ids["s3_endpoint"] = ec2.create_vpc_endpoint(VpcId=vpc, VpcEndpointType="Gateway", ServiceName="com.amazonaws.%s.s3" % REGION,
                                                 RouteTableIds=[rtb])["VpcEndpoint"]["VpcEndpointId"]
    ids["secrets_endpoint"] = ec2.create_vpc_endpoint(
        VpcId=vpc, VpcEndpointType="Interface", ServiceName="com.amazonaws.%s.secretsmanager" % REGION,
        SubnetIds=[private], SecurityGroupIds=[sg_a])["VpcEndpoint"]["VpcEndpointId"]

    pcx = ids["pcx"] = ec2.create_vpc_peering_connection(VpcId=vpc, PeerVpcId=other)["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    ids["eni"] = ec2.create_network_interface(SubnetId=private, Groups=[sg_b], Description="leftover")["NetworkInterface"]["NetworkInterfaceId"]

    acl = ids["acl"] = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    association = [a for n in ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["NetworkAcls"]
                   for a in n["Associations"] if a["SubnetId"] == private][0]
    ec2.replace_network_acl_association(AssociationId=association["NetworkAclAssociationId"], NetworkAclId=acl)
    return ids


def vpc_ids(aws):
    return {v["VpcId"] for v in aws("ec2").describe_vpcs()["Vpcs"]}


def in_vpc(aws, operation, key, vpc):
    return getattr(aws("ec2"), operation)(Filters=[{"Name": "vpc-id", "Values": [vpc]}])[key]


def endpoint_states(aws, vpc):
    return {e["VpcEndpointId"]: e["State"].lower() for e in in_vpc(aws, "describe_vpc_endpoints", "VpcEndpoints", vpc)}


def allocations(aws):
    return {a["AllocationId"] for a in aws("ec2").describe_addresses()["Addresses"]}


def peering_status(aws, pcx):
    return aws("ec2").describe_vpc_peering_connections(VpcPeeringConnectionIds=[pcx])["VpcPeeringConnections"][0]["Status"]["Code"]


def nat_state(aws, nat):
    return aws("ec2").describe_nat_gateways(NatGatewayIds=[nat])["NatGateways"][0]["State"]


def eigws(aws):
    return {g["EgressOnlyInternetGatewayId"] for g in aws("ec2").describe_egress_only_internet_gateways()["EgressOnlyInternetGateways"]}


def assert_all_gone(aws, ids):
    ec2 = aws("ec2")
    vpc = ids["vpc"]
    assert vpc not in vpc_ids(aws)
    for operation, key in (("describe_subnets", "Subnets"), ("describe_route_tables", "RouteTables"),
                           ("describe_security_groups", "SecurityGroups"), ("describe_network_interfaces", "NetworkInterfaces")):
        assert in_vpc(aws, operation, key, vpc) == [], operation
    # moto keeps the default network ACL of a deleted VPC (AWS deletes it with the VPC)
    assert [a["NetworkAclId"] for a in in_vpc(aws, "describe_network_acls", "NetworkAcls", vpc) if not a["IsDefault"]] == []
    assert ec2.describe_internet_gateways(Filters=[{"Name": "internet-gateway-id", "Values": [ids["igw"]]}])["InternetGateways"] == []
    assert ids["eigw"] not in eigws(aws)
    assert set(endpoint_states(aws, vpc).values()) <= {"deleted"}
    assert nat_state(aws, ids["nat"]) == "deleted"
    assert peering_status(aws, ids["pcx"]) == "deleted"


def assert_other_vpc_survives(aws, ids):
    assert ids["other_vpc"] in vpc_ids(aws)
    assert [s["SubnetId"] for s in in_vpc(aws, "describe_subnets", "Subnets", ids["other_vpc"])] == [ids["other_subnet"]]
    assert ids["other_sg"] in {g["GroupId"] for g in in_vpc(aws, "describe_security_groups", "SecurityGroups", ids["other_vpc"])}
    assert ids["other_eigw"] in eigws(aws)


def test_purge_by_tags_deletes_everything_in_the_vpc_and_nothing_else(aws, run_module):
    ids = build(aws)
    result = run_module(vpc_purge, {"tags": TAGS, "poll_interval": 0})
    assert result["changed"] is True, result
    assert_all_gone(aws, ids)
    assert_other_vpc_survives(aws, ids)
    [purged] = result["vpcs"]
    deleted = purged["deleted"]
    assert purged["vpc_id"] == ids["vpc"]
    assert sorted(deleted["vpc_endpoints"]) == sorted([ids["s3_endpoint"], ids["secrets_endpoint"]])
    assert deleted["nat_gateways"] == [ids["nat"]]
    assert deleted["addresses"] == [ids["eip"]]
    assert deleted["peering_connections"] == [ids["pcx"]]
    assert ids["eni"] in deleted["network_interfaces"]
    assert sorted(deleted["internet_gateways"]) == sorted([ids["igw"], ids["eigw"]])
    assert sorted(deleted["subnets"]) == sorted([ids["public"], ids["private"]])
    assert deleted["route_tables"] == [ids["rtb"]]
    assert sorted(deleted["security_groups"]) == sorted([ids["sg_a"], ids["sg_b"]])
    assert deleted["network_acls"] == [ids["acl"]]
    assert result["addresses"] == []


def test_the_nat_gateways_address_is_released_unless_asked_to_keep_it(aws, run_module):
    ids = build(aws)
    run_module(vpc_purge, {"tags": TAGS, "poll_interval": 0})
    assert ids["eip"] not in allocations(aws)

    kept = build(aws)
    result = run_module(vpc_purge, {"vpc_ids": [kept["vpc"]], "release_addresses": False, "poll_interval": 0})
    assert result["vpcs"][0]["deleted"]["addresses"] == []
    assert kept["eip"] in allocations(aws)
    assert kept["vpc"] not in vpc_ids(aws)


def test_tagged_unassociated_addresses_are_released_with_address_tags(aws, run_module):
    ec2 = aws("ec2")
    ids = build(aws)
    leftover = ec2.allocate_address(Domain="vpc", TagSpecifications=tag_spec("elastic-ip", dict(TAGS, role="nat")))["AllocationId"]
    partly = ec2.allocate_address(Domain="vpc", TagSpecifications=tag_spec("elastic-ip", {"role": "nat"}))["AllocationId"]
    untagged = ec2.allocate_address(Domain="vpc")["AllocationId"]
    result = run_module(vpc_purge, {"tags": TAGS, "address_tags": TAGS, "poll_interval": 0})
    assert result["addresses"] == [leftover]
    assert allocations(aws) == {partly, untagged}
    assert ids["eip"] not in allocations(aws)


def test_addresses_are_released_even_when_no_vpc_matches(aws, run_module):
    leftover = aws("ec2").allocate_address(Domain="vpc", TagSpecifications=tag_spec("elastic-ip", TAGS))["AllocationId"]
    result = run_module(vpc_purge, {"tags": TAGS, "address_tags": TAGS, "poll_interval": 0})
    assert result["changed"] is True and result["vpcs"] == [] and result["addresses"] == [leftover]
    assert leftover not in allocations(aws)


def test_check_mode_finds_everything_and_deletes_nothing(aws, run_module):
    ec2 = aws("ec2")
    ids = build(aws)
    leftover = ec2.allocate_address(Domain="vpc", TagSpecifications=tag_spec("elastic-ip", TAGS))["AllocationId"]
    listings = (("describe_subnets", "Subnets"), ("describe_route_tables", "RouteTables"), ("describe_security_groups", "SecurityGroups"),
                ("describe_network_acls", "NetworkAcls"), ("describe_network_interfaces", "NetworkInterfaces"))
    before = [in_vpc(aws, operation, key, ids["vpc"]) for operation, key in listings]
    args = {"tags": TAGS, "address_tags": TAGS, "poll_interval": 0}

    checked = run_module(vpc_purge, args, check_mode=True)
    assert checked["changed"] is True
    assert ids["vpc"] in vpc_ids(aws)
    assert [in_vpc(aws, operation, key, ids["vpc"]) for operation, key in listings] == before
    assert ec2.describe_internet_gateways(InternetGatewayIds=[ids["igw"]])["InternetGateways"][0]["Attachments"][0]["VpcId"] == ids["vpc"]
    assert ids["eigw"] in eigws(aws)
    assert set(endpoint_states(aws, ids["vpc"]).values()) == {"available"}
    assert nat_state(aws, ids["nat"]) == "available"
    assert {ids["eip"], leftover} <= allocations(aws)
    assert peering_status(aws, ids["pcx"]) == "active"

    done = run_module(vpc_purge, args)
    assert_all_gone(aws, ids)
    assert checked["addresses"] == done["addresses"] == [leftover]
    would, did = checked["vpcs"][0]["deleted"], done["vpcs"][0]["deleted"]
    for kind in would:
        if kind == "network_interfaces":
            # moto leaves the NAT gateway's interface behind, available, which the real run deletes too
            assert ids["eni"] in would[kind] and set(would[kind]) <= set(did[kind])
        else:
            assert sorted(would[kind]) == sorted(did[kind]), kind


def test_second_run_changes_nothing(aws, run_module):
    ids = build(aws)
    args = {"tags": TAGS, "vpc_ids": [ids["vpc"]], "address_tags": TAGS, "poll_interval": 0}
    assert run_module(vpc_purge, args)["changed"] is True
    again = run_module(vpc_purge, args)
    assert again == dict(again, changed=False, vpcs=[], addresses=[])
    assert run_module(vpc_purge, args, check_mode=True)["changed"] is False


def test_a_half_deleted_vpc_still_converges(aws, run_module):
    ec2 = aws("ec2")
    ids = build(aws)
    vpc = ids["vpc"]
    # by hand: the endpoints, the NAT gateway (its address left allocated), the interface, the gateways and the subnets
    ec2.delete_vpc_endpoints(VpcEndpointIds=[ids["s3_endpoint"], ids["secrets_endpoint"]])
    ec2.delete_nat_gateway(NatGatewayId=ids["nat"])
    ec2.delete_network_interface(NetworkInterfaceId=ids["eni"])
    ec2.detach_internet_gateway(InternetGatewayId=ids["igw"], VpcId=vpc)
    ec2.delete_internet_gateway(InternetGatewayId=ids["igw"])
    ec2.delete_egress_only_internet_gateway(EgressOnlyInternetGatewayId=ids["eigw"])
    default_acl = [a["NetworkAclId"] for a in in_vpc(aws, "describe_network_acls", "NetworkAcls", vpc) if a["IsDefault"]][0]
    for acl in in_vpc(aws, "describe_network_acls", "NetworkAcls", vpc):
        for association in acl["Associations"]:
            # what deleting the subnet does in AWS; moto keeps the association of a deleted subnet
            if not acl["IsDefault"]:
                ec2.replace_network_acl_association(AssociationId=association["NetworkAclAssociationId"], NetworkAclId=default_acl)
    for subnet in (ids["public"], ids["private"]):
        ec2.delete_subnet(SubnetId=subnet)

    result = run_module(vpc_purge, {"vpc_ids": [vpc], "poll_interval": 0})
    assert result["changed"] is True, result
    assert_all_gone(aws, ids)
    assert_other_vpc_survives(aws, ids)
    deleted = result["vpcs"][0]["deleted"]
    assert deleted["vpc_endpoints"] == deleted["nat_gateways"] == deleted["internet_gateways"] == deleted["subnets"] == []
    assert deleted["addresses"] == [ids["eip"]] and ids["eip"] not in allocations(aws)
    assert deleted["route_tables"] == [ids["rtb"]] and deleted["network_acls"] == [ids["acl"]]
    assert sorted(deleted["security_groups"]) == sorted([ids["sg_a"], ids["sg_b"]])


def test_a_half_built_vpc_is_deleted(aws, run_module):
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=tag_spec("vpc", TAGS))["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    result = run_module(vpc_purge, {"tags": TAGS, "poll_interval": 0})
    assert result["vpcs"] == [{"vpc_id": vpc, "deleted": dict(
        {kind: [] for kind in vpc_purge.KINDS}, internet_gateways=[igw], subnets=[subnet])}]
    assert vpc not in vpc_ids(aws)


def test_purge_by_vpc_ids(aws, run_module):
    ids = build(aws)
    result = run_module(vpc_purge, {"vpc_ids": [ids["vpc"]], "poll_interval": 0})
    assert [v["vpc_id"] for v in result["vpcs"]] == [ids["vpc"]]
    assert_all_gone(aws, ids)
    assert_other_vpc_survives(aws, ids)


def test_nothing_matching_changes_nothing(aws, run_module):
    ids = build(aws)
    result = run_module(vpc_purge, {"tags": {"dicoogle:deployment": "other"}, "vpc_ids": ["vpc-0123456789abcdef0"]})
    assert result["changed"] is False and result["vpcs"] == []
    assert ids["vpc"] in vpc_ids(aws)


def test_an_interface_in_use_is_named_before_gateways_and_subnets_go(aws, run_module):
    ec2 = aws("ec2")
    ids = build(aws)
    image = ec2.describe_images()["Images"][0]["ImageId"]
    instance = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, SubnetId=ids["private"])["Instances"][0]["InstanceId"]
    worker = ec2.create_network_interface(SubnetId=ids["private"], Description="pacs worker")["NetworkInterface"]["NetworkInterfaceId"]
    ec2.attach_network_interface(NetworkInterfaceId=worker, InstanceId=instance, DeviceIndex=1)
    result = run_module(vpc_purge, {"tags": TAGS, "poll_interval": 0})
    assert result["failed"] is True
    assert worker in result["msg"] and "pacs worker" in result["msg"] and ids["vpc"] in result["msg"], result["msg"]
    assert worker in result["network_interfaces"]
    assert len(in_vpc(aws, "describe_subnets", "Subnets", ids["vpc"])) == 2
    assert ec2.describe_internet_gateways(InternetGatewayIds=[ids["igw"]])["InternetGateways"][0]["Attachments"]

    checked = run_module(vpc_purge, {"tags": TAGS, "poll_interval": 0}, check_mode=True)
    assert checked["changed"] is True and worker in str(checked["warnings"]), checked


def test_the_default_vpc_is_never_deleted(aws, run_module):
    default = [v["VpcId"] for v in aws("ec2").describe_vpcs()["Vpcs"] if v["IsDefault"]][0]
    result = run_module(vpc_purge, {"vpc_ids": [default]})
    assert result["failed"] is True and default in result["msg"] and "default VPC" in result["msg"]
    assert default in vpc_ids(aws)


def test_bad_input_is_named_before_any_change(aws, run_module):
    ids = build(aws)
    for args, named in (({}, "vpc_ids or tags"),
                        ({"vpc_ids": []}, "vpc_ids or tags"),
                        ({"tags": {}}, "tags must name at least one tag"),
                        ({"tags": TAGS, "address_tags": {}}, "address_tags must name at least one tag"),
                        ({"vpc_ids": ["subnet-0123456789abcdef0"]}, "vpc_ids must list VPC IDs"),
                        ({"tags": TAGS, "wait_timeout": 0}, "wait_timeout"),
                        ({"tags": TAGS, "poll_interval": -1}, "poll_interval")):
        result = run_module(vpc_purge, args)
        assert result["failed"] is True and named in result["msg"], (args, result)
    assert ids["vpc"] in vpc_ids(aws)
