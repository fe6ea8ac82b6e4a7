from __future__ import annotations

import json

from ansible_collections.dicoogle.aws.plugins.modules import cognito_user_pool_client

MANAGED_KEYS = {"CallbackURLs", "LogoutURLs", "AllowedOAuthFlowsUserPoolClient", "AllowedOAuthFlows", "AllowedOAuthScopes",
                "SupportedIdentityProviders", "ExplicitAuthFlows", "PreventUserExistenceErrors", "AccessTokenValidity",
                "IdTokenValidity", "RefreshTokenValidity", "TokenValidityUnits"}


def pool(aws):
    return aws("cognito-idp").create_user_pool(PoolName="unit")["UserPool"]["Id"]


def viewer(pool_id, **extra):
    args = {"user_pool_id": pool_id, "name": "viewer", "callback_urls": ["https://viewer.example.org/cb", "http://localhost:8080/cb"],
            "logout_urls": ["https://viewer.example.org/"], "allowed_oauth_scopes": ["openid", "email"],
            "explicit_auth_flows": ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"]}
    args.update(extra)
    return args


def clients(aws, pool_id):
    return aws("cognito-idp").list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]


def described(aws, pool_id, client_id):
    return aws("cognito-idp").describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]


def test_creates_the_client_with_every_setting(aws, run_module):
    pool_id = pool(aws)
    result = run_module(cognito_user_pool_client, viewer(pool_id))
    assert result["changed"] is True
    [listed] = clients(aws, pool_id)
    client = described(aws, pool_id, listed["ClientId"])
    assert client["ClientName"] == "viewer" and client["ClientSecret"]
    assert sorted(client["CallbackURLs"]) == ["http://localhost:8080/cb", "https://viewer.example.org/cb"]
    assert client["LogoutURLs"] == ["https://viewer.example.org/"]
    assert client["AllowedOAuthFlows"] == ["code"] and client["AllowedOAuthFlowsUserPoolClient"] is True
    assert sorted(client["AllowedOAuthScopes"]) == ["email", "openid"]
    assert client["SupportedIdentityProviders"] == ["COGNITO"]
    assert sorted(client["ExplicitAuthFlows"]) == ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"]
    assert client["PreventUserExistenceErrors"] == "ENABLED"
    assert (client["AccessTokenValidity"], client["IdTokenValidity"], client["RefreshTokenValidity"]) == (60, 60, 1)
    assert client["TokenValidityUnits"] == {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"}
    out = result["client"]
    assert out["client_id"] == listed["ClientId"] and out["user_pool_id"] == pool_id and out["name"] == "viewer"
    assert out["has_secret"] is True and out["allowed_oauth_flows_user_pool_client"] is True
    assert out["access_token_validity_minutes"] == 60 and out["refresh_token_validity_days"] == 1
    assert out["explicit_auth_flows"] == ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"]


def test_the_secret_never_appears_in_the_output(aws, run_module):
    pool_id = pool(aws)
    outputs = [run_module(cognito_user_pool_client, viewer(pool_id))]
    client_id = clients(aws, pool_id)[0]["ClientId"]
    secret = described(aws, pool_id, client_id)["ClientSecret"]
    outputs.append(run_module(cognito_user_pool_client, viewer(pool_id)))
    outputs.append(run_module(cognito_user_pool_client, viewer(pool_id, logout_urls=[]), check_mode=True))
    outputs.append(run_module(cognito_user_pool_client, viewer(pool_id, logout_urls=[])))
    outputs.append(run_module(cognito_user_pool_client, viewer(pool_id, generate_secret=False)))
    outputs.append(run_module(cognito_user_pool_client, viewer(pool_id, state="absent")))
    assert len(secret) >= 8
    for output in outputs:
        assert "failed" in output or output["changed"] in (True, False)
        assert secret not in json.dumps(output)
        assert "client_secret" not in output.get("client", {})


def test_second_run_finds_it_by_name_and_changes_nothing(aws, run_module):
    pool_id = pool(aws)
    first = run_module(cognito_user_pool_client, viewer(pool_id))
    again = run_module(cognito_user_pool_client, viewer(pool_id, callback_urls=list(reversed(viewer(pool_id)["callback_urls"]))))
    assert again["changed"] is False
    assert again["client"]["client_id"] == first["client"]["client_id"]
    assert len(clients(aws, pool_id)) == 1


def test_the_client_is_found_past_the_first_page(aws, run_module):
    pool_id = pool(aws)
    for n in range(61):
        aws("cognito-idp").create_user_pool_client(UserPoolId=pool_id, ClientName="other-%d" % n)
    run_module(cognito_user_pool_client, viewer(pool_id))
    again = run_module(cognito_user_pool_client, viewer(pool_id))
    assert again["changed"] is False
    listed = aws("cognito-idp").get_paginator("list_user_pool_clients").paginate(UserPoolId=pool_id).build_full_result()
    assert [c["ClientName"] for c in listed["UserPoolClients"]].count("viewer") == 1


def test_settings_are_updated_in_place_keeping_the_id(aws, run_module):
    pool_id = pool(aws)
    first = run_module(cognito_user_pool_client, viewer(pool_id))
    result = run_module(cognito_user_pool_client, viewer(
        pool_id, callback_urls=["https://pacs.example.org/cb"], allowed_oauth_scopes=["openid"], prevent_user_existence_errors=False,
        access_token_validity_minutes=15, id_token_validity_minutes=30, refresh_token_validity_days=7))
    assert result["changed"] is True
    client_id = first["client"]["client_id"]
    assert result["client"]["client_id"] == client_id and [c["ClientId"] for c in clients(aws, pool_id)] == [client_id]
    client = described(aws, pool_id, client_id)
    assert client["CallbackURLs"] == ["https://pacs.example.org/cb"] and client["AllowedOAuthScopes"] == ["openid"]
    assert client["PreventUserExistenceErrors"] == "LEGACY"
    assert (client["AccessTokenValidity"], client["IdTokenValidity"], client["RefreshTokenValidity"]) == (15, 30, 7)
    assert result["client"]["prevent_user_existence_errors"] is False and result["client"]["access_token_validity_minutes"] == 15
    assert result["diff"]["before"]["callback_urls"] == ["http://localhost:8080/cb", "https://viewer.example.org/cb"]
    assert result["diff"]["after"]["callback_urls"] == ["https://pacs.example.org/cb"]
    assert result["diff"]["after"]["refresh_token_validity_days"] == 7


def test_an_update_sends_every_managed_setting_and_keeps_the_others(aws, run_module, sent):
    # moto merges an update into the client where Cognito resets what is left out: the request itself is checked
    pool_id = pool(aws)
    client_id = run_module(cognito_user_pool_client, viewer(pool_id))["client"]["client_id"]
    aws("cognito-idp").update_user_pool_client(UserPoolId=pool_id, ClientId=client_id, ClientName="viewer",
                                               ReadAttributes=["email"], EnableTokenRevocation=False,
                                               DefaultRedirectURI="https://viewer.example.org/cb")
    del sent[:]
    result = run_module(cognito_user_pool_client, viewer(pool_id, logout_urls=[]))
    assert result["changed"] is True
    [update] = [params for name, params in sent if name == "UpdateUserPoolClient"]
    assert MANAGED_KEYS <= set(update)
    assert update["LogoutURLs"] == [] and update["ClientName"] == "viewer"
    assert update["ReadAttributes"] == ["email"] and update["EnableTokenRevocation"] is False
    assert update["DefaultRedirectURI"] == "https://viewer.example.org/cb"
    # a default redirect URI that is no longer a callback URL is not sent back
    del sent[:]
    run_module(cognito_user_pool_client, viewer(pool_id, logout_urls=[], callback_urls=["https://pacs.example.org/cb"]))
    [update] = [params for name, params in sent if name == "UpdateUserPoolClient"]
    assert "DefaultRedirectURI" not in update and update["CallbackURLs"] == ["https://pacs.example.org/cb"]


def test_token_lifetimes_kept_in_other_units_are_compared_by_duration(aws, run_module):
    pool_id = pool(aws)
    aws("cognito-idp").create_user_pool_client(
        UserPoolId=pool_id, ClientName="viewer", GenerateSecret=True, CallbackURLs=["https://viewer.example.org/cb"],
        LogoutURLs=["https://viewer.example.org/"], AllowedOAuthFlows=["code"], AllowedOAuthScopes=["openid", "email"],
        AllowedOAuthFlowsUserPoolClient=True, SupportedIdentityProviders=["COGNITO"],
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"], PreventUserExistenceErrors="ENABLED",
        AccessTokenValidity=1, IdTokenValidity=3600, RefreshTokenValidity=24,
        TokenValidityUnits={"AccessToken": "hours", "IdToken": "seconds", "RefreshToken": "hours"})
    result = run_module(cognito_user_pool_client, viewer(pool_id, callback_urls=["https://viewer.example.org/cb"]))
    assert result["changed"] is False
    assert result["client"]["access_token_validity_minutes"] == 60 and result["client"]["id_token_validity_minutes"] == 60
    assert result["client"]["refresh_token_validity_days"] == 1
    longer = run_module(cognito_user_pool_client, viewer(pool_id, callback_urls=["https://viewer.example.org/cb"],
                                                         refresh_token_validity_days=2))
    assert longer["changed"] is True
    client = described(aws, pool_id, longer["client"]["client_id"])
    assert client["RefreshTokenValidity"] == 2 and client["TokenValidityUnits"]["RefreshToken"] == "days"


def test_no_oauth_flows_turns_oauth_off(aws, run_module):
    pool_id = pool(aws)
    result = run_module(cognito_user_pool_client, {"user_pool_id": pool_id, "name": "api", "generate_secret": False,
                                                   "allowed_oauth_flows": [], "explicit_auth_flows": ["ALLOW_USER_SRP_AUTH"]})
    assert result["changed"] is True and result["client"]["has_secret"] is False
    client = described(aws, pool_id, result["client"]["client_id"])
    assert client["AllowedOAuthFlowsUserPoolClient"] is False
    assert client.get("AllowedOAuthFlows", []) == [] and client.get("AllowedOAuthScopes", []) == []
    assert "ClientSecret" not in client


def test_another_generate_secret_is_refused_not_replaced(aws, run_module):
    pool_id = pool(aws)
    client_id = run_module(cognito_user_pool_client, viewer(pool_id))["client"]["client_id"]
    result = run_module(cognito_user_pool_client, viewer(pool_id, generate_secret=False, logout_urls=[]))
    assert result["failed"] is True
    assert "generate_secret" in result["msg"] and "state=absent" in result["msg"] and client_id in result["msg"]
    assert [c["ClientId"] for c in clients(aws, pool_id)] == [client_id]
    client = described(aws, pool_id, client_id)
    assert client["ClientSecret"] and client["LogoutURLs"] == ["https://viewer.example.org/"]


def test_two_clients_of_the_name_fail_naming_both(aws, run_module):
    pool_id = pool(aws)
    ids = [aws("cognito-idp").create_user_pool_client(UserPoolId=pool_id, ClientName="viewer")["UserPoolClient"]["ClientId"]
           for _copy in range(2)]
    result = run_module(cognito_user_pool_client, viewer(pool_id))
    assert result["failed"] is True and all(i in result["msg"] for i in ids)
    assert len(clients(aws, pool_id)) == 2


def test_bad_input_is_named_before_any_call(aws, run_module, sent):
    pool_id = pool(aws)
    for extra, named in (
        ({"callback_urls": []}, "callback_urls"),
        ({"callback_urls": None}, "callback_urls"),
        ({"callback_urls": ["http://viewer.example.org/cb"]}, "callback_urls"),
        ({"callback_urls": ["https://viewer.example.org/cb#top"]}, "callback_urls"),
        ({"logout_urls": ["http://viewer.example.org/"]}, "logout_urls"),
        ({"allowed_oauth_flows": ["implicit"], "callback_urls": []}, "callback_urls"),
        ({"access_token_validity_minutes": 4}, "access_token_validity_minutes"),
        ({"id_token_validity_minutes": 1441}, "id_token_validity_minutes"),
        ({"refresh_token_validity_days": 0}, "refresh_token_validity_days"),
        ({"refresh_token_validity_days": 3651}, "refresh_token_validity_days"),
        ({"allowed_oauth_flows": ["client_credentials"], "generate_secret": False}, "generate_secret"),
        ({"allowed_oauth_flows": ["client_credentials", "code"]}, "allowed_oauth_flows"),
        ({"allowed_oauth_scopes": []}, "allowed_oauth_scopes"),
        ({"explicit_auth_flows": []}, "explicit_auth_flows"),
        ({"name": "viewer/1"}, "name"),
        ({"user_pool_id": "not-a-pool"}, "user_pool_id"),
    ):
        result = run_module(cognito_user_pool_client, viewer(pool_id, **extra))
        assert result["failed"] is True and named in result["msg"], (extra, result)
    assert sent == [] and clients(aws, pool_id) == []


def test_localhost_over_http_is_allowed_for_development(aws, run_module):
    pool_id = pool(aws)
    result = run_module(cognito_user_pool_client, viewer(pool_id, callback_urls=["http://localhost:3000/cb"], logout_urls=["http://localhost"]))
    assert result["changed"] is True
    assert described(aws, pool_id, result["client"]["client_id"])["CallbackURLs"] == ["http://localhost:3000/cb"]


def test_check_mode_reports_a_change_and_makes_none(aws, run_module, sent):
    pool_id = pool(aws)
    result = run_module(cognito_user_pool_client, viewer(pool_id), check_mode=True)
    assert result["changed"] is True and clients(aws, pool_id) == []
    assert result["diff"]["after"]["callback_urls"] == ["http://localhost:8080/cb", "https://viewer.example.org/cb"]
    client_id = run_module(cognito_user_pool_client, viewer(pool_id))["client"]["client_id"]
    del sent[:]
    update = run_module(cognito_user_pool_client, viewer(pool_id, logout_urls=[], access_token_validity_minutes=5), check_mode=True)
    assert update["changed"] is True and update["client"]["logout_urls"] == [] and update["client"]["access_token_validity_minutes"] == 5
    client = described(aws, pool_id, client_id)
    assert client["LogoutURLs"] == ["https://viewer.example.org/"] and client["AccessTokenValidity"] == 60
    gone = run_module(cognito_user_pool_client, viewer(pool_id, state="absent"), check_mode=True)
    assert gone["changed"] is True and [c["ClientId"] for c in clients(aws, pool_id)] == [client_id]
    assert not [name for name, _params in sent if not name.startswith(("List", "Describe"))]


def test_absent_deletes_it_and_then_changes_nothing(aws, run_module):
    pool_id = pool(aws)
    run_module(cognito_user_pool_client, viewer(pool_id))
    aws("cognito-idp").create_user_pool_client(UserPoolId=pool_id, ClientName="other")
    gone = run_module(cognito_user_pool_client, {"user_pool_id": pool_id, "name": "viewer", "state": "absent"})
    assert gone["changed"] is True and gone["client"] == {} and gone["diff"]["after"] == {}
    assert [c["ClientName"] for c in clients(aws, pool_id)] == ["other"]
    again = run_module(cognito_user_pool_client, {"user_pool_id": pool_id, "name": "viewer", "state": "absent"})
    assert again["changed"] is False


def test_a_missing_pool_fails_with_context(aws, run_module):
    result = run_module(cognito_user_pool_client, viewer("eu-west-1_missing0"))
    assert result["failed"] is True and "eu-west-1_missing0" in result["msg"]
