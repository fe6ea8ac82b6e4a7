# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every AWS module of the collection shares: the error handler of its calls, the loop of its waits
and the reconciler of its tags. The calls themselves live in one file a service (efs.py, cognito.py...)."""

from __future__ import annotations

import functools
import inspect
import re
import string
import time

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

# An IAM role's ARN, in any partition (a service's role option)
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")


class _Description(string.Formatter):
    """str.format, but a list or tuple stands as its items joined by ", ", and a dict as its keys, sorted, joined
    the same way: the way the messages name several things."""

    def format_field(self, value, format_spec):
        if isinstance(value, dict):
            value = sorted(value)
        if isinstance(value, (list, tuple)):
            value = ", ".join(str(item) for item in value)
        return super().format_field(value, format_spec)


_DESCRIPTION = _Description()


class ErrorHandler(AWSErrorHandler):
    """amazon.aws's AWSErrorHandler, whose description may name the decorated function's arguments: with
    common_error_handler("describe user pool {pool_id}") a failure of describe_user_pool(client, "eu-west-1_x")
    raises AnsibleAWSError("Failed to describe user pool eu-west-1_x"), so that each message says what failed.

    A service's handler subclasses it and lists in MISSING the error codes that mean "not there", which
    list_error_handler turns into its default value and deletion_error_handler into False."""

    MISSING = ()

    @classmethod
    def _is_missing(cls):
        if cls.MISSING:
            return is_boto3_error_code(list(cls.MISSING))
        return super()._is_missing()

    @classmethod
    def common_error_handler(cls, description):
        def wrapper(func):
            signature = inspect.signature(func)

            @functools.wraps(func)
            def handler(*args, **kwargs):
                try:
                    return func(*args, **kwargs)
                except botocore.exceptions.WaiterError as e:
                    raise cls._CUSTOM_EXCEPTION(message="Timeout trying to " + cls.describe(description, signature, args, kwargs),
                                                exception=e) from e
                except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
                    raise cls._CUSTOM_EXCEPTION(message="Failed to " + cls.describe(description, signature, args, kwargs),
                                                exception=e) from e

            return handler

        return wrapper

    # amazon.aws's list and deletion handlers hide the function's arguments from common_error_handler (they wrap
    # it before functools.wraps names them): these wrap it after, so that their descriptions can name them too.

    @classmethod
    def list_error_handler(cls, description, default_value=None):
        return cls._returning_when_missing(description, default_value)

    @classmethod
    def deletion_error_handler(cls, description):
        return cls._returning_when_missing(description, False)

    @classmethod
    def _returning_when_missing(cls, description, value):
        def wrapper(func):
            @functools.wraps(func)
            def handler(*args, **kwargs):
                try:
                    return func(*args, **kwargs)
                except cls._is_missing():
                    return value

            return cls.common_error_handler(description)(handler)

        return wrapper

    @staticmethod
    def describe(description, signature, args, kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return _DESCRIPTION.format(description, **bound.arguments)


def fails_on_aws_errors(run):
    """Decorates what a module does once its input is checked, run(module, ...): an AnsibleAWSError of its calls
    becomes the module's failure, its message and then AWS's error, as fail_json_aws words them."""

    @functools.wraps(run)
    def handler(module, *args, **kwargs):
        try:
            return run(module, *args, **kwargs)
        except AnsibleAWSError as e:
            module.fail_json_aws_error(e)

    return handler


class Waiter:
    """Polls until a condition holds. One deadline, `timeout` seconds from the Waiter's making, serves every wait
    it runs; the pause between two reads starts at `delay` seconds and doubles up to `max_delay` (by default it
    stays `delay`). A condition is checked before each pause, and no pause runs past the deadline."""

    def __init__(self, timeout, delay=1, max_delay=None):
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout
        self.delay = delay
        self.max_delay = delay if max_delay is None else max_delay

    def until(self, read, on_timeout, done=bool, current=None):
        """Calls read() until done(what it returned) holds, and returns that. Once the deadline has passed,
        returns on_timeout(what it returned last), which fails the module or settles for what there is.
        `current`, when given, is what is already at hand: it is checked before the first read."""
        value = current if current is not None else read()
        delay = self.delay
        while not done(value):
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                return on_timeout(value)
            time.sleep(min(delay, remaining))
            delay = min(delay * 2, self.max_delay)
            value = read()
        return value


def text_tags(tags):
    """Tags as AWS holds them, keys and values as strings (YAML gives numbers); None stays None."""
    return None if tags is None else {str(k): str(v) for k, v in tags.items()}


def tag_changes(current, wanted, purge_tags, keep=()):
    """What it takes to bring the tags `current` (a dict) to `wanted`: (the dict of tags to add, the keys to remove,
    the tags after). Keys in `keep` are never removed, and nor are AWS's own (aws:...)."""
    to_add, to_remove = compare_aws_tags(current, wanted, purge_tags=purge_tags)
    to_remove = [key for key in to_remove if key not in keep]
    return to_add, to_remove, {key: value for key, value in dict(current, **to_add).items() if key not in to_remove}


# The options of a module that brings each of several resources to its own tags (ec2_tags, ecs_tags).
EACH_RESOURCE_TAGS_SPEC = dict(
    resources=dict(type="list", elements="dict", required=True, options=dict(
        resource=dict(type="str", required=True),
        tags=dict(type="dict", required=True),
    )),
    purge_tags=dict(type="bool", default=False),
)


def reconcile_each_resource_tags(module, resources, current, purge_tags, apply):
    """Brings each resource of `resources` (dicts with "resource" and "tags", as ec2_tags and ecs_tags take them) from
    its tags `current[resource]` to its own, with apply(resource, to_add, to_remove); returns (changed, each resource
    with its tags after, diff)."""
    changed, results, before, after = False, [], {}, {}
    for wanted in resources:
        resource = wanted["resource"]
        tags = {str(k): str(v) for k, v in wanted["tags"].items()}
        retagged, tags_after = reconcile_tags(module, current[resource], tags, purge_tags,
                                              lambda to_add, to_remove, resource=resource: apply(resource, to_add, to_remove))
        changed |= retagged
        before[resource], after[resource] = current[resource], tags_after
        results.append({"resource": resource, "tags": tags_after})
    return changed, results, {"before": before, "after": after}


def reconcile_tags(module, current, wanted, purge_tags, apply, keep=()):
    """Brings the tags `current` to `wanted` (see tag_changes) with apply(to_add, to_remove), the service's call
    that adds and removes them; never in check mode. Returns (changed, the tags after)."""
    to_add, to_remove, after = tag_changes(current, wanted, purge_tags, keep)
    if not (to_add or to_remove):
        return False, after
    if not module.check_mode:
        apply(to_add, to_remove)
    return True, after


def described(answer):
    """A describe call's answer without its ResponseMetadata."""
    answer.pop("ResponseMetadata", None)
    return answer


def tag_arguments(tags):
    """The Tags argument of a create call that takes a list of Key/Value: {} without tags."""
    return {"Tags": ansible_dict_to_boto3_tag_list(tags)} if tags else {}
