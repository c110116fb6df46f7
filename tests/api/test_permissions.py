"""Every API operation against every role: the status each one gets.

A row per (operation, role). The last test reads the API's OpenAPI schema and fails when an
operation has no rows, so a new endpoint cannot slip in untested.
"""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from campaigndesk.api.api import api

from ..documents.helpers import REPORT
from ..documents.helpers import matrix_report as report_ids
from ..matrix_roles import ROLES, SIGNED_IN
from . import ledger_data as data
from . import reporting_requests

PREFIX = "/api/v1"


def expect(default: int, **overrides: int) -> dict[str, int]:
    """Statuses for every role: ``default`` for the signed-in, 401 for the anonymous."""
    unknown = set(overrides) - set(SIGNED_IN)
    assert not unknown, f"unknown roles {unknown}"
    return {"anonymous": 401, **{r: overrides.get(r, default) for r in SIGNED_IN}}


def schedule_file(unit_name: str) -> SimpleUploadedFile:
    rows = [
        "序号,宣传主题,实事名称,责任单位,宣传时间",
        f"1,政策宣讲,进村入户,{unit_name},10月8-10日",
    ]
    return SimpleUploadedFile("plan.csv", "\n".join(rows).encode(), content_type="text/csv")


# Operations whose body is a multipart form rather than JSON.
MULTIPART = {
    ("POST", "/campaigns/{campaign_id}/schedule/import"),
    *(("POST", f"/{plural}/{{record_id}}/evidence") for plural in data.PLURALS),
    ("POST", "/campaigns/{campaign_id}/imports/{kind}"),
    ("POST", "/campaigns/{campaign_id}/export-templates"),
    ("PATCH", "/export-templates/{template_id}"),
    ("POST", "/extract"),
    ("POST", "/campaigns/{campaign_id}/reports"),
    *reporting_requests.MULTIPART,
}


def _accepted_report(w) -> int:
    """A report whose first figure (36场次宣讲) the office has accepted."""
    from campaigndesk.accounts.scoping import SYSTEM
    from campaigndesk.documents import services
    from campaigndesk.documents.models import ExtractedFigure

    ids = report_ids(w)
    figure = ExtractedFigure.objects.get(pk=ids["report_figure"])
    services.figure_review(actor=SYSTEM, figure=figure, indicator=None, accepted=True)
    return ids["report"]


def _record(w, plural: str):
    """A record of the kind, filed for the township unit (in the campaign)."""
    return {
        "outputs": data.output,
        "materials": data.material,
        "events": data.event,
        "figures": lambda w: data.figure(w, unit=w.township_unit),
    }[plural](w)


def _new_record(w, plural: str) -> dict:
    """The body that files a record of the kind for the township unit."""
    common = {"unit_id": w.township_unit.pk, "date": "2024-02-10"}
    return {
        "outputs": lambda: {
            **common,
            "outlet_id": data.outlet().pk,
            "kind": "news",
            "title": "鹿城镇宣讲",
        },
        "materials": lambda: {**common, "kind": "banner", "quantity": "12"},
        "events": lambda: {**common, "kind": "lecture", "sessions": 1, "participants": 40},
        "figures": lambda: {**common, "indicator": "leaflets", "value": "500"},
    }[plural]()


_CHANGE = {
    "outputs": {"title": "改过的标题"},
    "materials": {"quantity": "15"},
    "events": {"participants": 50},
    "figures": {"value": "600"},
}


def _record_requests(plural: str) -> dict:
    return {
        ("GET", f"/campaigns/{{campaign_id}}/{plural}"): lambda w: (
            f"/campaigns/{w.campaign.pk}/{plural}",
            None,
        ),
        ("POST", f"/campaigns/{{campaign_id}}/{plural}"): lambda w: (
            f"/campaigns/{w.campaign.pk}/{plural}",
            _new_record(w, plural),
        ),
        ("GET", f"/{plural}/{{record_id}}"): lambda w: (
            f"/{plural}/{_record(w, plural).pk}",
            None,
        ),
        ("PATCH", f"/{plural}/{{record_id}}"): lambda w: (
            f"/{plural}/{_record(w, plural).pk}",
            _CHANGE[plural],
        ),
        ("DELETE", f"/{plural}/{{record_id}}"): lambda w: (
            f"/{plural}/{_record(w, plural).pk}",
            None,
        ),
        ("POST", f"/{plural}/{{record_id}}/evidence"): lambda w: (
            f"/{plural}/{_record(w, plural).pk}/evidence",
            {"file": data.png(), "kind": "photo"},
        ),
    }


