from __future__ import annotations

from ansible_collections.dicoogle.aws.plugins.modules import vpc_flow_logs, vpc_purge

TAGS = {"dicoogle:deployment": "unit", "Name": "unit-pacs"}
# moto (in-process) takes a destination's prefix for part of the bucket's name: the lab's server
# fixes that (files/lab/moto_server.py), these tests give the bucket alone.
DESTINATION = "arn:aws:s3:::unit-logs"


def setup(aws):
    aws("s3").create_bucket(Bucket="unit-logs", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    return aws("ec2").create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=[
        {"ResourceType": "vpc", "Tags": [{"Key": "dicoogle:deployment", "Value": "unit"}]}])["Vpc"]["VpcId"]


def flows(aws, vpc):
    return aws("ec2").describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc]}])["FlowLogs"]


def test_creates_the_flow_log_once(aws, run_module):
    vpc = setup(aws)
    first = run_module(vpc_flow_logs, {"flow_logs": [{"vpc_id": vpc, "tags": TAGS}], "destination": DESTINATION})
    assert first.get("changed") is True, first
    [flow] = flows(aws, vpc)
    assert (flow["LogDestinationType"], flow["LogDestination"], flow["TrafficType"], flow["MaxAggregationInterval"]) == (
        "s3", DESTINATION, "ALL", 60)
    assert {t["Key"]: t["Value"] for t in flow["Tags"]} == TAGS and first["flow_logs"] == [{"vpc_id": vpc, "flow_log_id": flow["FlowLogId"]}]
    again = run_module(vpc_flow_logs, {"flow_logs": [{"vpc_id": vpc, "tags": TAGS}], "destination": DESTINATION})
    assert again["changed"] is False and len(flows(aws, vpc)) == 1


def test_check_mode_changes_nothing_and_a_change_replaces_the_flow_log(aws, run_module):
    vpc = setup(aws)
    assert run_module(vpc_flow_logs, {"flow_logs": [{"vpc_id": vpc}], "destination": DESTINATION}, check_mode=True)["changed"] is True
    assert flows(aws, vpc) == []
    run_module(vpc_flow_logs, {"flow_logs": [{"vpc_id": vpc}], "destination": DESTINATION})
    [old] = flows(aws, vpc)
    changed = run_module(vpc_flow_logs, {"flow_logs": [{"vpc_id": vpc}], "destination": DESTINATION, "traffic_type": "REJECT"})
    [new] = flows(aws, vpc)
    assert changed["changed"] is True and new["FlowLogId"] != old["FlowLogId"] and new["TrafficType"] == "REJECT"
    gone = run_module(vpc_flow_logs, {"flow_logs": [{"vpc_id": vpc}], "destination": DESTINATION, "state": "absent"})
    assert gone["changed"] is True and flows(aws, vpc) == []


def test_tags_change_in_place_and_numbers_compare_as_aws_returns_them(aws, run_module):
    vpc = setup(aws)
    run_module(vpc_flow_logs, {"flow_logs": [{"vpc_id": vpc, "tags": {"a": "1", "old": "x"}}], "destination": DESTINATION})
    [before] = flows(aws, vpc)
    assert run_module(vpc_flow_logs, {"flow_logs": [{"vpc_id": vpc, "tags": {"a": 1, "old": "x"}}], "destination": DESTINATION})["changed"] is False
    retagged = run_module(vpc_flow_logs, {"flow_logs": [{"vpc_id": vpc, "tags": {"a": 1, "new": "y"}}], "destination": DESTINATION})
    [after] = flows(aws, vpc)
    assert retagged["changed"] is True and after["FlowLogId"] == before["FlowLogId"]
    assert {t["Key"]: t["Value"] for t in after["Tags"]} == {"a": "1", "new": "y"}


def test_a_destination_that_is_not_an_s3_arn_is_refused(aws, run_module):
    vpc = setup(aws)
    result = run_module(vpc_flow_logs, {"flow_logs": [{"vpc_id": vpc}], "destination": "unit-logs"})
    assert result["failed"] is True
    assert "S3 ARN" in result["msg"] and flows(aws, vpc) == []


def test_vpc_purge_deletes_the_vpcs_flow_logs_first(aws, run_module):
    vpc = setup(aws)
    run_module(vpc_flow_logs, {"flow_logs": [{"vpc_id": vpc}], "destination": DESTINATION})
    [flow] = flows(aws, vpc)
    result = run_module(vpc_purge, {"tags": {"dicoogle:deployment": "unit"}})
    assert result["vpcs"][0]["deleted"]["flow_logs"] == [flow["FlowLogId"]]
    assert aws("ec2").describe_flow_logs()["FlowLogs"] == []


def test_the_resource_report_counts_the_deployments_flow_logs(aws, run_module):
    from ansible_collections.dicoogle.aws.plugins.modules import deployment_resources_info

    vpc = setup(aws)
    run_module(vpc_flow_logs, {"flow_logs": [{"vpc_id": vpc, "tags": {"dicoogle:deployment": "unit"}}], "destination": DESTINATION})
    other = aws("ec2").create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    run_module(vpc_flow_logs, {"flow_logs": [{"vpc_id": other, "tags": {"dicoogle:deployment": "other"}}], "destination": DESTINATION})
    report = run_module(deployment_resources_info, {"deployment": "unit", "resource_types": ["flow_logs"]})
    assert report["resources"]["flow_logs"] == [f["FlowLogId"] for f in flows(aws, vpc)]


def test_several_vpcs_in_one_call_each_with_its_tags(aws, run_module):
    vpc = setup(aws)
    other = aws("ec2").create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    wanted = {"flow_logs": [{"vpc_id": vpc, "tags": {"Name": "a"}}, {"vpc_id": other, "tags": {"Name": "b"}}], "destination": DESTINATION}
    first = run_module(vpc_flow_logs, wanted)
    assert first["changed"] is True
    assert [{t["Key"]: t["Value"] for t in flows(aws, v)[0]["Tags"]} for v in (vpc, other)] == [{"Name": "a"}, {"Name": "b"}]
    assert [f["flow_log_id"] for f in first["flow_logs"]] == [flows(aws, v)[0]["FlowLogId"] for v in (vpc, other)]
    assert run_module(vpc_flow_logs, wanted)["changed"] is False
    twice = run_module(vpc_flow_logs, dict(wanted, flow_logs=[{"vpc_id": vpc}, {"vpc_id": vpc}]))
    assert twice["failed"] is True and "twice" in twice["msg"]
