from __future__ import annotations

import json

from ansible_collections.dicoogle.aws.plugins.modules import cognito_user

PASSWORD = "Tmp-Passw0rd-4-unit!"


def pool(aws):
    return aws("cognito-idp").create_user_pool(PoolName="unit")["UserPool"]["Id"]


def admin(pool_id, **extra):
    args = {"user_pool_id": pool_id, "username": "radiology-admin", "temporary_password": PASSWORD, "suppress_message": True,
            "attributes": {"email": "admin@hospital.example.org", "email_verified": True, "name": "Admin"}}
    args.update(extra)
    return args


def get(aws, pool_id, username="radiology-admin"):
    user = aws("cognito-idp").admin_get_user(UserPoolId=pool_id, Username=username)
    return user, {a["Name"]: a["Value"] for a in user["UserAttributes"]}


def users(aws, pool_id):
    return [u["Username"] for u in aws("cognito-idp").list_users(UserPoolId=pool_id)["Users"]]


def test_creates_the_user_with_a_temporary_password_that_never_appears_in_the_output(aws, run_module, sent):
    pool_id = pool(aws)
    result = run_module(cognito_user, admin(pool_id))
    assert result["changed"] is True
    user, attributes = get(aws, pool_id)
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD" and user["Enabled"] is True
    assert attributes["email"] == "admin@hospital.example.org" and attributes["email_verified"] == "true" and attributes["name"] == "Admin"
    [create] = [params for name, params in sent if name == "AdminCreateUser"]
    assert create["TemporaryPassword"] == PASSWORD and create["MessageAction"] == "SUPPRESS"
    assert PASSWORD not in json.dumps(result)
    assert result["invocation"]["module_args"]["temporary_password"] != PASSWORD
    out = result["user"]
    assert out["username"] == "radiology-admin" and out["user_pool_id"] == pool_id
    assert out["status"] == "FORCE_CHANGE_PASSWORD" and out["enabled"] is True
    assert out["attributes"]["email"] == "admin@hospital.example.org" and "sub" in out["attributes"]
    assert not any("password" in key.lower() for key in out)


def test_without_a_password_cognito_generates_and_sends_one(aws, run_module, sent):
    pool_id = pool(aws)
    args = admin(pool_id, suppress_message=False, desired_delivery_mediums=["EMAIL", "SMS"])
    del args["temporary_password"]
    result = run_module(cognito_user, args)
    assert result["changed"] is True and result["user"]["status"] == "FORCE_CHANGE_PASSWORD"
    [create] = [params for name, params in sent if name == "AdminCreateUser"]
    assert "TemporaryPassword" not in create and "MessageAction" not in create
    assert create["DesiredDeliveryMediums"] == ["EMAIL", "SMS"]


def test_second_run_changes_nothing_and_never_touches_the_password(aws, run_module, sent):
    pool_id = pool(aws)
    run_module(cognito_user, admin(pool_id))
    del sent[:]
    other = "Another-Passw0rd!"
    again = run_module(cognito_user, admin(pool_id, temporary_password=other))
    assert again["changed"] is False
    assert [name for name, _params in sent] == ["AdminGetUser"]
    assert other not in json.dumps(again)
    assert users(aws, pool_id) == ["radiology-admin"]


def test_only_the_given_attributes_are_updated(aws, run_module, sent):
    pool_id = pool(aws)
    run_module(cognito_user, admin(pool_id))
    del sent[:]
    result = run_module(cognito_user, admin(pool_id, attributes={"email": "pacs@hospital.example.org", "email_verified": "true"}))
    assert result["changed"] is True
    _user, attributes = get(aws, pool_id)
    assert attributes["email"] == "pacs@hospital.example.org" and attributes["name"] == "Admin"
    [update] = [params for name, params in sent if name == "AdminUpdateUserAttributes"]
    assert update["UserAttributes"] == [{"Name": "email", "Value": "pacs@hospital.example.org"}]
    assert not [name for name, _params in sent if "Password" in name]
    assert result["user"]["attributes"]["email"] == "pacs@hospital.example.org"
    assert result["diff"]["before"]["attributes"] == {"email": "admin@hospital.example.org", "email_verified": "true"}
    assert result["diff"]["after"]["attributes"] == {"email": "pacs@hospital.example.org", "email_verified": "true"}


def test_enabled_disables_and_enables_the_user(aws, run_module):
    pool_id = pool(aws)
    created = run_module(cognito_user, admin(pool_id, enabled=False))
    assert created["changed"] is True and created["user"]["enabled"] is False
    assert get(aws, pool_id)[0]["Enabled"] is False
    assert run_module(cognito_user, admin(pool_id, enabled=False))["changed"] is False
    enabled = run_module(cognito_user, admin(pool_id))
    assert enabled["changed"] is True and enabled["user"]["enabled"] is True and get(aws, pool_id)[0]["Enabled"] is True
    assert enabled["diff"]["before"]["enabled"] is False and enabled["diff"]["after"]["enabled"] is True


