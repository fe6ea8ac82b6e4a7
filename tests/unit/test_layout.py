"""The collection's own conventions: every role validates its arguments and is molecule-ready,
every module documents itself fully and belongs to the AWS action group."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ROLES = sorted(p for p in (ROOT / "roles").iterdir() if p.is_dir())
MODULES = sorted((ROOT / "plugins/modules").glob("*.py"))


def test_there_are_roles_and_modules():
    assert {"pki", "foundation"} <= {r.name for r in ROLES}
    assert MODULES


@pytest.mark.parametrize("role", ROLES, ids=lambda p: p.name)
def test_role_has_argument_specs_and_prefixed_variables(role):
    specs = yaml.safe_load((role / "meta/argument_specs.yml").read_text())["argument_specs"]
    assert "main" in specs
    options = specs["main"]["options"]
    defaults = yaml.safe_load((role / "defaults/main.yml").read_text()) or {}
    for name in defaults:
        assert name.startswith(role.name + "_"), "%s: variable %s lacks the role prefix" % (role.name, name)
        assert name in options, "%s: default %s is missing from argument_specs" % (role.name, name)
    meta = yaml.safe_load((role / "meta/main.yml").read_text())["galaxy_info"]
    assert meta["namespace"] == "dicoogle" and meta["role_name"] == role.name


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.stem)
def test_module_documents_itself_and_aws_modules_are_in_the_aws_group(module):
    source = module.read_text()
    tree = ast.parse(source)
    names = {t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets if isinstance(t, ast.Name)}
    assert {"DOCUMENTATION", "EXAMPLES", "RETURN"} <= names
    runtime = yaml.safe_load((ROOT / "meta/runtime.yml").read_text())
    assert ("AnsibleAWSModule" in source) == (module.stem in runtime["action_groups"]["aws"])
