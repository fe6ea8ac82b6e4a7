"""iam_roles: several IAM roles, each with exactly its inline policies and optionally its instance profile, in one call."""

from __future__ import annotations

import json

from ansible_collections.dicoogle.aws.plugins.modules import iam_roles

TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
ECS_TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def policy(action):
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]}


def host(name, **extra):
    role = {"name": name, "assume_role_policy_document": json.dumps(TRUST), "description": "the %s host" % name,
            "inline_policies": {"host": json.dumps(policy("ssm:UpdateInstanceInformation"))}, "instance_profile": True,
            "tags": {"dicoogle:deployment": "t"}}
    role.update(extra)
    return role


def test_roles_policies_and_profiles_are_made_once(aws, run_module):
    wanted = [host("t-client"), host("t-storage", instance_profile=False, inline_policies={"a": policy("s3:ListBucket"), "b": policy("kms:Decrypt")})]
    preview = run_module(iam_roles, {"roles": wanted}, check_mode=True)
    assert preview["changed"] is True and preview["roles"][0]["arn"] is None
    assert aws("iam").list_roles()["Roles"] == []
    first = run_module(iam_roles, {"roles": wanted})
    assert first["changed"] is True
    iam = aws("iam")
    assert [r["role_name"] for r in first["roles"]] == ["t-client", "t-storage"]
    assert first["roles"][0]["arn"] == iam.get_role(RoleName="t-client")["Role"]["Arn"]
    assert sorted(iam.list_role_policies(RoleName="t-storage")["PolicyNames"]) == ["a", "b"]
    profile = iam.get_instance_profile(InstanceProfileName="t-client")["InstanceProfile"]
    assert [r["RoleName"] for r in profile["Roles"]] == ["t-client"] and first["roles"][0]["instance_profile_arn"] == profile["Arn"]
    assert {t["Key"]: t["Value"] for t in profile.get("Tags", [])} == {"dicoogle:deployment": "t"}
    assert "instance_profile_arn" not in first["roles"][1]
    again = run_module(iam_roles, {"roles": wanted})
    assert again["changed"] is False, again
    assert again["roles"] == first["roles"]


