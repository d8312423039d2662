"""Open data: OCDS 1.1 releases for every published step of a CPI process, and their records.

- ``builder``: one release from a process and the audit row of the step that published it.
- ``records``: records compiled from the stored releases with ``ocdsmerge``.
- ``validation``: the official OCDS 1.1.5 schemas (``settings.OCDS_SCHEMA_DIR``) and codelists.
- ``services`` / ``tasks`` / ``effects``: the append-only write path after each published step.

Ocids. A CPI process is published as two OCDS contracting processes, as OCDS 1.2 asks of
planning (``tenderStatus.csv`` on ``1.2-dev`` deprecates ``planning`` "because planning processes
are separate processes") and as open-contracting/standard#1154 recommends:

- ``<prefix>-<pk>-planning``: the need in the early demand map and the preliminary market
  consultation (``tender.status`` ``planning``; ``needsAssessment``, ``plannedProcurementNotice``
  and ``marketStudies`` documents; one ``engagement`` milestone per consultation);
- ``<prefix>-<pk>``: the tender, its awards and contracts. Its releases point back to the
  planning process through ``relatedProcesses`` (``relationship: ["planning"]``, scheme
  ``ocid``) whenever that planning process was published.

A process cancelled before its tender was published closes its planning process
(``tender.status`` ``withdrawn``); cancelled or void after that, the tender process.
"""