# What each operation is called with, built from the world fixture: (path, body).
REQUESTS = {
    ("GET", "/me"): lambda w: ("/me", None),
    ("GET", "/regions/{code}"): lambda w: (f"/regions/{w.county.code}", None),
    ("GET", "/regions/{code}/children"): lambda w: (f"/regions/{w.prefecture.code}/children", None),
    ("GET", "/units"): lambda w: ("/units", None),
    ("GET", "/units/{unit_id}"): lambda w: (f"/units/{w.township_unit.pk}", None),
    ("POST", "/units"): lambda w: (
        "/units",
        {"name": "楚雄市文明实践中心", "kind": "practice_centre", "region_code": w.county.code},
    ),
    ("GET", "/outlets"): lambda w: ("/outlets", None),
    ("POST", "/outlets"): lambda w: (
        "/outlets",
        {"name": "楚雄日报", "channel": "newspaper", "level": 3},
    ),
    ("GET", "/campaigns"): lambda w: ("/campaigns", None),
    ("POST", "/campaigns"): lambda w: (
        "/campaigns",
        {
            "name": "文明城市创建宣传",
            "start_date": "2024-03-01",
            "end_date": "2024-06-30",
            "lead_unit_id": w.county_unit.pk,
        },
    ),
    ("GET", "/campaigns/{campaign_id}"): lambda w: (f"/campaigns/{w.campaign.pk}", None),
    ("GET", "/campaigns/{campaign_id}/schedule"): lambda w: (
        f"/campaigns/{w.campaign.pk}/schedule",
        None,
    ),
    ("POST", "/campaigns/{campaign_id}/schedule"): lambda w: (
        f"/campaigns/{w.campaign.pk}/schedule",
        {
            "theme": "政策宣讲",
            "window_start": "2024-10-08",
            "window_end": "2024-10-10",
            "responsible_unit_ids": [w.township_unit.pk],
        },
    ),
    ("POST", "/campaigns/{campaign_id}/schedule/import"): lambda w: (
        f"/campaigns/{w.campaign.pk}/schedule/import",
        {"file": schedule_file(w.township_unit.name), "year": "2024"},
    ),
    ("GET", "/indicators"): lambda w: ("/indicators", None),
    **{op: f for plural in data.PLURALS for op, f in _record_requests(plural).items()},
    ("POST", "/outputs/{record_id}/resolve"): lambda w: (
        f"/outputs/{data.flagged_output(w).pk}/resolve",
        {"is_duplicate": False},
    ),
    ("POST", "/evidence/{evidence_id}/verify"): lambda w: (
        f"/evidence/{data.evidence(w).pk}/verify",
        None,
    ),
    ("GET", "/evidence/{evidence_id}/file"): lambda w: (
        f"/evidence/{data.evidence(w).pk}/file",
        None,
    ),
    ("GET", "/campaigns/{campaign_id}/rollup"): lambda w: (
        f"/campaigns/{w.campaign.pk}/rollup?group_by=township",
        None,
    ),
    ("GET", "/campaigns/{campaign_id}/coverage"): lambda w: (
        f"/campaigns/{w.campaign.pk}/coverage?level=village",
        None,
    ),
    ("GET", "/campaigns/{campaign_id}/locks"): lambda w: (
        f"/campaigns/{w.campaign.pk}/locks",
        None,
    ),
    ("POST", "/campaigns/{campaign_id}/locks"): lambda w: (
        f"/campaigns/{w.campaign.pk}/locks",
        {"start": "2024-01-01", "end": "2024-01-31", "reason": "一月通报"},
    ),
    ("POST", "/locks/{lock_id}/reopen"): lambda w: (
        f"/locks/{data.lock(w).pk}/reopen",
        {"reason": "补录"},
    ),
    ("POST", "/campaigns/{campaign_id}/imports/{kind}"): lambda w: (
        f"/campaigns/{w.campaign.pk}/imports/materials",
        {"file": data.materials_csv(w)},
    ),
    ("GET", "/campaigns/{campaign_id}/imports"): lambda w: (
        f"/campaigns/{w.campaign.pk}/imports",
        None,
    ),
    ("POST", "/imports/{batch_id}/undo"): lambda w: (
        f"/imports/{data.import_batch(w).pk}/undo",
        None,
    ),
    ("GET", "/import-templates/{kind}"): lambda w: ("/import-templates/events?format=csv", None),
    ("GET", "/campaigns/{campaign_id}/export-templates"): lambda w: (
        f"/campaigns/{w.campaign.pk}/export-templates" if data.export_template(w) else "",
        None,
    ),
    ("POST", "/campaigns/{campaign_id}/export-templates"): lambda w: (
        f"/campaigns/{w.campaign.pk}/export-templates",
        {
            "name": "州宣传进度表",
            "file": data.xlsx_upload(),
            "mapping": json.dumps(data.REPORT_MAPPING, ensure_ascii=False),
        },
    ),
    ("GET", "/export-templates/{template_id}"): lambda w: (
        f"/export-templates/{data.export_template(w).pk}",
        None,
    ),
    ("PATCH", "/export-templates/{template_id}"): lambda w: (
        f"/export-templates/{data.export_template(w).pk}",
        {"name": "改过的名称"},
    ),
    ("DELETE", "/export-templates/{template_id}"): lambda w: (
        f"/export-templates/{data.export_template(w).pk}",
        None,
    ),
    ("GET", "/export-templates/{template_id}/fill"): lambda w: (
        f"/export-templates/{data.export_template(w).pk}/fill?as_of=2024-02-29",
        None,
    ),
    ("GET", "/campaigns/{campaign_id}/tasks"): lambda w: (
        f"/campaigns/{w.campaign.pk}/tasks",
        None,
    ),
    ("POST", "/campaigns/{campaign_id}/tasks"): lambda w: (
        f"/campaigns/{w.campaign.pk}/tasks",
        {
            "title": "宣讲周调度",
            "indicators": ["lectures"],
            "unit_ids": [w.township_unit.pk],
            "recurrence": "once",
            "first_period_start": "2024-11-16",
            "due_at": "2024-11-22T17:00:00+08:00",
        },
    ),
    ("GET", "/tasks/{task_id}"): lambda w: (f"/tasks/{data.collection_task(w)[0].pk}", None),
    ("PATCH", "/tasks/{task_id}"): lambda w: (
        f"/tasks/{data.collection_task(w)[0].pk}",
        {"title": "改过的标题"},
    ),
    ("DELETE", "/tasks/{task_id}"): lambda w: (f"/tasks/{data.collection_task(w)[0].pk}", None),
    ("GET", "/rounds/{round_id}"): lambda w: (f"/rounds/{data.collection_task(w)[1].pk}", None),
    ("POST", "/rounds/{round_id}/submissions"): lambda w: (
        f"/rounds/{data.collection_task(w)[1].pk}/submissions",
        {"unit_id": w.township_unit.pk, "values": {"lectures": {"value": "3"}}},
    ),
    ("GET", "/collection/due"): lambda w: ("/collection/due", None),
    ("GET", "/campaigns/{campaign_id}/exports/{kind}"): lambda w: (
        f"/campaigns/{w.campaign.pk}/exports/events?format=csv",
        None,
    ),
    ("GET", "/campaigns/{campaign_id}/rollup/export"): lambda w: (
        f"/campaigns/{w.campaign.pk}/rollup/export?format=csv",
        None,
    ),
    ("POST", "/extract"): lambda w: ("/extract", {"text": REPORT}),
    # With a report in it, so that the list has something to hide.
    ("GET", "/campaigns/{campaign_id}/reports"): lambda w: (
        f"/campaigns/{w.campaign.pk}/reports" if report_ids(w) else "",
        None,
    ),
    ("POST", "/campaigns/{campaign_id}/reports"): lambda w: (
        f"/campaigns/{w.campaign.pk}/reports",
        {"text": REPORT, "title": "鹿城镇宣传工作情况"},
    ),
    ("GET", "/reports/{report_id}/figures"): lambda w: (
        f"/reports/{report_ids(w)['report']}/figures",
        None,
    ),
    ("POST", "/figures/{figure_id}/review"): lambda w: (
        f"/figures/{report_ids(w)['report_figure']}/review",
        {"accepted": True},
    ),
    ("POST", "/reports/{report_id}/import"): lambda w: (
        f"/reports/{_accepted_report(w)}/import",
        {"unit_id": w.township_unit.pk},
    ),
    ("GET", "/campaigns/{campaign_id}/summary-report"): lambda w: (
        f"/campaigns/{w.campaign.pk}/summary-report?as_of=2024-05-31",
        None,
    ),
    ("POST", "/campaigns/{campaign_id}/schedule/import-text"): lambda w: (
        f"/campaigns/{w.campaign.pk}/schedule/import-text",
        {
            "text": "序号\t宣传主题\t责任单位\t宣传时间\n"
            f"1\t政策宣讲\t{w.township_unit.name}\t10月8-10日",
            "year": 2024,
        },
    ),
    **reporting_requests.REQUESTS,
}

