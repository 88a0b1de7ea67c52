"""Legs carry their dossier's scope, so an officer's work queue is one index
range on dossiers_leg instead of a join that probes every leg of the agency.

Order matters: add the columns (nullable, no index), fill them in one
statement, then build the two composite indexes on filled columns.
"""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# PostgreSQL: one pass joining the dossiers (a hash join at millions of rows).
BACKFILL_POSTGRESQL = """
UPDATE dossiers_leg AS l
   SET scope_unit_id = d.scope_unit_id, scope_province_id = d.scope_province_id
  FROM dossiers_dossier AS d
 WHERE d.id = l.dossier_id AND (l.scope_unit_id IS NULL OR l.scope_province_id IS NULL)
"""

# Anything else (SQLite for `make run`): correlated subqueries, plain SQL-92.
BACKFILL_PORTABLE = """
UPDATE dossiers_leg
   SET scope_unit_id = (SELECT d.scope_unit_id FROM dossiers_dossier d WHERE d.id = dossiers_leg.dossier_id),
       scope_province_id = (SELECT d.scope_province_id FROM dossiers_dossier d
                             WHERE d.id = dossiers_leg.dossier_id)
 WHERE scope_unit_id IS NULL OR scope_province_id IS NULL
"""


def backfill_leg_scope(connection) -> int:
    """Copy each dossier's scope onto its legs that lack it; returns the rows updated.
    Idempotent: rows already filled are left alone."""
    sql = BACKFILL_POSTGRESQL if connection.vendor == "postgresql" else BACKFILL_PORTABLE
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.rowcount


def forwards(apps, schema_editor) -> None:
    backfill_leg_scope(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('agencies', '0002_citizen_accounts_drafts'),
        ('dossiers', '0003_report_covering_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='leg',
            name='scope_unit',
            field=models.ForeignKey(db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='agencies.adminunit', verbose_name='xã/phường hiện hành'),
        ),
        migrations.AddField(
            model_name='leg',
            name='scope_province',
            field=models.ForeignKey(db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='agencies.adminunit', verbose_name='tỉnh/thành phố hiện hành'),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False),
        migrations.AddIndex(
            model_name='leg',
            index=models.Index(fields=['scope_unit', 'agency', 'status', 'due_at'], name='leg_queue_unit'),
        ),
        migrations.AddIndex(
            model_name='leg',
            index=models.Index(fields=['scope_province', 'agency', 'status', 'due_at'], name='leg_queue_province'),
        ),
    ]
