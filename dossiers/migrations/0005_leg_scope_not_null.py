"""Every leg has its scope after 0004's backfill: make the columns NOT NULL,
so that a leg written without one (raw SQL, a bulk insert that skips save())
is refused instead of disappearing from the officers' queues; and the two
(scope, agency, due_at) indexes of the queue read without a status filter,
replacing the scope-less (agency, status, due_at) one.

The backfill runs again first, in this migration's transaction: a leg
inserted by a process still running the previous release between 0004 and
0005 would otherwise make SET NOT NULL fail (docs/deploy.md, Upgrades: this
release is applied with web and workers stopped).
"""
import importlib

import django.db.models.deletion
from django.db import migrations, models


def backfill_again(apps, schema_editor) -> None:
    connection = schema_editor.connection
    if importlib.import_module("dossiers.migrations.0004_leg_scope").backfill_leg_scope(connection) \
            and connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # run the FK checks now: ALTER TABLE refuses pending ones
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):

    dependencies = [
        ("agencies", "0002_citizen_accounts_drafts"),
        ("dossiers", "0004_leg_scope"),
    ]

    operations = [
        migrations.RunPython(backfill_again, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="leg",
            name="scope_unit",
            field=models.ForeignKey(db_index=False, editable=False, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="agencies.adminunit", verbose_name="xã/phường hiện hành"),
        ),
        migrations.AlterField(
            model_name="leg",
            name="scope_province",
            field=models.ForeignKey(db_index=False, editable=False, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="agencies.adminunit",
                                    verbose_name="tỉnh/thành phố hiện hành"),
        ),
        # (agency, status, due_at) served the queue before the scope columns;
        # nothing filters legs on agency without scope any more (0 scans in
        # the API load at 1 M dossiers), and it cost 142 MB there.
        migrations.RemoveIndex(model_name="leg", name="dossiers_le_agency_805f40_idx"),
        migrations.AddIndex(
            model_name="leg",
            index=models.Index(fields=["scope_unit", "agency", "due_at"], name="leg_queue_unit_due"),
        ),
        migrations.AddIndex(
            model_name="leg",
            index=models.Index(fields=["scope_province", "agency", "due_at"], name="leg_queue_province_due"),
        ),
    ]
