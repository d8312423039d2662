"""Each generated document links to the step (audit row) whose effect made it; five new kinds.

Documents made before read their step from their key, ``effect:<audit entry id>:<kind>`` (a
document made again after a failure: ``retry:effect:…``); the link is filled from it.
"""

import django.db.models.deletion
from django.db import migrations, models


def _step_of_key(key: str) -> int | None:
    # Frozen here: the key's format as documents were written until this migration.
    parts = key.split(":")
    while parts and parts[0] == "retry":
        parts = parts[1:]
    if len(parts) == 3 and parts[0] == "effect" and parts[1].isdigit():
        return int(parts[1])
    return None


def link_documents_to_their_steps(apps, schema_editor):
    document_model = apps.get_model("documents", "GeneratedDocument")
    entry_model = apps.get_model("core", "AuditEntry")
    rows = document_model.objects.filter(key__contains="effect:", audit_entry__isnull=True)
    for pk, key in rows.values_list("pk", "key").iterator():
        step = _step_of_key(key)
        if step is not None and entry_model.objects.filter(pk=step).exists():
            document_model.objects.filter(pk=pk).update(audit_entry_id=step)


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0004_audit_login_actions'),
        ('documents', '0002_status_through_machine'),
    ]

    operations = [
        migrations.AddField(
            model_name='generateddocument',
            name='audit_entry',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.auditentry', verbose_name='step'),
        ),
        migrations.AlterField(
            model_name='documenttemplate',
            name='kind',
            field=models.CharField(choices=[('consultation_notice', 'Call for preliminary market consultation'), ('consultation_report', 'Preliminary market consultation report'), ('justification_memo', 'Justification report'), ('pcap', 'Particular administrative clauses (PCAP)'), ('ppt', 'Technical specifications (PPT)'), ('tender_notice', 'Contract notice'), ('invitation', 'Invitation to submit research and innovation projects'), ('negotiation_minutes', 'Minutes of the negotiation'), ('committee_minutes', 'Minutes of the contracting committee'), ('evaluation_report', 'Technical evaluation report'), ('documents_requested', 'Request for documents to the proposed awardee'), ('award_resolution', 'Award resolution'), ('contract', 'Contract'), ('phase_evaluation', 'Phase evaluation report'), ('purchase_resolution', 'Resolution on the purchase of the results')], max_length=40, verbose_name='kind'),
        ),
        migrations.AlterField(
            model_name='generateddocument',
            name='kind',
            field=models.CharField(choices=[('consultation_notice', 'Call for preliminary market consultation'), ('consultation_report', 'Preliminary market consultation report'), ('justification_memo', 'Justification report'), ('pcap', 'Particular administrative clauses (PCAP)'), ('ppt', 'Technical specifications (PPT)'), ('tender_notice', 'Contract notice'), ('invitation', 'Invitation to submit research and innovation projects'), ('negotiation_minutes', 'Minutes of the negotiation'), ('committee_minutes', 'Minutes of the contracting committee'), ('evaluation_report', 'Technical evaluation report'), ('documents_requested', 'Request for documents to the proposed awardee'), ('award_resolution', 'Award resolution'), ('contract', 'Contract'), ('phase_evaluation', 'Phase evaluation report'), ('purchase_resolution', 'Resolution on the purchase of the results')], max_length=40, verbose_name='kind'),
        ),
        migrations.RunPython(link_documents_to_their_steps, migrations.RunPython.noop),
    ]
