from __future__ import annotations

import pytest
from botocore.stub import Stubber
from moto.cognitoidp.models import CognitoIdpBackend

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.dicoogle.aws.plugins.modules import cognito_user_pool

TAGS = {"dicoogle:deployment": "unit"}


def viewer(**extra):
    args = {"name": "viewer", "tags": TAGS}
    args.update(extra)
    return args


def idp(aws):
    return aws("cognito-idp")


def pools(aws):
    return idp(aws).list_user_pools(MaxResults=60)["UserPools"]


def described(aws, pool_id):
    return idp(aws).describe_user_pool(UserPoolId=pool_id)["UserPool"]


@pytest.fixture(autouse=True)
def update_keeps_the_settings_of_creation(monkeypatch):
    """moto's UpdateUserPool drops the settings only CreateUserPool takes (UsernameAttributes...), which
    AWS keeps: they are carried over here, as AWS does, so that the pool of a test keeps them."""
    update = CognitoIdpBackend.update_user_pool

    def keeping(self, user_pool_id, extended_config):
        kept = self.describe_user_pool(user_pool_id).extended_config
        creation_only = {k: kept[k] for k in ("UsernameAttributes", "AliasAttributes", "UsernameConfiguration") if k in kept}
        return update(self, user_pool_id, dict(extended_config, **creation_only))

    monkeypatch.setattr(CognitoIdpBackend, "update_user_pool", keeping)


@pytest.fixture
def tag_stub(monkeypatch, aws):
    """moto has no TagResource, UntagResource nor ListTagsForResource for Cognito: stub() sends those
    two writes of the module's client to botocore's Stubber, which it returns, and the rest to moto."""

    def stub():
        stubbed, real = idp(aws), idp(aws)
        stubber = Stubber(stubbed)
        stubber.activate()

        class Routed:
            def __getattr__(self, name):
                return getattr(stubbed if name in ("tag_resource", "untag_resource") else real, name)

            def get_paginator(self, name):
                return real.get_paginator(name)

        def client(_self, service, retry_decorator=None, **_kwargs):
            assert service == "cognito-idp"
            return RetryingBotoClientWrapper(Routed(), retry_decorator)

        monkeypatch.setattr(AnsibleAWSModule, "client", client)
        return stubber

    return stub


