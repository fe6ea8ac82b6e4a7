# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The facts more than one role uses, read by the roles from module_utils/deployment.py (their one home)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.dicoogle.aws.plugins.module_utils import deployment as shared


def deployment_names(deployment, account=None, region=None, certificates=None):
    """The shared names of a deployment (see deployment_names.yml)."""
    if certificates is None:
        certificates = shared.CERTIFICATE_LEAVES
    elif isinstance(certificates, str) or not all(isinstance(leaf, str) for leaf in certificates):
        raise AnsibleFilterError("deployment_names: certificates must be a list of leaf names, got %r" % (certificates,))
    return shared.deployment_names(deployment, account=account, region=region, certificates=certificates)


def shared_port(name):
    """The port the roles agree on under this name (see shared_port.yml)."""
    try:
        return shared.shared_port(name)
    except ValueError as e:
        raise AnsibleFilterError("shared_port: %s" % e) from e


class FilterModule:
    def filters(self):
        return {"deployment_names": deployment_names, "shared_port": shared_port}
