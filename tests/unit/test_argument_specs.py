"""Every role's argument_specs, checked with the validator include_role runs before the role's
first task: each option has a type and a description, and a value of the wrong type or outside
the choices is refused with a message that names the variable."""

from __future__ import annotations

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from tests.helpers import ROOT

ROLES = sorted(p for p in (ROOT / "roles").iterdir() if p.is_dir())
# A value no option of the type accepts.
WRONG = {"int": "many", "bool": "perhaps", "list": {"not": "a list"}, "dict": ["not", "a dict"]}
# What the validator says about each kind of mistake.
REFUSED = ("which is not a valid", "cannot be converted", "must be one of", "must be one or more of", "is of type", "unable to convert", "could not convert")


def entry_points(role):
    specs = yaml.safe_load((role / "meta/argument_specs.yml").read_text())["argument_specs"]
    return [(role.name, entry, spec.get("options", {})) for entry, spec in specs.items()]


CASES = [case for role in ROLES for case in entry_points(role)]


@pytest.mark.parametrize("role, entry, options", CASES, ids=lambda v: v if isinstance(v, str) else "")
def test_every_option_is_typed_and_described(role, entry, options):
    assert options, "%s/%s declares no option" % (role, entry)
    for name, option in options.items():
        assert option.get("type"), "%s/%s: %s has no type" % (role, entry, name)
        assert option.get("description"), "%s/%s: %s has no description" % (role, entry, name)


@pytest.mark.parametrize("role, entry, options", [c for c in CASES if c[1] == "main"], ids=lambda v: v if isinstance(v, str) else "")
def test_wrong_types_and_choices_are_refused_naming_the_variable(role, entry, options):
    validator = ArgumentSpecValidator(options)
    checked = 0
    for name, option in options.items():
        bad = []
        if option["type"] in WRONG:
            bad.append(WRONG[option["type"]])
        if option.get("choices"):
            bad.append("not-one-of-the-choices")
        for value in bad:
            result = validator.validate({name: value})
            messages = [str(error) for error in result.errors]
            assert messages, "%s: %s=%r was accepted" % (role, name, value)
            assert any(name in m and any(r in m for r in REFUSED) for m in messages), (role, name, messages)
            checked += 1
    # every role has typed options beyond plain strings, or choices: something was refused
    assert checked, "%s: no option of a checkable type" % role


def test_a_well_typed_value_passes():
    [options] = [c[2] for c in CASES if c[0] == "edge_hosts" and c[1] == "main"]
    result = ArgumentSpecValidator(options).validate({"edge_hosts_root_volume_size": 20, "edge_hosts_access": "ssh",
                                                     "edge_hosts_admin_ssh_cidrs": ["192.0.2.0/24"]})
    assert [str(e) for e in result.errors] == []
