# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The deployment-name rule, one home for every role's validation and the modules."""

from __future__ import annotations

from ansible_collections.dicoogle.aws.plugins.module_utils.deployment import deployment_name_error


def deployment_name(value):
    """True when value is a deployment name every derived AWS name accepts."""
    return deployment_name_error(value) is None


class TestModule:
    def tests(self):
        return {"deployment_name": deployment_name}
