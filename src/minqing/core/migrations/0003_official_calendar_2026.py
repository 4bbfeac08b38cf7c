from django.db import migrations


def load(apps, schema_editor):
    from minqing.core.calendar_data import load_shipped

    load_shipped(apps.get_model("core", "CalendarDay"))


class Migration(migrations.Migration):
    dependencies = [("core", "0002_calendarday")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
