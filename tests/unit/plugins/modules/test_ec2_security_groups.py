"""ec2_security_groups: a list of security groups, each with exactly its rules, converged in one call."""

from __future__ import annotations

from ansible_collections.dicoogle.aws.plugins.module_utils import aws as aws_utils
from ansible_collections.dicoogle.aws.plugins.modules import ec2_security_groups

TAGS = {"dicoogle:deployment": "unit"}


def vpc(aws):
    return aws("ec2").create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]


def plan(vpc_id, alb_desc="users"):
    return [
        {"name": "alb", "description": "ALB", "vpc_id": vpc_id, "tags": dict(TAGS, Name="alb"),
         "rules": [{"ports": ["443"], "cidr_ip": ["0.0.0.0/0"], "rule_desc": alb_desc}],
         "rules_egress": [{"ports": ["8443"], "cidr_ip": ["10.0.1.0/24", "10.0.2.0/24"], "rule_desc": "targets"}]},
        # names the ALB's group, made in the same call
        {"name": "targets", "description": "targets", "vpc_id": vpc_id, "tags": dict(TAGS, Name="targets"),
         "rules": [{"ports": ["8443", "9000-9001"], "group_name": "alb", "rule_desc": "from the ALB"}]},
    ]


def groups_of(aws, vpc_id):
    found = aws("ec2").describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["SecurityGroups"]
    return {g["GroupName"]: g for g in found}


def rules(permissions):
    return ec2_security_groups.current_rules(permissions)


def test_creates_the_groups_with_exactly_their_rules_then_changes_nothing(aws, run_module):
    vpc_id = vpc(aws)
    first = run_module(ec2_security_groups, {"groups": plan(vpc_id)})
    assert first["changed"] is True, first
    made = groups_of(aws, vpc_id)
    assert [g["group_id"] for g in first["groups"]] == [made["alb"]["GroupId"], made["targets"]["GroupId"]]
    alb, targets = made["alb"], made["targets"]
    assert rules(alb["IpPermissions"]) == {("tcp", 443, 443, "cidr", "0.0.0.0/0"): "users"}
    # the default outbound rule of a new group is gone: only what is listed
    assert rules(alb["IpPermissionsEgress"]) == {("tcp", 8443, 8443, "cidr", "10.0.1.0/24"): "targets",
                                                 ("tcp", 8443, 8443, "cidr", "10.0.2.0/24"): "targets"}
    assert rules(targets["IpPermissions"]) == {("tcp", 8443, 8443, "group", alb["GroupId"]): "from the ALB",
                                               ("tcp", 9000, 9001, "group", alb["GroupId"]): "from the ALB"}
    assert rules(targets["IpPermissionsEgress"]) == {}
    assert {t["Key"]: t["Value"] for t in targets["Tags"]} == dict(TAGS, Name="targets")
    again = run_module(ec2_security_groups, {"groups": plan(vpc_id)})
    assert again["changed"] is False and again["groups"] == first["groups"], again


