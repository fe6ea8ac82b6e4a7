"""elb_target_groups: several ELBv2 target groups, with their health checks, deregistration delay and tags, in one call."""

from __future__ import annotations

import pytest

from ansible_collections.dicoogle.aws.plugins.modules import elb_target_groups

READS = ["DescribeTargetGroups", "DescribeTags"]
CHANGES = {"CreateTargetGroup", "ModifyTargetGroup", "ModifyTargetGroupAttributes", "AddTags", "RemoveTags"}


def make_vpc(aws):
    return aws("ec2").create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]


def store(vpc, **changes):
    """A group as the privatelink role makes it (TCP, ip targets, behind a network load balancer)."""
    group = {"name": "pacs-store", "protocol": "TCP", "port": 11112, "vpc_id": vpc,
             "health_check": {"protocol": "TCP", "interval": 10, "healthy_threshold": 2, "unhealthy_threshold": 2},
             "deregistration_delay": 30, "tags": {"Name": "pacs-store", "deployment": "unit"}}
    return dict(group, **changes)


def web(vpc, **changes):
    """A group as the front_door role makes it (HTTPS, ip targets, behind an application load balancer)."""
    group = {"name": "pacs-web", "protocol": "HTTPS", "port": 8443, "vpc_id": vpc,
             "health_check": {"protocol": "HTTPS", "path": "/health", "matcher": "200-399", "interval": 15,
                              "healthy_threshold": 2, "unhealthy_threshold": 3},
             "deregistration_delay": 30, "tags": {"Name": "pacs-web", "deployment": "unit"}}
    return dict(group, **changes)


def described(aws, name):
    found = [g for g in aws("elbv2").describe_target_groups()["TargetGroups"] if g["TargetGroupName"] == name]
    return found[0] if found else None


def delay_of(aws, arn):
    attributes = aws("elbv2").describe_target_group_attributes(TargetGroupArn=arn)["Attributes"]
    return int({a["Key"]: a["Value"] for a in attributes}["deregistration_delay.timeout_seconds"])


def tags_of(aws, arn):
    [description] = aws("elbv2").describe_tags(ResourceArns=[arn])["TagDescriptions"]
    return {t["Key"]: t["Value"] for t in description["Tags"]}


def operations(sent, since=0):
    return [name for name, _params in sent[since:]]


def test_creates_each_group_with_its_protocol_health_check_delay_and_tags(aws, run_module, sent):
    vpc = make_vpc(aws)
    result = run_module(elb_target_groups, {"target_groups": [store(vpc), web(vpc)]})
    assert result["changed"] is True, result
    tcp, https = described(aws, "pacs-store"), described(aws, "pacs-web")
    assert (tcp["Protocol"], tcp["Port"], tcp["VpcId"], tcp["TargetType"]) == ("TCP", 11112, vpc, "ip")
    assert (tcp["HealthCheckProtocol"], tcp["HealthCheckPort"], tcp["HealthCheckIntervalSeconds"]) == ("TCP", "traffic-port", 10)
    assert (tcp["HealthyThresholdCount"], tcp["UnhealthyThresholdCount"]) == (2, 2)
    assert (https["Protocol"], https["Port"], https["HealthCheckProtocol"], https["HealthCheckPath"]) == ("HTTPS", 8443, "HTTPS", "/health")
    assert https["Matcher"] == {"HttpCode": "200-399"}
    assert (https["HealthCheckIntervalSeconds"], https["HealthyThresholdCount"], https["UnhealthyThresholdCount"]) == (15, 2, 3)
    for group, name in ((tcp, "pacs-store"), (https, "pacs-web")):
        assert delay_of(aws, group["TargetGroupArn"]) == 30
        assert tags_of(aws, group["TargetGroupArn"]) == {"Name": name, "deployment": "unit"}
    assert [(r["name"], r["target_group_arn"], r["changed"]) for r in result["target_groups"]] == [
        ("pacs-store", tcp["TargetGroupArn"], True), ("pacs-web", https["TargetGroupArn"], True)]
    assert result["target_group_arns"] == {"pacs-store": tcp["TargetGroupArn"], "pacs-web": https["TargetGroupArn"]}
    [returned] = [r for r in result["target_groups"] if r["name"] == "pacs-web"]
    assert returned["health_check"]["matcher"] == "200-399" and returned["health_check"]["path"] == "/health"
    assert returned["deregistration_delay"] == 30 and returned["tags"] == {"Name": "pacs-web", "deployment": "unit"}
    # one read of the missing groups (and the listing it falls back to), then each group in its call, tags included
    assert operations(sent) == ["DescribeTargetGroups", "DescribeTargetGroups",
                                "CreateTargetGroup", "ModifyTargetGroupAttributes", "CreateTargetGroup", "ModifyTargetGroupAttributes"]


