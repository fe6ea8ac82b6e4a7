from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.dicoogle.aws.plugins.filter.deployment import FilterModule
from ansible_collections.dicoogle.aws.plugins.module_utils import deployment as root

FILTERS = FilterModule().filters()


def test_the_filters_give_what_the_root_holds():
    names = FILTERS["deployment_names"]("hb", account="123456789012", region="eu-west-1")
    assert names == root.deployment_names("hb", account="123456789012", region="eu-west-1")
    assert all(FILTERS["shared_port"](name) == port for name, port in root.SHARED_PORTS.items())


def test_the_default_certificates_are_the_pki_leaves_the_foundation_stores():
    names = FILTERS["deployment_names"]("hb")["secret_names"]
    assert {"nginx_cert", "nginx_key", "ghostunnel_cert", "ghostunnel_key", "client_cert", "storage_key"} <= set(names)


@pytest.mark.parametrize("certificates", ["nginx", [1, 2], [None]])
def test_certificates_must_be_a_list_of_leaf_names(certificates):
    with pytest.raises(AnsibleFilterError, match="certificates must be a list of leaf names"):
        FILTERS["deployment_names"]("hb", certificates=certificates)


def test_an_unknown_port_name_fails_as_a_filter_error_naming_the_ports():
    with pytest.raises(AnsibleFilterError, match="shared_port: no shared port is named 'https'.*pacs_https"):
        FILTERS["shared_port"]("https")
