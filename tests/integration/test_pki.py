"""The pki role: chain, SANs, key usage, file modes, idempotence, renewal, CA change."""

from __future__ import annotations

import datetime
import ipaddress
import json
import stat
from types import SimpleNamespace

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import ExtendedKeyUsageOID

pytestmark = pytest.mark.integration

DOMAIN = "dicoogle.internal"
EXPECTED = {
    "nginx": ({"nginx." + DOMAIN, "localhost"}, {ExtendedKeyUsageOID.SERVER_AUTH}),
    "ghostunnel": ({"pacs." + DOMAIN, "localhost"}, {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH}),
    "client": ({"client." + DOMAIN, "localhost"}, {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH}),
    "storage": ({"storage." + DOMAIN, "localhost"}, {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH}),
}


def load(path):
    return x509.load_pem_x509_certificate(path.read_bytes())


@pytest.fixture(scope="module")
def pki(tmp_path_factory, run_playbook):
    pki_dir = tmp_path_factory.mktemp("pki") / "pki"

    def converge(*args):
        return run_playbook("tests/integration/playbooks/pki.yml", *args, extra_vars={"pki_dir": str(pki_dir)})

    first = converge()
    assert first.rc == 0, first
    return SimpleNamespace(dir=pki_dir, converge=converge, first=first)


def test_ca_is_a_ca(pki):
    pki_dir = pki.dir
    ca = load(pki_dir / "ca.crt")
    constraints = ca.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca is True
    usage = ca.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.key_cert_sign and usage.crl_sign
    ca.verify_directly_issued_by(ca)


@pytest.mark.parametrize("leaf", sorted(EXPECTED))
def test_leaf_chains_to_the_ca_with_its_sans_and_usage(pki, leaf):
    pki_dir = pki.dir
    ca, cert = load(pki_dir / "ca.crt"), load(pki_dir / ("%s.crt" % leaf))
    cert.verify_directly_issued_by(ca)
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    dns, eku = EXPECTED[leaf]
    assert set(san.get_values_for_type(x509.DNSName)) == dns
    assert san.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.0.0.1")]
    assert set(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == eku
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.key_encipherment and not usage.key_cert_sign
    # the key on disk is the certificate's key, readable by its owner only
    key = serialization.load_pem_private_key((pki_dir / ("%s.key" % leaf)).read_bytes(), None)
    assert key.public_key().public_numbers() == cert.public_key().public_numbers()
    assert key.key_size == 3072


def test_private_keys_are_0600_and_directory_0700(pki):
    pki_dir = pki.dir
    assert stat.S_IMODE(pki_dir.stat().st_mode) == 0o700
    for key in sorted(pki_dir.glob("*.key")):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600, key
    # the CA, the four leaves, and the lab's extra leaf for the web front door (pki_extra_leaves)
    assert sorted(key.stem for key in pki_dir.glob("*.key")) == sorted(["ca", "web", *EXPECTED])


def test_no_private_key_is_printed_even_with_vvv(pki):
    converge, first = pki.converge, pki.first
    verbose = converge("-vvv")
    assert verbose.rc == 0, verbose
    for run in (first, verbose):
        assert "PRIVATE KEY" not in run.output


def test_second_run_changes_nothing(pki):
    converge = pki.converge
    again = converge()
    assert again.rc == 0 and again.changed == 0, again


def task_result(output, task):
    """The first result line printed under a task's banner (ok, changed, skipping, ...)."""
    banner = output.index("TASK [dicoogle.aws.pki : %s]" % task)
    return [line for line in output[banner:].splitlines()[1:] if line.strip()][0]


def test_an_unchanged_pki_is_not_checked_again(pki):
    """The 21 module starts of the full pass are skipped when the fingerprint of what was asked
    and of the files is the one the last pass left."""
    again = pki.converge()
    assert again.rc == 0 and again.changed == 0, again
    assert task_result(again.output, "Issue the CA and the leaves").startswith("skipping")
    for task in ("Create the CA private key", "Create the leaf private keys", "Issue the leaf certificates from the CA"):
        assert "TASK [dicoogle.aws.pki : %s]" % task not in again.output, task


def test_a_key_opened_to_others_is_closed_again(pki):
    """A file's mode is part of the fingerprint: the full pass runs and puts 0600 back."""
    key = pki.dir / "client.key"
    key.chmod(0o644)
    run = pki.converge()
    assert run.rc == 0 and run.changed >= 1, run
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert task_result(run.output, "Create the leaf private keys").startswith("ok")


def test_a_changed_name_reissues_its_leaf(pki, tmp_path):
    """What is asked is part of the fingerprint: a new SAN reissues that leaf."""
    before = serials(pki.dir)
    extra = [{"name": "web", "common_name": "dicoogle-eu-west-1.lab.dicoogle.test",
              "dns": ["dicoogle-eu-west-1.lab.dicoogle.test", "web.lab.dicoogle.test"], "extended_key_usage": ["serverAuth"]}]
    run = pki.converge("-e", '{"pki_extra_leaves": %s}' % json.dumps(extra))
    assert run.rc == 0 and run.changed >= 1, run
    san = load(pki.dir / "web.crt").extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "web.lab.dicoogle.test" in san.get_values_for_type(x509.DNSName)
    assert serials(pki.dir) == before  # the other leaves are kept
    back = pki.converge()  # and back to the lab's leaf
    assert back.rc == 0 and back.changed >= 1, back


def forge_near_expiry(pki_dir, leaf, days):
    """Re-sign a leaf from its own CSR, valid for `days` more days only."""
    ca = load(pki_dir / "ca.crt")
    ca_key = serialization.load_pem_private_key((pki_dir / "ca.key").read_bytes(), None)
    old = load(pki_dir / ("%s.crt" % leaf))
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(old.subject)
        .issuer_name(ca.subject)
        .public_key(old.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=days))
    )
    for ext in old.extensions:
        builder = builder.add_extension(ext.value, ext.critical)
    (pki_dir / ("%s.crt" % leaf)).write_bytes(builder.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM))


