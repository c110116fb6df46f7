"""Media outputs get ``url_key`` (their link without tracking parameters and the like),
which the duplicate check compares instead of the link as typed; existing outputs get
theirs here."""

from django.db import migrations, models

from campaigndesk.ledger.links import link_key

BATCH = 500  # (a bulk update is one CASE over the batch: small batches stay cheap)


def fill_keys(apps, schema_editor):
    # (the key of a link is a plain function of it: ``link_key`` as it is now is what the
    # duplicate check will compare with)
    output = apps.get_model("ledger", "MediaOutput")
    linked = output.objects.exclude(url="").order_by("pk")
    last = 0
    while True:
        rows = list(linked.filter(pk__gt=last).values_list("pk", "url")[:BATCH])
        if not rows:
            return
        last = rows[-1][0]
        changed = [output(pk=pk, url_key=link_key(url)) for pk, url in rows]
        output.objects.bulk_update(changed, ["url_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0006_event_audience"),
    ]

    operations = [
        migrations.AddField(
            model_name="mediaoutput",
            name="url_key",
            field=models.CharField(blank=True, default="", editable=False, max_length=500),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop, elidable=True),
        migrations.RemoveIndex(model_name="mediaoutput", name="output_url"),
        migrations.AddIndex(
            model_name="mediaoutput",
            index=models.Index(fields=["campaign", "url_key"], name="output_url_key"),
        ),
    ]
