"""The plumbing every AWS module shares: the error handler of the calls, the Waiter and the tag reconciler."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from botocore.exceptions import ClientError
from botocore.exceptions import EndpointConnectionError
from botocore.exceptions import WaiterError

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import ErrorHandler
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import Waiter
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import fails_on_aws_errors
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import reconcile_tags
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import tag_changes


def client_error(code, operation="DescribeThing"):
    return ClientError({"Error": {"Code": code, "Message": "%s happened" % code}}, operation)


class ThingErrorHandler(ErrorHandler):
    MISSING = ("ThingNotFound",)


# The error handler


def test_a_failure_names_what_failed_from_the_arguments():
    error = client_error("AccessDenied")

    @ThingErrorHandler.common_error_handler("set {groups} on {thing[Id]} ({name}) of {owner}, {attributes}")
    def call(client, thing, groups, owner="the account", name=None, attributes=None):
        raise error

    with pytest.raises(AnsibleAWSError) as raised:
        call(None, {"Id": "thing-1"}, ["sg-1", "sg-2"], name="first", attributes={"b": 1, "a": 2})
    # a list stands as its items, a dict as its sorted keys, a missing argument as its default
    assert raised.value.message == "Failed to set sg-1, sg-2 on thing-1 (first) of the account, a, b"
    assert raised.value.exception is error


def test_a_botocore_error_that_is_not_a_client_error_is_handled_too():
    @ThingErrorHandler.common_error_handler("reach {endpoint}")
    def call(endpoint):
        raise EndpointConnectionError(endpoint_url=endpoint)

    with pytest.raises(AnsibleAWSError, match="Failed to reach https://example.invalid"):
        call("https://example.invalid")


def test_a_botocore_waiter_that_gives_up_is_a_timeout():
    @ThingErrorHandler.common_error_handler("wait for {thing_id}")
    def call(thing_id):
        raise WaiterError(name="thing_ready", reason="Max attempts exceeded", last_response={})

    with pytest.raises(AnsibleAWSError) as raised:
        call("thing-1")
    assert raised.value.message == "Timeout trying to wait for thing-1"


def test_other_exceptions_and_the_answer_pass_through():
    @ThingErrorHandler.common_error_handler("read {key}")
    def call(key):
        if key == "bad":
            raise KeyError(key)
        return {"key": key}

    assert call("good") == {"key": "good"}
    with pytest.raises(KeyError):
        call("bad")


def test_a_list_call_returns_its_default_for_a_missing_thing_and_fails_on_any_other_error():
    raised = {}

    @ThingErrorHandler.list_error_handler("describe thing {thing_id}", ())
    def describe(client, thing_id):
        raise raised["error"]

    raised["error"] = client_error("ThingNotFound")
    assert describe(None, "thing-1") == ()
    raised["error"] = client_error("Throttling")
    with pytest.raises(AnsibleAWSError) as failure:
        describe(None, "thing-1")
    assert failure.value.message == "Failed to describe thing thing-1"  # the arguments are named here too


def test_a_deletion_of_a_missing_thing_returns_false():
    @ThingErrorHandler.deletion_error_handler("delete thing {thing_id}")
    def delete(thing_id, gone):
        if gone:
            raise client_error("ThingNotFound", "DeleteThing")
        return True

    assert delete("thing-1", gone=False) is True
    assert delete("thing-1", gone=True) is False


def test_a_handler_without_missing_codes_fails_on_not_found_too():
    @ErrorHandler.list_error_handler("describe thing {thing_id}")
    def describe(thing_id):
        raise client_error("ThingNotFound")

    with pytest.raises(AnsibleAWSError):
        describe("thing-1")


def test_a_module_fails_with_the_message_and_aws_s_error():
    failures = []
    module = SimpleNamespace(fail_json_aws_error=failures.append)
    error = AnsibleAWSError(message="Failed to tag thing-1", exception=client_error("AccessDenied"))

    @fails_on_aws_errors
    def run(module, thing_id, fail):
        if fail:
            raise error
        return thing_id

    run(module, "thing-1", fail=True)
    assert failures == [error]
    assert run(module, "thing-2", fail=False) == "thing-2"
    assert failures == [error]


# The Waiter


def never_times_out(value):
    raise AssertionError("timed out with %r" % (value,))


def test_it_reads_until_the_condition_holds_with_pauses_that_double_up_to_the_most(clock):
    answers = iter(["CREATING"] * 6 + ["AVAILABLE"])
    found = Waiter(600, delay=1, max_delay=5).until(lambda: next(answers), never_times_out, done=lambda state: state == "AVAILABLE")
    assert found == "AVAILABLE"
    assert clock.slept == [1, 2, 4, 5, 5, 5]


def test_without_a_most_the_pause_stays_the_same(clock):
    answers = iter([[], [], ["done"]])
    assert Waiter(60, delay=10).until(lambda: next(answers), never_times_out) == ["done"]
    assert clock.slept == [10, 10]


def test_what_is_at_hand_is_checked_before_any_read(clock):
    def read():
        raise AssertionError("read although what was at hand was done")

    assert Waiter(60).until(read, never_times_out, current="ready") == "ready"
    assert not clock.slept


def test_at_the_deadline_it_hands_the_last_value_to_on_timeout_without_pausing_past_it(clock):
    reads = []

    def read():
        reads.append(clock.now)
        return "PENDING %d" % len(reads)

    assert Waiter(10, delay=4).until(read, lambda last: "gave up at " + last, done=lambda value: False) == "gave up at PENDING 4"
    assert clock.slept == [4, 4, 2]  # the last pause ends at the deadline
    assert reads == [1000.0, 1004.0, 1008.0, 1010.0]


def test_one_waiter_keeps_one_deadline_for_every_wait(clock):
    waiter = Waiter(5, delay=1)
    states = iter([False, False, True])
    waiter.until(lambda: next(states), never_times_out)
    assert clock.slept == [1, 1]
    timed_out = []
    waiter.until(lambda: False, timed_out.append)
    assert clock.slept == [1, 1, 1, 1, 1] and timed_out == [False]


# The tag reconciler


class Module:
    def __init__(self, check_mode=False):
        self.check_mode = check_mode


def test_tag_changes_add_what_differs_and_remove_what_is_not_wanted():
    to_add, to_remove, after = tag_changes({"Name": "pacs", "old": "1", "same": "x"}, {"same": "x", "new": "2"}, True, keep=("Name",))
    assert to_add == {"new": "2"}
    assert to_remove == ["old"]  # Name is kept
    assert after == {"Name": "pacs", "same": "x", "new": "2"}


def test_tag_changes_keep_aws_tags_and_without_purge_every_other_tag():
    current = {"aws:cloudformation:stack-name": "s", "old": "1"}
    assert tag_changes(current, {"new": "2"}, True) == ({"new": "2"}, ["old"], {"aws:cloudformation:stack-name": "s", "new": "2"})
    assert tag_changes(current, {"new": "2"}, False) == ({"new": "2"}, [], dict(current, new="2"))


def test_reconcile_applies_the_changes_once():
    applied = []
    changed, after = reconcile_tags(Module(), {"a": "1", "b": "2"}, {"a": "9"}, True, lambda add, remove: applied.append((add, remove)))
    assert changed is True and after == {"a": "9"}
    assert applied == [({"a": "9"}, ["b"])]


def test_reconcile_in_check_mode_changes_nothing_but_says_what_would_change():
    def apply(_add, _remove):
        raise AssertionError("tagged in check mode")

    assert reconcile_tags(Module(check_mode=True), {"a": "1"}, {"a": "2"}, True, apply) == (True, {"a": "2"})


def test_reconcile_without_a_difference_calls_nothing():
    def apply(_add, _remove):
        raise AssertionError("tagged without a change")

    # values compare as text, as AWS keeps them
    assert reconcile_tags(Module(), {"a": "1", "Name": "x"}, {"a": 1}, True, apply, keep=("Name",)) == (False, {"a": "1", "Name": "x"})
