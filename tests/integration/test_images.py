"""The images role's definitions build here and start as a PACS task does: Orthanc, nginx and
the tunnel servers (ghostunnel, built from its Go module, and stunnel) share one network
namespace; nginx serves Orthanc's API over TLS with the certificate it got from environment
variables (as from ECS secrets), and each tunnel admits a C-ECHO with the client certificate only.
Without Go on the build host, ghostunnel's image is refused before anything is built."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import ssl
import subprocess
import time
import urllib.request

import pytest

from tests.helpers import env_without_go, free_port, ghostunnel_build

# The images of the PACS task with both tunnel engines.
ENGINES = ["orthanc", "nginx", "ghostunnel", "stunnel"]

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        shutil.which("docker") is None or subprocess.run(["docker", "info"], capture_output=True, check=False).returncode,
        reason="needs the Docker engine that scripts/setup.sh starts",
    ),
]


def docker(*args):
    return subprocess.run(["docker"] + list(args), capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture(scope="module")
def built(tmp_path_factory, run_playbook):
    state = tmp_path_factory.mktemp("images")
    first = run_playbook("tests/integration/playbooks/images.yml", extra_vars={"dicoogle_state_dir": str(state), "images_build": ENGINES})
    assert first.rc == 0, first
    images = json.loads((state / "images" / "images.json").read_text())
    pki = state / "pki"
    run = run_playbook("tests/integration/playbooks/pki.yml", extra_vars={"pki_dir": str(pki), "pki_key_size": "2048"})
    assert run.rc == 0, run
    return {"images": images, "state": state, "pki": pki, "run": run_playbook, "first": first}


def test_second_build_changes_nothing(built):
    again = built["run"]("tests/integration/playbooks/images.yml", extra_vars={"dicoogle_state_dir": str(built["state"]), "images_build": ENGINES})
    assert again.rc == 0 and again.changed == 0, again
    # the inputs' fingerprint matched the last build's: no context rendered, no file checksummed
    assert "Render the Dockerfiles" not in again.output and "Checksum every file" not in again.output, again
    assert set(built["images"]) == set(ENGINES)
    assert all(re.search(r":sha-[0-9a-f]{12}$", ref) for ref in built["images"].values())


@pytest.fixture(scope="module")
def task(built, tmp_path_factory):
    root = tmp_path_factory.mktemp("task")
    pki = built["pki"]
    https, ghostunnel, stunnel = free_port(), free_port(), free_port()
    (root / "orthanc.json").write_text(json.dumps({
        "Name": "pacs", "StorageDirectory": "/var/lib/orthanc/db", "IndexDirectory": "/var/lib/orthanc/db",
        "HttpPort": 8042, "DicomPort": 4242, "DicomAet": "DICOOGLE-STORAGE", "RemoteAccessAllowed": False,
        "AuthenticationEnabled": True, "RegisteredUsers": {"admin": "${PACS_ADMIN_PASSWORD}"},
    }))
    (root / "pacs.conf").write_text(
        "server {\n listen 8443 ssl;\n ssl_certificate /run/secrets/nginx-cert.pem;\n"
        " ssl_certificate_key /run/secrets/nginx-key.pem;\n ssl_protocols TLSv1.2 TLSv1.3;\n"
        " location / { proxy_pass http://127.0.0.1:8042; }\n}\n"
    )
    (root / "tunnel.conf").write_text(
        "foreground = yes\npid =\n[dicom-in]\naccept = 16667\nconnect = 127.0.0.1:4242\n"
        "cert = /run/secrets/tunnel-cert.pem\nkey = /run/secrets/tunnel-key.pem\n"
        "CAfile = /run/secrets/tunnel-ca.pem\nverifyChain = yes\nrequireCert = yes\n"
        "checkHost = client.dicoogle.internal\n"
    )
    name = "dicoogle-aws-test-task-%d" % https
    names = [name, name + "-nginx", name + "-ghostunnel", name + "-stunnel"]
    secrets = ["-e", "TUNNEL_CERT_PEM=" + (pki / "ghostunnel.crt").read_text(), "-e", "TUNNEL_KEY_PEM=" + (pki / "ghostunnel.key").read_text(),
               "-e", "TUNNEL_CA_PEM=" + (pki / "ca.crt").read_text()]
    try:
        # As ECS runs them (pacs_service role): configuration in *_CONF variables, the password
        # an ECS secret that Orthanc expands.
        docker("run", "-d", "--name", name, "-p", "127.0.0.1:%d:8443" % https,
               "-p", "127.0.0.1:%d:16666" % ghostunnel, "-p", "127.0.0.1:%d:16667" % stunnel,
               "-e", "ORTHANC_CONF=" + (root / "orthanc.json").read_text(), "-e", "PACS_ADMIN_PASSWORD=task-secret",
               built["images"]["orthanc"])
        docker("run", "-d", "--name", names[1], "--network", "container:" + name,
               "-e", "NGINX_CERT_PEM=" + (pki / "nginx.crt").read_text(), "-e", "NGINX_KEY_PEM=" + (pki / "nginx.key").read_text(),
               "-e", "NGINX_CONF=" + (root / "pacs.conf").read_text(), built["images"]["nginx"])
        # ghostunnel as the pacs_service role's task definition runs it (its command line); stunnel
        # with its configuration file mounted in place, which its entrypoint then leaves as it is.
        docker("run", "-d", "--name", names[2], "--network", "container:" + name, *secrets, built["images"]["ghostunnel"],
               "/usr/local/bin/ghostunnel", "server", "--listen=0.0.0.0:16666", "--target=127.0.0.1:4242",
               "--cert=/run/secrets/tunnel-cert.pem", "--key=/run/secrets/tunnel-key.pem", "--cacert=/run/secrets/tunnel-ca.pem",
               "--allow-cn=client.dicoogle.internal")
        docker("run", "-d", "--name", names[3], "--network", "container:" + name, *secrets,
               "-v", "%s:/etc/stunnel/tunnel.conf:ro" % (root / "tunnel.conf"), built["images"]["stunnel"])
        yield {"https": https, "tunnels": {"ghostunnel": ghostunnel, "stunnel": stunnel}, "pki": pki}
    finally:
        subprocess.run(["docker", "rm", "-f"] + names, capture_output=True, check=False)


def get_system(task, password="task-secret"):
    context = ssl.create_default_context(cafile=str(task["pki"] / "ca.crt"))
    request = urllib.request.Request("https://localhost:%d/system" % task["https"])
    request.add_header("Authorization", "Basic " + base64.b64encode(("admin:" + password).encode()).decode())
    return urllib.request.urlopen(request, context=context, timeout=5)


def test_nginx_serves_the_pacs_api_over_tls_with_the_deployments_certificate(task):
    deadline = time.monotonic() + 60
    while True:
        try:
            answer = json.loads(get_system(task).read())
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    assert answer["DicomAet"] == "DICOOGLE-STORAGE" and answer["Version"] == "1.10.1"
    with pytest.raises(urllib.error.HTTPError) as refused:
        get_system(task, password="wrong")
    assert refused.value.code == 401


@pytest.mark.parametrize("engine", ["ghostunnel", "stunnel"])
def test_tunnel_admits_the_client_certificate_only(task, engine):
    pki = task["pki"]
    port = task["tunnels"][engine]
    tls = ["+tls", str(pki / "client.key"), str(pki / "client.crt"), "+cf", str(pki / "ca.crt")]
    deadline = time.monotonic() + 60
    while True:
        echo = subprocess.run(["echoscu", "-aec", "DICOOGLE-STORAGE"] + tls + ["127.0.0.1", str(port)],
                              capture_output=True, text=True, check=False)
        if echo.returncode == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert echo.returncode == 0, echo.stderr
    storage = ["+tls", str(pki / "storage.key"), str(pki / "storage.crt"), "+cf", str(pki / "ca.crt")]
    refused = subprocess.run(["echoscu", "-aec", "DICOOGLE-STORAGE"] + storage + ["127.0.0.1", str(port)],
                             capture_output=True, text=True, check=False)
    assert refused.returncode != 0 and "Association Request Failed" in refused.stderr


def test_ghostunnel_image_runs_the_binary_built_from_its_module(built):
    """No pin and no local file: the image holds ghostunnel built from its Go module at the
    pinned version (the cache set-up filled), the same bytes as the cache's."""
    cached = ghostunnel_build()
    image = built["images"]["ghostunnel"]
    # ghostunnel prints its version on stderr
    version = subprocess.run(["docker", "run", "--rm", "--entrypoint", "/usr/local/bin/ghostunnel", image, "--version"],
                             capture_output=True, text=True, check=True).stderr.strip()
    assert version.startswith("rev " + cached.parent.name + " "), version
    inside = docker("run", "--rm", "--entrypoint", "sha256sum", image, "/usr/local/bin/ghostunnel").split()[0]
    assert inside == hashlib.sha256(cached.read_bytes()).hexdigest()


