"""One name for each kind of record in Simplified Chinese: the pages' labels are the
names the import template offers (its first spelling) — an event imported as 入户走访
used to be listed as 入户宣传."""

import pytest
from django.utils import translation

from campaigndesk.ledger.io.columns import (
    CHANNEL_LABELS,
    EVENT_KIND_LABELS,
    MATERIAL_KIND_LABELS,
    OUTPUT_KIND_LABELS,
)
from campaigndesk.ledger.models import EventRecord, MaterialRecord, MediaOutput
from campaigndesk.regions.models import Channel


@pytest.mark.parametrize(
    ("choices", "names"),
    [
        (EventRecord.Kind, EVENT_KIND_LABELS),
        (MaterialRecord.Kind, MATERIAL_KIND_LABELS),
        (MediaOutput.Kind, OUTPUT_KIND_LABELS),
        (Channel, CHANNEL_LABELS),
    ],
    ids=["event", "material", "output", "channel"],
)
def test_the_pages_call_each_kind_what_the_import_template_calls_it(choices, names):
    with translation.override("zh-hans"):
        differing = {
            code: (str(label), names[code][0])
            for code, label in choices.choices
            if code in names and str(label) != names[code][0]
        }
    assert differing == {}
