# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the DataSync modules share: descriptions, tags, locations found by their URI, task options
checked against the DataSync API model, and results in snake_case."""

from __future__ import annotations

import re

try:
    import botocore.session
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.amazon.aws.plugins.module_utils.botocore import normalize_boto3_result
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.dicoogle.aws.plugins.module_utils.aws import ROLE_ARN
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import ErrorHandler
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import described
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import fails_on_aws_errors
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import reconcile_tags
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import tag_arguments

SUBDIRECTORY = re.compile(r"^[a-zA-Z0-9_\-+./() ]{0,4096}$")
# members of a task (and of an execution) kept in the shape of the API, as the modules take them
API_SHAPES = ("Options", "Excludes", "Includes")


class DataSyncErrorHandler(ErrorHandler):
    """The failures of DataSync's calls, each message naming what failed."""


def client_of(module):
    return module.client("datasync", retry_decorator=AWSRetry.jittered_backoff())


@DataSyncErrorHandler.common_error_handler("describe DataSync location {arn}")
def describe_location(client, kind, arn):
    """The location as describe_location_<kind> describes it."""
    return described(getattr(client, "describe_location_" + kind)(aws_retry=True, LocationArn=arn))


@DataSyncErrorHandler.common_error_handler("describe DataSync task {arn}")
def describe_task(client, arn):
    return described(client.describe_task(aws_retry=True, TaskArn=arn))


@DataSyncErrorHandler.common_error_handler("describe DataSync task execution {arn}")
def describe_task_execution(client, arn):
    return described(client.describe_task_execution(aws_retry=True, TaskExecutionArn=arn))


def api_result(described, tags=None):
    """A description in snake_case, the API's options and filters left as they are; with the tags when they were read."""
    result = camel_dict_to_snake_dict(normalize_boto3_result(described), ignore_list=list(API_SHAPES))
    if tags is not None:
        result["tags"] = tags
    return result


def immutable_refusal(what, name, arn, settings, *, cannot="this module does not change", joined_by=", "):
    """The message that refuses to change `settings` of an existing resource, instead of replacing it silently."""
    return ("DataSync %s %s (%s) exists with another %s, which %s: remove it (state=absent) and create it again"
            % (what, name, arn, joined_by.join(settings), cannot))


# Tags


def fail_on_reserved_tags(module):
    for key in module.params["tags"] or {}:
        if key.startswith("aws:"):
            module.fail_json(msg="tags: the key %r is reserved by AWS; use another prefix" % key)


@DataSyncErrorHandler.common_error_handler("read the tags of DataSync {what} {arn}")
@AWSRetry.jittered_backoff()
def read_tags(client, arn, what):
    tags = client.get_paginator("list_tags_for_resource").paginate(ResourceArn=arn).build_full_result().get("Tags", [])
    return boto3_tag_list_to_ansible_dict(tags)


@DataSyncErrorHandler.common_error_handler("tag DataSync {what} {arn}")
def retag(client, arn, what, to_add, to_remove):
    if to_remove:
        client.untag_resource(aws_retry=True, ResourceArn=arn, Keys=to_remove)
    if to_add:
        client.tag_resource(aws_retry=True, ResourceArn=arn, Tags=ansible_dict_to_boto3_tag_list(to_add))


def ensure_tags(client, module, arn, what):
    """Gives the resource the tags of module.params (what: "location" or "task", for the messages).

    Returns (changed, tags before, tags after); (False, None, None) without a call when the tags are not given."""
    params = module.params
    if params["tags"] is None:
        return False, None, None
    before = read_tags(client, arn, what)
    changed, after = reconcile_tags(module, before, params["tags"], params["purge_tags"],
                                    lambda to_add, to_remove: retag(client, arn, what, to_add, to_remove))
    return changed, before, after


# Tasks


@DataSyncErrorHandler.common_error_handler("list the DataSync tasks{purpose}")
@AWSRetry.jittered_backoff()
def list_tasks(client, purpose=""):
    """Every task of the region; `purpose` ends the message of a failure (" to find images-archive")."""
    return client.get_paginator("list_tasks").paginate().build_full_result().get("Tasks", [])


@DataSyncErrorHandler.common_error_handler("create DataSync task {name}")
def create_task(client, name, arguments):
    """Creates the task named `name` with create_task(Name=name, **arguments); returns its ARN."""
    return client.create_task(aws_retry=True, Name=name, **arguments)["TaskArn"]


@DataSyncErrorHandler.common_error_handler("update DataSync task {name} ({arn})")
def update_task(client, name, arn, arguments):
    client.update_task(aws_retry=True, TaskArn=arn, Name=name, **arguments)


@DataSyncErrorHandler.common_error_handler("delete DataSync task {name} ({arn})")
def delete_task(client, name, arn):
    client.delete_task(aws_retry=True, TaskArn=arn)


