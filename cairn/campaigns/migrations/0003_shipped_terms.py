"""Version 1 of the person-first term list: the list Cairn ships (language/data/*.csv)."""

from django.db import migrations


def install(apps, schema_editor):
    from cairn.campaigns.language.terms import install_shipped_terms

    install_shipped_terms(apps.get_model("campaigns", "TermList"), apps.get_model("campaigns", "Term"))


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0002_materials_language_surveys_reach")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
