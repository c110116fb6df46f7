"""The rollup's summary of the facts per county and date bucket, the members' first
buckets and their weekly and monthly counts (see ledger/summary.py), built from the facts
already stored; the fact index on (campaign, region path) gains the date, for refreshing a
county's cells over a few days."""

import django.db.models.deletion
from django.db import migrations, models

import campaigndesk.regions.fields


def summarise_stored_facts(apps, schema_editor):
    # Plain SQL over the tables as they stand at this migration (only the facts' own
    # columns are read); on a new database there are no facts and nothing is written.
    from campaigndesk.ledger.summary import summary_rebuild

    summary_rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0001_initial"),
        ("ledger", "0004_fact_rollup_index"),
        ("regions", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="FactFirstSeen",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("region_path", campaigndesk.regions.fields.PathField(max_length=255)),
                ("county_code", models.CharField(blank=True, max_length=20)),
                (
                    "member_kind",
                    models.PositiveSmallIntegerField(
                        choices=[(1, "County"), (2, "Township"), (3, "Village"), (4, "Unit")]
                    ),
                ),
                ("member", models.CharField(max_length=20)),
                ("first_bucket", models.DateField()),
            ],
            options={
                "verbose_name": "first activity of a member",
                "verbose_name_plural": "first activities of members",
            },
        ),
        migrations.CreateModel(
            name="FactMemberCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("region_path", campaigndesk.regions.fields.PathField(max_length=255)),
                ("county_code", models.CharField(blank=True, max_length=20)),
                ("grain", models.PositiveSmallIntegerField(choices=[(1, "Week"), (2, "Month")])),
                ("period", models.DateField()),
                (
                    "member_kind",
                    models.PositiveSmallIntegerField(
                        choices=[(1, "County"), (2, "Township"), (3, "Village"), (4, "Unit")]
                    ),
                ),
                ("members", models.PositiveIntegerField()),
            ],
            options={
                "verbose_name": "member count",
                "verbose_name_plural": "member counts",
            },
        ),
        migrations.CreateModel(
            name="FactPresence",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("region_path", campaigndesk.regions.fields.PathField(max_length=255)),
                ("county_code", models.CharField(blank=True, max_length=20)),
                ("bucket", models.DateField()),
                (
                    "member_kind",
                    models.PositiveSmallIntegerField(
                        choices=[(1, "County"), (2, "Township"), (3, "Village"), (4, "Unit")]
                    ),
                ),
                ("member", models.CharField(max_length=20)),
            ],
            options={
                "verbose_name": "fact presence",
                "verbose_name_plural": "fact presences",
            },
        ),
        migrations.CreateModel(
            name="FactSummary",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("region_path", campaigndesk.regions.fields.PathField(max_length=255)),
                ("county_code", models.CharField(blank=True, max_length=20)),
                ("bucket", models.DateField()),
                ("total", models.DecimalField(decimal_places=4, max_digits=24)),
                ("approx_rank", models.PositiveSmallIntegerField(default=0)),
                ("parts", models.PositiveIntegerField()),
                ("latest_date", models.DateField(blank=True, null=True)),
                ("latest_depth", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("latest_record", models.PositiveBigIntegerField(blank=True, null=True)),
            ],
            options={
                "verbose_name": "fact summary",
                "verbose_name_plural": "fact summaries",
            },
        ),
        migrations.RemoveIndex(
            model_name="fact",
            name="fact_campaign_path",
        ),
        migrations.AddIndex(
            model_name="fact",
            index=models.Index(
                fields=["campaign", "region_path", "date"], name="fact_campaign_path"
            ),
        ),
        migrations.AddField(
            model_name="factfirstseen",
            name="campaign",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="campaigns.campaign",
            ),
        ),
        migrations.AddField(
            model_name="factmembercount",
            name="campaign",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="campaigns.campaign",
            ),
        ),
        migrations.AddField(
            model_name="factpresence",
            name="campaign",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="campaigns.campaign",
            ),
        ),
        migrations.AddField(
            model_name="factsummary",
            name="campaign",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="campaigns.campaign",
            ),
        ),
        migrations.AddField(
            model_name="factsummary",
            name="indicator",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="ledger.indicator"
            ),
        ),
        migrations.AddConstraint(
            model_name="factfirstseen",
            constraint=models.UniqueConstraint(
                fields=("campaign", "member_kind", "region_path", "member"),
                include=("county_code", "first_bucket"),
                name="factfirstseen_member",
            ),
        ),
        migrations.AddConstraint(
            model_name="factmembercount",
            constraint=models.UniqueConstraint(
                fields=("campaign", "grain", "member_kind", "region_path", "period"),
                include=("county_code", "members"),
                name="factmembercount_period",
            ),
        ),
        migrations.AddIndex(
            model_name="factpresence",
            index=models.Index(
                fields=["campaign", "member_kind", "bucket", "region_path"],
                include=("member",),
                name="factpresence_bucket",
            ),
        ),
        migrations.AddConstraint(
            model_name="factpresence",
            constraint=models.UniqueConstraint(
                fields=("campaign", "member_kind", "region_path", "bucket", "member"),
                include=("county_code",),
                name="factpresence_member",
            ),
        ),
        migrations.AddConstraint(
            model_name="factsummary",
            constraint=models.UniqueConstraint(
                fields=("campaign", "indicator", "region_path", "bucket"),
                include=("county_code", "total", "approx_rank", "parts"),
                name="factsummary_cell",
            ),
        ),
        migrations.RunPython(summarise_stored_facts, migrations.RunPython.noop),
    ]