# The township unit and the campaign lie in 楚雄市, which the office (at the prefecture)
# and the prefecture's editor, reviewer, approver and observer see; the reporter belongs to
# the township unit, which takes part in the campaign. The "other" users sit in 双柏县.
MATRIX = {
    ("GET", "/me"): expect(200),
    ("GET", "/regions/{code}"): expect(200),
    ("GET", "/regions/{code}/children"): expect(200),
    ("GET", "/units"): expect(200),
    ("GET", "/units/{unit_id}"): expect(200, other_office=404, other_reporter=404),
    ("POST", "/units"): expect(403, admin=201, office=201),
    ("GET", "/outlets"): expect(200),
    # The outlet directory is shared: any office may add to it.
    ("POST", "/outlets"): expect(403, admin=201, office=201, other_office=201),
    ("GET", "/campaigns"): expect(200),
    # Those who cannot see the lead unit cannot name it (422, the same as an unknown id).
    ("POST", "/campaigns"): expect(
        403, admin=201, office=201, reporter=422, other_office=422, other_reporter=422
    ),
    ("GET", "/campaigns/{campaign_id}"): expect(200, other_office=404, other_reporter=404),
    ("GET", "/campaigns/{campaign_id}/schedule"): expect(200, other_office=404, other_reporter=404),
    ("POST", "/campaigns/{campaign_id}/schedule"): expect(
        403, admin=201, office=201, other_office=404, other_reporter=404
    ),
    ("POST", "/campaigns/{campaign_id}/schedule/import"): expect(
        403, admin=201, office=201, other_office=404, other_reporter=404
    ),
    ("GET", "/indicators"): expect(200),
    # Ledger records of each kind, filed for the township unit: the reporter files for its
    # own unit, the office for its subtree; the prefecture's other roles only read; the
    # "other" users cannot see the campaign or the record at all.
    **{
        operation: statuses
        for plural in data.PLURALS
        for operation, statuses in {
            ("GET", f"/campaigns/{{campaign_id}}/{plural}"): expect(
                200, other_office=404, other_reporter=404
            ),
            ("POST", f"/campaigns/{{campaign_id}}/{plural}"): expect(
                403, admin=201, office=201, reporter=201, other_office=404, other_reporter=404
            ),
            ("GET", f"/{plural}/{{record_id}}"): expect(200, other_office=404, other_reporter=404),
            ("PATCH", f"/{plural}/{{record_id}}"): expect(
                403, admin=200, office=200, reporter=200, other_office=404, other_reporter=404
            ),
            ("DELETE", f"/{plural}/{{record_id}}"): expect(
                403, admin=204, office=204, reporter=204, other_office=404, other_reporter=404
            ),
            ("POST", f"/{plural}/{{record_id}}/evidence"): expect(
                403, admin=201, office=201, reporter=201, other_office=404, other_reporter=404
            ),
        }.items()
    },
    # Office work: the verdict on a duplicate, verifying evidence, locking and reopening.
    ("POST", "/outputs/{record_id}/resolve"): expect(
        403, admin=200, office=200, other_office=404, other_reporter=404
    ),
    ("POST", "/evidence/{evidence_id}/verify"): expect(
        403, admin=200, office=200, other_office=404, other_reporter=404
    ),
    ("GET", "/evidence/{evidence_id}/file"): expect(200, other_office=404, other_reporter=404),
    ("GET", "/campaigns/{campaign_id}/rollup"): expect(200, other_office=404, other_reporter=404),
    ("GET", "/campaigns/{campaign_id}/coverage"): expect(200, other_office=404, other_reporter=404),
    ("GET", "/campaigns/{campaign_id}/locks"): expect(200, other_office=404, other_reporter=404),
    ("POST", "/campaigns/{campaign_id}/locks"): expect(
        403, admin=201, office=201, other_office=404, other_reporter=404
    ),
    ("POST", "/locks/{lock_id}/reopen"): expect(
        403, admin=200, office=200, other_office=404, other_reporter=404
    ),
    # Offices and reporters import (a reporter only rows of its own unit); the office, or
    # who imported, undoes.
    ("POST", "/campaigns/{campaign_id}/imports/{kind}"): expect(
        403, admin=201, office=201, reporter=201, other_office=404, other_reporter=404
    ),
    ("GET", "/campaigns/{campaign_id}/imports"): expect(200, other_office=404, other_reporter=404),
    # (a batch out of the actor's list of batches is as one that does not exist)
    ("POST", "/imports/{batch_id}/undo"): expect(404, admin=200, office=200),
    ("GET", "/import-templates/{kind}"): expect(200),
    # Export templates belong to the campaign's region: its office keeps them, its readers
    # see and fill them (a reporter sees none of the office's, an empty list).
    ("GET", "/campaigns/{campaign_id}/export-templates"): expect(
        200, other_office=404, other_reporter=404
    ),
    ("POST", "/campaigns/{campaign_id}/export-templates"): expect(
        403, admin=201, office=201, other_office=404, other_reporter=404
    ),
    ("GET", "/export-templates/{template_id}"): expect(
        200, reporter=404, other_office=404, other_reporter=404
    ),
    ("PATCH", "/export-templates/{template_id}"): expect(
        403, admin=200, office=200, reporter=404, other_office=404, other_reporter=404
    ),
    ("DELETE", "/export-templates/{template_id}"): expect(
        403, admin=204, office=204, reporter=404, other_office=404, other_reporter=404
    ),
    ("GET", "/export-templates/{template_id}/fill"): expect(
        200, reporter=404, other_office=404, other_reporter=404
    ),
    # Collection tasks: the office sends and follows them (its region's readers see every
    # answer); the units they name (the reporter's) see them and fill them in.
    ("GET", "/campaigns/{campaign_id}/tasks"): expect(200, other_office=404, other_reporter=404),
    ("POST", "/campaigns/{campaign_id}/tasks"): expect(
        403, admin=201, office=201, other_office=404, other_reporter=404
    ),
    ("GET", "/tasks/{task_id}"): expect(200, reporter=403, other_office=404, other_reporter=404),
    ("PATCH", "/tasks/{task_id}"): expect(
        403, admin=200, office=200, other_office=404, other_reporter=404
    ),
    # A task nobody has answered yet can be deleted (by the office over it).
    ("DELETE", "/tasks/{task_id}"): expect(
        403, admin=204, office=204, other_office=404, other_reporter=404
    ),
    ("GET", "/rounds/{round_id}"): expect(200, reporter=403, other_office=404, other_reporter=404),
    ("POST", "/rounds/{round_id}/submissions"): expect(
        403, admin=201, office=201, reporter=201, other_office=404, other_reporter=404
    ),
    ("GET", "/collection/due"): expect(200),
    ("GET", "/campaigns/{campaign_id}/exports/{kind}"): expect(
        200, other_office=404, other_reporter=404
    ),
    ("GET", "/campaigns/{campaign_id}/rollup/export"): expect(
        200, other_office=404, other_reporter=404
    ),
    # Documents: reading figures out of a text stores nothing (anyone signed in); the
    # region's readers see a campaign's reports (a reporter's list is empty, its reports
    # not found); the office uploads, reviews, imports, pastes schedules; anyone who sees
    # the campaign drafts its summary report from the figures they may see.
    ("POST", "/extract"): expect(200),
    ("GET", "/campaigns/{campaign_id}/reports"): expect(200, other_office=404, other_reporter=404),
    ("POST", "/campaigns/{campaign_id}/reports"): expect(
        403, admin=201, office=201, other_office=404, other_reporter=404
    ),
    ("GET", "/reports/{report_id}/figures"): expect(
        200, reporter=404, other_office=404, other_reporter=404
    ),
    ("POST", "/figures/{figure_id}/review"): expect(
        403, admin=200, office=200, reporter=404, other_office=404, other_reporter=404
    ),
    ("POST", "/reports/{report_id}/import"): expect(
        403, admin=201, office=201, reporter=404, other_office=404, other_reporter=404
    ),
    ("GET", "/campaigns/{campaign_id}/summary-report"): expect(
        200, other_office=404, other_reporter=404
    ),
    ("POST", "/campaigns/{campaign_id}/schedule/import-text"): expect(
        403, admin=201, office=201, other_office=404, other_reporter=404
    ),
    # Reporting (信息报送), on the township unit's items in {campaign}: the unit's reporter
    # drafts, changes, submits, attaches and withdraws (an administrator may too; it has no
    # unit to file for, 422); the prefecture's editor, reviewer and approver sign their own
    # step only and any of them returns; the office records adoptions, leaders' comments,
    # false reports, commissions, rules, briefings and bulletins; the prefecture's readers
    # see everything, the unit sees its own items and the issued documents (drafts are
    # not found for it); the other county sees nothing.
    ("GET", "/campaigns/{campaign_id}/items"): expect(200, other_office=404, other_reporter=404),
    ("POST", "/campaigns/{campaign_id}/items"): expect(
        403, admin=422, reporter=201, other_office=404, other_reporter=404
    ),
    ("GET", "/items/{item_id}"): expect(200, other_office=404, other_reporter=404),
    ("PATCH", "/items/{item_id}"): expect(
        403, admin=200, reporter=200, other_office=404, other_reporter=404
    ),
    ("POST", "/items/{item_id}/submit"): expect(
        403, admin=200, reporter=200, other_office=404, other_reporter=404
    ),
    ("POST", "/items/{item_id}/edit"): expect(
        403, admin=200, editor=200, other_office=404, other_reporter=404
    ),
    ("POST", "/items/{item_id}/review"): expect(
        403, admin=200, reviewer=200, other_office=404, other_reporter=404
    ),
    ("POST", "/items/{item_id}/sign-off"): expect(
        403, admin=200, approver=200, other_office=404, other_reporter=404
    ),
    ("POST", "/items/{item_id}/return"): expect(
        403,
        admin=200,
        editor=200,
        reviewer=200,
        approver=200,
        other_office=404,
        other_reporter=404,
    ),
    ("POST", "/items/{item_id}/withdraw"): expect(
        403, admin=200, reporter=200, other_office=404, other_reporter=404
    ),
    ("POST", "/items/{item_id}/false-report"): expect(
        403, admin=200, office=200, other_office=404, other_reporter=404
    ),
    # The queue lists what the user may sign (empty for the others).
    ("GET", "/campaigns/{campaign_id}/queue"): expect(200, other_office=404, other_reporter=404),
    ("POST", "/items/{item_id}/attachments"): expect(
        403, admin=201, reporter=201, other_office=404, other_reporter=404
    ),
    ("GET", "/attachments/{attachment_id}/file"): expect(200, other_office=404, other_reporter=404),
    ("DELETE", "/attachments/{attachment_id}"): expect(
        403, admin=204, reporter=204, other_office=404, other_reporter=404
    ),
    ("GET", "/campaigns/{campaign_id}/adoptions"): expect(
        200, other_office=404, other_reporter=404
    ),
    ("POST", "/items/{item_id}/adoptions"): expect(
        403, admin=201, office=201, other_office=404, other_reporter=404
    ),
    ("GET", "/adoptions/{adoption_id}/proof"): expect(200, other_office=404, other_reporter=404),
    ("DELETE", "/adoptions/{adoption_id}"): expect(
        403, admin=204, office=204, other_office=404, other_reporter=404
    ),
    ("POST", "/items/{item_id}/leader-comments"): expect(
        403, admin=201, office=201, other_office=404, other_reporter=404
    ),
    ("GET", "/campaigns/{campaign_id}/commissions"): expect(
        200, other_office=404, other_reporter=404
    ),
    ("POST", "/campaigns/{campaign_id}/commissions"): expect(
        403, admin=201, office=201, other_office=404, other_reporter=404
    ),
    ("GET", "/commissions/owed"): expect(200),
    ("GET", "/commissions/{commission_id}"): expect(200, other_office=404, other_reporter=404),
    ("GET", "/campaigns/{campaign_id}/quota/behind"): expect(
        200, other_office=404, other_reporter=404
    ),
    ("GET", "/campaigns/{campaign_id}/rules"): expect(200, other_office=404, other_reporter=404),
    ("POST", "/campaigns/{campaign_id}/rules"): expect(
        403, admin=201, office=201, other_office=404, other_reporter=404
    ),
    # An administrator belongs to no office, so it has none to issue a document from.
    ("GET", "/campaigns/{campaign_id}/briefings"): expect(
        200, other_office=404, other_reporter=404
    ),
    ("POST", "/campaigns/{campaign_id}/briefings"): expect(
        403, admin=422, office=201, other_office=404, other_reporter=404
    ),
    ("GET", "/briefings/{briefing_id}"): expect(200, other_office=404, other_reporter=404),
    ("PATCH", "/briefings/{briefing_id}"): expect(
        403, admin=200, office=200, reporter=404, other_office=404, other_reporter=404
    ),
    ("POST", "/briefings/{briefing_id}/issue"): expect(
        403, admin=200, office=200, reporter=404, other_office=404, other_reporter=404
    ),
    ("POST", "/briefings/{briefing_id}/correct"): expect(
        403, admin=201, office=201, other_office=404, other_reporter=404
    ),
    ("GET", "/briefings/{briefing_id}/docx"): expect(200, other_office=404, other_reporter=404),
    ("GET", "/campaigns/{campaign_id}/bulletins"): expect(
        200, other_office=404, other_reporter=404
    ),
    ("POST", "/campaigns/{campaign_id}/bulletins"): expect(
        403, admin=422, office=201, other_office=404, other_reporter=404
    ),
    ("GET", "/bulletins/{bulletin_id}"): expect(200, other_office=404, other_reporter=404),
    ("GET", "/bulletins/{bulletin_id}/preview"): expect(
        200, reporter=404, other_office=404, other_reporter=404
    ),
    ("PATCH", "/bulletins/{bulletin_id}"): expect(
        403, admin=200, office=200, reporter=404, other_office=404, other_reporter=404
    ),
    ("POST", "/bulletins/{bulletin_id}/issue"): expect(
        403, admin=200, office=200, reporter=404, other_office=404, other_reporter=404
    ),
    ("POST", "/bulletins/{bulletin_id}/correct"): expect(
        403, admin=201, office=201, other_office=404, other_reporter=404
    ),
    ("GET", "/bulletins/{bulletin_id}/docx"): expect(200, other_office=404, other_reporter=404),
    ("GET", "/bulletins/{bulletin_id}/xlsx"): expect(200, other_office=404, other_reporter=404),
    ("GET", "/campaigns/{campaign_id}/annual"): expect(200, other_office=404, other_reporter=404),
    # Notifications are the user's own: one of the reporter's is not found for anyone else.
    ("GET", "/notifications"): expect(200),
    ("GET", "/notifications/unread-count"): expect(200),
    ("POST", "/notifications/{notification_id}/read"): expect(404, reporter=200),
    ("POST", "/notifications/read-all"): expect(200),
}

