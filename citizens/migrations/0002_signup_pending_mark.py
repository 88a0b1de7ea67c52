"""Accounts waiting for their sign-up code when `signup_pending` arrived:
inactive citizens who never logged in and were sent a sign-up code. Every
other inactive account stays disabled (an administrator's decision)."""
from django.db import migrations


def mark(apps, schema_editor):
    User = apps.get_model("agencies", "User")
    OneTimeCode = apps.get_model("citizens", "OneTimeCode")
    waiting = OneTimeCode.objects.filter(purpose="signup").values("user_id")
    User.objects.filter(is_active=False, role="citizen", last_login=None, pk__in=waiting).update(signup_pending=True)


class Migration(migrations.Migration):

    dependencies = [
        ("citizens", "0001_initial"),
        ("agencies", "0004_user_signup_pending"),
    ]

    operations = [migrations.RunPython(mark, migrations.RunPython.noop)]
