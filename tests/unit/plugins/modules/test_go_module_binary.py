"""go_module_binary: what it asks the go command for, the cache keyed by recipe and content, the
static check and the request's validation. The go command is recorded, not run: the real build
runs in scripts/setup.sh, molecule and the lab (tests/integration/test_lab_flows.py)."""

from __future__ import annotations

import json
import os
import struct

import pytest
from ansible.module_utils.basic import AnsibleModule

from ansible_collections.dicoogle.aws.plugins.module_utils import go_build
from ansible_collections.dicoogle.aws.plugins.modules import go_module_binary

MODULE = "github.com/ghostunnel/ghostunnel"


def elf(interpreter=False):
    """A minimal 64-bit little-endian ELF file with one program header: PT_LOAD, or PT_INTERP."""
    header = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9)
    header += struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, 0, 64, 0, 0, 64, 56, 1, 0, 0, 0)
    program = struct.pack("<IIQQQQQQ", 3 if interpreter else 1, 0, 0, 0, 0, 0, 0, 0)
    return header + program


@pytest.fixture
def go(monkeypatch, tmp_path):
    """Records each go command; `go build -o X` writes an ELF to X (a dynamic one if asked)."""
    calls = []
    source = tmp_path / "modcache" / "ghostunnel@v1.8.4"
    source.mkdir(parents=True)
    state = {"dynamic": False}

    def run_command(_self, args, cwd=None, environ_update=None, **_kwargs):
        calls.append({"args": args[1:], "cwd": cwd, "env": dict(environ_update or {})})
        if args[1] == "version":
            return 0, "go version go1.26.8 linux/amd64\n", ""
        if args[1:3] == ["mod", "download"]:
            return 0, json.dumps({"Path": MODULE, "Version": "v1.8.4", "Dir": str(source), "Sum": "h1:abc="}), ""
        if args[1] == "build":
            output = args[args.index("-o") + 1]
            with open(output, "wb") as handle:
                handle.write(elf(interpreter=state["dynamic"]))
            return 0, "", ""
        return 2, "", "unexpected"

    monkeypatch.setattr(AnsibleModule, "run_command", run_command)
    monkeypatch.setattr(AnsibleModule, "get_bin_path", lambda _self, name, *a, **k: "/usr/local/go/bin/go")
    return {"calls": calls, "source": source, "state": state}


def params(tmp_path, **changes):
    base = {"module": MODULE, "version": "v1.8.4", "dest": str(tmp_path / "cache" / "v1.8.4" / "ghostunnel"),
            "cgo": True, "ldflags": ["-X main.version=v1.8.4"]}
    base.update(changes)
    return base


def test_builds_the_exact_version_in_its_own_module_statically(go, tmp_path, run_module):
    result = run_module(go_module_binary, params(tmp_path))
    assert result["changed"] is True and result["static"] is True and result["module_sum"] == "h1:abc="
    dest = tmp_path / "cache" / "v1.8.4" / "ghostunnel"
    assert result["sha256"] == go_build.sha256(str(dest)) and os.stat(dest).st_mode & 0o777 == 0o755
    download = next(c for c in go["calls"] if c["args"][:2] == ["mod", "download"])
    # one exact version, never a version query (a proxy may refuse the list), outside any module
    assert download["args"] == ["mod", "download", "-json", MODULE + "@v1.8.4"]
    assert not os.path.exists(os.path.join(download["cwd"], "go.mod"))
    [build] = [c for c in go["calls"] if c["args"][0] == "build"]
    args = build["args"]
    assert build["cwd"] == str(go["source"]) and args[-1] == "."
    assert "-mod=mod" in args and "-trimpath" in args
    assert args[args.index("-ldflags") + 1] == "-s -w -X main.version=v1.8.4 -linkmode external -extldflags -static"
    assert args[args.index("-tags") + 1] == "netgo,osusergo"
    assert build["env"]["CGO_ENABLED"] == "1"
    stamp = json.loads((tmp_path / "cache" / "v1.8.4" / "ghostunnel.build.json").read_text())
    assert stamp["recipe"]["version"] == "v1.8.4" and stamp["sha256"] == result["sha256"]


def test_second_run_finds_the_cache_and_runs_no_go_command(go, tmp_path, run_module):
    first = run_module(go_module_binary, params(tmp_path))
    calls = len(go["calls"])
    again = run_module(go_module_binary, params(tmp_path))
    assert again["changed"] is False and again["sha256"] == first["sha256"]
    assert len(go["calls"]) == calls


def test_another_recipe_or_altered_binary_is_built_again(go, tmp_path, run_module):
    run_module(go_module_binary, params(tmp_path))
    builds = lambda: sum(c["args"][0] == "build" for c in go["calls"])  # noqa: E731
    assert run_module(go_module_binary, params(tmp_path, tags=["nopkcs11"]))["changed"] is True and builds() == 2
    with open(tmp_path / "cache" / "v1.8.4" / "ghostunnel", "ab") as handle:
        handle.write(b"tampered")
    assert run_module(go_module_binary, params(tmp_path, tags=["nopkcs11"]))["changed"] is True and builds() == 3


def test_check_mode_builds_nothing(go, tmp_path, run_module):
    result = run_module(go_module_binary, params(tmp_path), check_mode=True)
    assert result["changed"] is True
    assert [c["args"][0] for c in go["calls"]] == ["version"]
    assert not (tmp_path / "cache").exists()


def test_a_dynamic_result_fails_a_static_build_and_leaves_nothing(go, tmp_path, run_module):
    go["state"]["dynamic"] = True
    result = run_module(go_module_binary, params(tmp_path))
    assert result["failed"] is True and "not static" in result["msg"]
    assert os.listdir(tmp_path / "cache" / "v1.8.4") == []


def test_without_go_the_message_says_what_is_needed(monkeypatch, tmp_path, run_module):
    monkeypatch.setattr(AnsibleModule, "get_bin_path", lambda _self, name, *a, **k: None)
    result = run_module(go_module_binary, params(tmp_path))
    assert result["failed"] is True and "go command was not found" in result["msg"] and "Go (1.21 or newer" in result["msg"]


@pytest.mark.parametrize("option, value", [("version", "latest"), ("version", "v1.8"), ("module", "ghostunnel"),
                                           ("package", "../outside")])
def test_a_request_that_is_not_exact_is_refused_naming_the_option(go, tmp_path, run_module, option, value):
    result = run_module(go_module_binary, params(tmp_path, **{option: value}))
    assert result["failed"] is True and result["msg"].startswith(option), result["msg"]
    assert go["calls"] == []


def test_is_static_reads_the_program_headers(tmp_path):
    (tmp_path / "static").write_bytes(elf())
    (tmp_path / "dynamic").write_bytes(elf(interpreter=True))
    (tmp_path / "script").write_bytes(b"#!/bin/sh\n" + bytes(64))
    assert go_build.is_static(str(tmp_path / "static")) is True
    assert go_build.is_static(str(tmp_path / "dynamic")) is False
    assert go_build.is_static("/bin/sh") is False
    with pytest.raises(go_build.GoBuildError):
        go_build.is_static(str(tmp_path / "script"))
