"""Building UBL/eForms elements with lxml: prefixed names, text and attributes in one call."""

from typing import Any

from lxml import etree

NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "ext": "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
    "efac": "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1",
    "efext": "http://data.europa.eu/p27/eforms-ubl-extensions/1",
    "efbc": "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1",
}

ROOT_NS = {
    "ContractNotice": "urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2",
    "ContractAwardNotice": "urn:oasis:names:specification:ubl:schema:xsd:ContractAwardNotice-2",
    "PriorInformationNotice": (
        "urn:oasis:names:specification:ubl:schema:xsd:PriorInformationNotice-2"
    ),
}


def qname(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{NS[prefix]}}}{local}"


def root(document_type: str) -> etree._Element:
    nsmap: dict[str | None, str] = {None: ROOT_NS[document_type]}
    nsmap.update(NS)
    return etree.Element(f"{{{ROOT_NS[document_type]}}}{document_type}", nsmap=nsmap)


def sub(parent: etree._Element, name: str, text: Any = None, **attributes: str) -> etree._Element:
    """Append ``name`` (``prefix:Local``) to ``parent``, with ``text`` and ``attributes``."""
    element = etree.SubElement(parent, qname(name))
    if text is not None:
        element.text = str(text)
    for key, value in attributes.items():
        element.set(key, str(value))
    return element


def path(parent: etree._Element, *names: str) -> etree._Element:
    """Append a chain of nested elements and return the innermost."""
    for name in names:
        parent = sub(parent, name)
    return parent


def extension(parent: etree._Element) -> etree._Element:
    """The ``efext:EformsExtension`` inside a new ``ext:UBLExtensions`` of ``parent``."""
    return path(
        parent,
        "ext:UBLExtensions",
        "ext:UBLExtension",
        "ext:ExtensionContent",
        "efext:EformsExtension",
    )


def serialise(element: etree._Element) -> bytes:
    return etree.tostring(element, xml_declaration=True, encoding="UTF-8", pretty_print=True)
