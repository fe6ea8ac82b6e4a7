"""The collection's documentation renders: ansible-doc shows every module, role, filter and test
plugin of the tree without a warning or an error, every role option that defaults/main.yml sets
shows that default, and every plugin a documentation references (M(...), P(...)) exists. One
ansible-doc run per plugin type, with every name of the type."""

from __future__ import annotations

import ast
import functools
import json
import os
import re
import subprocess

import pytest
import yaml

from tests.helpers import ROOT, VENV_BIN

COLLECTION = "dicoogle.aws"


def filter_or_test_names(kind):
    """The names the plugins/<kind> classes export (FilterModule.filters, TestModule.tests)."""
    cls, method = {"filter": ("FilterModule", "filters"), "test": ("TestModule", "tests")}[kind]
    names = set()
    for source in (ROOT / "plugins" / kind).glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.ClassDef) and node.name == cls:
                for function in node.body:
                    if isinstance(function, ast.FunctionDef) and function.name == method:
                        for ret in ast.walk(function):
                            if isinstance(ret, ast.Return) and isinstance(ret.value, ast.Dict):
                                names |= {key.value for key in ret.value.keys}
    return names


PLUGINS = {
    "module": sorted(p.stem for p in (ROOT / "plugins/modules").glob("*.py") if p.stem != "__init__"),
    "role": sorted(p.name for p in (ROOT / "roles").iterdir() if p.is_dir()),
    "filter": sorted(p.stem for p in (ROOT / "plugins/filter").glob("*.yml")),
    "test": sorted(p.stem for p in (ROOT / "plugins/test").glob("*.yml")),
}
# The heading ansible-doc gives each plugin (without colours).
HEADING = {"module": "> MODULE {}", "role": "> ROLE: *{}*", "filter": "> FILTER {}", "test": "> TEST {}"}
# The files whose documentation may reference other plugins.
DOC_FILES = ([*(ROOT / "plugins/modules").glob("*.py"), *(ROOT / "plugins/doc_fragments").glob("*.py"),
              *(ROOT / "plugins/filter").glob("*.yml"), *(ROOT / "plugins/test").glob("*.yml"),
              *(ROOT / "roles").glob("*/meta/argument_specs.yml")])


