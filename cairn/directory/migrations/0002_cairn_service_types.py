"""Seeds Cairn's own HSDS taxonomy of service types ("cairn-service-type")."""

from django.db import migrations


def seed_service_types(apps, schema_editor):
    from cairn.directory.taxonomy import ensure_cairn_service_types

    ensure_cairn_service_types(apps)


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [migrations.RunPython(seed_service_types, migrations.RunPython.noop)]
