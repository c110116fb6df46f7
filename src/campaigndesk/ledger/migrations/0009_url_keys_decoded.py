"""The link keys of existing outputs recomputed: ``link_key`` now compares a link's path
and parameters percent-decoded (a shared WeChat link writes ``==`` as ``%3D%3D``)."""

from django.db import migrations

from campaigndesk.ledger.links import link_key

BATCH = 500


def refresh_keys(apps, schema_editor):
    output = apps.get_model("ledger", "MediaOutput")
    linked = output.objects.exclude(url="").order_by("pk")
    last = 0
    while True:
        rows = list(linked.filter(pk__gt=last).values_list("pk", "url", "url_key")[:BATCH])
        if not rows:
            return
        last = rows[-1][0]
        changed = [
            output(pk=pk, url_key=link_key(url)) for pk, url, key in rows if link_key(url) != key
        ]
        output.objects.bulk_update(changed, ["url_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0008_importbatch_finished_at"),
    ]

    operations = [
        migrations.RunPython(refresh_keys, migrations.RunPython.noop, elidable=True),
    ]
