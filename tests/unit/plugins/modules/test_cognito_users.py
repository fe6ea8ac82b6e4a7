"""cognito_users: the users of a Cognito user pool converged in one call, as a loop over cognito_user did; a
password is never returned, and one read from Secrets Manager never passes through the module's arguments."""

from __future__ import annotations

import json

import pytest

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.dicoogle.aws.plugins.modules import cognito_users

PASSWORD = "Tmp-Passw0rd-4-unit!"
SECRET_PASSWORD = "Secr3t-Passw0rd-from-SM!"
SECRET_PERMANENT = "Perm4nent-Passw0rd-from-SM!"


@pytest.fixture
def secret_reads(sent, monkeypatch):
    """The GetSecretValue requests of the modules' Secrets Manager clients (the secrets' names), beside `sent`."""
    reads = []
    recording = AnsibleAWSModule.client

    def client(self, service, retry_decorator=None, **kwargs):
        wrapped = recording(self, service, retry_decorator, **kwargs)
        wrapped.client.meta.events.register(
            "provide-client-params.secrets-manager.GetSecretValue", lambda params, **_kw: reads.append(params["SecretId"]))
        return wrapped

    monkeypatch.setattr(AnsibleAWSModule, "client", client)
    return reads


def pool(aws):
    return aws("cognito-idp").create_user_pool(PoolName="unit")["UserPool"]["Id"]


def admin(**extra):
    user = {"username": "radiology-admin", "temporary_password": PASSWORD, "suppress_message": True,
            "attributes": {"email": "admin@hospital.example.org", "email_verified": True, "name": "Admin"}}
    user.update(extra)
    return user


def call(pool_id, *users, **extra):
    return dict({"user_pool_id": pool_id, "users": list(users)}, **extra)


def get(aws, pool_id, username="radiology-admin"):
    user = aws("cognito-idp").admin_get_user(UserPoolId=pool_id, Username=username)
    return user, {a["Name"]: a["Value"] for a in user["UserAttributes"]}


def users(aws, pool_id):
    return sorted(u["Username"] for u in aws("cognito-idp").list_users(UserPoolId=pool_id)["Users"])


def secret(aws, name, value):
    return aws("secretsmanager").create_secret(Name=name, SecretString=value)["ARN"]


def test_creates_the_user_with_a_temporary_password_that_never_appears_in_the_output(aws, run_module, sent):
    pool_id = pool(aws)
    result = run_module(cognito_users, call(pool_id, admin()))
    assert result["changed"] is True
    user, attributes = get(aws, pool_id)
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD" and user["Enabled"] is True
    assert attributes["email"] == "admin@hospital.example.org" and attributes["email_verified"] == "true" and attributes["name"] == "Admin"
    [create] = [params for name, params in sent if name == "AdminCreateUser"]
    assert create["TemporaryPassword"] == PASSWORD and create["MessageAction"] == "SUPPRESS"
    assert PASSWORD not in json.dumps(result)
    assert result["invocation"]["module_args"]["users"][0]["temporary_password"] != PASSWORD
    [out] = result["users"]
    assert out["username"] == "radiology-admin" and out["user_pool_id"] == pool_id
    assert out["status"] == "FORCE_CHANGE_PASSWORD" and out["enabled"] is True
    assert out["attributes"]["email"] == "admin@hospital.example.org" and "sub" in out["attributes"]
    assert not any("password" in key.lower() for key in out)


def test_without_a_password_cognito_generates_and_sends_one(aws, run_module, sent):
    pool_id = pool(aws)
    user = admin(suppress_message=False, desired_delivery_mediums=["EMAIL", "SMS"])
    del user["temporary_password"]
    result = run_module(cognito_users, call(pool_id, user))
    assert result["changed"] is True and result["users"][0]["status"] == "FORCE_CHANGE_PASSWORD"
    [create] = [params for name, params in sent if name == "AdminCreateUser"]
    assert "TemporaryPassword" not in create and "MessageAction" not in create
    assert create["DesiredDeliveryMediums"] == ["EMAIL", "SMS"]