def test_a_second_run_changes_nothing_and_only_reads(aws, run_module, sent):
    vpc = make_vpc(aws)
    first = run_module(elb_target_groups, {"target_groups": [store(vpc), web(vpc)]})
    calls = len(sent)
    again = run_module(elb_target_groups, {"target_groups": [store(vpc), web(vpc)]})
    assert again["changed"] is False, again
    assert [r["changed"] for r in again["target_groups"]] == [False, False]
    assert again["target_group_arns"] == first["target_group_arns"]
    assert operations(sent, calls) == READS + ["DescribeTargetGroupAttributes", "DescribeTargetGroupAttributes"]
    arns = list(first["target_group_arns"].values())
    assert sent[calls][1]["Names"] == ["pacs-store", "pacs-web"] and sent[calls + 1][1]["ResourceArns"] == arns
    # without a deregistration delay the attributes are not read
    calls = len(sent)
    unread = run_module(elb_target_groups, {"target_groups": [store(vpc, deregistration_delay=None), web(vpc, deregistration_delay=None)]})
    assert unread["changed"] is False and operations(sent, calls) == READS
    assert [r["deregistration_delay"] for r in unread["target_groups"]] == [None, None]


def test_a_changed_health_check_and_delay_are_applied_to_that_group_only(aws, run_module, sent):
    vpc = make_vpc(aws)
    run_module(elb_target_groups, {"target_groups": [store(vpc), web(vpc)]})
    calls = len(sent)
    changed_check = dict(web(vpc)["health_check"], interval=30, matcher="200,302")
    result = run_module(elb_target_groups, {"target_groups": [store(vpc), web(vpc, health_check=changed_check, deregistration_delay=60)],
                                            "_ansible_diff": True})
    assert result["changed"] is True and [r["changed"] for r in result["target_groups"]] == [False, True]
    https = described(aws, "pacs-web")
    assert https["HealthCheckIntervalSeconds"] == 30 and https["Matcher"] == {"HttpCode": "200,302"}
    assert https["HealthCheckPath"] == "/health" and https["UnhealthyThresholdCount"] == 3
    assert delay_of(aws, https["TargetGroupArn"]) == 60
    changes = [(name, params) for name, params in sent[calls:] if name in CHANGES]
    assert changes == [("ModifyTargetGroup", {"TargetGroupArn": https["TargetGroupArn"], "HealthCheckIntervalSeconds": 30,
                                              "Matcher": {"HttpCode": "200,302"}}),
                       ("ModifyTargetGroupAttributes", {"TargetGroupArn": https["TargetGroupArn"], "Attributes": [
                           {"Key": "deregistration_delay.timeout_seconds", "Value": "60"}]})]
    assert result["diff"]["before"]["pacs-web"]["health_check"]["interval"] == 15
    assert result["diff"]["after"]["pacs-web"]["health_check"]["interval"] == 30
    assert (result["diff"]["before"]["pacs-web"]["deregistration_delay"], result["diff"]["after"]["pacs-web"]["deregistration_delay"]) == (30, 60)
    assert result["diff"]["before"]["pacs-store"] == result["diff"]["after"]["pacs-store"]
    # the same codes in another order are no change
    calls = len(sent)
    reordered = dict(changed_check, matcher="302,200")
    again = run_module(elb_target_groups, {"target_groups": [web(vpc, health_check=reordered, deregistration_delay=60)]})
    assert again["changed"] is False and not set(operations(sent, calls)) & CHANGES


