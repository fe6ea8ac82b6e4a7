from __future__ import annotations

import base64

from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.dicoogle.aws.plugins.modules import ecr_authorization_info


def boto3_login(aws, **kwargs):
    data = aws("ecr").get_authorization_token(**kwargs)["authorizationData"]
    user, password = base64.b64decode(data[0]["authorizationToken"]).decode().split(":", 1)
    return data, user, password


def test_returns_the_registry_host_and_the_decoded_login(aws, run_module):
    data, user, password = boto3_login(aws)
    result = run_module(ecr_authorization_info, {})
    assert result["changed"] is False
    assert result["registry"] == data[0]["proxyEndpoint"].replace("https://", "")
    assert result["registry"] == "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
    assert result["registries"] == [result["registry"]]
    assert (result["username"], result["password"]) == (user, password) == ("AWS", password)
    assert password and not password.startswith("AWS:")
    assert result["expires_at"] == data[0]["expiresAt"].isoformat()


def test_check_mode_still_returns_the_login(aws, run_module):
    _data, _user, password = boto3_login(aws)
    result = run_module(ecr_authorization_info, {}, check_mode=True)
    assert result["changed"] is False
    assert result["username"] == "AWS" and result["password"] == password
    assert result["registry"].endswith(".dkr.ecr.eu-west-1.amazonaws.com")


def test_registry_ids_name_the_registries(aws, run_module):
    ids = ["210987654321", "123456789012"]
    data, _user, password = boto3_login(aws, registryIds=ids)
    result = run_module(ecr_authorization_info, {"registry_ids": ids})
    assert result["registry"] == "210987654321.dkr.ecr.eu-west-1.amazonaws.com"
    assert result["registries"] == [d["proxyEndpoint"].replace("https://", "") for d in data]
    assert len(result["registries"]) == 2 and result["password"] == password


def test_bad_registry_ids_are_named(aws, run_module):
    result = run_module(ecr_authorization_info, {"registry_ids": ["12345"]})
    assert result["failed"] is True and "registry_ids" in result["msg"] and "12345" in result["msg"]


def test_access_denied_names_the_permission(aws, run_module, monkeypatch):
    # moto grants every call: the Stubber answers GetAuthorizationToken as ECR does without the permission
    stubbed = aws("ecr")
    stubber = Stubber(stubbed)
    stubber.add_client_error(
        "get_authorization_token", service_error_code="AccessDeniedException", http_status_code=400,
        service_message="User: arn:aws:iam::123456789012:user/ci is not authorized to perform this operation",
        expected_params={})
    stubber.activate()

    def client(_self, service, retry_decorator=None, **_kwargs):
        assert service == "ecr"
        return RetryingBotoClientWrapper(stubbed, retry_decorator)

    monkeypatch.setattr(AnsibleAWSModule, "client", client)
    result = run_module(ecr_authorization_info, {})
    assert result["failed"] is True
    assert "ecr:GetAuthorizationToken" in result["msg"] and "Failed to get an ECR authorization token" in result["msg"]
    assert "password" not in result
    stubber.assert_no_pending_responses()


def test_image_tags_tell_which_images_the_registry_holds(aws, run_module):
    ecr = aws("ecr")
    ecr.create_repository(repositoryName="pacs/nginx")
    manifest = '{"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json", "config": {}, "layers": []}'
    ecr.put_image(repositoryName="pacs/nginx", imageManifest=manifest, imageTag="sha-0123456789ab")
    asked = ["pacs/nginx:sha-0123456789ab", "pacs/nginx:sha-ffffffffffff", "pacs/ghostunnel:sha-0123456789ab"]
    result = run_module(ecr_authorization_info, {"image_tags": asked})
    assert result["changed"] is False and result["password"]
    assert result["images_present"] == ["pacs/nginx:sha-0123456789ab"]
    assert run_module(ecr_authorization_info, {})["images_present"] == []


def test_image_tags_without_a_tag_are_named(aws, run_module):
    result = run_module(ecr_authorization_info, {"image_tags": ["pacs/nginx"]})
    assert result["failed"] is True and "image_tags" in result["msg"] and "pacs/nginx" in result["msg"]