def test_bad_input_is_named_before_any_call(aws, run_module, sent):
    pool_id = pool(aws)
    for extra, named in (
        ({"user_pool_id": "eu-west-1"}, "user_pool_id"),
        ({"user_pool_id": "eu west 1_abc"}, "user_pool_id"),
        ({"temporary_password": "Sh0rt!"}, "temporary_password"),
        ({"temporary_password": "has a space 1!"}, "temporary_password"),
        ({"username": "two words"}, "username"),
        ({"attributes": {"sub": "0123"}}, "sub"),
        ({"attributes": {"email": None}}, "attributes"),
    ):
        result = run_module(cognito_user, admin(pool_id, **extra))
        assert result["failed"] is True and named in result["msg"], (extra, result)
        password = extra.get("temporary_password", PASSWORD)
        assert password not in json.dumps(result)
    assert sent == [] and users(aws, pool_id) == []


def test_a_missing_pool_fails_with_context(aws, run_module):
    result = run_module(cognito_user, admin("eu-west-1_missing0"))
    assert result["failed"] is True and "eu-west-1_missing0" in result["msg"] and "radiology-admin" in result["msg"]
    assert PASSWORD not in json.dumps(result)


def test_suppress_message_without_a_password_warns(aws, run_module):
    pool_id = pool(aws)
    args = admin(pool_id)
    del args["temporary_password"]
    result = run_module(cognito_user, args)
    assert result["changed"] is True and "suppress_message" in json.dumps(result["warnings"])


def test_check_mode_reports_a_change_and_makes_none(aws, run_module, sent):
    pool_id = pool(aws)
    result = run_module(cognito_user, admin(pool_id), check_mode=True)
    assert result["changed"] is True and users(aws, pool_id) == []
    run_module(cognito_user, admin(pool_id))
    del sent[:]
    update = run_module(cognito_user, admin(pool_id, attributes={"name": "Chief"}, enabled=False), check_mode=True)
    assert update["changed"] is True and update["user"]["attributes"]["name"] == "Chief" and update["user"]["enabled"] is False
    user, attributes = get(aws, pool_id)
    assert attributes["name"] == "Admin" and user["Enabled"] is True
    gone = run_module(cognito_user, admin(pool_id, state="absent"), check_mode=True)
    assert gone["changed"] is True and users(aws, pool_id) == ["radiology-admin"]
    assert [name for name, _params in sent] == ["AdminGetUser"] * 2


def test_absent_deletes_it_and_then_changes_nothing(aws, run_module):
    pool_id = pool(aws)
    run_module(cognito_user, admin(pool_id))
    run_module(cognito_user, admin(pool_id, username="other"))
    gone = run_module(cognito_user, {"user_pool_id": pool_id, "username": "radiology-admin", "state": "absent"})
    assert gone["changed"] is True and gone["user"] == {} and gone["diff"]["after"] == {}
    assert users(aws, pool_id) == ["other"]
    again = run_module(cognito_user, {"user_pool_id": pool_id, "username": "radiology-admin", "state": "absent"})
    assert again["changed"] is False


def test_a_permanent_password_confirms_the_user_without_an_invitation(aws, run_module, sent):
    """The playbooks' own account: it signs in unattended, so Cognito never asks it for a new password."""
    pool_id = pool(aws)
    args = {"user_pool_id": pool_id, "username": "pacs-automation", "password": PASSWORD}
    result = run_module(cognito_user, args)
    assert result["changed"] is True and result["user"]["status"] == "CONFIRMED"
    assert get(aws, pool_id, "pacs-automation")[0]["UserStatus"] == "CONFIRMED"
    [create] = [params for name, params in sent if name == "AdminCreateUser"]
    assert create["MessageAction"] == "SUPPRESS"
    [confirm] = [params for name, params in sent if name == "AdminSetUserPassword"]
    assert confirm["Permanent"] is True and confirm["Password"] == PASSWORD
    assert PASSWORD not in json.dumps(result)
    sent.clear()
    again = run_module(cognito_user, args)
    assert again["changed"] is False and "AdminSetUserPassword" not in [call[0] for call in sent]


def test_a_permanent_password_confirms_a_user_still_waiting_for_a_first_sign_in(aws, run_module, sent):
    pool_id = pool(aws)
    run_module(cognito_user, {"user_pool_id": pool_id, "username": "pacs-automation", "temporary_password": PASSWORD,
                              "suppress_message": True})
    confirm = {"user_pool_id": pool_id, "username": "pacs-automation", "password": PASSWORD}
    checked = run_module(cognito_user, confirm, check_mode=True)
    assert checked["changed"] is True and checked["user"]["status"] == "CONFIRMED"
    assert get(aws, pool_id, "pacs-automation")[0]["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    result = run_module(cognito_user, {"user_pool_id": pool_id, "username": "pacs-automation", "password": PASSWORD})
    assert result["changed"] is True and get(aws, pool_id, "pacs-automation")[0]["UserStatus"] == "CONFIRMED"


def test_password_and_temporary_password_exclude_each_other(aws, run_module, sent):
    pool_id = pool(aws)
    result = run_module(cognito_user, {"user_pool_id": pool_id, "username": "x", "password": PASSWORD, "temporary_password": PASSWORD})
    assert result["failed"] and "mutually exclusive" in result["msg"]
    short = run_module(cognito_user, {"user_pool_id": pool_id, "username": "x", "password": "short"})
    assert short["failed"] and short["msg"].startswith("password must be 8-256") and "short" not in short["msg"]
    assert not [call[0] for call in sent if call[0].startswith("Admin")]
