"""Every leg has its scope after 0004's backfill: make the columns NOT NULL,
so that a leg written without one (raw SQL, a bulk insert that skips save())
is refused instead of disappearing from the officers' queues."""
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("agencies", "0002_citizen_accounts_drafts"),
        ("dossiers", "0004_leg_scope"),
    ]

    operations = [
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
    ]
