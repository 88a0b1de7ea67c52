"""OneTimeCode, SubmissionDraft and SubmissionDraftFile now belong to the
`citizens` app. Only Django's idea of who owns them changes: the tables stay
where they are (citizens.0001 takes them over under the same names)."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("agencies", "0002_citizen_accounts_drafts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="SubmissionDraftFile"),
                migrations.DeleteModel(name="SubmissionDraft"),
                migrations.DeleteModel(name="OneTimeCode"),
            ],
            database_operations=[],
        ),
    ]
