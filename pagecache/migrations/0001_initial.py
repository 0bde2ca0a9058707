from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="ContentVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("counter", models.BigIntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("id", 1)), name="one_content_version")
                ],
            },
        ),
        migrations.RunSQL(
            "INSERT INTO pagecache_contentversion (id, counter) VALUES (1, 0)",
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
