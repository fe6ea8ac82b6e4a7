"""Every role's argument_specs, checked with the validator include_role runs before the role's
first task: each option has a type and a description, and a value of the wrong type or outside
the choices is refused with a message that names the variable. Each option's default is the
value the role's defaults/main.yml gives it (what ansible-doc shows), and every entry point
still validates when a play runs it."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from tests.helpers import ROOT, VENV_BIN, UnsafeText

ROLES = sorted(p for p in (ROOT / "roles").iterdir() if p.is_dir())
# A value no option of the type accepts.
WRONG = {"int": "many", "bool": "perhaps", "list": {"not": "a list"}, "dict": ["not", "a dict"]}
# What the validator says about each kind of mistake.
REFUSED = ("which is not a valid", "cannot be converted", "must be one of", "must be one or more of", "is of type", "unable to convert", "could not convert")


def entry_points(role):
    specs = yaml.safe_load((role / "meta/argument_specs.yml").read_text())["argument_specs"]
    return [(role.name, entry, spec.get("options", {})) for entry, spec in specs.items()]


def role_defaults(role_name):
    return yaml.safe_load((ROOT / "roles" / role_name / "defaults/main.yml").read_text()) or {}


CASES = [case for role in ROLES for case in entry_points(role)]
IDS = ["%s-%s" % case[:2] for case in CASES]


def without_defaults(options):
    """The options as a play meets them: defaults/main.yml supplies every variable the spec gives a
    default to, so the spec's default never applies (a Jinja one is never even evaluated)."""
    return {name: {k: v for k, v in option.items() if k != "default"} for name, option in options.items()}


def same(a, b):
    """Equal parsed YAML values of the same types all the way down (1 == True and 1 == 1.0 in Python;
    a string tagged !unsafe is a string)."""
    if isinstance(a, str) and isinstance(b, str):
        return str(a) == str(b)
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def templated(value):
    """Whether a value holds a Jinja expression anywhere."""
    if isinstance(value, str):
        return "{{" in value or "{%" in value
    if isinstance(value, dict):
        return any(templated(v) for v in value.values())
    if isinstance(value, list):
        return any(templated(v) for v in value)
    return False


@pytest.mark.parametrize("role, entry, options", CASES, ids=IDS)
def test_every_option_is_typed_and_described(role, entry, options):
    assert options, "%s/%s declares no option" % (role, entry)
    for name, option in options.items():
        assert option.get("type"), "%s/%s: %s has no type" % (role, entry, name)
        assert option.get("description"), "%s/%s: %s has no description" % (role, entry, name)


@pytest.mark.parametrize("role, entry, options", [c for c in CASES if c[1] == "main"], ids=lambda v: v if isinstance(v, str) else "")
def test_wrong_types_and_choices_are_refused_naming_the_variable(role, entry, options):
    validator = ArgumentSpecValidator(without_defaults(options))
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
            assert all(name in m for m in messages), (role, name, messages)
            assert any(r in m for m in messages for r in REFUSED), (role, name, messages)
            checked += 1
    # every role has typed options beyond plain strings, or choices: something was refused
    assert checked, "%s: no option of a checkable type" % role


def test_a_well_typed_value_passes():
    [options] = [c[2] for c in CASES if c[0] == "edge_hosts" and c[1] == "main"]
    result = ArgumentSpecValidator(without_defaults(options)).validate(
        {"edge_hosts_root_volume_size": 20, "edge_hosts_access": "ssh", "edge_hosts_admin_ssh_cidrs": ["192.0.2.0/24"]})
    assert [str(e) for e in result.errors] == []


@pytest.mark.parametrize("role, entry, options", CASES, ids=IDS)
def test_every_default_is_the_value_of_the_roles_defaults_file(role, entry, options):
    """ansible-doc shows the spec's defaults: each is what defaults/main.yml sets (the same parsed
    YAML value, a Jinja expression as its string), and an option that file does not set has none."""
    defaults = role_defaults(role)
    for name, option in options.items():
        where = "%s/%s: %s" % (role, entry, name)
        if name in defaults:
            assert "default" in option, "%s has no default; defaults/main.yml sets %r" % (where, defaults[name])
            assert same(option["default"], defaults[name]), "%s: default %r, defaults/main.yml sets %r" % (
                where, option["default"], defaults[name])
            assert not option.get("required"), "%s: required and default exclude each other" % where
        else:
            assert "default" not in option, "%s: default %r, which defaults/main.yml does not set" % (where, option["default"])


def jinja_strings(value):
    """The strings of a value that hold a Jinja expression, wherever they are in it."""
    if isinstance(value, str):
        return [value] if templated(value) else []
    if isinstance(value, dict):
        return [s for v in value.values() for s in jinja_strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in jinja_strings(v)]
    return []


@pytest.mark.parametrize("role, entry, options", CASES, ids=IDS)
def test_a_jinja_default_is_documentation_only(role, entry, options):
    """ansible-core templates a role's whole argument spec when it validates the role's arguments: a
    Jinja default would be evaluated then, even for an option the play sets, which fails where its
    variables are undefined (inventory_dir in a play without an inventory file) and prints a secret's
    value with a failed validation. Tagged !unsafe, it is shown by ansible-doc and never evaluated:
    the role's defaults/main.yml alone gives the value, lazily, as before."""
    for name, option in options.items():
        for text in jinja_strings(option.get("default")):
            assert isinstance(text, UnsafeText), "%s/%s: %s: tag the Jinja default %r !unsafe" % (role, entry, name, text)


