"""Dicoogle's seeded confs/server.xml, rendered as the images role renders it and read as Dicoogle
3.4.1 reads it (core/settings/part/DicomServicesImpl.java: allowed-aetitles is a list of literal
AE titles, empty when absent; server/DicomStorage.java and CMoveServiceSCP.java admit every
calling AE only when that list is empty)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import jinja2
import yaml

from ansible_collections.dicoogle.aws.plugins.filter.deployment import shared_port
from ansible_collections.dicoogle.aws.plugins.filter.dicom_nodes import dicom_nodes
from tests.helpers import ROOT

ROLE = ROOT / "roles" / "images"
# The ports and the DICOM nodes the defaults read from the collection's shared ones (what Ansible's templating does).
PORTS = jinja2.Environment()
PORTS.filters["dicoogle.aws.shared_port"] = shared_port
PORTS.filters["dicoogle.aws.dicom_nodes"] = dicom_nodes


def with_shared_ports(value):
    if isinstance(value, list):
        return [with_shared_ports(v) for v in value]
    if isinstance(value, dict):
        return {k: with_shared_ports(v) for k, v in value.items()}
    return PORTS.from_string(value).render() if isinstance(value, str) else value


def rendered():
    defaults = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text())
    values = {k: with_shared_ports(v) for k, v in defaults.items()
              if k.startswith("images_dicoogle_") and ("{{" not in str(v) or "dicoogle.aws.shared_port" in str(v))}
    values.update(ansible_managed="managed", images_dicoogle_aetitle="DICOOGLE-STORAGE")
    template = jinja2.Template((ROLE / "templates" / "dicoogle" / "server.xml.j2").read_text())
    return ET.fromstring(template.render(**values).encode())


def test_every_calling_ae_is_admitted_and_the_services_are_seeded():
    config = rendered()
    services = config.find("dicom-services")
    # a value here would be the only AE title Dicoogle admits ("any" admits no real caller)
    assert services.find("allowed-aetitles") is None
    assert services.findtext("aetitle") == "DICOOGLE-STORAGE"
    assert services.find("storage").get("port") == "6666" and services.find("query-retrieve").get("port") == "1045"
    [consumer] = services.find("move-destinations")
    assert (consumer.findtext("aetitle"), consumer.findtext("address"), consumer.findtext("port")) == ("CONSUMER", "127.0.0.1", "17777")
    assert config.find("web-server").get("port") == "8080"
