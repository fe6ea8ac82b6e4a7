"""The security promises on the hosts and the PACS, checked on tests/conftest.py's it-lab
deployment (`make lab` at -vvv, engines orthanc and ghostunnel): nothing secret in what the build and
the flows printed, private keys 0600 on every host, the PACS task's mTLS tunnel and the storage
node's tunnel refusing a missing certificate, another CA's certificate, a name it does not admit and
plain DICOM, no plain DIMSE offered at the PACS's endpoint nor on the storage site's network, and the
PACS's default administrator password refused."""

from __future__ import annotations

import base64
import datetime
import re
import ssl
import subprocess
import urllib.error
import urllib.request
from types import SimpleNamespace

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.deployment import LAB_DEPLOYMENT
from tests.helpers import docker_available
from tests.security.leaks import CENSORED, leaked, secret_values

pytestmark = [pytest.mark.integration, docker_available]

DEPLOYMENT = LAB_DEPLOYMENT
AET = "DICOOGLE-STORAGE"
DOMAIN = "dicoogle.internal"
WORK = "/var/tmp/dicoogle-security"  # not a tmpfs: docker cp writes into the image's layer


def in_container(host, *command):
    return subprocess.run(["docker", "exec", "%s-%s" % (DEPLOYMENT, host)] + list(command),
                          capture_output=True, text=True, check=False, timeout=120)


def foreign_pki(directory):
    """A CA that is not the deployment's, and a certificate it issued for the client's own name."""
    now = datetime.datetime.now(datetime.timezone.utc)

    def certificate(subject, issuer, public_key, signing_key, ca):
        builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
                   .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
                   .not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if not ca:
            builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName("client." + DOMAIN)]), critical=False)
        return builder.sign(signing_key, hashes.SHA256())

    ca_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Someone else's DICOM CA")])
    leaf_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "client." + DOMAIN)])
    ca_cert = certificate(ca_name, ca_name, ca_key.public_key(), ca_key, True)
    leaf_cert = certificate(leaf_name, ca_name, leaf_key.public_key(), ca_key, False)
    (directory / "foreign.key").write_bytes(leaf_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                                   serialization.NoEncryption()))
    (directory / "foreign.crt").write_bytes(leaf_cert.public_bytes(serialization.Encoding.PEM) + ca_cert.public_bytes(serialization.Encoding.PEM))


@pytest.fixture(scope="module")
def credentials(lab, tmp_path_factory):
    """On the client host: the deployment's CA, leaves it issued and a foreign CA's leaf."""
    assert lab.first.rc == 0, lab.first
    directory = tmp_path_factory.mktemp("credentials")
    foreign_pki(directory)
    pki = lab.state / "pki"
    for name in ["ca.crt", "client.crt", "client.key", "storage.crt", "storage.key", "ghostunnel.crt", "ghostunnel.key"]:
        (directory / name).write_bytes((pki / name).read_bytes())
    assert in_container("client", "mkdir", "-p", WORK).returncode == 0
    subprocess.run(["docker", "cp", str(directory) + "/.", "%s-client:%s" % (DEPLOYMENT, WORK)], check=True)
    yield SimpleNamespace(
        trust=["+cf", WORK + "/ca.crt"],
        leaf=lambda name: ["+tls", "%s/%s.key" % (WORK, name), "%s/%s.crt" % (WORK, name)],
        anonymous=["+tla"],
    )
    in_container("client", "rm", "-rf", WORK)


def echo(credentials, certificate, aetitle, host, port):
    """C-ECHO from the client host, over TLS with a certificate (none: plain DICOM), as a user would run dcmtk's echoscu."""
    tls = [*certificate, *credentials.trust] if certificate else []
    return in_container("client", "echoscu", "-v", "-to", "10", "-aec", aetitle, *tls, host, str(port))


def test_make_lab_at_vvv_prints_no_secret(lab, aws_client):
    output = lab.first.output
    secrets = secret_values(aws_client, DEPLOYMENT, lab.state)
    assert len(secrets) >= 12, sorted(secrets)
    assert leaked(output, secrets) == []
    assert "PRIVATE KEY" not in output
    # verbose: the connection to the containers is shown, the secret-handling tasks hidden
    assert "ESTABLISH DOCKER CONNECTION" in output.upper(), output[-3000:]
    assert len(re.findall(CENSORED, output)) >= 10


