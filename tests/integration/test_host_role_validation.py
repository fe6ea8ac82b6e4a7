"""A wrong variable of a host role fails at validation, naming the variable, before any task."""

from __future__ import annotations

import json
import re

import pytest

from tests.helpers import env_without_go

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def pki(tmp_path_factory, run_playbook):
    pki_dir = tmp_path_factory.mktemp("hostpki") / "pki"
    run = run_playbook("tests/integration/playbooks/pki.yml", extra_vars={"pki_dir": str(pki_dir), "pki_key_size": "2048"})
    assert run.rc == 0, run
    return pki_dir


def tunnel(pki, **changes):
    base = {"name": "dicom-in", "mode": "server", "listen": "0.0.0.0:16666", "target": "127.0.0.1:6666",
            "cert": str(pki / "ghostunnel.crt"), "key": str(pki / "ghostunnel.key"), "ca": str(pki / "ca.crt"),
            "allow_cn": ["client.dicoogle.internal"]}
    base.update(changes)
    return base


# storescp serves plain DICOM on the loopback (the tunnel role does its TLS): a wrong value, and
# the variable the failure must name, and no other.
STORESCP_CASES = {
    "AE title of 17 characters": ({"storescp_aetitle": "A" * 17}, "storescp_aetitle"),
    "port out of range": ({"storescp_port": 70000}, "storescp_port"),
    "port not a number": ({"storescp_port": "http"}, "storescp_port"),
    "listen address a host name": ({"storescp_listen_address": "localhost"}, "storescp_listen_address"),
    "listen address with a port": ({"storescp_listen_address": "127.0.0.1:11112"}, "storescp_listen_address"),
    "listen address out of range": ({"storescp_listen_address": "127.0.0.256"}, "storescp_listen_address"),
    "study prefix with a slash": ({"storescp_study_prefix": "a/b"}, "storescp_study_prefix"),
    # the former TLS role's options are refused, not silently ignored
    "former certificate option": ({"storescp_cert": "/etc/ssl/storage.crt"}, "storescp_cert"),
    "former TLS directory option": ({"storescp_config_dir": "/etc/storescp"}, "storescp_config_dir"),
}
STORESCP_OPTIONS = ("storescp_aetitle", "storescp_listen_address", "storescp_port", "storescp_study_prefix", "storescp_cert",
                    "storescp_config_dir")

CASES = {
    "tunnel unknown engine": ("tunnel", lambda p: {"tunnel_engine": "socat", "tunnel_tunnels": [tunnel(p)]}, "tunnel_engine"),
    "tunnel missing certificate": (
        "tunnel", lambda p: {"tunnel_engine": "stunnel", "tunnel_tunnels": [tunnel(p, cert=str(p / "missing.crt"))]}, "cert"),
    "tunnel without cert option": (
        "tunnel", lambda p: {"tunnel_engine": "stunnel", "tunnel_tunnels": [{k: v for k, v in tunnel(p).items() if k != "cert"}]}, "cert"),
    "tunnel port out of range": (
        "tunnel", lambda p: {"tunnel_engine": "stunnel", "tunnel_tunnels": [tunnel(p, listen="0.0.0.0:70000")]}, "listen"),
    "tunnel server admitting nobody": (
        "tunnel", lambda p: {"tunnel_engine": "stunnel", "tunnel_tunnels": [tunnel(p, allow_cn=[])]}, "allow_cn"),
    "tunnel bad mode": ("tunnel", lambda p: {"tunnel_engine": "stunnel", "tunnel_tunnels": [tunnel(p, mode="proxy")]}, "mode"),
    "ghostunnel malformed checksum": (
        "tunnel", lambda p: {"tunnel_engine": "ghostunnel", "tunnel_ghostunnel_sha256": "abc", "tunnel_tunnels": [tunnel(p)]},
        "tunnel_ghostunnel_sha256"),
    "ghostunnel missing local binary": (
        "tunnel", lambda p: {"tunnel_engine": "ghostunnel", "tunnel_ghostunnel_local_binary": str(p / "missing"),
                             "tunnel_tunnels": [tunnel(p)]}, "tunnel_ghostunnel_local_binary"),
    "dcmtk unknown install method": ("dcmtk", lambda p: {"dcmtk_install_method": "snap"}, "dcmtk_install_method"),
}


def run_host_role(run_playbook, tmp_path, extra, env=None):
    vars_file = tmp_path / "vars.json"
    vars_file.write_text(json.dumps(extra))
    return run_playbook("tests/integration/playbooks/host_role.yml", "--check", "-e", "@%s" % vars_file, env=env)


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_host_role_input_is_named_before_any_task(case, pki, run_playbook, tmp_path):
    role, make_vars, named = CASES[case]
    run = run_host_role(run_playbook, tmp_path, dict(make_vars(pki), host_role=role))
    assert run.rc != 0, run
    assert named in run.output, run
    assert run.changed == 0, run


@pytest.mark.parametrize("case", sorted(STORESCP_CASES))
def test_a_storescp_mistake_names_its_variable_alone(case, run_playbook, tmp_path):
    wrong, named = STORESCP_CASES[case]
    run = run_host_role(run_playbook, tmp_path, dict(wrong, host_role="storescp"))
    assert run.rc != 0 and run.changed == 0, run
    # the error ansible-playbook reports, without the argument spec a failed validation prints
    [error] = re.findall(r"^\[ERROR\]: (.*?)^Origin:", run.output, re.M | re.S)
    assert [option for option in STORESCP_OPTIONS if option in error] == [named], run


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.12.7", "::1", "fd00:12::7"])
def test_storescp_takes_an_ip_address(address, run_playbook, tmp_path):
    """An IPv4 or IPv6 address passes the validation: the check-mode run goes on past it."""
    run = run_host_role(run_playbook, tmp_path, {"host_role": "storescp", "storescp_listen_address": address})
    assert "storescp input is invalid" not in run.output, run
    assert "TASK [dicoogle.aws.storescp : Look for the former role's unit]" in run.output, run


def test_ghostunnel_to_build_without_go_on_the_controller_is_refused_first(pki, run_playbook, ansible_env, tmp_path):
    """No sha256 and no local binary: ghostunnel is built on the controller, which needs Go."""
    run = run_host_role(run_playbook, tmp_path, {"host_role": "tunnel", "tunnel_engine": "ghostunnel", "tunnel_tunnels": [tunnel(pki)]},
                        env=env_without_go(ansible_env["PATH"]))
    assert run.rc != 0 and run.changed == 0, run
    assert "with the go command" in run.output and "tunnel_ghostunnel_sha256" in run.output, run