@pytest.mark.parametrize("role, entry, options", CASES, ids=IDS)
def test_a_literal_default_is_valid_for_its_option(role, entry, options):
    """A default without a Jinja expression is of the option's type, element type and choices, as
    the validator would apply it."""
    for name, option in options.items():
        if "default" in option and not templated(option["default"]):
            result = ArgumentSpecValidator({name: option}).validate({})
            assert [str(e) for e in result.errors] == [], "%s/%s: %s" % (role, entry, name)
            assert result.validated_parameters[name] == option["default"], (role, entry, name)


def strings_outside_defaults(node, path=()):
    if isinstance(node, dict):
        for key, value in node.items():
            if key != "default":
                yield from strings_outside_defaults(value, path + (key,))
    elif isinstance(node, list):
        for value in node:
            yield from strings_outside_defaults(value, path)
    elif isinstance(node, str):
        yield path, node


@pytest.mark.parametrize("role", ROLES, ids=lambda p: p.name)
def test_only_defaults_hold_jinja(role):
    """ansible-core templates the spec when it validates: a Jinja expression in a description would
    be evaluated there (and printed with a failed validation)."""
    specs = yaml.safe_load((role / "meta/argument_specs.yml").read_text())["argument_specs"]
    found = [(path, text) for path, text in strings_outside_defaults(specs) if templated(text)]
    assert found == []


# What a play's variables are here: inventories/lab's, plus the secrets playbooks/group_vars reads
# from Secrets Manager (and the web sign-in the lab has not), as values to look for in the output.
SECRETS = {"dicoogle_pacs_admin_password": "pacs-admin-secret-4f1c",
           "dicoogle_web_automation_password": "web-automation-secret-9b2e",
           "dicoogle_aws_connection": {"endpoint_url": "http://127.0.0.1:1", "access_key": "AKIATESTKEY",
                                       "secret_key": "aws-secret-key-77d0"}}
SECRET_VALUES = ("pacs-admin-secret-4f1c", "web-automation-secret-9b2e", "aws-secret-key-77d0")
# A wrong value of an option of each role whose defaults read a secret.
FAILING = {"pacs_config": {"pacs_config_wait_timeout": "soon"}, "dicom_tests": {"dicom_tests_rows": "many"},
           "lab_pacs_task": {"lab_pacs_task_https_port": "many"}}


def validation_play(tmp_path):
    """One playbook run of every role's entry points in which only the argument validation runs:
    include_role's validation task carries the tag always, the role's own tasks are left out by
    --tags. Each validation of the first play must pass; the second play fails each of its own on
    purpose."""
    every_entry = [{"name": "%s %s" % (role, entry),
                    "ansible.builtin.import_role": {"name": "dicoogle.aws." + role, "tasks_from": entry},
                    "ignore_errors": True}  # so that the second play runs anyway: failures are counted below
                   for role, entry, _options in CASES]
    failing = [{"name": "%s with a wrong value" % role, "ansible.builtin.import_role": {"name": "dicoogle.aws." + role},
                "vars": wrong, "ignore_errors": True} for role, wrong in FAILING.items()]
    playbook = [
        {"name": "Validate every entry point", "hosts": "localhost", "gather_facts": True, "gather_subset": ["min"],
         "tasks": every_entry},
        {"name": "Fail a validation with a secret in the variables", "hosts": "localhost", "gather_facts": False,
         "vars": {"dicoogle_web_sign_in": True, "dicoogle_web_automation_user": "automation@example.test"},
         "tasks": failing},
    ]
    (tmp_path / "validate.yml").write_text(yaml.safe_dump(playbook, sort_keys=False))
    (tmp_path / "secrets.json").write_text(json.dumps(SECRETS))
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    run = subprocess.run([str(VENV_BIN / "ansible-playbook"), "-i", str(ROOT / "inventories/lab"), str(tmp_path / "validate.yml"),
                          "--tags", "argument-validation-only", "-e", "@%s" % (tmp_path / "secrets.json")],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    return run


@pytest.fixture(scope="module")
def validation_run(tmp_path_factory):
    run = validation_play(tmp_path_factory.mktemp("validation"))
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-3000:]
    # each play's part of the output
    every_entry, failing = output.split("PLAY [Fail a validation with a secret in the variables]")
    return every_entry, failing


def test_every_entry_point_validates_when_a_play_runs_it(validation_run):
    """Every role's every entry point passes its argument validation with the lab's variables (the
    defaults/main.yml values, templated: a shared port is an int)."""
    every_entry = validation_run[0]
    assert every_entry.count("Validating arguments against arg spec") == len(CASES), every_entry[-3000:]
    # the facts (dcmtk's default reads them), then each validation
    assert every_entry.count("ok: [localhost]") == len(CASES) + 1, every_entry[-3000:]
    assert "fatal:" not in every_entry, every_entry[-3000:]
    assert "[WARNING]" not in every_entry, every_entry[-3000:]


def test_a_failed_validation_prints_no_secret(validation_run):
    failing = validation_run[1]
    assert failing.count("fatal: [localhost]") == len(FAILING), failing[-3000:]
    for wrong in FAILING.values():
        [name] = wrong
        assert "argument '%s' is of type str and we were unable to convert" % name in failing, failing[-3000:]
    for secret in SECRET_VALUES:
        assert secret not in failing