def test_tags_are_added_kept_or_purged_and_aws_tags_never_removed(aws, run_module):
    """moto lets a client add an aws: tag (AWS refuses, keeping them for itself): the only way here to give a group one."""
    vpc = make_vpc(aws)
    first = run_module(elb_target_groups, {"target_groups": [store(vpc)]})
    arn = first["target_group_arns"]["pacs-store"]
    # moto accepts an aws: tag from a client, which AWS keeps for itself
    aws("elbv2").add_tags(ResourceArns=[arn], Tags=[{"Key": "stray", "Value": "1"}, {"Key": "aws:cloudformation:stack-name", "Value": "s"}])
    kept = run_module(elb_target_groups, {"target_groups": [store(vpc, tags={"Name": "pacs-store", "site": "a"})], "purge_tags": False})
    assert kept["changed"] is True
    assert tags_of(aws, arn) == {"Name": "pacs-store", "deployment": "unit", "site": "a", "stray": "1", "aws:cloudformation:stack-name": "s"}
    purged = run_module(elb_target_groups, {"target_groups": [store(vpc, tags={"Name": "pacs-store", "site": "b"})]})
    assert purged["changed"] is True and purged["target_groups"][0]["changed"] is True
    assert tags_of(aws, arn) == {"Name": "pacs-store", "site": "b", "aws:cloudformation:stack-name": "s"}
    assert purged["target_groups"][0]["tags"] == {"Name": "pacs-store", "site": "b", "aws:cloudformation:stack-name": "s"}


def test_check_mode_changes_nothing_and_returns_the_arns_of_existing_groups(aws, run_module, sent):
    vpc = make_vpc(aws)
    first = run_module(elb_target_groups, {"target_groups": [store(vpc)]})
    arn = first["target_group_arns"]["pacs-store"]
    calls = len(sent)
    wanted = [store(vpc, health_check=dict(store(vpc)["health_check"], interval=30), deregistration_delay=10, tags={"Name": "x"}), web(vpc)]
    preview = run_module(elb_target_groups, {"target_groups": wanted, "_ansible_diff": True}, check_mode=True)
    assert preview["changed"] is True, preview
    assert not set(operations(sent, calls)) & CHANGES, operations(sent, calls)
    assert preview["target_group_arns"] == {"pacs-store": arn}
    assert [(r["name"], r["target_group_arn"], r["changed"]) for r in preview["target_groups"]] == [
        ("pacs-store", arn, True), ("pacs-web", None, True)]
    assert preview["target_groups"][0]["health_check"]["interval"] == 30 and preview["target_groups"][0]["tags"] == {"Name": "x"}
    assert preview["diff"]["before"]["pacs-web"] == {} and preview["diff"]["after"]["pacs-web"]["health_check"]["path"] == "/health"
    assert described(aws, "pacs-web") is None
    assert described(aws, "pacs-store")["HealthCheckIntervalSeconds"] == 10 and delay_of(aws, arn) == 30
    assert tags_of(aws, arn) == {"Name": "pacs-store", "deployment": "unit"}


def test_an_immutable_property_that_differs_fails_naming_the_group_and_property_before_any_change(aws, run_module, sent):
    vpc = make_vpc(aws)
    run_module(elb_target_groups, {"target_groups": [store(vpc)]})
    calls = len(sent)
    # the new group listed first is not created either
    result = run_module(elb_target_groups, {"target_groups": [web(vpc), store(vpc, port=11113, target_type="instance")]})
    assert result["failed"] is True
    assert "pacs-store has port 11112, not 11113" in result["msg"] and "pacs-store has target_type ip, not instance" in result["msg"]
    assert "cannot change" in result["msg"] and "has protocol" not in result["msg"] and "has vpc_id" not in result["msg"]
    assert not set(operations(sent, calls)) & CHANGES and described(aws, "pacs-web") is None
    protocol = run_module(elb_target_groups, {"target_groups": [store(vpc, protocol="TLS")]})
    assert protocol["failed"] is True and "pacs-store has protocol TCP, not TLS" in protocol["msg"]


