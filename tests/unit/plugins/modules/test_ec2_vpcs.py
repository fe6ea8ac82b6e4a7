"""ec2_vpcs: a list of VPCs with their DNS settings, tags and internet gateways, converged in one call."""

from __future__ import annotations

from ansible_collections.dicoogle.aws.plugins.module_utils import aws as aws_utils
from ansible_collections.dicoogle.aws.plugins.modules import ec2_vpcs

TAGS = {"dicoogle:deployment": "unit"}


def plan():
    return [{"name": "pacs", "cidr_block": "10.10.0.0/16", "internet_gateway": True, "tags": dict(TAGS, site="pacs"),
             "internet_gateway_tags": TAGS},
            {"name": "storage", "cidr_block": "10.30.0.0/16", "dns_hostnames": False, "tags": dict(TAGS, site="storage")}]


def vpcs_of(aws):
    ec2 = aws("ec2")
    found = {}
    for vpc in ec2.describe_vpcs(Filters=[{"Name": "tag:dicoogle:deployment", "Values": ["unit"]}])["Vpcs"]:
        tags = {t["Key"]: t["Value"] for t in vpc["Tags"]}
        dns = [ec2.describe_vpc_attribute(VpcId=vpc["VpcId"], Attribute=a)[k]["Value"]
               for a, k in (("enableDnsSupport", "EnableDnsSupport"), ("enableDnsHostnames", "EnableDnsHostnames"))]
        gateways = ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc["VpcId"]]}])["InternetGateways"]
        found[tags["Name"]] = {"id": vpc["VpcId"], "cidr": vpc["CidrBlock"], "tags": tags, "dns": dns,
                               "gateways": [{"id": g["InternetGatewayId"], "tags": {t["Key"]: t["Value"] for t in g.get("Tags", [])}}
                                            for g in gateways]}
    return found


def test_creates_the_vpcs_with_dns_and_gateway_then_changes_nothing(aws, run_module):
    first = run_module(ec2_vpcs, {"vpcs": plan()})
    assert first["changed"] is True, first
    made = vpcs_of(aws)
    assert [v["id"] for v in first["vpcs"]] == [made["pacs"]["id"], made["storage"]["id"]]
    assert made["pacs"]["tags"] == dict(TAGS, site="pacs", Name="pacs") and made["pacs"]["dns"] == [True, True]
    assert made["storage"]["dns"] == [True, False] and made["storage"]["gateways"] == []
    assert made["pacs"]["gateways"] == [{"id": first["vpcs"][0]["internet_gateway_id"], "tags": dict(TAGS, Name="pacs")}]
    again = run_module(ec2_vpcs, {"vpcs": plan()})
    assert again["changed"] is False and again["vpcs"] == first["vpcs"], again
    assert len(vpcs_of(aws)) == 2


def test_dns_settings_and_tags_are_brought_back(aws, run_module):
    run_module(ec2_vpcs, {"vpcs": plan()})
    ec2, pacs = aws("ec2"), vpcs_of(aws)["pacs"]
    ec2.modify_vpc_attribute(VpcId=pacs["id"], EnableDnsHostnames={"Value": False})
    ec2.create_tags(Resources=[pacs["id"]], Tags=[{"Key": "extra", "Value": "x"}])
    preview = run_module(ec2_vpcs, {"vpcs": plan()}, check_mode=True)
    assert preview["changed"] is True and vpcs_of(aws)["pacs"]["dns"] == [True, False]
    assert run_module(ec2_vpcs, {"vpcs": plan()})["changed"] is True
    pacs = vpcs_of(aws)["pacs"]
    assert pacs["dns"] == [True, True] and "extra" not in pacs["tags"]


def test_check_mode_creates_nothing(aws, run_module):
    result = run_module(ec2_vpcs, {"vpcs": plan()}, check_mode=True)
    assert result["changed"] is True and [v["id"] for v in result["vpcs"]] == [None, None]
    assert vpcs_of(aws) == {}


