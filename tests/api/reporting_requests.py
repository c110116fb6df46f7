"""Requests for the permission matrix of the reporting and notification operations: what
each is called with, built from the world (see tests/reporting/web_data.py)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from ..reporting import web_data as d
from ..reporting.factories import png_bytes

MULTIPART = {
    ("POST", "/items/{item_id}/attachments"),
    ("POST", "/items/{item_id}/adoptions"),
}


def _png() -> SimpleUploadedFile:
    return SimpleUploadedFile("现场.png", png_bytes(), content_type="image/png")


def _adopt(w):
    item = d.signed_off(w)
    return (
        f"/items/{item.pk}/adoptions",
        {"outlet_id": d.outlet().pk, "date": "2024-03-10", "url": "https://example.cn/x"},
    )


REQUESTS = {
    ("GET", "/campaigns/{campaign_id}/items"): lambda w: (
        f"/campaigns/{w.campaign.pk}/items" if d.submitted(w) else "",
        None,
    ),
    ("POST", "/campaigns/{campaign_id}/items"): lambda w: (
        f"/campaigns/{w.campaign.pk}/items",
        {"title": "鹿城镇开展宣讲", "body": "正文"},
    ),
    ("GET", "/items/{item_id}"): lambda w: (f"/items/{d.submitted(w).pk}", None),
    ("PATCH", "/items/{item_id}"): lambda w: (f"/items/{d.draft(w).pk}", {"title": "改"}),
    ("POST", "/items/{item_id}/submit"): lambda w: (f"/items/{d.draft(w).pk}/submit", {}),
    ("POST", "/items/{item_id}/edit"): lambda w: (
        f"/items/{d.submitted(w).pk}/edit",
        {"title": "编辑后的标题", "note": "改了标题"},
    ),
    ("POST", "/items/{item_id}/review"): lambda w: (f"/items/{d.edited(w).pk}/review", {}),
    ("POST", "/items/{item_id}/sign-off"): lambda w: (f"/items/{d.reviewed(w).pk}/sign-off", {}),
    ("POST", "/items/{item_id}/return"): lambda w: (
        f"/items/{d.submitted(w).pk}/return",
        {"reason": "数据不全"},
    ),
    ("POST", "/items/{item_id}/withdraw"): lambda w: (f"/items/{d.draft(w).pk}/withdraw", {}),
    ("POST", "/items/{item_id}/false-report"): lambda w: (
        f"/items/{d.signed_off(w).pk}/false-report",
        {"note": "核实为虚报"},
    ),
    ("GET", "/campaigns/{campaign_id}/queue"): lambda w: (
        f"/campaigns/{w.campaign.pk}/queue?step=edit",
        None,
    ),
    ("POST", "/items/{item_id}/attachments"): lambda w: (
        f"/items/{d.draft(w).pk}/attachments",
        {"file": _png()},
    ),
    ("GET", "/attachments/{attachment_id}/file"): lambda w: (
        f"/attachments/{d.attachment(w).pk}/file",
        None,
    ),
    ("DELETE", "/attachments/{attachment_id}"): lambda w: (
        f"/attachments/{d.attachment(w).pk}",
        None,
    ),
    ("GET", "/campaigns/{campaign_id}/adoptions"): lambda w: (
        f"/campaigns/{w.campaign.pk}/adoptions",
        None,
    ),
    ("POST", "/items/{item_id}/adoptions"): _adopt,
    ("GET", "/adoptions/{adoption_id}/proof"): lambda w: (
        f"/adoptions/{d.adoption(w).pk}/proof",
        None,
    ),
    ("DELETE", "/adoptions/{adoption_id}"): lambda w: (
        f"/adoptions/{d.adoption(w).pk}?reason=误录",
        None,
    ),
    ("POST", "/items/{item_id}/leader-comments"): lambda w: (
        f"/items/{d.signed_off(w).pk}/leader-comments",
        {"leader": "李书记", "date": "2024-03-12", "comment": "写得好"},
    ),
    ("GET", "/campaigns/{campaign_id}/commissions"): lambda w: (
        f"/campaigns/{w.campaign.pk}/commissions",
        None,
    ),
    ("POST", "/campaigns/{campaign_id}/commissions"): lambda w: (
        f"/campaigns/{w.campaign.pk}/commissions",
        {"theme": "移民后扶", "due_date": "2024-03-20", "unit_ids": [w.township_unit.pk]},
    ),
    ("GET", "/commissions/owed"): lambda w: ("/commissions/owed" if d.commission(w) else "", None),
    ("GET", "/commissions/{commission_id}"): lambda w: (
        f"/commissions/{d.commission(w).pk}",
        None,
    ),
    ("GET", "/campaigns/{campaign_id}/quota/behind"): lambda w: (
        f"/campaigns/{w.campaign.pk}/quota/behind?on=2024-03-10",
        None,
    ),
    ("GET", "/campaigns/{campaign_id}/rules"): lambda w: (
        f"/campaigns/{w.campaign.pk}/rules" if d.rules(w) else "",
        None,
    ),
    ("POST", "/campaigns/{campaign_id}/rules"): lambda w: (
        f"/campaigns/{w.campaign.pk}/rules",
        {
            "valid_from": "2024-01-01",
            "points_central": "20",
            "points_provincial": "6",
            "points_municipal": "4",
            "points_county": "2",
        },
    ),
    ("GET", "/campaigns/{campaign_id}/briefings"): lambda w: (
        f"/campaigns/{w.campaign.pk}/briefings" if d.briefing(w) else "",
        None,
    ),
    ("POST", "/campaigns/{campaign_id}/briefings"): lambda w: (
        f"/campaigns/{w.campaign.pk}/briefings",
        {"item_ids": [d.signed_off(w).pk], "signer": "张三"},
    ),
    ("GET", "/briefings/{briefing_id}"): lambda w: (
        f"/briefings/{d.briefing(w, issue=True).pk}",
        None,
    ),
    ("PATCH", "/briefings/{briefing_id}"): lambda w: (
        f"/briefings/{d.briefing(w).pk}",
        {"signer": "李四"},
    ),
    ("POST", "/briefings/{briefing_id}/issue"): lambda w: (
        f"/briefings/{d.briefing(w).pk}/issue",
        {"issue_date": "2024-03-08"},
    ),
    ("POST", "/briefings/{briefing_id}/correct"): lambda w: (
        f"/briefings/{d.briefing(w, issue=True).pk}/correct",
        None,
    ),
    ("GET", "/briefings/{briefing_id}/docx"): lambda w: (
        f"/briefings/{d.briefing(w, issue=True).pk}/docx",
        None,
    ),
    ("GET", "/campaigns/{campaign_id}/bulletins"): lambda w: (
        f"/campaigns/{w.campaign.pk}/bulletins" if d.bulletin(w, issue=True) else "",
        None,
    ),
    ("POST", "/campaigns/{campaign_id}/bulletins"): lambda w: (
        f"/campaigns/{w.campaign.pk}/bulletins",
        {"period_start": "2024-03-01"},
    ),
    ("GET", "/bulletins/{bulletin_id}"): lambda w: (
        f"/bulletins/{d.bulletin(w, issue=True).pk}",
        None,
    ),
    ("GET", "/bulletins/{bulletin_id}/preview"): lambda w: (
        f"/bulletins/{d.bulletin(w).pk}/preview",
        None,
    ),
    ("PATCH", "/bulletins/{bulletin_id}"): lambda w: (
        f"/bulletins/{d.bulletin(w).pk}",
        {"signer": "李四"},
    ),
    ("POST", "/bulletins/{bulletin_id}/issue"): lambda w: (
        f"/bulletins/{d.bulletin(w).pk}/issue",
        {"issue_date": "2024-04-08"},
    ),
    ("POST", "/bulletins/{bulletin_id}/correct"): lambda w: (
        f"/bulletins/{d.bulletin(w, issue=True).pk}/correct",
        None,
    ),
    ("GET", "/bulletins/{bulletin_id}/docx"): lambda w: (
        f"/bulletins/{d.bulletin(w, issue=True).pk}/docx",
        None,
    ),
    ("GET", "/bulletins/{bulletin_id}/xlsx"): lambda w: (
        f"/bulletins/{d.bulletin(w, issue=True).pk}/xlsx",
        None,
    ),
    ("GET", "/campaigns/{campaign_id}/annual"): lambda w: (
        f"/campaigns/{w.campaign.pk}/annual?year=2024" if d.bulletin(w, issue=True) else "",
        None,
    ),
    ("GET", "/notifications"): lambda w: ("/notifications" if d.notification(w) else "", None),
    ("GET", "/notifications/unread-count"): lambda w: ("/notifications/unread-count", None),
    ("POST", "/notifications/{notification_id}/read"): lambda w: (
        f"/notifications/{d.notification(w).pk}/read",
        None,
    ),
    ("POST", "/notifications/read-all"): lambda w: ("/notifications/read-all", None),
}