@pytest.mark.parametrize("name", ["a" * 33, "-pacs", "pacs-", "pacs_store", ""])
def test_a_bad_name_is_refused_before_any_call(aws, run_module, sent, name):
    vpc = make_vpc(aws)
    result = run_module(elb_target_groups, {"target_groups": [store(vpc), store(vpc, name=name)]})
    assert result["failed"] is True and repr(name) in result["msg"] and "32" in result["msg"], result
    assert sent == []


def test_a_name_of_32_characters_is_accepted(aws, run_module):
    vpc = make_vpc(aws)
    name = "a-" + "b" * 30
    result = run_module(elb_target_groups, {"target_groups": [store(vpc, name=name)]})
    assert result["changed"] is True and described(aws, name) is not None


def test_a_name_listed_twice_is_refused_before_any_call(aws, run_module, sent):
    vpc = make_vpc(aws)
    result = run_module(elb_target_groups, {"target_groups": [store(vpc), web(vpc), store(vpc, port=11113)]})
    assert result["failed"] is True and "lists the name pacs-store twice" in result["msg"]
    assert sent == []


def test_a_path_or_matcher_on_a_tcp_health_check_is_refused_before_any_call(aws, run_module, sent):
    vpc = make_vpc(aws)
    with_path = run_module(elb_target_groups, {"target_groups": [store(vpc, health_check={"path": "/health", "matcher": "200"})]})
    assert with_path["failed"] is True and "health_check.path and health_check.matcher" in with_path["msg"]
    assert "pacs-store has a TCP health check" in with_path["msg"]
    out_of_range = run_module(elb_target_groups, {"target_groups": [store(vpc, deregistration_delay=3601)]})
    assert out_of_range["failed"] is True and "deregistration_delay of the target group pacs-store" in out_of_range["msg"]
    assert sent == []
    # an HTTP health check of a TCP group takes them
    http_check = run_module(elb_target_groups, {"target_groups": [store(vpc, health_check={"protocol": "HTTP", "path": "/health", "matcher": "200"})]})
    assert http_check["changed"] is True, http_check
    assert described(aws, "pacs-store")["HealthCheckPath"] == "/health"


def test_groups_found_among_missing_ones_are_updated_not_recreated(aws, run_module, sent):
    """DescribeTargetGroups with Names fails whole when one name is missing: the module then lists every group. moto
    answers every group in one page (it ignores PageSize and Marker), so the listing's paging is not exercised."""
    vpc = make_vpc(aws)
    first = run_module(elb_target_groups, {"target_groups": [store(vpc)]})
    calls = len(sent)
    result = run_module(elb_target_groups, {"target_groups": [store(vpc), web(vpc)]})
    assert result["changed"] is True and [r["changed"] for r in result["target_groups"]] == [False, True]
    assert result["target_group_arns"]["pacs-store"] == first["target_group_arns"]["pacs-store"]
    assert len(aws("elbv2").describe_target_groups()["TargetGroups"]) == 2
    assert operations(sent, calls)[:3] == ["DescribeTargetGroups", "DescribeTargetGroups", "DescribeTags"]
    assert sent[calls][1]["Names"] == ["pacs-store", "pacs-web"] and "Names" not in sent[calls + 1][1]


def test_an_aws_error_names_what_failed(aws, run_module):
    result = run_module(elb_target_groups, {"target_groups": [store("vpc-0123456789abcdef0")]})
    assert result["failed"] is True and result["msg"].startswith("Failed to create the target group pacs-store: "), result


def test_tags_are_read_twenty_groups_a_call(aws, run_module, sent):
    """ELBv2's DescribeTags takes at most 20 ARNs; moto takes any number, so the calls are counted."""
    vpc = make_vpc(aws)
    groups = [store(vpc, name="pacs-%02d" % index, port=11000 + index, deregistration_delay=None) for index in range(21)]
    run_module(elb_target_groups, {"target_groups": groups})
    calls = len(sent)
    again = run_module(elb_target_groups, {"target_groups": groups})
    assert again["changed"] is False and len(again["target_group_arns"]) == 21
    assert operations(sent, calls) == ["DescribeTargetGroups", "DescribeTags", "DescribeTags"]
    assert [len(params["ResourceArns"]) for name, params in sent[calls:] if name == "DescribeTags"] == [20, 1]