def test_new_vpcs_are_waited_for_until_available(aws, run_module, monkeypatch):
    reads = []
    real = ec2_vpcs.ec2.describe

    def describe(client, operation, key, context, **kwargs):
        found = real(client, operation, key, context, **kwargs)
        if context == "read the new VPCs":
            reads.append(kwargs["VpcIds"])
            if len(reads) == 1:  # EC2 answers pending first
                return [dict(v, State="pending") for v in found]
        return found

    monkeypatch.setattr(ec2_vpcs.ec2, "describe", describe)
    pauses = []
    monkeypatch.setattr(aws_utils.time, "sleep", pauses.append)
    result = run_module(ec2_vpcs, {"vpcs": plan()})
    assert result["changed"] is True and len(reads) == 2 and len(pauses) == 1
    assert sorted(reads[0]) == sorted(v["id"] for v in result["vpcs"])


def test_each_vpc_gets_its_flow_log_in_the_same_call(aws, run_module, sent):
    """A new VPC's flow log is made once the VPC is available; a second run reads the flow logs once for every VPC; a
    flow log that records otherwise is replaced, its tags change in place; a VPC without flow_log keeps what it has."""
    aws("s3").create_bucket(Bucket="unit-logs", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    destination = "arn:aws:s3:::unit-logs"
    vpcs = plan()
    vpcs[0]["flow_log"] = {"destination": destination, "tags": {"Name": "pacs"}}
    vpcs[1]["flow_log"] = {"destination": destination, "max_aggregation_interval": 600}
    preview = run_module(ec2_vpcs, {"vpcs": vpcs}, check_mode=True)
    assert preview["changed"] is True and aws("ec2").describe_flow_logs()["FlowLogs"] == []
    first = run_module(ec2_vpcs, {"vpcs": vpcs})
    flows = {f["ResourceId"]: f for f in aws("ec2").describe_flow_logs()["FlowLogs"]}
    pacs, storage = first["vpcs"]
    assert set(flows) == {pacs["id"], storage["id"]}
    assert (flows[pacs["id"]]["FlowLogId"], flows[pacs["id"]]["LogDestination"], flows[pacs["id"]]["TrafficType"]) == (
        pacs["flow_log_id"], destination, "ALL")
    assert {t["Key"]: t["Value"] for t in flows[pacs["id"]]["Tags"]} == {"Name": "pacs"}
    assert flows[storage["id"]]["MaxAggregationInterval"] == 600 and storage["flow_log_id"] == flows[storage["id"]]["FlowLogId"]
    calls = len(sent)
    again = run_module(ec2_vpcs, {"vpcs": vpcs})
    assert again["changed"] is False and again["vpcs"] == first["vpcs"]
    assert [name for name, _params in sent[calls:]].count("DescribeFlowLogs") == 1
    vpcs[0]["flow_log"] = {"destination": destination, "tags": {"Name": "pacs", "site": "pacs"}}
    vpcs[1]["flow_log"] = {"destination": destination}
    changed = run_module(ec2_vpcs, {"vpcs": vpcs})
    now = {f["ResourceId"]: f for f in aws("ec2").describe_flow_logs()["FlowLogs"]}
    assert changed["changed"] is True and now[pacs["id"]]["FlowLogId"] == pacs["flow_log_id"]
    assert {t["Key"]: t["Value"] for t in now[pacs["id"]]["Tags"]} == {"Name": "pacs", "site": "pacs"}
    assert now[storage["id"]]["FlowLogId"] != storage["flow_log_id"] and now[storage["id"]]["MaxAggregationInterval"] == 60
    untouched = run_module(ec2_vpcs, {"vpcs": plan()})
    assert untouched["changed"] is False and len(aws("ec2").describe_flow_logs()["FlowLogs"]) == 2


def test_a_flow_log_destination_that_is_not_an_s3_arn_is_refused_before_any_call(aws, run_module):
    vpcs = plan()
    vpcs[1]["flow_log"] = {"destination": "unit-logs"}
    refused = run_module(ec2_vpcs, {"vpcs": vpcs})
    assert refused["failed"] is True and refused["msg"].startswith("vpcs[storage].flow_log.destination must be an S3 ARN")
    assert vpcs_of(aws) == {}
