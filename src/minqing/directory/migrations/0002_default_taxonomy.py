from django.db import migrations


def load(apps, schema_editor):
    from minqing.directory.taxonomy import load_default

    load_default(apps.get_model("directory", "Category"))


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
