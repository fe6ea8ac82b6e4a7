# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cognito's calls for the cognito_* modules (user pools, their domains, app clients and users), each failing
with a message that names what failed, and the convergence of one user of cognito_users."""

from __future__ import annotations

import re

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.dicoogle.aws.plugins.module_utils.aws import ErrorHandler

# Cognito's documented syntax of a user pool ID.
POOL_ID = re.compile(r"^[\w-]+_[0-9a-zA-Z]+$")
# A hosted UI prefix domain: 1-63 lowercase letters, digits and hyphens, without AWS's reserved words.
DOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
RESERVED = ("aws", "amazon", "cognito")


def domain_problem(domain):
    """What is wrong with a prefix domain, as a message naming it, or None."""
    if not DOMAIN.match(domain):
        return ("domain %r must be 1-63 lowercase letters, digits or hyphens, and neither start nor end with a hyphen "
                "(it is a prefix, not a full domain name)" % domain)
    reserved = [word for word in RESERVED if word in domain]
    if reserved:
        return "domain %r must not contain %s, which AWS reserves; choose another prefix" % (domain, " or ".join(reserved))
    return None


PAGE_SIZE = 60  # the most ListUserPools and ListUserPoolClients give at once


class CognitoErrorHandler(ErrorHandler):
    pass


class CognitoUserErrorHandler(ErrorHandler):
    MISSING = ("UserNotFoundException",)


def client_of(module):
    return module.client("cognito-idp", retry_decorator=AWSRetry.jittered_backoff())


def accepted_arguments(client, operation):
    """The parameters `operation` (such as UpdateUserPool) takes, in the botocore that runs."""
    return client.meta.service_model.operation_model(operation).input_shape.members


# User pools


@CognitoErrorHandler.common_error_handler("list the user pools to find {name}")
@AWSRetry.jittered_backoff()
def user_pool_ids_named(client, name):
    pools = client.get_paginator("list_user_pools").paginate(PaginationConfig={"PageSize": PAGE_SIZE}).build_full_result().get("UserPools", [])
    return [p["Id"] for p in pools if p.get("Name") == name]


@CognitoErrorHandler.common_error_handler("describe user pool {pool_id}")
def describe_user_pool(client, pool_id, with_mfa=False):
    """The pool as DescribeUserPool describes it; with_mfa adds GetUserPoolMfaConfig's answer as MfaConfig."""
    pool = client.describe_user_pool(aws_retry=True, UserPoolId=pool_id)["UserPool"]
    if with_mfa:
        mfa = client.get_user_pool_mfa_config(aws_retry=True, UserPoolId=pool_id)
        mfa.pop("ResponseMetadata", None)
        pool["MfaConfig"] = mfa
    return pool


@CognitoErrorHandler.common_error_handler("create user pool {name}")
def create_user_pool(client, name, arguments):
    return client.create_user_pool(aws_retry=True, PoolName=name, **arguments)["UserPool"]


@CognitoErrorHandler.common_error_handler("set MFA of user pool {pool_id} to {mfa}")
def set_user_pool_mfa(client, pool_id, mfa, arguments):
    client.set_user_pool_mfa_config(aws_retry=True, UserPoolId=pool_id, MfaConfiguration=mfa.upper(), **arguments)


@CognitoErrorHandler.common_error_handler("update user pool {pool[Name]} ({pool[Id]})")
def update_user_pool(client, pool, arguments):
    client.update_user_pool(aws_retry=True, UserPoolId=pool["Id"], **arguments)


@CognitoErrorHandler.common_error_handler("tag user pool {pool[Name]} ({pool[Id]})")
def retag_user_pool(client, pool, to_add, to_remove):
    if to_remove:
        client.untag_resource(aws_retry=True, ResourceArn=pool["Arn"], TagKeys=to_remove)
    if to_add:
        client.tag_resource(aws_retry=True, ResourceArn=pool["Arn"], Tags=to_add)


@CognitoErrorHandler.common_error_handler("delete user pool {pool[Name]} ({pool[Id]})")
def delete_user_pool(client, pool):
    # Cognito does not delete a pool that has a domain (prefix or custom): they go first.
    for key in ("Domain", "CustomDomain"):
        if pool.get(key):
            client.delete_user_pool_domain(aws_retry=True, UserPoolId=pool["Id"], Domain=pool[key])
    client.delete_user_pool(aws_retry=True, UserPoolId=pool["Id"])