ROWS = [
    pytest.param(method, template, role, status, id=f"{method} {template} {role}")
    for (method, template), statuses in MATRIX.items()
    for role, status in statuses.items()
]


@pytest.mark.parametrize(("method", "template", "role", "expected"), ROWS)
def test_permission_matrix(login, world, method, template, role, expected):
    path, body = REQUESTS[(method, template)](world)
    client = login(role)
    if method == "GET":
        response = client.get(PREFIX + path)
    elif (method, template) in MULTIPART and method == "POST":
        response = client.post(PREFIX + path, body)
    elif (method, template) in MULTIPART:
        # The test client encodes multipart for POST only.
        send = getattr(client, method.lower())
        response = send(
            PREFIX + path, encode_multipart(BOUNDARY, body), content_type=MULTIPART_CONTENT
        )
    else:
        send = getattr(client, method.lower())
        response = send(PREFIX + path, body, content_type="application/json")
    assert response.status_code == expected, response.content.decode()
    if expected >= 400:
        assert response.json()["detail"], "an error answer carries a message"


def _schema_operations() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema(path_prefix="")
    return {
        (method.upper(), path if path.startswith("/") else "/" + path)
        for path, operations in schema["paths"].items()
        for method in operations
    }


def test_every_operation_has_a_row_for_every_role():
    operations = _schema_operations()
    assert operations, "the schema lists no operations"
    missing = sorted(operations - set(MATRIX))
    assert not missing, f"operations without permission rows: {missing}"
    stale = sorted(set(MATRIX) - operations)
    assert not stale, f"rows for operations the API does not have: {stale}"
    for operation, statuses in MATRIX.items():
        assert set(statuses) == set(ROLES), f"{operation} lacks roles"
        assert operation in REQUESTS, f"{operation} has no request to send"


def test_operation_ids_are_unique():
    schema = api.get_openapi_schema(path_prefix="")
    ids = [op["operationId"] for ops in schema["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids)), ids
