#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cognito_user_pool_client
short_description: Manage an app client of an Amazon Cognito user pool, found by its name
version_added: 0.1.0
description:
  - Creates, updates or deletes one app client of a Cognito user pool. The client is found by its
    name within the pool, so a re-run never creates a second one; two clients of that name fail
    the task with their IDs.
  - Updates the OAuth settings, URLs, authentication flows and token lifetimes in place, keeping
    the client ID. Cognito resets whatever an update leaves out, so every update sends all the
    settings of this module, and the settings it does not manage (read and write attributes,
    default redirect URI, token revocation, analytics, ...) as Cognito describes them.
  - Cognito cannot add a secret to a client, nor remove it; asking for another O(generate_secret)
    on an existing client fails with a message that says so, instead of replacing it silently.
  - The client secret is never returned; C(has_secret) tells whether there is one. Read it where
    it is needed, with C(aws cognito-idp describe-user-pool-client) or a lookup.
  - Supports check mode and diff of the managed settings.
  - Fills a gap, as amazon.aws and community.aws have no module for the app clients of Cognito user pools.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  user_pool_id:
    description: ID of the user pool, such as C(eu-west-1_AbCdEf123).
    type: str
    required: true
  name:
    description: Name of the app client, unique within the pool (1-128 letters, digits, spaces or C(+=,.@_-)).
    type: str
    required: true
  state:
    description: Whether the app client should exist.
    type: str
    choices: [present, absent]
    default: present
  generate_secret:
    description:
      - Whether the client has a secret (a confidential client, such as a web application's back end).
      - Set only on creation; Cognito cannot change it afterwards.
    type: bool
    default: true
  callback_urls:
    description:
      - URLs Cognito may redirect to after sign-in. At least one is needed with the C(code) or
        C(implicit) flow.
      - Each must be C(https://), or C(http://localhost) for development, without a fragment.
      - Not given, the client has none.
    type: list
    elements: str
  logout_urls:
    description: URLs Cognito may redirect to after sign-out, with the same rules as O(callback_urls).
    type: list
    elements: str
    default: []
  allowed_oauth_flows:
    description:
      - OAuth 2.0 flows the client may use. Given, the client may use OAuth
        (C(AllowedOAuthFlowsUserPoolClient)); an empty list turns OAuth off.
      - C(client_credentials) is for machine-to-machine clients; it needs O(generate_secret=true)
        and cannot be combined with C(code) or C(implicit).
    type: list
    elements: str
    choices: [code, implicit, client_credentials]
    default: [code]
  allowed_oauth_scopes:
    description:
      - OAuth scopes the client may request, such as C(openid), C(email), C(profile) or a resource
        server's custom scope C(<identifier>/<scope>).
      - At least one is needed when O(allowed_oauth_flows) is not empty; ignored (none are sent)
        when it is empty.
    type: list
    elements: str
    default: [openid]
  supported_identity_providers:
    description: Identity providers the client may sign users in with, such as C(COGNITO) or the name of a SAML or OIDC provider of the pool.
    type: list
    elements: str
    default: [COGNITO]
  explicit_auth_flows:
    description: Authentication flows of the API the client may use (at least one).
    type: list
    elements: str
    choices:
      - ALLOW_ADMIN_USER_PASSWORD_AUTH
      - ALLOW_CUSTOM_AUTH
      - ALLOW_USER_PASSWORD_AUTH
      - ALLOW_USER_SRP_AUTH
      - ALLOW_REFRESH_TOKEN_AUTH
      - ALLOW_USER_AUTH
    default: [ALLOW_REFRESH_TOKEN_AUTH]
  prevent_user_existence_errors:
    description:
      - Whether Cognito answers sign-in and password recovery for an unknown user as it does for a
        wrong password (C(ENABLED)), so that callers cannot learn which users exist, rather than
        with C(UserNotFoundException) (C(LEGACY)).
    type: bool
    default: true
  access_token_validity_minutes:
    description: Lifetime of the access tokens, in minutes (5-1440).
    type: int
    default: 60
  id_token_validity_minutes:
    description: Lifetime of the ID tokens, in minutes (5-1440).
    type: int
    default: 60
  refresh_token_validity_days:
    description: Lifetime of the refresh tokens, in days (1-3650).
    type: int
    default: 1
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The viewer's web client, signing users in with the authorization code flow
  dicoogle.aws.cognito_user_pool_client:
    user_pool_id: "{{ pool.user_pool.id }}"
    name: dicoogle-viewer
    callback_urls:
      - https://viewer.example.org/oauth2/idpresponse
      - http://localhost:8080/callback
    logout_urls: [https://viewer.example.org/]
    allowed_oauth_scopes: [openid, email, profile]
    explicit_auth_flows: [ALLOW_REFRESH_TOKEN_AUTH, ALLOW_USER_SRP_AUTH]
    access_token_validity_minutes: 30
    refresh_token_validity_days: 7
  register: viewer_client

- name: A public client (no secret) for a single-page application
  dicoogle.aws.cognito_user_pool_client:
    user_pool_id: "{{ pool.user_pool.id }}"
    name: dicoogle-spa
    generate_secret: false
    callback_urls: [https://viewer.example.org/]

- name: Remove it
  dicoogle.aws.cognito_user_pool_client:
    user_pool_id: "{{ pool.user_pool.id }}"
    name: dicoogle-spa
    state: absent
"""

RETURN = r"""
client:
  description: The app client, without its secret; empty when absent, or when check mode would create it.
  returned: always
  type: dict
  contains:
    client_id:
      description: ID of the client (the OAuth C(client_id)).
      type: str
      sample: 1example23456789abcdefghij
    name:
      description: Name.
      type: str
      sample: dicoogle-viewer
    user_pool_id:
      description: User pool.
      type: str
      sample: eu-west-1_AbCdEf123
    has_secret:
      description: Whether the client has a secret (never returned).
      type: bool
    callback_urls:
      description: Allowed sign-in redirect URLs.
      type: list
      elements: str
    logout_urls:
      description: Allowed sign-out redirect URLs.
      type: list
      elements: str
    allowed_oauth_flows:
      description: OAuth flows.
      type: list
      elements: str
      sample: [code]
    allowed_oauth_scopes:
      description: OAuth scopes.
      type: list
      elements: str
      sample: [openid]
    allowed_oauth_flows_user_pool_client:
      description: Whether the client may use OAuth.
      type: bool
    supported_identity_providers:
      description: Identity providers.
      type: list
      elements: str
      sample: [COGNITO]
    explicit_auth_flows:
      description: Authentication flows of the API.
      type: list
      elements: str
      sample: [ALLOW_REFRESH_TOKEN_AUTH]
    prevent_user_existence_errors:
      description: Whether errors hide which users exist (C(ENABLED)).
      type: bool
    access_token_validity_minutes:
      description: Lifetime of the access tokens, in minutes.
      type: int
      sample: 60
    id_token_validity_minutes:
      description: Lifetime of the ID tokens, in minutes.
      type: int
      sample: 60
    refresh_token_validity_days:
      description: Lifetime of the refresh tokens, in days.
      type: int
      sample: 1
"""

import re

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.dicoogle.aws.plugins.module_utils import cognito
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import fails_on_aws_errors
from ansible_collections.dicoogle.aws.plugins.module_utils.cognito import POOL_ID

# Cognito's documented syntax of a client name.
CLIENT_NAME = re.compile(r"^[\w\s+=,.@-]{1,128}$")
# https:// anywhere; http:// only to localhost, for development.
ALLOWED_URL = re.compile(r"^(https://[^\s/#]+|http://localhost(:\d+)?)(/[^\s#]*)?$")
SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
# Units and values Cognito applies to a client described without them.
DEFAULT_UNITS = {"AccessToken": "hours", "IdToken": "hours", "RefreshToken": "days"}
DEFAULT_VALIDITY = {"AccessToken": 1, "IdToken": 1, "RefreshToken": 30}
# Settings this module leaves as they are: an update passes them back as Cognito describes them.
UNMANAGED = ("ReadAttributes", "WriteAttributes", "DefaultRedirectURI", "AnalyticsConfiguration", "EnableTokenRevocation",
             "EnablePropagateAdditionalUserContextData", "AuthSessionValidity", "RefreshTokenRotation")


def validate(module):
    params = module.params
    if not POOL_ID.match(params["user_pool_id"]) or len(params["user_pool_id"]) > 55:
        module.fail_json(msg="user_pool_id %r is not a Cognito user pool ID (such as eu-west-1_AbCdEf123)" % params["user_pool_id"])
    if not CLIENT_NAME.match(params["name"]):
        module.fail_json(msg="name %r must be 1-128 letters, digits, spaces or +=,.@_-" % params["name"])
    if params["state"] == "absent":
        return
    for option, low, high in (("access_token_validity_minutes", 5, 1440), ("id_token_validity_minutes", 5, 1440),
                              ("refresh_token_validity_days", 1, 3650)):
        if not low <= params[option] <= high:
            module.fail_json(msg="%s must be %d-%d, got %d" % (option, low, high, params[option]))
    for option in ("callback_urls", "logout_urls"):
        bad = [url for url in params[option] or [] if not ALLOWED_URL.match(url)]
        if bad:
            module.fail_json(msg="%s must be https:// URLs (or http://localhost for development) without a fragment, got %r"
                                 % (option, bad))
    flows = params["allowed_oauth_flows"]
    redirecting = sorted(set(flows) & {"code", "implicit"})
    if redirecting and not params["callback_urls"]:
        module.fail_json(msg="the %s flow needs at least one URL in callback_urls" % " and ".join(redirecting))
    if "client_credentials" in flows:
        if redirecting:
            module.fail_json(msg="allowed_oauth_flows cannot combine client_credentials with %s: use one client for each"
                                 % " and ".join(redirecting))
        if not params["generate_secret"]:
            module.fail_json(msg="the client_credentials flow needs a client secret: set generate_secret to true")
    if flows and not params["allowed_oauth_scopes"]:
        module.fail_json(msg="allowed_oauth_scopes must list at least one scope (such as openid) when allowed_oauth_flows are given")
    if not params["explicit_auth_flows"]:
        module.fail_json(msg="explicit_auth_flows must list at least one flow, such as ALLOW_REFRESH_TOKEN_AUTH")


def find(client, module):
    params = module.params
    ours = cognito.app_client_ids_named(client, params["user_pool_id"], params["name"])
    if len(ours) > 1:
        module.fail_json(msg="%d app clients of user pool %s are named %s (%s); remove the extra ones"
                             % (len(ours), params["user_pool_id"], params["name"], ", ".join(sorted(ours))))
    if not ours:
        return None
    return cognito.describe_app_client(client, params["user_pool_id"], params["name"], ours[0])


def wanted_settings(params):
    """The managed settings in the options' terms, lists sorted (their order means nothing to Cognito)."""
    flows = params["allowed_oauth_flows"]
    return {
        "callback_urls": sorted(params["callback_urls"] or []),
        "logout_urls": sorted(params["logout_urls"] or []),
        "allowed_oauth_flows": sorted(flows),
        "allowed_oauth_scopes": sorted(params["allowed_oauth_scopes"]) if flows else [],
        "supported_identity_providers": sorted(params["supported_identity_providers"]),
        "explicit_auth_flows": sorted(params["explicit_auth_flows"]),
        "prevent_user_existence_errors": params["prevent_user_existence_errors"],
        "access_token_validity_minutes": params["access_token_validity_minutes"],
        "id_token_validity_minutes": params["id_token_validity_minutes"],
        "refresh_token_validity_days": params["refresh_token_validity_days"],
    }


def in_unit(described, token, unit):
    """A token's lifetime in `unit`, whatever unit Cognito keeps it in (a fraction when it does not divide)."""
    units = dict(DEFAULT_UNITS, **(described.get("TokenValidityUnits") or {}))
    value = described.get("%sValidity" % token)
    seconds = (DEFAULT_VALIDITY[token] if value is None else value) * SECONDS[units[token]]
    return seconds // SECONDS[unit] if seconds % SECONDS[unit] == 0 else seconds / SECONDS[unit]


def current_settings(described):
    return {
        "callback_urls": sorted(described.get("CallbackURLs") or []),
        "logout_urls": sorted(described.get("LogoutURLs") or []),
        "allowed_oauth_flows": sorted(described.get("AllowedOAuthFlows") or []),
        "allowed_oauth_scopes": sorted(described.get("AllowedOAuthScopes") or []),
        "supported_identity_providers": sorted(described.get("SupportedIdentityProviders") or []),
        "explicit_auth_flows": sorted(described.get("ExplicitAuthFlows") or []),
        "prevent_user_existence_errors": described.get("PreventUserExistenceErrors") == "ENABLED",
        "access_token_validity_minutes": in_unit(described, "AccessToken", "minutes"),
        "id_token_validity_minutes": in_unit(described, "IdToken", "minutes"),
        "refresh_token_validity_days": in_unit(described, "RefreshToken", "days"),
    }


def managed_request(params):
    """Every setting this module manages, as CreateUserPoolClient and UpdateUserPoolClient take them."""
    flows = params["allowed_oauth_flows"]
    return {
        "CallbackURLs": params["callback_urls"] or [],
        "LogoutURLs": params["logout_urls"] or [],
        "AllowedOAuthFlowsUserPoolClient": bool(flows),
        "AllowedOAuthFlows": flows,
        "AllowedOAuthScopes": params["allowed_oauth_scopes"] if flows else [],
        "SupportedIdentityProviders": params["supported_identity_providers"],
        "ExplicitAuthFlows": params["explicit_auth_flows"],
        "PreventUserExistenceErrors": "ENABLED" if params["prevent_user_existence_errors"] else "LEGACY",
        "AccessTokenValidity": params["access_token_validity_minutes"],
        "IdTokenValidity": params["id_token_validity_minutes"],
        "RefreshTokenValidity": params["refresh_token_validity_days"],
        "TokenValidityUnits": {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"},
    }


def unmanaged_request(client, current, params):
    """The settings of `current` this module does not manage, for an update to keep them."""
    accepted = cognito.accepted_arguments(client, "UpdateUserPoolClient")
    kept = {k: current[k] for k in UNMANAGED if k in accepted and current.get(k) is not None}
    # Cognito wants the default redirect URI among the callback URLs: it goes with a removed one.
    if kept.get("DefaultRedirectURI") not in (params["callback_urls"] or []):
        kept.pop("DefaultRedirectURI", None)
    return kept


def view(described):
    """The client as the module returns it: never its secret."""
    result = {
        "client_id": described["ClientId"],
        "name": described.get("ClientName"),
        "user_pool_id": described.get("UserPoolId"),
        "has_secret": bool(described.get("ClientSecret")),
        "allowed_oauth_flows_user_pool_client": bool(described.get("AllowedOAuthFlowsUserPoolClient")),
    }
    result.update(current_settings(described))
    return result


def ensure_present(client, module, current):
    params = module.params
    if current is None:
        if module.check_mode:
            return True, {}
        created = cognito.create_app_client(client, params["user_pool_id"], params["name"],
                                            dict(managed_request(params), GenerateSecret=params["generate_secret"]))
        return True, view(created)

    has_secret = bool(current.get("ClientSecret"))
    if has_secret != params["generate_secret"]:
        module.fail_json(
            msg="app client %s (%s) exists %s a secret, which Cognito cannot change (generate_secret): remove it (state=absent) "
                "and create it again" % (params["name"], current["ClientId"], "with" if has_secret else "without"))
    if current_settings(current) == wanted_settings(params):
        return False, view(current)
    if module.check_mode:
        return True, dict(view(current), allowed_oauth_flows_user_pool_client=bool(params["allowed_oauth_flows"]),
                          **wanted_settings(params))
    # UpdateUserPoolClient resets every setting the request leaves out to its default: send the whole
    # managed set, changed or not, and pass back the unmanaged settings as Cognito describes them.
    request = unmanaged_request(client, current, params)
    request.update(managed_request(params))
    updated = cognito.update_app_client(client, params["user_pool_id"], params["name"], current["ClientId"], request)
    return True, view(updated)


def ensure_absent(client, module, current):
    if current is None:
        return False, {}
    if not module.check_mode:
        cognito.delete_app_client(client, module.params["user_pool_id"], module.params["name"], current["ClientId"])
    return True, {}


@fails_on_aws_errors
def run(module):
    client = cognito.client_of(module)
    current = find(client, module)
    before = dict(current_settings(current), generate_secret=bool(current.get("ClientSecret"))) if current else {}
    if module.params["state"] == "present":
        changed, result = ensure_present(client, module, current)
        after = dict(wanted_settings(module.params), generate_secret=module.params["generate_secret"])
    else:
        changed, result = ensure_absent(client, module, current)
        after = {}
    module.exit_json(changed=changed, client=result, diff=dict(before=before, after=after))


def main():
    argument_spec = dict(
        user_pool_id=dict(type="str", required=True),
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        generate_secret=dict(type="bool", default=True),
        callback_urls=dict(type="list", elements="str"),
        logout_urls=dict(type="list", elements="str", default=[]),
        allowed_oauth_flows=dict(type="list", elements="str", choices=["code", "implicit", "client_credentials"], default=["code"]),
        allowed_oauth_scopes=dict(type="list", elements="str", default=["openid"]),
        supported_identity_providers=dict(type="list", elements="str", default=["COGNITO"]),
        explicit_auth_flows=dict(
            type="list", elements="str", default=["ALLOW_REFRESH_TOKEN_AUTH"],
            choices=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH",
                     "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_AUTH"],
        ),
        prevent_user_existence_errors=dict(type="bool", default=True),
        # lifetimes, not tokens: nothing for no_log to hide
        access_token_validity_minutes=dict(type="int", default=60, no_log=False),
        id_token_validity_minutes=dict(type="int", default=60, no_log=False),
        refresh_token_validity_days=dict(type="int", default=1, no_log=False),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)
    run(module)


if __name__ == "__main__":
    main()
