from django.db import migrations


def load(apps, schema_editor):
    from netral.knowledge.loader import load_content

    load_content(apps)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
