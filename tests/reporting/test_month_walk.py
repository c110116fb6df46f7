"""The issue's "done when": a full month of reporting for four units, through the real
services, with every unit's points and rank in the bulletin checked against the hand
computation written out below; then the bulletin is issued, numbered, frozen, corrected,
and totalled into the annual assessment. The month itself is entered by
``month_walk.walk_the_month`` (shared with test_consistency.py).

Campaign 和谐库区宣传活动 (2024), units in name (code point) order:
    C 东瓜镇人民政府 (U+4E1C)  A 楚雄市融媒体中心 (U+695A, lead)
    D 紫溪镇人民政府 (U+7D2B)  B 鹿城镇人民政府 (U+9E7F)
Quota: 3 information items a month, due by the 5th of the next month (March: 5 April).
Rules v1 (from 2024-01-01), highest level once: central 20, provincial 6, municipal 4,
county 2, township 0; headline ×2; leader's comment +5; each missing quota item −2;
false report −10; base 10 a month.

February (issued 6 March as 2024年第1期, 总第1期):
    A  a0 submitted 10 Feb, signed off, adopted county (2) 20 Feb.
       adoption 2; quota 1 of 3 → missing 2 → −4.          points 10 + 2 − 4 = 8.00
    B, C, D  nothing: missing 3 → −6.                       points 10 − 6     = 4.00
    ranks: A 1; B, C, D share 2.

March:
    A  a1 submitted 4 Mar, signed off; provincial 云南日报 8 Mar, headline: 6×2 = 12;
          municipal 楚雄日报 9 Mar: 4. Best once → 12.
       a2 submitted 5 Mar, returned by the editor 6 Mar, revised and resubmitted 7 Mar
          (still submitted 5 Mar), signed off; central 人民网 20 Mar → 20;
          leader's comment 21 Mar → +5.
       a3 submitted 3 April naming March (before its due date 5 April): counts for March.
       a0 (February's) adopted provincial 云南网 15 Mar: best 2 → 6, March gets 6 − 2 = 4.
       submitted 3, signed off 2; adopted central 1, provincial 2, municipal 1; headline 1.
       adoption 12 + 20 + 4 = 36; bonus 5; quota 3 of 3.     points 10 + 36 + 5 = 51.00
    B  b1 submitted 11 Mar, signed off; municipal 楚雄日报 15 Mar → 4.
       b2 submitted 12 Mar, signed off; county 楚雄市广播电视台 16 Mar → 2.
       b3 submitted 13 Mar, withdrawn 14 Mar: does not count.
       b4 submitted 14 Mar, flagged a false report 25 Mar: does not count, −10.
       submitted 2, signed off 2; quota 2 of 3 → missing 1 → −2.
       adoption 6; penalty 2 + 10 = 12.                       points 10 + 6 − 12 = 4.00
    C  c1 submitted 18 Mar, signed off; municipal 楚雄州广播电视台 25 Mar (4) and county
          楚雄市广播电视台 26 Mar (2) → best 4.
       c2 submitted 19 Mar, edited (waits for 审核); c3 submitted 20 Mar, reviewed (waits
          for 终审): both count.
       submitted 3, signed off 1; quota met.                  points 10 + 4 = 14.00
    D  d1, d2 submitted 21 and 22 Mar, signed off, each adopted county (2) → 4.
       d3 submitted 31 Mar 23:30 Shanghai (15:30 UTC): March. d4 submitted 2 April: April.
       submitted 3, signed off 2; quota met.                  points 10 + 4 = 14.00
    ranks: A 51 → 1; C 14 and D 14 share 2 (并列); B 4 → 4.
    totals: submitted 11, signed off 7, central 1, provincial 2, municipal 3, county 4,
    headlines 1.
    Issued 8 April as 2024年第2期, 总第2期 (a briefing issued meanwhile has its own series).

Afterwards the rules change (v2 from 2024-03-01: central 30, false report −5): the issued
bulletin, its file and hash do not change. The office finds b4 was no false report after
all, clears the flag and issues a correction (2024年第3期, 总第3期) under the rules now in
force for March (v2):
    A  12 + 30 + 4 = 46; + 5 + 10                            = 61.00
    B  b4 counts: submitted 3, quota met, no penalty; 10 + 6  = 16.00
    C  14.00, D 14.00 (no central adoption, no penalty)
    ranks: A 1, B 2, C and D share 3.

Annual assessment 2024 (February's bulletin + March's correction):
    A 8 + 61 = 69.00 (1), B 4 + 16 = 20.00 (2), C 4 + 14 = 18.00 (3), D 18.00 (3).
"""

