from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.dicoogle.aws.plugins.modules import cognito_user_pool_domain


def idp(aws):
    return aws("cognito-idp")


def pool(aws, name="viewer"):
    return idp(aws).create_user_pool(PoolName=name)["UserPool"]["Id"]


def owner(aws, domain):
    return idp(aws).describe_user_pool_domain(Domain=domain)["DomainDescription"].get("UserPoolId")


def test_creates_the_domain_of_the_pool(aws, run_module):
    pool_id = pool(aws)
    result = run_module(cognito_user_pool_domain, {"user_pool_id": pool_id, "domain": "viewer-login"})
    assert result["changed"] is True
    assert owner(aws, "viewer-login") == pool_id
    assert idp(aws).describe_user_pool(UserPoolId=pool_id)["UserPool"]["Domain"] == "viewer-login"
    returned = result["domain"]
    assert returned["domain"] == "viewer-login" and returned["user_pool_id"] == pool_id
    assert returned["url"] == "https://viewer-login.auth.eu-west-1.amazoncognito.com"
    assert returned["status"] == "ACTIVE" and returned["cloudfront_distribution"]
    assert result["diff"] == {"before": {}, "after": {"domain": "viewer-login"}}


def test_second_run_changes_nothing(aws, run_module):
    pool_id = pool(aws)
    args = {"user_pool_id": pool_id, "domain": "viewer-login"}
    first = run_module(cognito_user_pool_domain, args)
    again = run_module(cognito_user_pool_domain, args)
    assert again["changed"] is False and again["domain"] == first["domain"]
    assert owner(aws, "viewer-login") == pool_id


def test_check_mode_reports_a_change_and_makes_none(aws, run_module):
    pool_id = pool(aws)
    args = {"user_pool_id": pool_id, "domain": "viewer-login"}
    created = run_module(cognito_user_pool_domain, args, check_mode=True)
    assert created["changed"] is True and owner(aws, "viewer-login") is None
    assert created["domain"]["url"] == "https://viewer-login.auth.eu-west-1.amazoncognito.com"
    run_module(cognito_user_pool_domain, args)
    gone = run_module(cognito_user_pool_domain, dict(args, state="absent"), check_mode=True)
    assert gone["changed"] is True and owner(aws, "viewer-login") == pool_id


def test_absent_deletes_it_and_then_changes_nothing(aws, run_module):
    pool_id = pool(aws)
    args = {"user_pool_id": pool_id, "domain": "viewer-login"}
    run_module(cognito_user_pool_domain, args)
    gone = run_module(cognito_user_pool_domain, dict(args, state="absent"))
    assert gone["changed"] is True and gone["domain"] == {}
    assert owner(aws, "viewer-login") is None
    assert "Domain" not in idp(aws).describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert run_module(cognito_user_pool_domain, dict(args, state="absent"))["changed"] is False


def test_a_domain_of_another_pool_is_neither_taken_nor_deleted(aws, run_module):
    ours, theirs = pool(aws), pool(aws, "other")
    idp(aws).create_user_pool_domain(UserPoolId=theirs, Domain="viewer-login")
    for state in ("present", "absent"):
        result = run_module(cognito_user_pool_domain, {"user_pool_id": ours, "domain": "viewer-login", "state": state})
        assert result["failed"] is True and theirs in result["msg"], result
        assert owner(aws, "viewer-login") == theirs


def test_a_pool_with_another_domain_is_refused(aws, run_module):
    pool_id = pool(aws)
    idp(aws).create_user_pool_domain(UserPoolId=pool_id, Domain="old-login")
    result = run_module(cognito_user_pool_domain, {"user_pool_id": pool_id, "domain": "viewer-login"})
    assert result["failed"] is True and "old-login" in result["msg"] and "state=absent" in result["msg"]
    assert owner(aws, "viewer-login") is None and owner(aws, "old-login") == pool_id


def test_an_unknown_pool_is_named(aws, run_module):
    result = run_module(cognito_user_pool_domain, {"user_pool_id": "eu-west-1_Missing1", "domain": "viewer-login"})
    assert result["failed"] is True and "eu-west-1_Missing1" in result["msg"] and "does not exist" in result["msg"]
    assert owner(aws, "viewer-login") is None


def test_bad_input_is_named_before_any_call(aws, run_module, monkeypatch):
    def no_client(*_args, **_kwargs):
        raise AssertionError("the module called AWS before validating its options")

    monkeypatch.setattr(AnsibleAWSModule, "client", no_client)
    for domain in ("Viewer", "-viewer", "viewer-", "viewer.example.org", "v" * 64, ""):
        result = run_module(cognito_user_pool_domain, {"user_pool_id": "eu-west-1_Abc123", "domain": domain})
        assert result["failed"] is True and "domain" in result["msg"] and "lowercase" in result["msg"], result
    for domain, word in (("my-aws-login", "aws"), ("amazonia", "amazon"), ("viewer-cognito", "cognito")):
        result = run_module(cognito_user_pool_domain, {"user_pool_id": "eu-west-1_Abc123", "domain": domain})
        assert result["failed"] is True and "domain" in result["msg"] and word in result["msg"] and "reserves" in result["msg"], result
    result = run_module(cognito_user_pool_domain, {"user_pool_id": "viewer", "domain": "viewer-login"})
    assert result["failed"] is True and "user_pool_id" in result["msg"]