def test_a_rule_added_by_hand_is_revoked_and_a_description_rewritten(aws, run_module):
    vpc_id = vpc(aws)
    run_module(ec2_security_groups, {"groups": plan(vpc_id)})
    alb = groups_of(aws, vpc_id)["alb"]["GroupId"]
    aws("ec2").authorize_security_group_ingress(GroupId=alb, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    preview = run_module(ec2_security_groups, {"groups": plan(vpc_id, alb_desc="everyone")}, check_mode=True)
    assert preview["changed"] is True
    assert len(rules(groups_of(aws, vpc_id)["alb"]["IpPermissions"])) == 2  # check mode changed nothing
    result = run_module(ec2_security_groups, {"groups": plan(vpc_id, alb_desc="everyone")})
    assert result["changed"] is True
    assert rules(groups_of(aws, vpc_id)["alb"]["IpPermissions"]) == {("tcp", 443, 443, "cidr", "0.0.0.0/0"): "everyone"}
    assert "tcp 22-22 cidr 0.0.0.0/0 " in result["diff"]["before"]["%s alb" % vpc_id]["rules"]


def test_check_mode_creates_nothing(aws, run_module):
    vpc_id = vpc(aws)
    result = run_module(ec2_security_groups, {"groups": plan(vpc_id)}, check_mode=True)
    assert result["changed"] is True and [g["group_id"] for g in result["groups"]] == [None, None]
    assert set(groups_of(aws, vpc_id)) == {"default"}


def test_a_rule_naming_a_group_the_vpc_will_not_have_is_refused_before_any_change(aws, run_module):
    vpc_id = vpc(aws)
    groups = plan(vpc_id)
    groups[1]["rules"][0]["group_name"] = "nowhere"
    result = run_module(ec2_security_groups, {"groups": groups})
    assert result["failed"] is True and "names the group nowhere" in result["msg"], result
    assert set(groups_of(aws, vpc_id)) == {"default"}


def test_all_traffic_rules_have_no_ports_and_other_rules_need_them(aws, run_module):
    vpc_id = vpc(aws)
    group = {"name": "open", "description": "open", "vpc_id": vpc_id, "rules_egress": [{"proto": "all", "cidr_ip": ["0.0.0.0/0"]}]}
    assert run_module(ec2_security_groups, {"groups": [group]})["changed"] is True
    assert rules(groups_of(aws, vpc_id)["open"]["IpPermissionsEgress"]) == {("-1", None, None, "cidr", "0.0.0.0/0"): ""}
    bad = dict(group, name="bad", rules=[{"cidr_ip": ["10.0.0.0/8"]}])
    result = run_module(ec2_security_groups, {"groups": [bad]})
    assert result["failed"] is True and "needs ports" in result["msg"]
    assert "bad" not in groups_of(aws, vpc_id)  # refused before any change


def test_a_rule_admits_a_group_by_id_even_of_another_vpc(aws, run_module):
    vpc_id = vpc(aws)
    other = aws("ec2").create_security_group(GroupName="peer", Description="peer", VpcId=vpc_id)["GroupId"]
    group = {"name": "endpoint", "description": "endpoint", "vpc_id": vpc_id,
             "rules": [{"ports": ["1045", "16666"], "group_id": other, "rule_desc": "Client host"}]}
    assert run_module(ec2_security_groups, {"groups": [group]})["changed"] is True
    assert rules(groups_of(aws, vpc_id)["endpoint"]["IpPermissions"]) == {
        ("tcp", 1045, 1045, "group", other): "Client host", ("tcp", 16666, 16666, "group", other): "Client host"}
    assert run_module(ec2_security_groups, {"groups": [group]})["changed"] is False


def test_new_groups_are_read_again_until_ec2_knows_them(aws, run_module, monkeypatch):
    """Just after CreateSecurityGroup, EC2 may answer InvalidGroup.NotFound (read as none found)."""
    reads = []
    real = ec2_security_groups.ec2.describe

    def describe(client, operation, key, context, **kwargs):
        if context == "read the new security groups":
            reads.append(kwargs["GroupIds"])
            if len(reads) == 1:
                return ()
        return real(client, operation, key, context, **kwargs)

    monkeypatch.setattr(ec2_security_groups.ec2, "describe", describe)
    monkeypatch.setattr(aws_utils.time, "sleep", lambda seconds: None)
    vpc_id = vpc(aws)
    result = run_module(ec2_security_groups, {"groups": plan(vpc_id)})
    assert len(reads) == 2 and all(g["group_id"] for g in result["groups"])
    assert rules(groups_of(aws, vpc_id)["alb"]["IpPermissionsEgress"]) == {
        ("tcp", 8443, 8443, "cidr", "10.0.1.0/24"): "targets", ("tcp", 8443, 8443, "cidr", "10.0.2.0/24"): "targets"}
