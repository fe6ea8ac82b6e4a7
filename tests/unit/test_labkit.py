"""labkit, the helpers tests/ and bench/ share: its ports and its paths."""

from __future__ import annotations

import socket

import pytest

from labkit import ROOT, free_port, wait_for_port


def test_root_is_the_repository():
    assert (ROOT / "galaxy.yml").is_file() and (ROOT / "labkit/__init__.py").is_file()


def test_a_free_port_can_be_bound():
    port = free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


def test_wait_for_port_returns_once_something_listens_and_raises_when_nothing_does():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        wait_for_port(server.getsockname()[1], timeout=2)
    port = free_port()
    with pytest.raises(RuntimeError, match="nothing listens on 127.0.0.1:%d" % port):
        wait_for_port(port, timeout=0.3)