# Domains


@CognitoErrorHandler.common_error_handler("describe domain {domain}")
def describe_domain(client, domain):
    """The domain's description, or None when no pool has it (Cognito then gives an empty description)."""
    found = client.describe_user_pool_domain(aws_retry=True, Domain=domain)["DomainDescription"]
    return found if found.get("UserPoolId") else None


@CognitoErrorHandler.common_error_handler("create domain {domain} for user pool {pool_id}")
def create_domain(client, pool_id, domain):
    client.create_user_pool_domain(aws_retry=True, UserPoolId=pool_id, Domain=domain)


@CognitoErrorHandler.common_error_handler("delete domain {domain} of user pool {pool_id}")
def delete_domain(client, pool_id, domain):
    client.delete_user_pool_domain(aws_retry=True, UserPoolId=pool_id, Domain=domain)


# App clients


@CognitoErrorHandler.common_error_handler("list the app clients of user pool {pool_id}")
@AWSRetry.jittered_backoff()
def app_client_ids_named(client, pool_id, name):
    listed = client.get_paginator("list_user_pool_clients").paginate(
        UserPoolId=pool_id, PaginationConfig={"PageSize": PAGE_SIZE}).build_full_result().get("UserPoolClients", [])
    return [c["ClientId"] for c in listed if c.get("ClientName") == name]


@CognitoErrorHandler.common_error_handler("describe app client {name} ({client_id})")
def describe_app_client(client, pool_id, name, client_id):
    return client.describe_user_pool_client(aws_retry=True, UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]


@CognitoErrorHandler.common_error_handler("create app client {name} of user pool {pool_id}")
def create_app_client(client, pool_id, name, arguments):
    return client.create_user_pool_client(aws_retry=True, UserPoolId=pool_id, ClientName=name, **arguments)["UserPoolClient"]


@CognitoErrorHandler.common_error_handler("update app client {name} ({client_id})")
def update_app_client(client, pool_id, name, client_id, arguments):
    return client.update_user_pool_client(aws_retry=True, UserPoolId=pool_id, ClientId=client_id, ClientName=name,
                                          **arguments)["UserPoolClient"]


@CognitoErrorHandler.common_error_handler("delete app client {name} ({client_id})")
def delete_app_client(client, pool_id, name, client_id):
    client.delete_user_pool_client(aws_retry=True, UserPoolId=pool_id, ClientId=client_id)


# Users


@CognitoUserErrorHandler.list_error_handler("look up user {username} in user pool {pool_id}")
def get_user(client, pool_id, username):
    """The user as AdminGetUser describes it, or None."""
    return client.admin_get_user(aws_retry=True, UserPoolId=pool_id, Username=username)


@CognitoErrorHandler.common_error_handler("create user {username} in user pool {pool_id}")
def create_user(client, pool_id, username, arguments):
    return client.admin_create_user(aws_retry=True, UserPoolId=pool_id, Username=username, **arguments)["User"]


@CognitoErrorHandler.common_error_handler("{action} user {username}")
def set_user_enabled(client, pool_id, username, action):
    """action: "enable" or "disable"."""
    getattr(client, "admin_%s_user" % action)(aws_retry=True, UserPoolId=pool_id, Username=username)


@CognitoErrorHandler.common_error_handler("set the permanent password of user {username}")
def set_permanent_password(client, pool_id, username, password):
    client.admin_set_user_password(aws_retry=True, UserPoolId=pool_id, Username=username, Password=password, Permanent=True)


@CognitoErrorHandler.common_error_handler("update the attributes {attributes} of user {username}")
def update_user_attributes(client, pool_id, username, attributes):
    """Sets the attributes (a dict of names and values)."""
    client.admin_update_user_attributes(aws_retry=True, UserPoolId=pool_id, Username=username,
                                        UserAttributes=[{"Name": k, "Value": v} for k, v in sorted(attributes.items())])