def test_second_run_changes_nothing_and_never_touches_the_password(aws, run_module, sent):
    pool_id = pool(aws)
    run_module(cognito_users, call(pool_id, admin()))
    del sent[:]
    other = "Another-Passw0rd!"
    again = run_module(cognito_users, call(pool_id, admin(temporary_password=other)))
    assert again["changed"] is False
    assert [name for name, _params in sent] == ["AdminGetUser"]
    assert other not in json.dumps(again)
    assert users(aws, pool_id) == ["radiology-admin"]


def test_two_users_in_one_call_one_temporary_one_permanent_and_a_second_run_changes_nothing(aws, run_module, sent):
    pool_id = pool(aws)
    automation = {"username": "pacs-automation", "password": PASSWORD}
    result = run_module(cognito_users, call(pool_id, admin(), automation))
    assert result["changed"] is True
    assert [(u["username"], u["status"]) for u in result["users"]] == [("radiology-admin", "FORCE_CHANGE_PASSWORD"),
                                                                       ("pacs-automation", "CONFIRMED")]
    assert get(aws, pool_id)[0]["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert get(aws, pool_id, "pacs-automation")[0]["UserStatus"] == "CONFIRMED"
    assert [params["Username"] for name, params in sent if name == "AdminCreateUser"] == ["radiology-admin", "pacs-automation"]
    [confirm] = [params for name, params in sent if name == "AdminSetUserPassword"]
    assert confirm["Username"] == "pacs-automation" and confirm["Permanent"] is True
    assert sorted(result["diff"]["before"]) == ["pacs-automation", "radiology-admin"]
    assert result["diff"]["before"]["pacs-automation"] == {} and result["diff"]["after"]["pacs-automation"]["enabled"] is True
    assert PASSWORD not in json.dumps(result)
    del sent[:]
    again = run_module(cognito_users, call(pool_id, admin(), automation))
    assert again["changed"] is False
    assert [name for name, _params in sent] == ["AdminGetUser", "AdminGetUser"]
    assert [u["username"] for u in again["users"]] == ["radiology-admin", "pacs-automation"]


def test_only_the_given_attributes_are_updated(aws, run_module, sent):
    pool_id = pool(aws)
    run_module(cognito_users, call(pool_id, admin()))
    del sent[:]
    result = run_module(cognito_users, call(pool_id, admin(attributes={"email": "pacs@hospital.example.org", "email_verified": "true"})))
    assert result["changed"] is True
    _user, attributes = get(aws, pool_id)
    assert attributes["email"] == "pacs@hospital.example.org" and attributes["name"] == "Admin"
    [update] = [params for name, params in sent if name == "AdminUpdateUserAttributes"]
    assert update["UserAttributes"] == [{"Name": "email", "Value": "pacs@hospital.example.org"}]
    assert not [name for name, _params in sent if "Password" in name]
    assert result["users"][0]["attributes"]["email"] == "pacs@hospital.example.org"
    diff = result["diff"]
    assert diff["before"]["radiology-admin"]["attributes"] == {"email": "admin@hospital.example.org", "email_verified": "true"}
    assert diff["after"]["radiology-admin"]["attributes"] == {"email": "pacs@hospital.example.org", "email_verified": "true"}


def test_enabled_disables_and_enables_the_user(aws, run_module):
    pool_id = pool(aws)
    created = run_module(cognito_users, call(pool_id, admin(enabled=False)))
    assert created["changed"] is True and created["users"][0]["enabled"] is False
    assert get(aws, pool_id)[0]["Enabled"] is False
    assert run_module(cognito_users, call(pool_id, admin(enabled=False)))["changed"] is False
    enabled = run_module(cognito_users, call(pool_id, admin()))
    assert enabled["changed"] is True and enabled["users"][0]["enabled"] is True and get(aws, pool_id)[0]["Enabled"] is True
    assert enabled["diff"]["before"]["radiology-admin"]["enabled"] is False and enabled["diff"]["after"]["radiology-admin"]["enabled"] is True


def test_bad_input_is_named_before_any_call(aws, run_module, sent):
    pool_id = pool(aws)
    for top, extra, named in (
        ({"user_pool_id": "eu-west-1"}, {}, "user_pool_id"),
        ({"user_pool_id": "eu west 1_abc"}, {}, "user_pool_id"),
        ({}, {"temporary_password": "Sh0rt!"}, "users[0] (username radiology-admin): temporary_password"),
        ({}, {"temporary_password": "has a space 1!"}, "users[0] (username radiology-admin): temporary_password"),
        ({}, {"username": "two words"}, "users[0] (username two words): username"),
        ({}, {"attributes": {"sub": "0123"}}, "sub"),
        ({}, {"attributes": {"email": None}}, "attributes"),
        ({}, {"password_secret": " "}, "password_secret"),
    ):
        result = run_module(cognito_users, dict(call(pool_id, admin(**extra)), **top))
        assert result["failed"] is True and named in result["msg"], (top, extra, result)
        password = extra.get("temporary_password", PASSWORD)
        assert password not in json.dumps(result)
    assert sent == [] and users(aws, pool_id) == []


def test_one_invalid_user_in_a_list_changes_nothing_for_the_others(aws, run_module, sent):
    pool_id = pool(aws)
    result = run_module(cognito_users, call(pool_id, admin(), {"username": "other", "temporary_password": "Sh0rt!"}))
    assert result["failed"] is True and "users[1] (username other): temporary_password must be 8-256" in result["msg"]
    assert "Sh0rt!" not in json.dumps(result)
    assert sent == [] and users(aws, pool_id) == []


def test_a_username_listed_twice_is_refused(aws, run_module, sent):
    pool_id = pool(aws)
    result = run_module(cognito_users, call(pool_id, admin(), {"username": "other"}, admin(enabled=False)))
    assert result["failed"] is True and "twice" in result["msg"] and "radiology-admin" in result["msg"]
    gone = run_module(cognito_users, call(pool_id, {"username": "x"}, {"username": "x"}, state="absent"))
    assert gone["failed"] is True and "x" in gone["msg"]
    assert sent == [] and users(aws, pool_id) == []


def test_a_missing_pool_fails_with_context(aws, run_module):
    result = run_module(cognito_users, call("eu-west-1_missing0", admin()))
    assert result["failed"] is True and "eu-west-1_missing0" in result["msg"] and "radiology-admin" in result["msg"]
    assert PASSWORD not in json.dumps(result)


def test_suppress_message_without_a_password_warns(aws, run_module):
    pool_id = pool(aws)
    user = admin()
    del user["temporary_password"]
    result = run_module(cognito_users, call(pool_id, user))
    assert result["changed"] is True and "suppress_message" in json.dumps(result["warnings"])
    assert "radiology-admin" in json.dumps(result["warnings"])


def test_check_mode_reports_a_change_and_makes_none(aws, run_module, sent):
    pool_id = pool(aws)
    result = run_module(cognito_users, call(pool_id, admin()), check_mode=True)
    assert result["changed"] is True and users(aws, pool_id) == [] and result["users"] == [{}]
    run_module(cognito_users, call(pool_id, admin()))
    del sent[:]
    update = run_module(cognito_users, call(pool_id, admin(attributes={"name": "Chief"}, enabled=False)), check_mode=True)
    [predicted] = update["users"]
    assert update["changed"] is True and predicted["attributes"]["name"] == "Chief" and predicted["enabled"] is False
    user, attributes = get(aws, pool_id)
    assert attributes["name"] == "Admin" and user["Enabled"] is True
    gone = run_module(cognito_users, call(pool_id, admin(), state="absent"), check_mode=True)
    assert gone["changed"] is True and users(aws, pool_id) == ["radiology-admin"]
    assert [name for name, _params in sent] == ["AdminGetUser"] * 2


def test_absent_deletes_them_and_then_changes_nothing(aws, run_module):
    pool_id = pool(aws)
    run_module(cognito_users, call(pool_id, admin(), admin(username="other"), admin(username="third")))
    gone = run_module(cognito_users, call(pool_id, {"username": "radiology-admin"}, {"username": "third"}, {"username": "never"},
                                          state="absent"))
    assert gone["changed"] is True and gone["users"] == [{}, {}, {}]
    assert gone["diff"]["after"] == {"radiology-admin": {}, "third": {}, "never": {}}
    assert users(aws, pool_id) == ["other"]
    again = run_module(cognito_users, call(pool_id, {"username": "radiology-admin"}, state="absent"))
    assert again["changed"] is False


def test_a_permanent_password_confirms_the_user_without_an_invitation(aws, run_module, sent):
    """The playbooks' own account: it signs in unattended, so Cognito never asks it for a new password."""
    pool_id = pool(aws)
    args = call(pool_id, {"username": "pacs-automation", "password": PASSWORD})
    result = run_module(cognito_users, args)
    assert result["changed"] is True and result["users"][0]["status"] == "CONFIRMED"
    assert get(aws, pool_id, "pacs-automation")[0]["UserStatus"] == "CONFIRMED"
    [create] = [params for name, params in sent if name == "AdminCreateUser"]
    assert create["MessageAction"] == "SUPPRESS"
    [confirm] = [params for name, params in sent if name == "AdminSetUserPassword"]
    assert confirm["Permanent"] is True and confirm["Password"] == PASSWORD
    assert PASSWORD not in json.dumps(result)
    sent.clear()
    again = run_module(cognito_users, args)
    assert again["changed"] is False and "AdminSetUserPassword" not in [call[0] for call in sent]


def test_a_permanent_password_confirms_a_user_still_waiting_for_a_first_sign_in(aws, run_module):
    pool_id = pool(aws)
    run_module(cognito_users, call(pool_id, {"username": "pacs-automation", "temporary_password": PASSWORD, "suppress_message": True}))
    confirm = call(pool_id, {"username": "pacs-automation", "password": PASSWORD})
    checked = run_module(cognito_users, confirm, check_mode=True)
    assert checked["changed"] is True and checked["users"][0]["status"] == "CONFIRMED"
    assert get(aws, pool_id, "pacs-automation")[0]["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    result = run_module(cognito_users, confirm)
    assert result["changed"] is True and get(aws, pool_id, "pacs-automation")[0]["UserStatus"] == "CONFIRMED"


def test_at_most_one_password_option_a_user(aws, run_module, sent):
    pool_id = pool(aws)
    result = run_module(cognito_users, call(pool_id, {"username": "x", "password": PASSWORD, "temporary_password": PASSWORD}))
    assert result["failed"] and "mutually exclusive" in result["msg"] and "users[0] (username x)" in result["msg"]
    assert "temporary_password, password are" in result["msg"] and PASSWORD not in json.dumps(result)
    mixed = run_module(cognito_users, call(pool_id, {"username": "y"}, {"username": "x", "password": PASSWORD, "password_secret": "unit/x"}))
    assert mixed["failed"] and "users[1] (username x): password, password_secret are mutually exclusive" in mixed["msg"]
    short = run_module(cognito_users, call(pool_id, {"username": "x", "password": "short"}))
    assert short["failed"] and "users[0] (username x): password must be 8-256" in short["msg"] and "short" not in short["msg"]
    assert not [call[0] for call in sent if call[0].startswith("Admin")]


def test_passwords_read_from_secrets_never_appear_in_the_output(aws, run_module, sent, secret_reads):
    pool_id = pool(aws)
    temporary_arn = secret(aws, "unit/admin-temporary", SECRET_PASSWORD)
    secret(aws, "unit/automation", SECRET_PERMANENT)
    args = call(pool_id, admin(temporary_password=None, temporary_password_secret=temporary_arn),
                {"username": "pacs-automation", "password_secret": "unit/automation"})
    result = run_module(cognito_users, args)
    assert result["changed"] is True and sorted(secret_reads) == sorted([temporary_arn, "unit/automation"])
    creates = {params["Username"]: params for name, params in sent if name == "AdminCreateUser"}
    assert creates["radiology-admin"]["TemporaryPassword"] == SECRET_PASSWORD
    assert creates["pacs-automation"]["TemporaryPassword"] == SECRET_PERMANENT
    [confirm] = [params for name, params in sent if name == "AdminSetUserPassword"]
    assert confirm["Username"] == "pacs-automation" and confirm["Password"] == SECRET_PERMANENT and confirm["Permanent"] is True
    assert [u["status"] for u in result["users"]] == ["FORCE_CHANGE_PASSWORD", "CONFIRMED"]
    printed = json.dumps(result)
    assert SECRET_PASSWORD not in printed and SECRET_PERMANENT not in printed
    del sent[:], secret_reads[:]
    again = run_module(cognito_users, args)
    assert again["changed"] is False and secret_reads == []
    assert not [name for name, _params in sent if name in ("AdminCreateUser", "AdminSetUserPassword")]


def test_a_password_secret_confirms_a_waiting_user_and_check_mode_reads_no_secret(aws, run_module, secret_reads):
    pool_id = pool(aws)
    secret(aws, "unit/automation", SECRET_PERMANENT)
    args = call(pool_id, {"username": "pacs-automation", "password_secret": "unit/automation"})
    created = run_module(cognito_users, args, check_mode=True)
    assert created["changed"] is True and users(aws, pool_id) == [] and secret_reads == []
    run_module(cognito_users, call(pool_id, {"username": "pacs-automation", "temporary_password": PASSWORD, "suppress_message": True}))
    checked = run_module(cognito_users, args, check_mode=True)
    assert checked["changed"] is True and checked["users"][0]["status"] == "CONFIRMED" and secret_reads == []
    assert get(aws, pool_id, "pacs-automation")[0]["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    confirmed = run_module(cognito_users, args)
    assert confirmed["changed"] is True and secret_reads == ["unit/automation"]
    assert get(aws, pool_id, "pacs-automation")[0]["UserStatus"] == "CONFIRMED"
    assert SECRET_PERMANENT not in json.dumps(confirmed)


def test_a_temporary_password_secret_is_never_read_for_an_existing_user(aws, run_module, secret_reads):
    pool_id = pool(aws)
    run_module(cognito_users, call(pool_id, admin()))
    again = run_module(cognito_users, call(pool_id, admin(temporary_password=None, temporary_password_secret="unit/never-made")))
    assert again["changed"] is False and secret_reads == []


def test_a_missing_secret_fails_naming_it_and_changes_nothing(aws, run_module, sent):
    pool_id = pool(aws)
    result = run_module(cognito_users, call(pool_id, admin(), {"username": "pacs-automation", "password_secret": "unit/missing"}))
    assert result["failed"] is True
    assert "users[1] (username pacs-automation)" in result["msg"] and "unit/missing" in result["msg"]
    assert not [name for name, _params in sent if name.startswith("Admin") and name != "AdminGetUser"]
    assert users(aws, pool_id) == []


def test_a_secret_whose_value_is_no_valid_password_fails_without_printing_it(aws, run_module):
    pool_id = pool(aws)
    secret(aws, "unit/spaced", "has spaces in it")
    result = run_module(cognito_users, call(pool_id, {"username": "x", "temporary_password_secret": "unit/spaced"}))
    assert result["failed"] is True and "users[0] (username x): the value of the secret unit/spaced" in result["msg"]
    assert "has spaces in it" not in json.dumps(result)
    assert users(aws, pool_id) == []
