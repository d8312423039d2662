"""eForms notices (Regulation (EU) 2019/1780) of CPI processes, built from their public data.

``builder`` makes the XML of one notice (subtypes E1, 16, 29, E3, E4, 38 and change notices)
from the same public context as the OCDS releases (``publication.ocds.builder.context_build``),
so a notice discloses exactly what the portal and open data do. ``validation`` checks it with
the shared validator (``../shared/eforms``: XSD and the SDK's static schematron). Notices are
built and validated by a Celery task on their own queue (``eforms``), never in a web worker:
compiling the schematron costs seconds and hundreds of megabytes per subtype and process.
"""