@DataSyncErrorHandler.common_error_handler("start DataSync task {arn}")
def start_task_execution(client, arn, override_options=None):
    """Starts an execution of the task; returns the execution's ARN."""
    kwargs = {"OverrideOptions": override_options} if override_options else {}
    return client.start_task_execution(aws_retry=True, TaskArn=arn, **kwargs)["TaskExecutionArn"]


def option_problem(options, option_name="options"):
    """Checks task options against the DataSync API model; returns a message or None. Converts numbers given as strings."""
    shape = botocore.session.get_session().get_service_model("datasync").shape_for("Options")
    for key, value in options.items():
        member = shape.members.get(key)
        if member is None:
            return "%s: %r is not a DataSync task option; the options are %s" % (option_name, key, ", ".join(sorted(shape.members)))
        if member.type_name in ("long", "integer"):
            if isinstance(value, str) and re.match(r"^-?\d+$", value):
                options[key] = value = int(value)
            if not isinstance(value, int) or isinstance(value, bool):
                return "%s: %s must be a whole number, got %r" % (option_name, key, value)
        elif member.enum and value not in member.enum:
            return "%s: %s must be one of %s, got %r" % (option_name, key, ", ".join(member.enum), value)
    return None


# Locations


def fail_on_bad_subdirectory(module):
    if not SUBDIRECTORY.match(module.params["subdirectory"]):
        module.fail_json(msg="subdirectory %r may only hold letters, digits, spaces and _-+./()" % module.params["subdirectory"])


def fail_on_bad_role(module, option):
    """Fails when the option, if given, is not the ARN of an IAM role."""
    role = module.params[option]
    if role is not None and not ROLE_ARN.match(role):
        module.fail_json(msg="%s %r is not the ARN of an IAM role (arn:aws:iam::123456789012:role/name)" % (option, role))


def normalise_uri(uri):
    """s3://bucket//sub or efs://region.fs//sub (moto's way of joining) and s3://bucket/sub/ (AWS) are the same location."""
    scheme, sep, rest = (uri or "").partition("://")
    return scheme.lower() + sep + re.sub(r"/+", "/", rest).rstrip("/")


@DataSyncErrorHandler.common_error_handler("list the DataSync locations")
@AWSRetry.jittered_backoff()
def list_locations(client):
    return client.get_paginator("list_locations").paginate().build_full_result().get("Locations", [])


def locations_at(client, uri, kind):
    """The locations whose URI is `uri` (normalised), as describe_location_<kind> describes them."""
    return [describe_location(client, kind, loc["LocationArn"]) for loc in list_locations(client) if normalise_uri(loc.get("LocationUri")) == uri]


@DataSyncErrorHandler.common_error_handler("create the DataSync location for {uri}")
def create_location(client, kind, uri, arguments):
    """Creates the location with create_location_<kind>(**arguments); returns its ARN."""
    return getattr(client, "create_location_" + kind)(aws_retry=True, **arguments)["LocationArn"]


@DataSyncErrorHandler.common_error_handler("delete DataSync location {arn}")
def delete_location(client, arn):
    client.delete_location(aws_retry=True, LocationArn=arn)


def location_diff(module, uri, current, tags_before, tags_after):
    """The location's URI and, when they were read, its tags; {} for a location that does not (or will not) exist."""
    before, after = {}, {}
    if current is not None:
        before["location_uri"] = current["LocationUri"]
        if tags_before is not None:
            before["tags"] = tags_before
    if module.params["state"] == "present":
        after["location_uri"] = current["LocationUri"] if current else uri
        if tags_after is not None:
            after["tags"] = tags_after
    return dict(before=before, after=after)


@fails_on_aws_errors
def ensure_location(module, kind, uri, find, differences, create_arguments):
    """What a location module does once its input is checked, up to exit_json: finds the location of `uri` with
    find(client, module, uri), then creates, tags or deletes it. An existing location whose settings differ
    (differences(current, params) names them) is refused, not replaced. create_arguments(params) gives the arguments
    of create_location_<kind> but the tags."""
    params = module.params
    client = client_of(module)
    current = find(client, module, uri)

    changed = False
    location = current
    tags_before, tags_after = None, None
    if params["state"] == "present":
        if current is None:
            changed = True
            if not module.check_mode:
                arguments = dict(create_arguments(params), **tag_arguments(params["tags"]))
                location = describe_location(client, kind, create_location(client, kind, uri, arguments))
            tags_before, tags_after = {}, params["tags"] or {}
        else:
            different = differences(current, params)
            if different:
                module.fail_json(msg=immutable_refusal("location", current["LocationUri"], current["LocationArn"], different))
            changed, tags_before, tags_after = ensure_tags(client, module, current["LocationArn"], "location")
    elif current is not None:
        changed = True
        location = None
        if not module.check_mode:
            delete_location(client, current["LocationArn"])

    result = api_result(location, tags_after) if location else {}
    module.exit_json(changed=changed, location=result, diff=location_diff(module, uri, current, tags_before, tags_after))
