from __future__ import annotations

import pytest

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.dicoogle.aws.plugins.modules import elb_load_balancer_attributes

REGION = "eu-west-1"
LOGS = {
    "access_logs.s3.enabled": True,
    "access_logs.s3.bucket": "dicoogle-logs",
    "access_logs.s3.prefix": "nlb",
    "load_balancing.cross_zone.enabled": True,
}


def network_load_balancer(aws, name="dicoogle-nlb"):
    """An internal network load balancer in two subnets of two availability zones, and the log bucket."""
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.%d.0/24" % i, AvailabilityZone=REGION + zone)["Subnet"]["SubnetId"]
               for i, zone in enumerate(("a", "b"))]
    aws("s3").create_bucket(Bucket="dicoogle-logs", CreateBucketConfiguration={"LocationConstraint": REGION})
    created = aws("elbv2").create_load_balancer(Name=name, Subnets=subnets, Scheme="internal", Type="network")
    return created["LoadBalancers"][0]["LoadBalancerArn"]


def read(aws, arn):
    listed = aws("elbv2").describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]
    return {item["Key"]: item["Value"] for item in listed}


@pytest.fixture(name="elb_calls")
def fixture_elb_calls(monkeypatch):
    """Every call the module makes with its Elastic Load Balancing client, as (operation, parameters)."""
    calls = []
    original = AnsibleAWSModule.client

    def record(**event):
        calls.append((event["model"].name, dict(event["params"])))

    def client(module, service, *args, **kwargs):
        made = original(module, service, *args, **kwargs)
        if service == "elbv2":
            made.meta.events.register("provide-client-params", record)
        return made

    monkeypatch.setattr(AnsibleAWSModule, "client", client)
    return calls


def test_sets_access_logs_and_cross_zone(aws, run_module):
    arn = network_load_balancer(aws)
    result = run_module(elb_load_balancer_attributes, {"load_balancer_arn": arn, "attributes": LOGS})
    assert result["changed"] is True, result
    stored = read(aws, arn)
    assert stored["access_logs.s3.enabled"] == "true"
    assert stored["access_logs.s3.bucket"] == "dicoogle-logs"
    assert stored["access_logs.s3.prefix"] == "nlb"
    assert stored["load_balancing.cross_zone.enabled"] == "true"
    assert stored["deletion_protection.enabled"] == "false"
    assert result["load_balancer_arn"] == arn
    assert result["attributes"] == stored
    assert sorted(result["changed_attributes"]) == sorted(LOGS)
    assert result["diff"]["after"] == {"access_logs.s3.enabled": "true", "access_logs.s3.bucket": "dicoogle-logs",
                                       "access_logs.s3.prefix": "nlb", "load_balancing.cross_zone.enabled": "true"}
    assert result["diff"]["before"]["load_balancing.cross_zone.enabled"] == "false"


def test_second_run_changes_nothing(aws, run_module, elb_calls):
    arn = network_load_balancer(aws)
    run_module(elb_load_balancer_attributes, {"load_balancer_arn": arn, "attributes": LOGS})
    del elb_calls[:]
    again = run_module(elb_load_balancer_attributes, {"load_balancer_arn": arn, "attributes": LOGS})
    assert again["changed"] is False and again["changed_attributes"] == []
    assert again["diff"]["before"] == again["diff"]["after"]
    assert [call[0] for call in elb_calls] == ["DescribeLoadBalancerAttributes"]


def test_only_the_keys_that_differ_are_modified(aws, run_module, elb_calls):
    arn = network_load_balancer(aws)
    # deletion_protection.enabled is already "false" and access_logs.s3.prefix already "": only cross-zone differs
    wanted = {"deletion_protection.enabled": False, "load_balancing.cross_zone.enabled": "true", "access_logs.s3.prefix": ""}
    result = run_module(elb_load_balancer_attributes, {"load_balancer_arn": arn, "attributes": wanted})
    assert result["changed"] is True and result["changed_attributes"] == ["load_balancing.cross_zone.enabled"]
    modified = [params for operation, params in elb_calls if operation == "ModifyLoadBalancerAttributes"]
    assert modified == [{"LoadBalancerArn": arn, "Attributes": [{"Key": "load_balancing.cross_zone.enabled", "Value": "true"}]}]


