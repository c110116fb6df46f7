"""The units a task names get a model of their own (``TaskUnit``) on the table Django made
for the plain many-to-many field, and the time a unit was added after the task was sent
(none for the units named from the start, as every existing one)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("collection", "0001_initial"),
        ("regions", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The table, its columns and its unique index are there already.
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="TaskUnit",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "task",
                            models.ForeignKey(
                                db_column="collectiontask_id",
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="memberships",
                                to="collection.collectiontask",
                            ),
                        ),
                        (
                            "unit",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="regions.unit",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "unit asked",
                        "verbose_name_plural": "units asked",
                        "db_table": "collection_collectiontask_units",
                        "unique_together": {("task", "unit")},
                    },
                ),
                migrations.AlterField(
                    model_name="collectiontask",
                    name="units",
                    field=models.ManyToManyField(
                        related_name="collection_tasks",
                        through="collection.TaskUnit",
                        to="regions.unit",
                        verbose_name="units",
                    ),
                ),
            ],
        ),
        migrations.AddField(
            model_name="taskunit",
            name="added_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="added"),
        ),
    ]
