"""What the tests (tests/) and the benchmarks (bench/) both need to drive the lab from Python:
the repository's paths, free local ports, and boto3 clients of a moto server: a package of its own
so that bench/ need not import the tests."""

from __future__ import annotations

import socket
import sys
import time
from pathlib import Path

# The repository, and the bin directory of the venv this Python runs in (ansible-playbook, ...).
ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 10) -> None:
    """Return once something accepts connections on 127.0.0.1:port; raise after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError("nothing listens on 127.0.0.1:%d" % port)


def moto_client(port: int, service: str):
    """A boto3 client of the moto server on 127.0.0.1:port, in the lab's region."""
    import boto3  # only the callers that talk to moto need boto3

    return boto3.client(service, endpoint_url="http://127.0.0.1:%d" % port, region_name="eu-west-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")
