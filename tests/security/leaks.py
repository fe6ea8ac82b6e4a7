"""What a deployment must never print: the values of its secrets, found independently of the
collection (Secrets Manager, Cognito and the local state read with boto3 and pathlib)."""

from __future__ import annotations

import re
from pathlib import Path

# What Ansible prints instead of a no_log task's result, as YAML (which may wrap the line) or JSON (the
# default result format, which a user's run without the repository's ansible.cfg has).
CENSORED = r"""censored"?:\s+['"]?the\s+output\s+has\s+been\s+hidden"""
# A PEM body line is searched for rather than the whole key: output may escape newlines.
MIN_FRAGMENT = 40


def fragments(value: str) -> list[str]:
    """The searchable pieces of a secret value: a PEM's base64 lines, or the value itself."""
    if "-----BEGIN" in value:
        return [line.strip() for line in value.splitlines() if len(line.strip()) >= MIN_FRAGMENT and not line.startswith("-----")]
    return [value]


def secret_values(aws_client, deployment: str, state: Path) -> dict[str, str]:
    """Name -> value of everything secret: each secret in Secrets Manager but those that hold only
    certificates (public: a leaf's, the CAs trusted), the Cognito app clients' secrets and every
    private key file in the local state."""
    found = {}
    sm = aws_client("secretsmanager")
    for secret in sm.list_secrets()["SecretList"]:
        if secret["Name"].startswith(deployment + "/"):
            value = sm.get_secret_value(SecretId=secret["ARN"])["SecretString"]
            if set(re.findall(r"-----BEGIN ([A-Z ]+)-----", value)) != {"CERTIFICATE"}:
                found["secretsmanager:" + secret["Name"]] = value
    cognito = aws_client("cognito-idp")
    for pool in cognito.list_user_pools(MaxResults=60)["UserPools"]:
        if pool["Name"].startswith(deployment + "-"):
            for app in cognito.list_user_pool_clients(UserPoolId=pool["Id"], MaxResults=60)["UserPoolClients"]:
                described = cognito.describe_user_pool_client(UserPoolId=pool["Id"], ClientId=app["ClientId"])["UserPoolClient"]
                if described.get("ClientSecret"):
                    found["cognito:" + app["ClientName"]] = described["ClientSecret"]
    for path in sorted(p for p in state.rglob("*") if p.is_file()):
        text = path.read_text(errors="replace")
        if "PRIVATE KEY-----" in text:
            found["file:" + str(path.relative_to(state))] = text
    return found


def leaked(output: str, secrets: dict[str, str]) -> list[str]:
    """The names of the secrets of which a piece appears in the output."""
    return sorted(name for name, value in secrets.items() if any(piece in output for piece in fragments(value)))
