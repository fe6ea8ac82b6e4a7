"""The tunnels' command lines and configuration, and the rendered ghostunnel unit, checked
against ghostunnel's documented flags (docs/ACCESS-FLAGS.md and `ghostunnel {server,client}
--help`): the engine binary cannot be downloaded here, so this is how its unit is verified."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.dicoogle.aws.plugins.filter.tunnel import ghostunnel_command, stunnel_config

ROOT = Path(__file__).resolve().parents[4]
FILES = {"cert": "/etc/t/cert.pem", "key": "/etc/t/key.pem", "ca": "/etc/t/ca.pem"}
SERVER = {"name": "dicom-in", "mode": "server", "listen": "0.0.0.0:16666", "target": "127.0.0.1:6666",
          "allow_cn": ["client.dicoogle.internal"]}
CLIENT = {"name": "dicom-out", "mode": "client", "listen": "127.0.0.1:17777", "target": "storage.dicoogle.internal:7777",
          "verify_name": "storage.dicoogle.internal"}

# ghostunnel's documented flags, by mode.
DOCUMENTED = {
    "server": {"--listen", "--target", "--cert", "--key", "--cacert", "--allow-all", "--allow-cn", "--allow-ou",
               "--allow-dns", "--allow-uri", "--unsafe-target", "--status"},
    "client": {"--listen", "--target", "--cert", "--key", "--cacert", "--override-server-name", "--verify-cn",
               "--verify-dns", "--unsafe-listen", "--status"},
}


def flags(argv):
    return [arg.split("=", 1)[0] for arg in argv[2:]]


def test_server_admits_only_the_named_client():
    argv = ghostunnel_command(SERVER, FILES)
    assert argv[:2] == ["/usr/local/bin/ghostunnel", "server"]
    assert "--allow-cn=client.dicoogle.internal" in argv
    assert "--allow-all" not in argv
    assert "--unsafe-target" not in argv  # the target is on localhost
    assert {"--cert=/etc/t/cert.pem", "--key=/etc/t/key.pem", "--cacert=/etc/t/ca.pem"} <= set(argv)
    assert set(flags(argv)) <= DOCUMENTED["server"]


def test_server_allow_all_only_when_asked_and_never_with_names():
    argv = ghostunnel_command(dict(SERVER, allow_cn=[], allow_all=True), FILES)
    assert "--allow-all" in argv and not [a for a in argv if a.startswith("--allow-cn")]
    with pytest.raises(AnsibleFilterError, match="allow_all excludes"):
        ghostunnel_command(dict(SERVER, allow_all=True), FILES)
    with pytest.raises(AnsibleFilterError, match="needs allow_cn or allow_san"):
        ghostunnel_command(dict(SERVER, allow_cn=[]), FILES)


def test_san_admission_uses_allow_dns_and_remote_targets_are_marked_unsafe():
    argv = ghostunnel_command(dict(SERVER, allow_cn=[], allow_san=["client.x"], target="10.0.0.5:6666"), FILES)
    assert "--allow-dns=client.x" in argv and "--unsafe-target" in argv


def test_client_checks_the_server_name_and_listens_on_localhost_only():
    argv = ghostunnel_command(CLIENT, FILES)
    assert argv[1] == "client"
    assert "--override-server-name=storage.dicoogle.internal" in argv
    assert "--unsafe-listen" not in argv
    assert set(flags(argv)) <= DOCUMENTED["client"]
    assert "--unsafe-listen" in ghostunnel_command(dict(CLIENT, listen="0.0.0.0:16666"), FILES)


def test_stunnel_server_requires_and_checks_the_client_certificate():
    conf = stunnel_config(SERVER, FILES)
    assert "[dicom-in]\nclient = no\naccept = 0.0.0.0:16666\nconnect = 127.0.0.1:6666\n" in conf
    for line in ("verifyChain = yes", "requireCert = yes", "CAfile = /etc/t/ca.pem", "checkHost = client.dicoogle.internal"):
        assert line in conf.splitlines()


def test_stunnel_client_checks_the_server_name():
    conf = stunnel_config(CLIENT, FILES).splitlines()
    assert "client = yes" in conf and "checkHost = storage.dicoogle.internal" in conf
    assert "requireCert = yes" not in conf


def render_unit(tunnel, engine="ghostunnel"):
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, extensions=["jinja2.ext.do"])
    env.filters["dicoogle.aws.ghostunnel_command"] = ghostunnel_command
    env.filters["dicoogle.aws.stunnel_config"] = stunnel_config
    template = env.from_string((ROOT / "roles/tunnel/templates/tunnel.service.j2").read_text())
    return template.render(
        ansible_managed="managed", item=tunnel, tunnel_engine=engine, tunnel_config_dir="/etc/dicoogle-tunnel",
        tunnel_ghostunnel_path="/usr/local/bin/ghostunnel", tunnel_user="dicoogle-tunnel",
        tunnel_stunnel_binary={"Debian": "/usr/bin/stunnel4"}, ansible_facts={"os_family": "Debian"},
    )


@pytest.mark.parametrize("tunnel", [SERVER, CLIENT], ids=["server", "client"])
def test_rendered_ghostunnel_unit_uses_documented_flags_and_hardening(tunnel):
    unit = render_unit(tunnel).splitlines()
    exec_start = [line for line in unit if line.startswith("ExecStart=")]
    assert len(exec_start) == 1
    argv = exec_start[0][len("ExecStart="):].split()
    assert argv[:2] == ["/usr/local/bin/ghostunnel", tunnel["mode"]]
    assert set(flags(argv)) <= DOCUMENTED[tunnel["mode"]]
    assert "--cert=/etc/dicoogle-tunnel/%s/cert.pem" % tunnel["name"] in argv
    assert "--key=/etc/dicoogle-tunnel/%s/key.pem" % tunnel["name"] in argv
    for line in ("User=dicoogle-tunnel", "NoNewPrivileges=yes", "ProtectSystem=strict", "CapabilityBoundingSet="):
        assert line in unit
