# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cognito's calls for the cognito_* modules (user pools, their domains, app clients and users), each failing
with a message that names what failed."""

from __future__ import annotations

import re

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.dicoogle.aws.plugins.module_utils.aws import ErrorHandler

# Cognito's documented syntax of a user pool ID.
POOL_ID = re.compile(r"^[\w-]+_[0-9a-zA-Z]+$")
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
