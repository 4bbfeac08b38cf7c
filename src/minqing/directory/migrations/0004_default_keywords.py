from django.db import migrations


def load(apps, schema_editor):
    from minqing.directory.taxonomy import load_keywords

    load_keywords(apps.get_model("directory", "Category"))


class Migration(migrations.Migration):
    dependencies = [("directory", "0003_category_keywords")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
