"""Ship the default case definitions as data (editable afterwards; never overwritten)."""

from django.db import migrations


def load_defaults(apps, schema_editor):
    from cairn.surveillance.definitions import load_default_definitions

    load_default_definitions(apps=apps)


class Migration(migrations.Migration):
    dependencies = [("surveillance", "0003_case_definitions")]

    operations = [migrations.RunPython(load_defaults, migrations.RunPython.noop)]
