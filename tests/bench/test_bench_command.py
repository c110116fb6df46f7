"""The bench command: refuses a database not named *bench*, and keeps the latest run of
each section per database in its results file."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection


def test_refuses_a_database_not_named_bench(tmp_path):
    assert "bench" not in str(connection.settings_dict["NAME"])
    with pytest.raises(CommandError, match="Refusing to run"):
        call_command("bench", "--only", "extraction", "--output", str(tmp_path / "r.json"))


@pytest.mark.django_db
def test_a_run_replaces_only_its_own_sections_on_its_own_database(tmp_path, monkeypatch):
    output = tmp_path / "results.json"
    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"
    earlier = {
        "databases": {
            other: {"ledger": {"when": "2026-11-23", "scale": 1.0, "rows": []}},
            connection.vendor: {
                "ledger": {"when": "2026-11-23", "scale": 1.0, "rows": []},
                "extraction": {"when": "2026-11-23", "scale": 1.0, "rows": []},
            },
        }
    }
    output.write_text(json.dumps(earlier))
    monkeypatch.setitem(connection.settings_dict, "NAME", "campaigndesk_bench")
    call_command(
        "bench", "--only", "extraction", "--scale", "0.001", "--output", str(output), stdout=None
    )
    results = json.loads(output.read_text())["databases"]
    assert results[other] == earlier["databases"][other]
    assert results[connection.vendor]["ledger"] == earlier["databases"][connection.vendor]["ledger"]
    extraction = results[connection.vendor]["extraction"]
    assert extraction["scale"] == 0.001 and extraction["when"] != "2026-11-23"
    assert extraction["rows"] and all("benchmark" in row for row in extraction["rows"])


@pytest.mark.django_db
def test_a_results_file_in_the_older_layout_starts_afresh(tmp_path, monkeypatch):
    output = tmp_path / "results.json"
    output.write_text(json.dumps({"when": "2026-11-23", "database": "sqlite", "sections": {}}))
    monkeypatch.setitem(connection.settings_dict, "NAME", "campaigndesk_bench")
    call_command(
        "bench", "--only", "extraction", "--scale", "0.001", "--output", str(output), stdout=None
    )
    assert list(json.loads(output.read_text())) == ["databases"]


@pytest.mark.django_db
def test_a_results_file_that_is_not_json_is_kept_and_refused(tmp_path, monkeypatch):
    output = tmp_path / "results.json"
    output.write_text('{"databases": {"postgresql": ')
    monkeypatch.setitem(connection.settings_dict, "NAME", "campaigndesk_bench")
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("bench", "--only", "extraction", "--scale", "0.001", "--output", str(output))
    assert output.read_text() == '{"databases": {"postgresql": '
    assert not list(tmp_path.glob("*.partial"))
