from django.db import migrations


def seed(apps, schema_editor):
    from campaigndesk.ledger.vocabulary import BASE_INDICATORS, BASE_RATIOS

    Indicator = apps.get_model("ledger", "Indicator")
    for order, (code, name, measure, category, aggregation, distinct_of) in enumerate(
        BASE_INDICATORS
    ):
        Indicator.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "measure_word": measure,
                "category": category,
                "aggregation": aggregation,
                "distinct_of": distinct_of,
                "order": order,
            },
        )
    for order, (code, name, numerator, denominator) in enumerate(BASE_RATIOS):
        Indicator.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "measure_word": "%",
                "category": "effect",
                "aggregation": "ratio",
                "order": 100 + order,
                "numerator": Indicator.objects.get(code=numerator),
                "denominator": Indicator.objects.get(code=denominator),
            },
        )


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
