# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Connection options of the modules that talk to the PACS engine's REST API.
    DOCUMENTATION = r"""
options:
  engine:
    description: PACS engine behind O(url).
    type: str
    choices: [dicoogle, orthanc]
    default: dicoogle
  url:
    description: Base URL of the engine's REST API (Dicoogle's web port, Orthanc's HTTP port).
    type: str
    required: true
  username:
    description: Administrator user.
    type: str
    required: true
  password:
    description: Its password. Never logged.
    type: str
    required: true
  validate_certs:
    description: Verify the server's certificate on https URLs.
    type: bool
    default: true
  ca_path:
    description: CA certificate (PEM) to verify the server with, such as the deployment's CA.
    type: path
  request_timeout:
    description: Seconds to wait for each HTTP request.
    type: int
    default: 10
  web_username:
    description:
      - When O(url) is behind an Application Load Balancer that signs users in with Cognito (the web front door),
        the Cognito user to sign in as first, through the hosted sign-in page, as a browser does; the requests then
        carry the load balancer's session cookie. The user needs a permanent password and no multi-factor challenge.
      - Not given, the requests go to O(url) directly.
    type: str
  web_password:
    description: The password of O(web_username). Never logged.
    type: str
"""