import datetime
import hashlib

import pytest

from campaigndesk.common.errors import DomainError
from campaigndesk.reporting import rendering, services
from campaigndesk.reporting.issuing import (
    bulletin_correct,
    bulletin_create,
    bulletin_issue,
    bulletin_preview,
    bulletin_update,
    document_regenerate,
)
from campaigndesk.reporting.scoring import annual_assessment

from .month_walk import walk_the_month

D = datetime.date
FEB, MAR = D(2024, 2, 1), D(2024, 3, 1)
NO_ADOPTION = {"central": 0, "provincial": 0, "municipal": 0, "county": 0, "township": 0}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _stored(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def _figures(row: dict) -> tuple:
    """(rank, unit, submitted, signed off, adopted, headlines, comments, false reports,
    quota required, counted, missing, met, adoption points, bonus, penalty, points)"""
    return (
        row["rank"],
        row["unit"],
        row["submitted"],
        row["signed_off"],
        row["adopted"],
        row["headlines"],
        row["leader_comments"],
        row["false_reports"],
        row["quota_required"],
        row["quota_counted"],
        row["missing"],
        row["quota_met"],
        row["adoption_points"],
        row["bonus"],
        row["penalty"],
        row["points"],
    )


def test_a_month_of_reporting_scored_issued_corrected_and_totalled(world):
    walk = walk_the_month(world)
    office, campaign = world.office, walk.campaign
    unit_a, unit_b, unit_c, unit_d = walk.unit_a, walk.unit_b, walk.unit_c, walk.unit_d
    b4 = walk.b4

    # --- The March bulletin -------------------------------------------------------------
    draft = bulletin_create(
        actor=office,
        campaign=campaign,
        period_start=MAR,
        signer="张三",
        report_to="州委、州政府",
        send_to="各县市委宣传部",
        distribute_to="各责任单位",
        copies=30,
    )
    with pytest.raises(DomainError):  # items for March may still come in until 5 April
        bulletin_issue(actor=office, bulletin=draft, issue_date=D(2024, 4, 5))
    march = bulletin_issue(actor=office, bulletin=draft, issue_date=D(2024, 4, 8))
    march.refresh_from_db()
    snap = march.snapshot
    assert (snap["year"], snap["number"], snap["total_number"]) == (2024, 2, 2)
    assert snap["rules"]["version"] == 1
    assert snap["quota"] == {"count": 3, "period": "month", "due_day": 5}
    rows = snap["rows"]
    assert [_figures(r) for r in rows] == [
        (1, "楚雄市融媒体中心", 3, 2,
         {"central": 1, "provincial": 2, "municipal": 1, "county": 0, "township": 0},
         1, 1, 0, 3, 3, 0, True, "36.00", "5.00", "0.00", "51.00"),
        (2, "东瓜镇人民政府", 3, 1, {**NO_ADOPTION, "municipal": 1, "county": 1},
         0, 0, 0, 3, 3, 0, True, "4.00", "0.00", "0.00", "14.00"),
        (2, "紫溪镇人民政府", 3, 2, {**NO_ADOPTION, "county": 2},
         0, 0, 0, 3, 3, 0, True, "4.00", "0.00", "0.00", "14.00"),
        (4, "鹿城镇人民政府", 2, 2, {**NO_ADOPTION, "municipal": 1, "county": 1},
         0, 0, 1, 3, 2, 1, False, "6.00", "0.00", "12.00", "4.00"),
    ]  # fmt: skip
    assert [r["unit_id"] for r in rows] == [unit_a.pk, unit_c.pk, unit_d.pk, unit_b.pk]
    assert snap["totals"]["submitted"] == 11 and snap["totals"]["signed_off"] == 7
    assert snap["totals"]["adopted"] == {
        "central": 1,
        "provincial": 2,
        "municipal": 3,
        "county": 4,
        "township": 0,
    }
    assert snap["totals"]["headlines"] == 1

    # The files hold the same numbers.
    docx_text = rendering.document_text(_stored(march.docx))
    xlsx_text = rendering.document_text(_stored(march.xlsx))
    assert "2024年第2期（总第2期）" in docx_text
    for row in rows:
        for text in (docx_text, xlsx_text):
            [line] = [x for x in text.splitlines() if row["unit"] in x and "|" in x]
            assert row["points"] in line, (row["unit"], line)

    # --- Frozen -------------------------------------------------------------------------
    frozen = (march.snapshot, march.docx_sha256, march.xlsx_sha256)
    with pytest.raises(DomainError, match="issue a correction"):
        bulletin_update(actor=office, bulletin=march, copies=50)
    services.rules_create(
        actor=office,
        campaign=campaign,
        valid_from=MAR,
        points_central=30,
        points_provincial=6,
        points_municipal=4,
        points_county=2,
        headline_multiplier=2,
        leader_comment_bonus=5,
        missing_quota_penalty=2,
        false_report_penalty=5,
        base_points=10,
    )
    march.refresh_from_db()
    assert (march.snapshot, march.docx_sha256, march.xlsx_sha256) == frozen
    assert hashlib.sha256(_stored(march.docx)).hexdigest() == march.docx_sha256
    # Regenerating from the snapshot gives the same document (same bytes, same text).
    regenerated = document_regenerate(actor=office, document=march)
    assert regenerated == _stored(march.docx)
    assert rendering.document_text(regenerated) == docx_text
    regenerated_xlsx = document_regenerate(actor=office, document=march, kind="xlsx")
    assert hashlib.sha256(regenerated_xlsx).hexdigest() == march.xlsx_sha256
    assert bulletin_preview(actor=world.reporter, bulletin=march) == snap

    # --- The correction -----------------------------------------------------------------
    services.item_flag_false_report(actor=office, item=b4, note="复核属实", is_false=False)
    correction = bulletin_correct(actor=office, bulletin=march)
    correction = bulletin_issue(actor=office, bulletin=correction, issue_date=D(2024, 4, 10))
    fixed = correction.snapshot
    assert (fixed["year"], fixed["number"], fixed["total_number"]) == (2024, 3, 3)
    assert fixed["corrects"] == {"year": 2024, "number": 2, "title": march.title}
    assert fixed["rules"]["version"] == 2
    assert [(r["rank"], r["unit"], r["points"]) for r in fixed["rows"]] == [
        (1, "楚雄市融媒体中心", "61.00"),
        (2, "鹿城镇人民政府", "16.00"),
        (3, "东瓜镇人民政府", "14.00"),
        (3, "紫溪镇人民政府", "14.00"),
    ]
    b_row = fixed["rows"][1]
    assert (b_row["submitted"], b_row["false_reports"], b_row["missing"]) == (3, 0, 0)
    assert "更正 2024年第2期" in rendering.document_text(_stored(correction.docx))
    march.refresh_from_db()
    assert (march.snapshot, march.docx_sha256, march.xlsx_sha256) == frozen
    assert march.state == "issued"

    # --- The annual assessment ----------------------------------------------------------
    annual = annual_assessment(actor=office, campaign=campaign, year=2024)
    assert annual["months"] == ["2024-02-01", "2024-03-01"]
    assert [(r["rank"], r["unit"], r["by_month"], r["points"]) for r in annual["rows"]] == [
        (1, "楚雄市融媒体中心", {"2024-02-01": "8.00", "2024-03-01": "61.00"}, "69.00"),
        (2, "鹿城镇人民政府", {"2024-02-01": "4.00", "2024-03-01": "16.00"}, "20.00"),
        (3, "东瓜镇人民政府", {"2024-02-01": "4.00", "2024-03-01": "14.00"}, "18.00"),
        (3, "紫溪镇人民政府", {"2024-02-01": "4.00", "2024-03-01": "14.00"}, "18.00"),
    ]
    # A later rule change does not touch it: it is read from the issued snapshots.
    services.rules_create(
        actor=office,
        campaign=campaign,
        valid_from=D(2024, 1, 1),
        points_central=100,
        points_provincial=100,
        points_municipal=100,
        points_county=100,
        base_points=50,
    )
    assert annual_assessment(actor=office, campaign=campaign, year=2024) == annual
    # Units see the same assessment; another county sees none of it.
    assert annual_assessment(actor=world.reporter, campaign=campaign, year=2024) == annual
    assert annual_assessment(actor=world.other_office, campaign=campaign, year=2024)["rows"] == []
    annual_text = rendering.document_text(rendering.render_annual_xlsx(annual))
    assert "69.00" in annual_text and "18.00" in annual_text