DOWNLOADED = {  # image -> its pin variable, its local-file variable, the download URL variable and file name
    "dicoogle": ("images_dicoogle_sha256", "images_dicoogle_local_zip", "images_dicoogle_url", "dicoogle.zip"),
    "ghostunnel": ("images_ghostunnel_sha256", "images_ghostunnel_local_binary", "images_ghostunnel_url", "ghostunnel"),
}


@pytest.mark.parametrize("image", sorted(DOWNLOADED))
def test_downloaded_images_need_a_pin_a_local_file_or_a_build(tmp_path, run_playbook, ansible_env, image):
    """Dicoogle needs its pinned zip or a local copy; ghostunnel also builds from its module, but
    not without Go: refused at validation, naming the variables, before anything is built."""
    pin, local, _url, name = DOWNLOADED[image]
    run = run_playbook("tests/integration/playbooks/images.yml", extra_vars={"dicoogle_state_dir": str(tmp_path), "images_build": [image]},
                       env=env_without_go(ansible_env["PATH"]))
    assert run.rc != 0
    assert pin in run.output and local in run.output, run
    assert "images input is invalid" in run.output and run.changed == 0, run
    assert not (tmp_path / "images" / image / name).exists()


@pytest.mark.parametrize("image", sorted(DOWNLOADED))
def test_download_failure_says_what_to_do(tmp_path, run_playbook, image):
    pin, local, url, _name = DOWNLOADED[image]
    run = run_playbook("tests/integration/playbooks/images.yml", extra_vars={
        "dicoogle_state_dir": str(tmp_path), "images_build": [image], pin: "0" * 64,
        url: "http://127.0.0.1:%d/release" % free_port()})
    assert run.rc != 0
    assert "The %s image cannot be built" % image in run.output and local in run.output, run