@CognitoUserErrorHandler.deletion_error_handler("delete user {username} of user pool {pool_id}")
def delete_user(client, pool_id, username):
    """True once deleted; False when the user was already gone."""
    client.admin_delete_user(aws_retry=True, UserPoolId=pool_id, Username=username)
    return True


# The convergence of one user (an element of cognito_users' users option), once its password, if it needs one,
# is at hand: the module checks the input, reads every user and every password it needs before any change.


def wanted_attributes(attributes):
    """The attributes given, as the strings Cognito keeps (YAML's true is "true", not "True")."""
    return {name: (("true" if value else "false") if isinstance(value, bool) else str(value))
            for name, value in (attributes or {}).items()}


def attributes_of(user):
    # AdminGetUser says UserAttributes, AdminCreateUser Attributes
    return {a["Name"]: a.get("Value", "") for a in user.get("UserAttributes", user.get("Attributes", []))}


def user_view(user, pool_id):
    """The user as cognito_users returns it: never a password (Cognito returns none either)."""
    return {
        "username": user["Username"],
        "user_pool_id": pool_id,
        "status": user.get("UserStatus"),
        "enabled": bool(user.get("Enabled", True)),
        "attributes": attributes_of(user),
    }


def wants_permanent_password(wanted):
    return wanted["password"] is not None or wanted["password_secret"] is not None


def user_changes(current, wanted):
    """What it takes to bring the existing user `current` (AdminGetUser's answer) to `wanted`: a dict of the
    attributes to update (only those given are compared), enable (whether Enabled must change) and confirm
    (whether the user, still waiting for a first sign-in, gets its permanent password); all empty or false when
    nothing changes. The password of an existing user is never compared nor changed otherwise."""
    have = attributes_of(current)
    return {
        "attributes": {k: v for k, v in wanted_attributes(wanted["attributes"]).items() if have.get(k) != v},
        "enable": bool(current.get("Enabled", True)) != wanted["enabled"],
        "confirm": wants_permanent_password(wanted) and current.get("UserStatus") == "FORCE_CHANGE_PASSWORD",
    }


def predicted_user(current, pool_id, wanted, changes):
    """The user as user_view shows it once `changes` are made: check mode's answer."""
    predicted = user_view(current, pool_id)
    predicted["attributes"].update(changes["attributes"])
    predicted["enabled"] = wanted["enabled"]
    if changes["confirm"]:
        predicted["status"] = "CONFIRMED"
    return predicted


def create_wanted_user(client, pool_id, wanted, password):
    """Creates the user `wanted` with `password` (None: Cognito generates a temporary one and sends it), made
    permanent when `wanted` asks for a permanent password; returns it as AdminCreateUser describes it, updated."""
    username = wanted["username"]
    permanent = wants_permanent_password(wanted)
    request = {"UserAttributes": [{"Name": k, "Value": v} for k, v in sorted(wanted_attributes(wanted["attributes"]).items())]}
    if wanted["desired_delivery_mediums"]:
        request["DesiredDeliveryMediums"] = wanted["desired_delivery_mediums"]
    # a permanent password is first the temporary one, which AdminSetUserPassword then confirms
    if password is not None:
        request["TemporaryPassword"] = password
    if wanted["suppress_message"] or permanent:
        request["MessageAction"] = "SUPPRESS"
    user = create_user(client, pool_id, username, request)
    if permanent:
        set_permanent_password(client, pool_id, username, password)
        user["UserStatus"] = "CONFIRMED"
    if not wanted["enabled"]:
        set_user_enabled(client, pool_id, username, "disable")
        user["Enabled"] = False
    return user


def change_user(client, pool_id, wanted, changes, password):
    """Makes `changes` (user_changes' answer) to the existing user `wanted`, `password` being its permanent password
    when changes confirm it; returns the user as AdminGetUser describes it afterwards."""
    username = wanted["username"]
    if changes["attributes"]:
        update_user_attributes(client, pool_id, username, changes["attributes"])
    if changes["enable"]:
        set_user_enabled(client, pool_id, username, "enable" if wanted["enabled"] else "disable")
    if changes["confirm"]:
        set_permanent_password(client, pool_id, username, password)
    return get_user(client, pool_id, username)