def ansible_doc(*args):
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    return subprocess.run([str(VENV_BIN / "ansible-doc"), *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300, check=False)


@functools.lru_cache(maxsize=None)
def rendered(kind):
    return ansible_doc("-t", kind, *("%s.%s" % (COLLECTION, name) for name in PLUGINS[kind]))


def assert_clean(run):
    """Exit 0, no warning, no error. A rendered code literal `ERROR' is a documented value (the
    DataSync execution status of dicoogle.aws.datasync_task_execution), not an error."""
    assert run.returncode == 0, run.stderr
    for stream in (run.stdout, run.stderr):
        assert "[WARNING]" not in stream, stream[-3000:]
        assert "[DEPRECATION WARNING]" not in stream, stream[-3000:]
    assert "ERROR" not in run.stderr, run.stderr[-3000:]
    assert not re.search(r"(?<!`)ERROR(?!')", run.stdout), re.findall(r".{0,80}ERROR.{0,80}", run.stdout)


def test_the_tree_has_plugins_of_each_type_and_every_filter_and_test_is_documented():
    assert all(PLUGINS.values()), PLUGINS
    # one documentation file per name the FilterModule and TestModule classes export
    assert set(PLUGINS["filter"]) == filter_or_test_names("filter")
    assert set(PLUGINS["test"]) == filter_or_test_names("test")
    for kind in ("filter", "test"):
        for name in PLUGINS[kind]:
            doc = yaml.safe_load((ROOT / "plugins" / kind / ("%s.yml" % name)).read_text())["DOCUMENTATION"]
            assert doc["name"] == name, (kind, name)


@pytest.mark.parametrize("kind", sorted(PLUGINS))
def test_ansible_doc_renders_every_plugin_of_the_type(kind):
    run = rendered(kind)
    assert_clean(run)
    headings = {line.split(" (")[0] for line in run.stdout.splitlines() if line.startswith("> ")}
    for name in PLUGINS[kind]:
        assert HEADING[kind].format("%s.%s" % (COLLECTION, name)) in headings, (kind, name)
    assert len(headings) == len(PLUGINS[kind]), sorted(headings)


def test_every_role_option_shows_the_default_of_the_defaults_file():
    """ansible-doc --json: an option that defaults/main.yml sets shows that value, not null."""
    run = ansible_doc("-t", "role", "--json", *("%s.%s" % (COLLECTION, name) for name in PLUGINS["role"]))
    assert_clean(run)
    docs = json.loads(run.stdout)
    assert sorted(docs) == ["%s.%s" % (COLLECTION, name) for name in PLUGINS["role"]]
    for name in PLUGINS["role"]:
        defaults = yaml.safe_load((ROOT / "roles" / name / "defaults/main.yml").read_text()) or {}
        entry_points = docs["%s.%s" % (COLLECTION, name)]["entry_points"]
        assert "main" in entry_points, name
        for entry, doc in entry_points.items():
            for option, spec in doc.get("options", {}).items():
                if option in defaults:
                    assert spec.get("default") is not None, "%s/%s: %s shows no default" % (name, entry, option)
                    assert spec["default"] == defaults[option], (name, entry, option)


def references():
    """Every M(fqcn) and P(fqcn#type) in the collection's documentation, by plugin type."""
    found = {}
    for path in DOC_FILES:
        text = path.read_text()
        for fqcn in re.findall(r"\bM\(([^)]*)\)", text):
            found.setdefault("module", set()).add(fqcn)
        for inner in re.findall(r"\bP\(([^)]*)\)", text):
            assert "#" in inner, "%s: P(%s) names no plugin type (P(fqcn#type))" % (path.relative_to(ROOT), inner)
            fqcn, kind = inner.split("#", 1)
            found.setdefault(kind, set()).add(fqcn)
    for kind, names in found.items():
        for fqcn in names:
            assert re.fullmatch(r"[a-z0-9_]+\.[a-z0-9_]+\.[a-z0-9_]+", fqcn), "not a plugin's full name: %s (%s)" % (fqcn, kind)
    return found


def test_every_referenced_plugin_exists():
    """A reference to this collection names a plugin of the tree; one to another collection
    (amazon.aws, community.aws, community.docker...) is checked with ansible-doc, which warns
    '<name> was not found' for a plugin that does not exist."""
    found = references()
    assert found.get("module") and found.get("filter")
    for kind, names in sorted(found.items()):
        ours = {n.split(".", 2)[2] for n in names if n.startswith(COLLECTION + ".")}
        assert kind in PLUGINS or not ours, "references to %s plugins of %s: %s" % (kind, COLLECTION, ours)
        assert ours <= set(PLUGINS.get(kind, ())), "%s %s referenced but not in the tree" % (kind, ours - set(PLUGINS[kind]))
        others = sorted(n for n in names if not n.startswith(COLLECTION + "."))
        if others:
            run = ansible_doc("-t", kind, *others)
            assert_clean(run)
            for fqcn in others:
                assert "> %s %s (" % (kind.upper(), fqcn) in run.stdout, (kind, fqcn)


@pytest.mark.parametrize("role", PLUGINS["role"])
def test_a_role_description_refers_to_its_own_options(role):
    """O(name) or O(name=value) in a role's argument specs names an option of that role."""
    text = (ROOT / "roles" / role / "meta/argument_specs.yml").read_text()
    specs = yaml.safe_load(text)["argument_specs"]
    options = {name for spec in specs.values() for name in spec.get("options", {})}
    for ref in re.findall(r"\bO\(([^)=]*)", text):
        assert ref in options, "%s: O(%s) is none of its options" % (role, ref)