def test_extra_leaf_is_issued_like_the_others(pki):
    """The lab's pki_extra_leaves: the web front door's name, server use only, no IP."""
    ca, cert = load(pki.dir / "ca.crt"), load(pki.dir / "web.crt")
    cert.verify_directly_issued_by(ca)
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["dicoogle-eu-west-1.lab.dicoogle.test"]
    assert san.get_values_for_type(x509.IPAddress) == []
    assert set(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == {ExtendedKeyUsageOID.SERVER_AUTH}


def serials(pki_dir):
    return {leaf: load(pki_dir / ("%s.crt" % leaf)).serial_number for leaf in EXPECTED}


def test_leaf_expiring_within_the_window_is_renewed_and_only_it(pki):
    pki_dir, converge = pki.dir, pki.converge
    forge_near_expiry(pki_dir, "client", days=5)
    before = serials(pki_dir)
    run = converge()
    assert run.rc == 0 and run.changed >= 1, run
    after = serials(pki_dir)
    assert after["client"] != before["client"]
    assert {k: v for k, v in after.items() if k != "client"} == {k: v for k, v in before.items() if k != "client"}
    remaining = load(pki_dir / "client.crt").not_valid_after_utc - datetime.datetime.now(datetime.timezone.utc)
    assert remaining.days > 300


def test_leaf_outside_the_window_is_kept(pki):
    pki_dir, converge = pki.dir, pki.converge
    forge_near_expiry(pki_dir, "storage", days=60)
    before = serials(pki_dir)
    run = converge()
    assert run.rc == 0 and run.changed == 0, run
    assert serials(pki_dir) == before


def test_renew_now_rekeys_and_reissues_the_named_leaves_only(pki):
    """pki_renew_now (rotate.yml): a new key pair and certificate for each leaf named, from the same
    CA, the same names; the others and the CA untouched; no renewal asked, nothing changes."""
    pki_dir, converge = pki.dir, pki.converge
    keys = {leaf: (pki_dir / ("%s.key" % leaf)).read_bytes() for leaf in EXPECTED}
    before, ca = serials(pki_dir), (pki_dir / "ca.crt").read_bytes()
    run = converge("-e", json.dumps({"pki_renew_now": ["client", "ghostunnel"]}))
    assert run.rc == 0 and run.changed >= 2, run
    after = serials(pki_dir)
    for leaf in EXPECTED:
        renewed = leaf in ("client", "ghostunnel")
        assert (after[leaf] != before[leaf]) is renewed, leaf
        assert ((pki_dir / ("%s.key" % leaf)).read_bytes() != keys[leaf]) is renewed, leaf
        certificate = load(pki_dir / ("%s.crt" % leaf))
        certificate.verify_directly_issued_by(load(pki_dir / "ca.crt"))
        assert set(certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)) \
            == EXPECTED[leaf][0]
    assert (pki_dir / "ca.crt").read_bytes() == ca
    assert (pki_dir / "client.key").stat().st_mode & 0o777 == 0o600
    again = converge()
    assert again.rc == 0 and again.changed == 0, again


