# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Command lines and configuration of the mTLS tunnels, one engine each, from one definition.

A tunnel is a dict: name, mode (server|client), listen and target (host:port), and optionally
allow_cn, allow_san (lists), allow_all (bool), verify_name (the name a client expects the
server's certificate to carry). Files are the paths on the host: cert, key and ca.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")


def _host(address):
    return address.rsplit(":", 1)[0]


def _check(tunnel):
    name = tunnel.get("name", "?")
    if tunnel.get("mode") not in ("server", "client"):
        raise AnsibleFilterError("tunnel %s: mode must be server or client" % name)
    allowed = list(tunnel.get("allow_cn") or []) + list(tunnel.get("allow_san") or [])
    if tunnel["mode"] == "server":
        if tunnel.get("allow_all") and allowed:
            raise AnsibleFilterError("tunnel %s: allow_all excludes allow_cn and allow_san" % name)
        if not tunnel.get("allow_all") and not allowed:
            raise AnsibleFilterError(
                "tunnel %s: a server tunnel needs allow_cn or allow_san (or allow_all: true, explicitly)" % name
            )


def ghostunnel_command(tunnel, files, binary="/usr/local/bin/ghostunnel"):
    _check(tunnel)
    args = [
        binary,
        tunnel["mode"],
        "--listen=%s" % tunnel["listen"],
        "--target=%s" % tunnel["target"],
        "--cert=%s" % files["cert"],
        "--key=%s" % files["key"],
        "--cacert=%s" % files["ca"],
    ]
    if tunnel["mode"] == "server":
        if _host(tunnel["target"]) not in LOCAL_HOSTS:
            args.append("--unsafe-target")
        if tunnel.get("allow_all"):
            args.append("--allow-all")
        args += ["--allow-cn=%s" % cn for cn in tunnel.get("allow_cn") or []]
        args += ["--allow-dns=%s" % san for san in tunnel.get("allow_san") or []]
    else:
        if _host(tunnel["listen"]) not in LOCAL_HOSTS:
            args.append("--unsafe-listen")
        if tunnel.get("verify_name"):
            args.append("--override-server-name=%s" % tunnel["verify_name"])
    return args


def stunnel_config(tunnel, files):
    """stunnel's service section: verifyChain with the CA; checkHost for the admitted names."""
    _check(tunnel)
    lines = [
        "[%s]" % tunnel["name"],
        "client = %s" % ("yes" if tunnel["mode"] == "client" else "no"),
        "accept = %s" % tunnel["listen"],
        "connect = %s" % tunnel["target"],
        "cert = %s" % files["cert"],
        "key = %s" % files["key"],
        "CAfile = %s" % files["ca"],
        "verifyChain = yes",
        "sslVersionMin = TLSv1.2",
    ]
    if tunnel["mode"] == "server":
        lines.append("requireCert = yes")
        names = list(tunnel.get("allow_cn") or []) + list(tunnel.get("allow_san") or [])
    else:
        names = [tunnel["verify_name"]] if tunnel.get("verify_name") else []
    lines += ["checkHost = %s" % host for host in names]
    return "\n".join(lines) + "\n"


class FilterModule:
    def filters(self):
        return {"ghostunnel_command": ghostunnel_command, "stunnel_config": stunnel_config}