def test_creates_the_pool_with_its_settings(aws, run_module):
    result = run_module(cognito_user_pool, viewer())
    assert result["changed"] is True
    [listed] = pools(aws)
    pool = described(aws, listed["Id"])
    assert pool["Name"] == "viewer"
    assert pool["Policies"]["PasswordPolicy"] == {
        "MinimumLength": 14, "RequireUppercase": True, "RequireLowercase": True, "RequireNumbers": True,
        "RequireSymbols": True, "TemporaryPasswordValidityDays": 3}
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert pool["UsernameAttributes"] == ["email"] and pool["AutoVerifiedAttributes"] == ["email"]
    assert pool["DeletionProtection"] == "INACTIVE"
    assert pool["MfaConfiguration"] == "OPTIONAL"
    assert idp(aws).get_user_pool_mfa_config(UserPoolId=pool["Id"])["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    assert pool["UserPoolTags"] == TAGS
    returned = result["user_pool"]
    assert returned["id"] == pool["Id"] and returned["arn"] == pool["Arn"] and returned["name"] == "viewer"
    assert returned["mfa"] == "optional" and returned["tags"] == TAGS and returned["deletion_protection"] is False
    assert returned["password_policy"]["minimum_length"] == 14 and returned["admin_create_user_only"] is True
    assert returned["username_attributes"] == ["email"] and returned["auto_verified_attributes"] == ["email"]
    assert returned["domain"] is None
    assert result["diff"]["before"] == {} and result["diff"]["after"]["mfa"] == "optional"


def test_second_run_finds_it_by_name_and_changes_nothing(aws, run_module):
    first = run_module(cognito_user_pool, viewer())
    again = run_module(cognito_user_pool, viewer())
    assert again["changed"] is False
    assert [p["Id"] for p in pools(aws)] == [first["user_pool"]["id"]]
    assert again["user_pool"] == first["user_pool"]


def test_password_policy_is_updated_in_place_and_the_other_settings_are_kept(aws, run_module):
    first = run_module(cognito_user_pool, viewer(mfa="on", admin_create_user_only=False, auto_verified_attributes=[]))
    result = run_module(cognito_user_pool, viewer(mfa="on", admin_create_user_only=False, auto_verified_attributes=[],
                                                  password_policy={"minimum_length": 20, "require_symbols": False}))
    assert result["changed"] is True
    assert [p["Id"] for p in pools(aws)] == [first["user_pool"]["id"]]
    pool = described(aws, first["user_pool"]["id"])
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 20
    assert pool["Policies"]["PasswordPolicy"]["RequireSymbols"] is False
    assert pool["Policies"]["PasswordPolicy"]["TemporaryPasswordValidityDays"] == 3
    assert pool["MfaConfiguration"] == "ON"
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is False
    assert pool["AutoVerifiedAttributes"] == [] and pool["UsernameAttributes"] == ["email"]
    assert pool["UserPoolTags"] == TAGS and pool["DeletionProtection"] == "INACTIVE"
    assert result["diff"]["before"]["password_policy"]["minimum_length"] == 14
    assert result["diff"]["after"]["password_policy"]["minimum_length"] == 20
    assert run_module(cognito_user_pool, viewer(mfa="on", admin_create_user_only=False, auto_verified_attributes=[],
                                                password_policy={"minimum_length": 20, "require_symbols": False}))["changed"] is False


def test_an_update_sends_back_the_settings_it_does_not_manage(aws, run_module):
    trigger = "arn:aws:lambda:eu-west-1:123456789012:function:pre-sign-up"
    created = idp(aws).create_user_pool(PoolName="viewer", UsernameAttributes=["email"], LambdaConfig={"PreSignUp": trigger},
                                        UserPoolTags=TAGS)["UserPool"]
    result = run_module(cognito_user_pool, viewer(deletion_protection=True))
    assert result["changed"] is True and result["user_pool"]["id"] == created["Id"]
    pool = described(aws, created["Id"])
    assert pool["DeletionProtection"] == "ACTIVE" and pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 14
    assert pool["LambdaConfig"] == {"PreSignUp": trigger}
    mfa = idp(aws).get_user_pool_mfa_config(UserPoolId=created["Id"])
    assert mfa["MfaConfiguration"] == "OPTIONAL" and mfa["SoftwareTokenMfaConfiguration"] == {"Enabled": True}


def test_mfa_is_turned_off_and_on(aws, run_module):
    pool_id = run_module(cognito_user_pool, viewer())["user_pool"]["id"]
    off = run_module(cognito_user_pool, viewer(mfa="off"))
    assert off["changed"] is True and off["user_pool"]["mfa"] == "off"
    assert described(aws, pool_id)["MfaConfiguration"] == "OFF"
    assert idp(aws).get_user_pool_mfa_config(UserPoolId=pool_id)["MfaConfiguration"] == "OFF"
    assert run_module(cognito_user_pool, viewer(mfa="off"))["changed"] is False
    on = run_module(cognito_user_pool, viewer(mfa="on"))
    assert on["changed"] is True and described(aws, pool_id)["MfaConfiguration"] == "ON"
    mfa = idp(aws).get_user_pool_mfa_config(UserPoolId=pool_id)
    assert mfa["MfaConfiguration"] == "ON" and mfa["SoftwareTokenMfaConfiguration"] == {"Enabled": True}


def test_other_username_attributes_are_refused_and_the_pool_is_unchanged(aws, run_module):
    pool_id = run_module(cognito_user_pool, viewer())["user_pool"]["id"]
    result = run_module(cognito_user_pool, viewer(username_attributes=["phone_number"], password_policy={"minimum_length": 30}))
    assert result["failed"] is True
    assert "username_attributes" in result["msg"] and "state=absent" in result["msg"]
    pool = described(aws, pool_id)
    assert pool["UsernameAttributes"] == ["email"] and pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 14


def test_tags_are_created_with_the_pool_and_changed_with_the_tag_api(aws, run_module, tag_stub):
    pool_id = run_module(cognito_user_pool, viewer(tags={"a": "1", "b": "2"}))["user_pool"]["id"]
    arn = described(aws, pool_id)["Arn"]
    assert described(aws, pool_id)["UserPoolTags"] == {"a": "1", "b": "2"}

    stubber = tag_stub()
    stubber.add_response("untag_resource", {}, {"ResourceArn": arn, "TagKeys": ["b"]})
    stubber.add_response("tag_resource", {}, {"ResourceArn": arn, "Tags": {"a": "3", "c": "4"}})
    result = run_module(cognito_user_pool, viewer(tags={"a": "3", "c": "4"}))
    assert result["changed"] is True and result["user_pool"]["tags"] == {"a": "3", "c": "4"}
    assert result["diff"]["before"]["tags"] == {"a": "1", "b": "2"}
    stubber.assert_no_pending_responses()

    stubber.add_response("tag_resource", {}, {"ResourceArn": arn, "Tags": {"c": "4"}})
    kept = run_module(cognito_user_pool, viewer(tags={"c": "4"}, purge_tags=False))
    assert kept["changed"] is True and kept["user_pool"]["tags"] == {"a": "1", "b": "2", "c": "4"}
    stubber.assert_no_pending_responses()

    untouched = run_module(cognito_user_pool, viewer(tags=None))
    assert untouched["changed"] is False and untouched["user_pool"]["tags"] == {"a": "1", "b": "2"}


def test_an_update_keeps_the_tags_it_sends(aws, run_module):
    pool_id = run_module(cognito_user_pool, viewer())["user_pool"]["id"]
    run_module(cognito_user_pool, viewer(tags=None, temporary_password_validity_days=7))
    pool = described(aws, pool_id)
    assert pool["Policies"]["PasswordPolicy"]["TemporaryPasswordValidityDays"] == 7
    assert pool["UserPoolTags"] == TAGS


def test_check_mode_reports_a_change_and_makes_none(aws, run_module):
    created = run_module(cognito_user_pool, viewer(), check_mode=True)
    assert created["changed"] is True and pools(aws) == []
    assert created["user_pool"]["id"] is None and created["user_pool"]["password_policy"]["minimum_length"] == 14
    pool_id = run_module(cognito_user_pool, viewer())["user_pool"]["id"]
    updated = run_module(cognito_user_pool, viewer(password_policy={"minimum_length": 40}, mfa="off"), check_mode=True)
    assert updated["changed"] is True and updated["user_pool"]["password_policy"]["minimum_length"] == 40
    pool = described(aws, pool_id)
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 14 and pool["MfaConfiguration"] == "OPTIONAL"
    gone = run_module(cognito_user_pool, viewer(state="absent"), check_mode=True)
    assert gone["changed"] is True and [p["Id"] for p in pools(aws)] == [pool_id]


def test_absent_deletes_the_domain_then_the_pool(aws, run_module):
    pool_id = run_module(cognito_user_pool, viewer())["user_pool"]["id"]
    idp(aws).create_user_pool_domain(UserPoolId=pool_id, Domain="viewer-login")
    assert run_module(cognito_user_pool, viewer())["user_pool"]["domain"] == "viewer-login"
    gone = run_module(cognito_user_pool, viewer(state="absent"))
    assert gone["changed"] is True and gone["user_pool"] == {}
    assert pools(aws) == []
    assert idp(aws).describe_user_pool_domain(Domain="viewer-login")["DomainDescription"] == {}
    assert run_module(cognito_user_pool, viewer(state="absent"))["changed"] is False


def test_the_pool_gets_its_prefix_domain_in_the_same_call(aws, run_module):
    preview = run_module(cognito_user_pool, viewer(domain="viewer-login"), check_mode=True)
    assert preview["changed"] is True and preview["user_pool"]["domain"] == "viewer-login" and pools(aws) == []
    created = run_module(cognito_user_pool, viewer(domain="viewer-login"))
    pool_id = created["user_pool"]["id"]
    assert created["changed"] is True and created["user_pool"]["domain"] == "viewer-login"
    assert idp(aws).describe_user_pool_domain(Domain="viewer-login")["DomainDescription"]["UserPoolId"] == pool_id
    again = run_module(cognito_user_pool, viewer(domain="viewer-login"))
    assert again["changed"] is False and again["diff"]["before"]["domain"] == "viewer-login"
    # a pool has one prefix domain: another is refused, not swapped
    other = run_module(cognito_user_pool, viewer(domain="viewer-other"))
    assert other["failed"] is True and "already has the domain viewer-login" in other["msg"]
    # a prefix another pool holds is refused, naming that pool
    second = idp(aws).create_user_pool(PoolName="second")["UserPool"]["Id"]
    idp(aws).create_user_pool_domain(UserPoolId=second, Domain="second-login")
    run_module(cognito_user_pool, viewer(name="third"))
    taken = run_module(cognito_user_pool, viewer(name="third", domain="second-login"))
    assert taken["failed"] is True and "belongs to user pool %s" % second in taken["msg"]
    assert run_module(cognito_user_pool, viewer())["changed"] is False  # not given: left as it is


def test_deletion_protection_stops_absent_until_it_is_turned_off(aws, run_module):
    pool_id = run_module(cognito_user_pool, viewer(deletion_protection=True))["user_pool"]["id"]
    assert described(aws, pool_id)["DeletionProtection"] == "ACTIVE"
    refused = run_module(cognito_user_pool, viewer(state="absent"))
    assert refused["failed"] is True and "deletion_protection: false" in refused["msg"]
    assert [p["Id"] for p in pools(aws)] == [pool_id]
    unprotected = run_module(cognito_user_pool, viewer(deletion_protection=False))
    assert unprotected["changed"] is True and described(aws, pool_id)["DeletionProtection"] == "INACTIVE"
    assert run_module(cognito_user_pool, viewer(state="absent"))["changed"] is True and pools(aws) == []


def test_two_pools_with_the_name_are_named_in_the_failure(aws, run_module):
    ids = [idp(aws).create_user_pool(PoolName="viewer")["UserPool"]["Id"] for _copy in range(2)]
    result = run_module(cognito_user_pool, viewer())
    assert result["failed"] is True and all(pool_id in result["msg"] for pool_id in ids)
    assert len(pools(aws)) == 2


def test_bad_input_is_named_before_any_call(aws, run_module, monkeypatch):
    def no_client(*_args, **_kwargs):
        raise AssertionError("the module called AWS before validating its options")

    monkeypatch.setattr(AnsibleAWSModule, "client", no_client)
    for extra, named in (({"password_policy": {"minimum_length": 6}}, "password_policy.minimum_length"),
                         ({"password_policy": {"minimum_length": 100}}, "password_policy.minimum_length"),
                         ({"temporary_password_validity_days": 0}, "temporary_password_validity_days"),
                         ({"name": "viewer/pool"}, "name"),
                         ({"username_attributes": ["nickname"]}, "username_attributes"),
                         ({"mfa": "sms"}, "mfa"),
                         ({"domain": "amazon-login"}, "domain"),
                         ({"domain": "Viewer.Login"}, "domain")):
        result = run_module(cognito_user_pool, viewer(**extra))
        assert result["failed"] is True and named in result["msg"], result
