"""What the pages remember for a user between requests (in the session): the last campaign
opened, and the last choices of the entry forms (unit, site, outlet), so that a reporter
logging one event after another types only what changed."""

from django.http import HttpRequest

CAMPAIGN_KEY = "web.campaign"
ENTRY_KEY = "web.entry"
# Entry-form fields whose last value is offered again.
REMEMBERED_FIELDS = ("unit", "site", "outlet", "measure_word", "source")


def remember_campaign(request: HttpRequest, campaign_id: int) -> None:
    if request.session.get(CAMPAIGN_KEY) != campaign_id:
        request.session[CAMPAIGN_KEY] = campaign_id


def remembered_campaign(request: HttpRequest) -> int | None:
    value = request.session.get(CAMPAIGN_KEY)
    return value if isinstance(value, int) else None


def remember_entry(request: HttpRequest, values: dict) -> None:
    """Keep the remembered fields of a record just filed (ids for references)."""
    memory = dict(request.session.get(ENTRY_KEY) or {})
    for name in REMEMBERED_FIELDS:
        if name in values:
            value = values[name]
            memory[name] = getattr(value, "pk", value)
    request.session[ENTRY_KEY] = memory


def remembered_entry(request: HttpRequest) -> dict:
    memory = request.session.get(ENTRY_KEY)
    return dict(memory) if isinstance(memory, dict) else {}