def test_dicoogle_zip_that_does_not_match_its_pin_is_refused(tmp_path, run_playbook):
    """A served file with another sha256 is not built into an image."""
    import functools
    import http.server
    import threading

    (tmp_path / "www").mkdir()
    (tmp_path / "www" / "Dicoogle_v3.5.1.zip").write_bytes(b"not the release")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path / "www"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        run = run_playbook("tests/integration/playbooks/images.yml", extra_vars={
            "dicoogle_state_dir": str(tmp_path / "state"), "images_build": ["dicoogle"], "images_dicoogle_sha256": "0" * 64,
            "images_dicoogle_url": "http://127.0.0.1:%d/Dicoogle_v3.5.1.zip" % server.server_address[1]})
    finally:
        server.shutdown()
    assert run.rc != 0 and "did not match images_dicoogle_sha256" in run.output, run
    assert "dicoogle-aws/dicoogle" not in subprocess.run(["docker", "images", "--format", "{{.Repository}}"],
                                                         capture_output=True, text=True, check=True).stdout


def test_ghostunnel_image_builds_from_the_pinned_download(tmp_path, run_playbook):
    """The download -> sha256 pin -> image path, end to end. ghostunnel's release cannot be fetched
    here, so the served file is a stand-in script (named as such); what is tested is that the pinned
    file becomes /usr/local/bin/ghostunnel behind the secrets entrypoint, tagged by its content."""
    import functools
    import http.server
    import threading

    (tmp_path / "www").mkdir()
    stand_in = b"#!/bin/sh\necho stand-in for ghostunnel \"$@\"\nls /run/secrets\n"
    (tmp_path / "www" / "ghostunnel-linux-amd64").write_bytes(stand_in)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path / "www"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        run = run_playbook("tests/integration/playbooks/images.yml", extra_vars={
            "dicoogle_state_dir": str(tmp_path / "state"), "images_build": ["ghostunnel"],
            "images_ghostunnel_sha256": hashlib.sha256(stand_in).hexdigest(),
            "images_ghostunnel_url": "http://127.0.0.1:%d/ghostunnel-linux-amd64" % server.server_address[1]})
    finally:
        server.shutdown()
    assert run.rc == 0, run
    image = json.loads((tmp_path / "state" / "images" / "images.json").read_text())["ghostunnel"]
    assert re.search(r"^dicoogle-aws/ghostunnel:sha-[0-9a-f]{12}$", image)
    out = docker("run", "--rm", "-e", "TUNNEL_CA_PEM=ca", image, "/usr/local/bin/ghostunnel", "server", "--listen=0.0.0.0:16666")
    assert out.splitlines() == ["stand-in for ghostunnel server --listen=0.0.0.0:16666", "tunnel-ca.pem"]
    subprocess.run(["docker", "rmi", image], capture_output=True, check=False)


