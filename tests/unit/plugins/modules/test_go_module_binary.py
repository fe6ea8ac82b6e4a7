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


def elf(interpreter=False, machine=62):
    """A minimal 64-bit little-endian ELF file with one program header: PT_LOAD, or PT_INTERP."""
    header = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9)
    header += struct.pack("<HHIQQQIHHHHHH", 2, machine, 1, 0, 64, 0, 0, 64, 56, 1, 0, 0, 0)
    program = struct.pack("<IIQQQQQQ", 3 if interpreter else 1, 0, 0, 0, 0, 0, 0, 0)
    return header + program


@pytest.fixture
def go(monkeypatch, tmp_path):
    """Records each go command; `go build -o X` writes an ELF to X (a dynamic one if asked)."""
    calls = []
    source = tmp_path / "modcache" / "ghostunnel@v1.8.4"
    source.mkdir(parents=True)
    state = {"dynamic": False, "machine": 62}

    def run_command(_self, args, cwd=None, environ_update=None, **_kwargs):
        calls.append({"args": args[1:], "cwd": cwd, "env": dict(environ_update or {})})
        if args[1] == "version":
            return 0, "go version go1.26.8 linux/amd64\n", ""
        if args[1:3] == ["mod", "download"]:
            return 0, json.dumps({"Path": MODULE, "Version": "v1.8.4", "Dir": str(source), "Sum": "h1:abc="}), ""
        if args[1] == "build":
            output = args[args.index("-o") + 1]
            with open(output, "wb") as handle:
                handle.write(elf(interpreter=state["dynamic"], machine=state["machine"]))
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
    assert "-mod=readonly" in args and "-trimpath" in args
    assert args[args.index("-ldflags") + 1] == "-s -w -X main.version=v1.8.4 -linkmode external -extldflags -static"
    assert args[args.index("-tags") + 1] == "netgo,osusergo"
    assert (build["env"]["CGO_ENABLED"], build["env"]["GOOS"], build["env"]["GOARCH"]) == ("1", "linux", "amd64")
    # the toolchain that built it: go version where the build ran (a module may ask for a newer one)
    assert [c["cwd"] for c in go["calls"] if c["args"] == ["version"]] == [str(go["source"])]
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

    def builds():
        return sum(c["args"][0] == "build" for c in go["calls"])

    assert run_module(go_module_binary, params(tmp_path, tags=["nopkcs11"]))["changed"] is True and builds() == 2
    with open(tmp_path / "cache" / "v1.8.4" / "ghostunnel", "ab") as handle:
        handle.write(b"tampered")
    assert run_module(go_module_binary, params(tmp_path, tags=["nopkcs11"]))["changed"] is True and builds() == 3


def test_check_mode_builds_nothing(go, tmp_path, run_module):
    result = run_module(go_module_binary, params(tmp_path), check_mode=True)
    assert result["changed"] is True
    assert [c["args"][0] for c in go["calls"]] == ["version"]
    assert not (tmp_path / "cache").exists()


@pytest.mark.parametrize("wrong, message", [({"dynamic": True}, "not static"), ({"machine": 183}, "not a amd64 executable")])
def test_a_result_of_the_wrong_kind_fails_and_leaves_nothing(go, tmp_path, run_module, wrong, message):
    go["state"].update(wrong)
    result = run_module(go_module_binary, params(tmp_path))
    assert result["failed"] is True and message in result["msg"], result["msg"]
    assert os.listdir(tmp_path / "cache" / "v1.8.4") == []


def test_another_target_is_another_recipe(go, tmp_path, run_module):
    run_module(go_module_binary, params(tmp_path))
    go["state"]["machine"] = 183
    result = run_module(go_module_binary, params(tmp_path, goarch="arm64"))
    assert result["changed"] is True and [c["env"].get("GOARCH") for c in go["calls"] if c["args"][0] == "build"] == ["amd64", "arm64"]


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


def test_elf_facts_reads_the_header_and_program_headers(tmp_path):
    (tmp_path / "static").write_bytes(elf())
    (tmp_path / "dynamic").write_bytes(elf(interpreter=True, machine=183))
    (tmp_path / "script").write_bytes(b"#!/bin/sh\n" + bytes(64))
    (tmp_path / "truncated").write_bytes(elf()[:66])
    assert go_build.elf_facts(str(tmp_path / "static")) == (62, True)
    assert go_build.elf_facts(str(tmp_path / "dynamic")) == (183, False)
    for broken in ("script", "truncated"):
        with pytest.raises(go_build.GoBuildError):
            go_build.elf_facts(str(tmp_path / broken))
