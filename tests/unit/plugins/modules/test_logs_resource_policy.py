from __future__ import annotations

import json

from ansible_collections.dicoogle.aws.plugins.modules import logs_resource_policy

ACCOUNT = "123456789012"  # moto's default account
REGION = "eu-west-1"
NAME = "unit-datasync"


def datasync_policy(deployment="unit", actions=("logs:PutLogEvents", "logs:CreateLogStream")):
    return {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "DataSyncLogsToCloudWatchLogs",
            "Effect": "Allow",
            "Principal": {"Service": "datasync.amazonaws.com"},
            "Action": list(actions),
            "Resource": "arn:aws:logs:%s:%s:log-group:/dicoogle/%s/datasync:*" % (REGION, ACCOUNT, deployment),
            "Condition": {
                "ArnLike": {"aws:SourceArn": "arn:aws:datasync:%s:%s:task/*" % (REGION, ACCOUNT)},
                "StringEquals": {"aws:SourceAccount": ACCOUNT},
            },
        }],
    }


def args(**extra):
    result = {"name": NAME, "policy": datasync_policy()}
    result.update(extra)
    return result


def stored(aws):
    """The resource policies as CloudWatch Logs describes them, by name, documents parsed."""
    policies = aws("logs").describe_resource_policies()["resourcePolicies"]
    return {p["policyName"]: json.loads(p["policyDocument"]) for p in policies}


def test_creates_the_policy_and_returns_it(aws, run_module):
    result = run_module(logs_resource_policy, args())
    assert result["changed"] is True
    assert stored(aws) == {NAME: datasync_policy()}
    policy = result["resource_policy"]
    assert policy["policy_name"] == NAME
    assert policy["policy_document"] == datasync_policy()
    assert isinstance(policy["last_updated_time"], int) and policy["last_updated_time"] > 0
    assert result["diff"] == {"before": {"policy_document": {}}, "after": {"policy_document": datasync_policy()}}


def test_second_run_changes_nothing_whatever_the_spelling(aws, run_module):
    run_module(logs_resource_policy, args())
    again = run_module(logs_resource_policy, args())
    assert again["changed"] is False
    assert again["resource_policy"]["policy_document"] == datasync_policy()
    # a JSON string, keys in another order, other whitespace: the same policy
    reordered = dict(reversed(list(datasync_policy().items())))
    as_string = run_module(logs_resource_policy, args(policy=json.dumps(reordered, indent=4, sort_keys=True)))
    assert as_string["changed"] is False
    # one action as a one-element list or as a string: the same policy
    single = datasync_policy(actions=("logs:PutLogEvents",))
    run_module(logs_resource_policy, args(policy=single))
    as_scalar = json.loads(json.dumps(single))
    as_scalar["Statement"][0]["Action"] = "logs:PutLogEvents"
    assert run_module(logs_resource_policy, args(policy=as_scalar))["changed"] is False
    assert list(stored(aws)) == [NAME]


def test_a_different_policy_replaces_it(aws, run_module):
    run_module(logs_resource_policy, args())
    result = run_module(logs_resource_policy, args(policy=datasync_policy(deployment="other")))
    assert result["changed"] is True
    assert stored(aws) == {NAME: datasync_policy(deployment="other")}
    assert result["resource_policy"]["policy_document"] == datasync_policy(deployment="other")
    assert result["diff"]["before"]["policy_document"] == datasync_policy()
    assert result["diff"]["after"]["policy_document"] == datasync_policy(deployment="other")


def test_check_mode_reports_a_change_and_makes_none(aws, run_module):
    created = run_module(logs_resource_policy, args(), check_mode=True)
    assert created["changed"] is True and stored(aws) == {}
    assert created["resource_policy"]["policy_document"] == datasync_policy()
    run_module(logs_resource_policy, args())
    replaced = run_module(logs_resource_policy, args(policy=datasync_policy(deployment="other")), check_mode=True)
    assert replaced["changed"] is True and stored(aws) == {NAME: datasync_policy()}
    same = run_module(logs_resource_policy, args(), check_mode=True)
    assert same["changed"] is False
    gone = run_module(logs_resource_policy, args(state="absent"), check_mode=True)
    assert gone["changed"] is True and stored(aws) == {NAME: datasync_policy()}


def test_absent_deletes_it_and_then_changes_nothing(aws, run_module):
    aws("logs").put_resource_policy(policyName="someone-else", policyDocument=json.dumps(datasync_policy("else")))
    run_module(logs_resource_policy, args())
    gone = run_module(logs_resource_policy, {"name": NAME, "state": "absent"})
    assert gone["changed"] is True and gone["resource_policy"] == {}
    assert list(stored(aws)) == ["someone-else"]
    again = run_module(logs_resource_policy, {"name": NAME, "state": "absent"})
    assert again["changed"] is False and again["resource_policy"] == {}


def test_an_eleventh_policy_fails_with_the_limit_named(aws, run_module):
    for n in range(10):
        aws("logs").put_resource_policy(policyName="other-%d" % n, policyDocument=json.dumps(datasync_policy("d%d" % n)))
    predicted = run_module(logs_resource_policy, args(), check_mode=True)
    assert predicted["changed"] is True and "would fail" in json.dumps(predicted["warnings"])
    result = run_module(logs_resource_policy, args())
    assert result["failed"] is True
    assert "LimitExceededException" in result["msg"] and "at most 10 resource policies per region" in result["msg"] and REGION in result["msg"]
    assert "other-0" in result["msg"]
    assert NAME not in stored(aws)
    # replacing one of the ten is no new policy: allowed
    replaced = run_module(logs_resource_policy, args(name="other-3"))
    assert replaced["changed"] is True and stored(aws)["other-3"] == datasync_policy()


def test_bad_input_is_named_before_any_call(aws, run_module):
    too_long = datasync_policy()
    too_long["Statement"] = too_long["Statement"] * 20
    for bad, named in (({"policy": None}, "policy"),
                       ({"policy": "{\"Version\": \"2012-10-17\", "}, "policy"),
                       ({"policy": "[]"}, "policy"),
                       ({"policy": {"Version": "2012-10-17"}}, "policy"),
                       ({"policy": too_long}, "policy"),
                       ({"name": ""}, "name"),
                       ({"name": "x" * 256}, "name")):
        result = run_module(logs_resource_policy, args(**bad))
        assert result["failed"] is True and named in result["msg"], result
    assert "5120" in run_module(logs_resource_policy, args(policy=too_long))["msg"]
    assert run_module(logs_resource_policy, {"name": NAME})["msg"] == "policy is required with state=present"
    assert stored(aws) == {}
    assert run_module(logs_resource_policy, {"name": "x" * 255, "state": "absent"})["changed"] is False