def test_check_mode_reports_a_change_and_makes_none(aws, run_module, elb_calls):
    arn = network_load_balancer(aws)
    before = read(aws, arn)
    result = run_module(elb_load_balancer_attributes, {"load_balancer_arn": arn, "attributes": LOGS}, check_mode=True)
    assert result["changed"] is True
    assert read(aws, arn) == before
    assert "ModifyLoadBalancerAttributes" not in [call[0] for call in elb_calls]
    assert result["attributes"]["access_logs.s3.bucket"] == "dicoogle-logs"
    assert result["attributes"]["deletion_protection.enabled"] == "false"


def test_finds_the_load_balancer_by_name(aws, run_module):
    arn = network_load_balancer(aws)
    result = run_module(elb_load_balancer_attributes, {"name": "dicoogle-nlb", "attributes": {"access_logs.s3.enabled": True}})
    assert result["changed"] is True and result["load_balancer_arn"] == arn
    assert read(aws, arn)["access_logs.s3.enabled"] == "true"
    again = run_module(elb_load_balancer_attributes, {"name": "dicoogle-nlb", "attributes": {"access_logs.s3.enabled": "true"}})
    assert again["changed"] is False


def test_an_unknown_load_balancer_is_named(aws, run_module):
    arn = network_load_balancer(aws)
    result = run_module(elb_load_balancer_attributes, {"name": "no-such-nlb", "attributes": LOGS})
    assert result["failed"] is True and "no-such-nlb" in result["msg"] and "not found" in result["msg"], result
    other = arn.rsplit("/", 1)[0] + "/0123456789abcdef"
    result = run_module(elb_load_balancer_attributes, {"load_balancer_arn": other, "attributes": LOGS})
    assert result["failed"] is True and other in result["msg"] and "not found" in result["msg"], result
    assert "access_logs.s3.enabled" not in read(aws, arn)


def test_an_attribute_elb_refuses_fails_with_its_key(aws, run_module):
    arn = network_load_balancer(aws)
    result = run_module(elb_load_balancer_attributes, {"load_balancer_arn": arn, "attributes": {"no_such.attribute": 1}})
    assert result["failed"] is True and "no_such.attribute" in result["msg"] and arn in result["msg"], result


def test_bad_input_is_named_before_any_call(aws, run_module, elb_calls):
    arn = network_load_balancer(aws)
    for args, named in (
        ({"load_balancer_arn": arn, "attributes": {}}, "attributes"),
        ({"load_balancer_arn": arn, "attributes": {"access logs": True}}, "access logs"),
        ({"load_balancer_arn": arn, "attributes": {"access_logs.s3.bucket": None}}, "access_logs.s3.bucket"),
        ({"load_balancer_arn": arn, "attributes": {"access_logs.s3.bucket": ["a", "b"]}}, "access_logs.s3.bucket"),
        ({"load_balancer_arn": arn, "attributes": {"access_logs.s3.prefix": "x" * 1025}}, "access_logs.s3.prefix"),
        ({"load_balancer_arn": "dicoogle-nlb", "attributes": LOGS}, "load_balancer_arn"),
        ({"name": "-nlb", "attributes": LOGS}, "name"),
        ({"name": "dicoogle-nlb", "load_balancer_arn": arn, "attributes": LOGS}, "mutually exclusive"),
        ({"attributes": LOGS}, "load_balancer_arn"),
        ({"name": "dicoogle-nlb"}, "attributes"),
    ):
        result = run_module(elb_load_balancer_attributes, args)
        assert result["failed"] is True and named in result["msg"], (args, result)
    assert not elb_calls
    assert "access_logs.s3.enabled" not in read(aws, arn)


class Failed(Exception):
    pass


class StubModule:
    """Enough of AnsibleAWSModule for validate(): JSON module arguments always have string keys."""

    def __init__(self, attributes):
        self.params = {"load_balancer_arn": None, "name": "dicoogle-nlb", "attributes": attributes}

    def fail_json(self, msg):
        raise Failed(msg)


def test_a_key_that_is_not_a_string_is_refused():
    with pytest.raises(Failed, match="attributes key 1 is not a string"):
        elb_load_balancer_attributes.validate(StubModule({1: True}))
    wanted = elb_load_balancer_attributes.validate(StubModule({"idle_timeout.timeout_seconds": 60, "a.enabled": False}))
    assert wanted == {"idle_timeout.timeout_seconds": "60", "a.enabled": "false"}