def test_drift_is_brought_back_exactly(aws, run_module):
    wanted = [host("t-client")]
    run_module(iam_roles, {"roles": wanted})
    iam = aws("iam")
    iam.put_role_policy(RoleName="t-client", PolicyName="extra", PolicyDocument=json.dumps(policy("*")))
    iam.put_role_policy(RoleName="t-client", PolicyName="host", PolicyDocument=json.dumps(policy("ec2:*")))
    iam.update_assume_role_policy(RoleName="t-client", PolicyDocument=json.dumps(ECS_TRUST))
    managed = iam.create_policy(PolicyName="managed", PolicyDocument=json.dumps(policy("s3:*")))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="t-client", PolicyArn=managed)
    iam.tag_role(RoleName="t-client", Tags=[{"Key": "stray", "Value": "1"}])
    iam.create_role(RoleName="t-other", AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.remove_role_from_instance_profile(InstanceProfileName="t-client", RoleName="t-client")
    iam.add_role_to_instance_profile(InstanceProfileName="t-client", RoleName="t-other")
    preview = run_module(iam_roles, {"roles": wanted, "_ansible_diff": True}, check_mode=True)
    assert preview["changed"] is True and "extra" in preview["diff"]["before"]["t-client"]["inline_policies"]
    assert iam.list_role_policies(RoleName="t-client")["PolicyNames"] != ["host"]
    fixed = run_module(iam_roles, {"roles": wanted})
    assert fixed["changed"] is True
    assert iam.list_role_policies(RoleName="t-client")["PolicyNames"] == ["host"]
    assert iam.get_role_policy(RoleName="t-client", PolicyName="host")["PolicyDocument"] == policy("ssm:UpdateInstanceInformation")
    assert iam.get_role(RoleName="t-client")["Role"]["AssumeRolePolicyDocument"] == TRUST
    assert iam.list_attached_role_policies(RoleName="t-client")["AttachedPolicies"] == []
    assert {t["Key"] for t in iam.list_role_tags(RoleName="t-client")["Tags"]} == {"dicoogle:deployment"}
    profile = iam.get_instance_profile(InstanceProfileName="t-client")["InstanceProfile"]
    assert [r["RoleName"] for r in profile["Roles"]] == ["t-client"]
    assert run_module(iam_roles, {"roles": wanted})["changed"] is False


def test_a_role_named_twice_is_refused(aws, run_module):
    result = run_module(iam_roles, {"roles": [host("t-client"), host("t-client")]})
    assert result["failed"] is True and "t-client" in result["msg"] and "twice" in result["msg"]
    assert aws("iam").list_roles()["Roles"] == []


def test_present_needs_a_trust_policy(aws, run_module):
    result = run_module(iam_roles, {"roles": [{"name": "t-client"}]})
    assert result["failed"] is True and "t-client" in result["msg"] and "assume_role_policy_document" in result["msg"]
    assert aws("iam").list_roles()["Roles"] == []


def test_absent_removes_roles_with_their_policies_and_profiles_once(aws, run_module):
    run_module(iam_roles, {"roles": [host("t-client"), host("t-storage", instance_profile=False)]})
    iam = aws("iam")
    managed = iam.create_policy(PolicyName="managed", PolicyDocument=json.dumps(policy("s3:*")))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="t-client", PolicyArn=managed)
    iam.put_role_policy(RoleName="t-client", PolicyName="extra", PolicyDocument=json.dumps(policy("*")))
    # a profile of another name that holds the role: the role leaves it, the profile stays
    iam.create_instance_profile(InstanceProfileName="t-foreign")
    iam.add_role_to_instance_profile(InstanceProfileName="t-foreign", RoleName="t-storage")
    absent = {"roles": [{"name": "t-client", "instance_profile": True}, {"name": "t-storage", "instance_profile": True}],
              "state": "absent", "_ansible_diff": True}

    preview = run_module(iam_roles, absent, check_mode=True)
    assert preview["changed"] is True and preview["removed"] == ["t-client", "t-storage"]
    assert preview["removed_instance_profiles"] == ["t-client"]
    assert preview["diff"]["before"]["t-client"]["inline_policies"] == ["extra", "host"] and preview["diff"]["after"]["t-client"] is None
    assert sorted(r["RoleName"] for r in iam.list_roles()["Roles"]) == ["t-client", "t-storage"]
    assert iam.get_instance_profile(InstanceProfileName="t-client")["InstanceProfile"]["Roles"]

    removed = run_module(iam_roles, absent)
    assert removed["changed"] is True and removed["removed"] == ["t-client", "t-storage"], removed
    assert removed["removed_instance_profiles"] == ["t-client"] and "roles" not in removed
    assert iam.list_roles()["Roles"] == []
    assert [p["InstanceProfileName"] for p in iam.list_instance_profiles()["InstanceProfiles"]] == ["t-foreign"]
    assert iam.get_instance_profile(InstanceProfileName="t-foreign")["InstanceProfile"]["Roles"] == []
    assert iam.get_policy(PolicyArn=managed)["Policy"]["AttachmentCount"] == 0  # detached, not deleted

    again = run_module(iam_roles, absent)
    assert again["changed"] is False and again["removed"] == [] and again["removed_instance_profiles"] == [], again
    assert run_module(iam_roles, absent, check_mode=True)["changed"] is False


def test_absent_deletes_the_instance_profile_left_by_a_partial_removal(aws, run_module):
    iam = aws("iam")
    iam.create_role(RoleName="t-other", AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.create_instance_profile(InstanceProfileName="t-client")
    iam.add_role_to_instance_profile(InstanceProfileName="t-client", RoleName="t-other")
    kept = run_module(iam_roles, {"roles": [{"name": "t-client"}], "state": "absent"})
    assert kept["changed"] is False and kept["removed_instance_profiles"] == []
    assert iam.get_instance_profile(InstanceProfileName="t-client")
    gone = run_module(iam_roles, {"roles": [{"name": "t-client", "instance_profile": True}], "state": "absent"})
    assert gone["changed"] is True and gone["removed"] == [] and gone["removed_instance_profiles"] == ["t-client"]
    assert iam.list_instance_profiles()["InstanceProfiles"] == []
    assert [r["RoleName"] for r in iam.list_roles()["Roles"]] == ["t-other"]