def test_renew_now_refuses_the_ca_and_unknown_names_before_any_change(pki):
    pki_dir, converge = pki.dir, pki.converge
    before = serials(pki_dir)
    run = converge("-e", json.dumps({"pki_renew_now": ["ca", "client", "wrad-2"]}))
    assert run.rc != 0 and run.changed == 0, run
    message = " ".join(run.output.split())
    assert "pki_renew_now (rotate.yml's rotate_certificates) names leaves to renew now" in message
    assert "the CA is not renewed this way but rotated (rotate.yml's rotate_ca=true) (got ca, wrad-2)" in message
    assert serials(pki_dir) == before


def trusted(pki_dir):
    """The certificates of trust.crt, in its order."""
    return x509.load_pem_x509_certificates((pki_dir / "trust.crt").read_bytes())


def test_ca_rotation_trusts_the_next_ca_then_issues_from_it_then_retires_the_previous(pki):
    """pki_ca_rotation's three steps (rotate.yml with rotate_ca=true): trust adds a new CA to
    trust.crt and issues nothing from it; issue makes it the issuing CA, every leaf re-issued from
    it, the previous CA still trusted and its key gone; retire leaves the new CA alone in trust.crt.
    Each step run again changes nothing; issue before trust is refused before any change."""
    pki_dir, converge = pki.dir, pki.converge
    old_ca, before = load(pki_dir / "ca.crt"), serials(pki_dir)
    assert trusted(pki_dir) == [old_ca]

    early = converge("-e", "pki_ca_rotation=issue")
    assert early.rc != 0 and early.changed == 0 and "run the step pki_ca_rotation=trust first" in early.output, early
    assert load(pki_dir / "ca.crt") == old_ca

    trust = converge("-e", "pki_ca_rotation=trust")
    assert trust.rc == 0 and trust.changed >= 1, trust
    new_ca = load(pki_dir / "ca-next.crt")
    assert new_ca.subject == old_ca.subject and new_ca.public_key().public_numbers() != old_ca.public_key().public_numbers()
    assert trusted(pki_dir) == [old_ca, new_ca]
    assert serials(pki_dir) == before and load(pki_dir / "ca.crt") == old_ca
    assert (pki_dir / "ca-next.key").stat().st_mode & 0o777 == 0o600
    assert converge("-e", "pki_ca_rotation=trust").changed == 0

    issue = converge("-e", "pki_ca_rotation=issue")
    assert issue.rc == 0 and issue.changed >= 2, issue
    assert load(pki_dir / "ca.crt") == new_ca and load(pki_dir / "ca-previous.crt") == old_ca
    assert not list(pki_dir.glob("ca-next.*"))
    assert trusted(pki_dir) == [new_ca, old_ca]
    after = serials(pki_dir)
    for leaf in EXPECTED:
        assert after[leaf] != before[leaf], leaf
        load(pki_dir / ("%s.crt" % leaf)).verify_directly_issued_by(new_ca)
    assert converge("-e", "pki_ca_rotation=issue").changed == 0
    # rotate.yml run again after its last pass failed: its trust step adds no other CA
    assert converge("-e", "pki_ca_rotation=trust").changed == 0 and not list(pki_dir.glob("ca-next.*"))

    retire = converge("-e", "pki_ca_rotation=retire")
    assert retire.rc == 0 and retire.changed >= 1, retire
    assert trusted(pki_dir) == [new_ca] and not (pki_dir / "ca-previous.crt").exists()
    assert serials(pki_dir) == after
    assert converge("-e", "pki_ca_rotation=retire").changed == 0
    assert converge().changed == 0


def test_a_new_ca_reissues_every_leaf(pki):
    pki_dir, converge = pki.dir, pki.converge
    before = serials(pki_dir)
    (pki_dir / "ca.key").unlink()
    (pki_dir / "ca.crt").unlink()
    run = converge()
    assert run.rc == 0, run
    ca = load(pki_dir / "ca.crt")
    after = serials(pki_dir)
    for leaf in EXPECTED:
        assert after[leaf] != before[leaf]
        load(pki_dir / ("%s.crt" % leaf)).verify_directly_issued_by(ca)