@pytest.mark.parametrize("container", ["client", "storage", "pacs-tunnel-server", "pacs-tunnel-qr", "pacs-tunnel-client", "pacs-nginx"])
def test_private_keys_on_the_hosts_and_in_the_task_are_0600(lab, container):
    listed = in_container(container, "sh", "-c",
                          "grep -rl -- 'PRIVATE KEY-----' /etc /run/secrets 2>/dev/null | xargs -r stat -c '%a %n'")
    keys = [line.split(" ", 1) for line in listed.stdout.splitlines()]
    assert keys, "no private key found in %s: %s" % (container, listed.stderr)
    assert [(mode, path) for mode, path in keys if mode not in ("600", "400")] == []


# The PACS's endpoint (the NLB's listeners): the C-STORE tunnel and the Q/R tunnel.
PACS_TUNNELS = {"C-STORE tunnel 16666": 16666, "Q/R tunnel 11045": 11045}


@pytest.mark.parametrize("tunnel", PACS_TUNNELS)
def test_the_pacs_tunnel_admits_the_client_certificate(credentials, tunnel):
    admitted = echo(credentials, credentials.leaf("client"), AET, "pacs." + DOMAIN, PACS_TUNNELS[tunnel])
    assert admitted.returncode == 0, admitted.stderr


REFUSED = ["no certificate", "another CA's certificate", "a name it does not admit", "plain DICOM"]


def refusal(credentials, case, other_name):
    return {"no certificate": credentials.anonymous, "another CA's certificate": credentials.leaf("foreign"),
            "a name it does not admit": credentials.leaf(other_name), "plain DICOM": []}[case]


@pytest.mark.parametrize("tunnel", PACS_TUNNELS)
@pytest.mark.parametrize("case", REFUSED)
def test_the_pacs_tunnel_refuses(credentials, tunnel, case):
    refused = echo(credentials, refusal(credentials, case, "storage"), AET, "pacs." + DOMAIN, PACS_TUNNELS[tunnel])
    assert refused.returncode != 0, refused.stdout + refused.stderr
    assert "Association Accepted" not in refused.stdout + refused.stderr


def test_the_pacs_endpoint_has_no_plain_dimse_listener(credentials):
    """The sample's plain Q/R port is not offered: nothing listens on 1045 at the endpoint."""
    refused = echo(credentials, [], AET, "pacs." + DOMAIN, 1045)
    assert refused.returncode != 0 and "Connection refused" in refused.stdout + refused.stderr, refused.stdout + refused.stderr


def test_the_storage_node_admits_the_pacs_certificate(credentials):
    admitted = echo(credentials, credentials.leaf("ghostunnel"), "CONSUMER", "storage." + DOMAIN, 7777)
    assert admitted.returncode == 0, admitted.stderr


@pytest.mark.parametrize("case", REFUSED)
def test_the_storage_node_refuses(credentials, case):
    refused = echo(credentials, refusal(credentials, case, "client"), "CONSUMER", "storage." + DOMAIN, 7777)
    assert refused.returncode != 0, refused.stdout + refused.stderr
    assert "Association Accepted" not in refused.stdout + refused.stderr


def test_the_storage_nodes_storescp_answers_its_loopback_only(credentials):
    """Behind its tunnel, storescp listens on the storage host's loopback: nothing answers on the
    network at its port, and on the host itself it answers plain DICOM."""
    refused = echo(credentials, [], "CONSUMER", "storage." + DOMAIN, 11112)
    assert refused.returncode != 0 and "Connection refused" in refused.stdout + refused.stderr, refused.stdout + refused.stderr
    local = in_container("storage", "echoscu", "-to", "10", "-aec", "CONSUMER", "127.0.0.1", "11112")
    assert local.returncode == 0, local.stdout + local.stderr


def api_status(lab, user, password):
    """HTTP status of Orthanc's /system through the task's nginx (TLS, the deployment's CA)."""
    context = ssl.create_default_context(cafile=str(lab.state / "pki" / "ca.crt"))
    request = urllib.request.Request("https://127.0.0.1:%d/system" % lab.https_port)
    if user is not None:
        request.add_header("Authorization", "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode())
    try:
        with urllib.request.urlopen(request, context=context, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_pacs_default_administrator_password_no_longer_works(lab, aws_client):
    password = aws_client("secretsmanager").get_secret_value(SecretId=DEPLOYMENT + "/pacs-admin-password")["SecretString"]
    assert api_status(lab, "admin", password) == 200
    # Orthanc's images' default, Dicoogle's, the user's name as password, and no credentials at all
    refused = [("orthanc", "orthanc"), ("admin", "orthanc"), ("dicoogle", "dicoogle"), ("admin", "admin"), (None, None)]
    assert {creds: api_status(lab, *creds) for creds in refused} == dict.fromkeys(refused, 401)
