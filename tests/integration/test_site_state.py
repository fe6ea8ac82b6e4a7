"""A fresh controller (an AWX job, a CI runner, a colleague's laptop): the same site run from an empty
state directory finds the deployment's PKI and EC2 key again in Secrets Manager (the state role)
instead of issuing a new CA and a new key pair. Nothing changes in AWS, the files are those of the
controller that built the deployment, and a second run from the restored directory changes nothing."""

from __future__ import annotations

import re
import stat

import pytest

from tests.deployment import SITE_DEPLOYMENT as DEPLOYMENT
from tests.deployment import tagged_resources
from tests.security.leaks import CENSORED, leaked, secret_values

# The deployment (tests/conftest.py's site fixture) is shared with the other test_site_*.py files and
# tests/security/test_security_aws.py; this file's runs come after the tests that read it as built.
pytestmark = [pytest.mark.integration, pytest.mark.changes_deployment]

# The files the state role finds again: the CA, the leaves (the lab's web leaf, which the front door
# imports, among them), the EC2 key pair's private key and its public key (derived).
LEAVES = ["nginx", "ghostunnel", "client", "storage", "web"]
RESTORED = (["pki/ca.crt", "pki/ca.key"] + ["pki/%s.%s" % (leaf, ext) for leaf in LEAVES for ext in ("crt", "key")]
            + ["ssh/" + DEPLOYMENT, "ssh/%s.pub" % DEPLOYMENT])

# What a run from an empty state directory may change: files on the controller only. The state role
# writes the files it found; the pki role writes its signing requests again (and checks the rest);
# the images role renders its build contexts and writes its image references again (the same
# content tags, so the images Docker holds are not built again, nor the task definition changed).
LOCAL_FILE_TASKS = {
    "dicoogle.aws.state : Create the directories of the files found",
    "dicoogle.aws.state : Write the keys and certificates found",
    "dicoogle.aws.state : Derive the EC2 key pair's public key from its private key",
    "dicoogle.aws.pki : Create the CA signing request",
    "dicoogle.aws.pki : Create the leaf signing requests",
    # trust.crt, derived from the CA's files the state role wrote (the same bytes as before)
    "dicoogle.aws.pki : Write the CAs every peer trusts",
    "dicoogle.aws.images : Create the build contexts",
    "dicoogle.aws.images : Render the Dockerfiles",
    "dicoogle.aws.images : Add the secrets entrypoint to each context",
    "dicoogle.aws.images : Copy the local or built binary into the context",
    "dicoogle.aws.images : Write the image references for the roles that run them",
    "dicoogle.aws.images : Record the build's fingerprint",
}


def changed_tasks(output):
    """The names of the tasks that reported a change, as the default callback prints them."""
    changed = set()
    for block in output.split("\nTASK [")[1:]:
        header, results = (block.split("\n", 1) + [""])[:2]
        if re.search(r"^changed: \[", results, re.M):
            changed.add(re.sub(r"\] \*+$", "", header))
    return changed


def aws_state(aws_client):
    """What a new CA or key pair would change in AWS: every secret's versions, the key pair, the PACS
    task definition's latest revision, the imported web certificate, and every resource."""
    sm = aws_client("secretsmanager")
    secrets = {}
    for secret in sm.list_secrets()["SecretList"]:
        if secret["Name"].startswith(DEPLOYMENT + "/"):
            described = sm.describe_secret(SecretId=secret["ARN"])
            secrets[secret["Name"]] = (sorted((v, sorted(s)) for v, s in described["VersionIdsToStages"].items()),
                                       described.get("LastChangedDate"))
    [pair] = aws_client("ec2").describe_key_pairs(KeyNames=[DEPLOYMENT])["KeyPairs"]
    revisions = aws_client("ecs").list_task_definitions(familyPrefix=DEPLOYMENT + "-pacs", sort="DESC")["taskDefinitionArns"]
    resources = sorted(tagged_resources(aws_client))
    acm = aws_client("acm")
    certificates = {arn: {k: acm.describe_certificate(CertificateArn=arn)["Certificate"].get(k) for k in ("Serial", "ImportedAt", "NotAfter")}
                    for kind, arn in resources if kind == "acm-certificate"}
    return {"secrets": secrets, "key_pair": (pair["KeyPairId"], pair["KeyFingerprint"]), "task_definition": revisions[0],
            "certificates": certificates, "resources": resources}


@pytest.fixture(scope="module")
def fresh(site, run_lab, aws_client, tmp_path_factory):
    """The site run once from a new, empty state directory; AWS before and after."""
    state = tmp_path_factory.mktemp("fresh") / "state"
    state.mkdir()

    def up(*args):
        return run_lab("up", "--limit", "localhost", *site.production, *args, env={"DICOOGLE_LAB_FLOWS": "0"},
                       extra_vars={"dicoogle_deployment": site.deployment, "dicoogle_state_dir": str(state)})

    before = aws_state(aws_client)
    # verbose, as the site's first build: the restore prints no secret either
    run = up("-vvv")
    return {"state": state, "run": run, "before": before, "after": aws_state(aws_client), "up": up}


def test_an_empty_state_directory_finds_the_deployments_state_again_and_changes_nothing_in_aws(site, fresh, aws_client):
    run = fresh["run"]
    assert run.rc == 0, run
    # nothing in AWS changed: no secret's value, no key pair, no task definition, no certificate
    assert fresh["after"] == fresh["before"]
    # only files on the controller changed: no CA, leaf or key pair was issued anew
    assert changed_tasks(run.output) <= LOCAL_FILE_TASKS, sorted(changed_tasks(run.output) - LOCAL_FILE_TASKS)
    assert "dicoogle.aws.state : Write the keys and certificates found" in changed_tasks(run.output)
    assert "Restored from Secrets Manager (%s/*)" % DEPLOYMENT in run.output
    # the files are those of the controller that built the deployment, byte for byte
    state = fresh["state"]
    assert {path: (state / path).read_bytes() == (site.state / path).read_bytes() for path in RESTORED} == dict.fromkeys(RESTORED, True)
    # with the modes the pki and foundation roles give them
    modes = {path: oct(stat.S_IMODE((state / path).stat().st_mode)) for path in RESTORED + ["pki", "ssh"]}
    assert modes == {path: "0o644" if path.endswith(".crt") else "0o700" if path in ("pki", "ssh") else "0o600" for path in modes}
    assert "PRIVATE KEY" not in run.output
    assert leaked(run.output, secret_values(aws_client, DEPLOYMENT, state)) == []
    for task in ("Read the missing files from the deployment's secrets", "Write the keys and certificates found"):
        shown = run.output.split("TASK [dicoogle.aws.state : %s]" % task, 1)[1].split("\nTASK [", 1)[0]
        assert re.search(CENSORED, shown), task
