"""service_quota_info and region_services_info against moto's in-process AWS."""

from __future__ import annotations

from unittest import mock

from botocore.exceptions import ClientError

from ansible_collections.dicoogle.aws.plugins.modules import region_services_info, service_quota_info


def test_quotas_are_read_in_the_order_asked(aws, run_module):
    result = run_module(service_quota_info, {"quotas": [
        {"service_code": "vpc", "quota_code": "L-FE5A380F"}, {"service_code": "vpc", "quota_code": "L-F678F1CE"}]})
    assert result["changed"] is False
    assert [(q["quota_code"], q["name"], q["value"], q["source"]) for q in result["quotas"]] == [
        ("L-FE5A380F", "NAT gateways per Availability Zone", 5.0, "applied"), ("L-F678F1CE", "VPCs per Region", 5.0, "applied")]


def test_a_quota_without_applied_value_falls_back_to_aws_default():
    client = mock.Mock()
    client.get_service_quota.side_effect = ClientError({"Error": {"Code": "NoSuchResourceException", "Message": "none"}}, "GetServiceQuota")
    client.get_aws_default_service_quota.return_value = {"Quota": {"QuotaName": "EC2-VPC Elastic IPs", "Value": 5.0}}
    assert service_quota_info.read_quota(client, "ec2", "L-0263D0A3") == {
        "service_code": "ec2", "quota_code": "L-0263D0A3", "name": "EC2-VPC Elastic IPs", "value": 5.0, "source": "default"}


def test_the_region_offers_what_aws_publishes_and_nothing_else(aws, run_module):
    wanted = ["fargate", "datasync", "cognito-idp", "efs", "ecs", "ecr", "elb", "kms", "logs", "s3", "no-such-service"]
    result = run_module(region_services_info, {"services": wanted})
    assert result["changed"] is False and result["region"] == "eu-west-1"
    assert result["offered"] == wanted[:-1]  # 11 names: two GetParameters batches
    assert result["missing"] == ["no-such-service"]
    assert "zones" not in result and "caller" not in result


def test_the_caller_on_request_is_who_sts_says(aws, run_module):
    result = run_module(region_services_info, {"services": ["fargate"], "caller": True})
    identity = aws("sts").get_caller_identity()
    assert result["caller"] == {"account": identity["Account"], "arn": identity["Arn"], "user_id": identity["UserId"]}
    assert "zones" not in result


def test_the_region_s_available_zones_on_request(aws, run_module):
    result = run_module(region_services_info, {"services": ["fargate"], "zones": True})
    expected = sorted(z["ZoneName"] for z in aws("ec2").describe_availability_zones()["AvailabilityZones"] if z["State"] == "available")
    assert result["zones"] == expected and len(expected) >= 2 and result["offered"] == ["fargate"]


def test_usage_reads_what_the_region_holds_in_the_same_run(aws, run_module):
    ec2 = aws("ec2")
    default_vpcs = {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]}
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16", TagSpecifications=[
        {"ResourceType": "vpc", "Tags": [{"Key": "dicoogle:deployment", "Value": "pacs"}]}])["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24", AvailabilityZone="eu-west-1b")["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=eip)["NatGateway"]["NatGatewayId"]
    result = run_module(service_quota_info, {"quotas": [{"service_code": "vpc", "quota_code": "L-F678F1CE"}],
                                             "usage": ["vpc", "internet_gateway", "elastic_ip", "nat_gateway"]})
    usage = result["usage"]
    assert {v["id"] for v in usage["vpc"]} == default_vpcs | {vpc}
    assert [v["tags"] for v in usage["vpc"] if v["id"] == vpc] == [{"dicoogle:deployment": "pacs"}]
    assert igw in {g["id"] for g in usage["internet_gateway"]}
    assert [a["id"] for a in usage["elastic_ip"]] == [eip]
    assert usage["nat_gateway"] == [{"id": nat, "availability_zone": "eu-west-1b", "tags": {}}]
    # without usage, nothing of EC2 is read
    assert run_module(service_quota_info, {"quotas": [{"service_code": "vpc", "quota_code": "L-F678F1CE"}]})["usage"] == {}