def test_a_missing_image_or_a_changed_input_builds_again(tmp_path, run_playbook):
    """The last build's record skips a run only while its images exist and its inputs are the same:
    an image removed from Docker is built again under its tag; another base image (a change to the
    rendered Dockerfile) gives a new content tag. That other base is a plain Debian 12, as the
    role's default (Debian 12 from Docker Hub) is: the lab's base without what only the lab's hosts
    need (systemd, Python, sudo, iproute2), and the image built on it runs."""
    prefix = "dicoogle-aws-test-rebuild"
    base = "dicoogle-lab/debian12-systemd:1"
    other_base = "%s-base:plain" % prefix
    extra = {"dicoogle_state_dir": str(tmp_path), "images_build": ["nginx"], "images_prefix": prefix}
    images = tmp_path / "images" / "images.json"
    plain = tmp_path / "plain-base"
    plain.mkdir()
    (plain / "Dockerfile").write_text(
        "FROM %s\nRUN SUDO_FORCE_REMOVE=yes apt-get purge -y -qq systemd systemd-sysv python3 python3-minimal sudo iproute2 >/dev/null"
        " && apt-get autoremove -y -qq --purge >/dev/null\nCMD [\"/bin/bash\"]\n" % base)
    docker("build", "-q", "-t", other_base, str(plain))
    assert subprocess.run(["docker", "run", "--rm", other_base, "sh", "-c", "command -v python3 systemctl sudo ip"],
                          capture_output=True, text=True, check=False).stdout == ""
    try:
        first = run_playbook("tests/integration/playbooks/images.yml", extra_vars=extra)
        assert first.rc == 0, first
        ref = json.loads(images.read_text())["nginx"]
        docker("rmi", ref)
        rebuilt = run_playbook("tests/integration/playbooks/images.yml", extra_vars=extra)
        assert rebuilt.rc == 0 and rebuilt.changed > 0, rebuilt
        assert json.loads(images.read_text())["nginx"] == ref and docker("images", "-q", ref)
        moved = run_playbook("tests/integration/playbooks/images.yml", extra_vars=dict(extra, images_base_image=other_base))
        assert moved.rc == 0 and moved.changed > 0, moved
        new_ref = json.loads(images.read_text())["nginx"]
        assert new_ref != ref and docker("images", "-q", new_ref)
        assert "nginx version" in subprocess.run(["docker", "run", "--rm", "--entrypoint", "nginx", new_ref, "-v"],
                                                 capture_output=True, text=True, check=False).stderr
    finally:
        refs = subprocess.run(["docker", "images", "--format", "{{.Repository}}:{{.Tag}}", prefix + "/nginx"],
                              capture_output=True, text=True, check=False).stdout.split()
        subprocess.run(["docker", "rmi", other_base, *refs], capture_output=True, check=False)
