"""The project's own annotated reports (documents/corpus): the annotations are sound and
the extractor keeps an F1 of at least 0.9 on them (a regression floor; `make bench` is
the measurement)."""

import json
from pathlib import Path

import pytest

from campaigndesk.documents.extraction import extract_figures

CORPUS = Path(__file__).resolve().parents[2] / "src" / "campaigndesk" / "documents" / "corpus"
GOLD_FILES = sorted(CORPUS.glob("*.gold.json"))


def _load(gold_path: Path) -> tuple[str, dict]:
    text_path = gold_path.with_name(gold_path.name.removesuffix(".gold.json") + ".txt")
    with open(text_path, encoding="utf-8", newline="") as handle:
        text = handle.read()
    return text, json.loads(gold_path.read_text(encoding="utf-8"))


def _overlaps(a: dict, b) -> bool:
    return a["start"] < b.end and b.start < a["end"]


def _match(gold: list[dict], predicted: list) -> tuple[int, int, int]:
    """(true positives, false positives, false negatives): a prediction matches a gold
    figure whose span it overlaps and whose value it equals; optional gold figures are
    neither required nor counted against a prediction that overlaps them."""
    used: set[int] = set()
    tp = fp = 0
    for figure in predicted:
        hit = next(
            (
                i
                for i, g in enumerate(gold)
                if i not in used and _overlaps(g, figure) and abs(g["value"] - figure.value) < 1e-6
            ),
            None,
        )
        if hit is None:
            if not any(g["optional"] and _overlaps(g, figure) for g in gold):
                fp += 1
            continue
        used.add(hit)
        tp += not gold[hit]["optional"]
    fn = sum(1 for i, g in enumerate(gold) if not g["optional"] and i not in used)
    return tp, fp, fn


def test_corpus_has_at_least_ten_reports_in_both_scripts():
    assert len(GOLD_FILES) >= 10
    texts = [_load(path)[0] for path in GOLD_FILES]
    assert any("縣" in text for text in texts) and any("县" in text for text in texts)
    assert any("(guān)" in text or "(fā)" in text for text in texts)
    assert any("１" in text for text in texts)


@pytest.mark.parametrize("gold_path", GOLD_FILES, ids=lambda p: p.name)
def test_annotations_are_consistent(gold_path):
    text, gold = _load(gold_path)
    assert gold["doc"] == gold_path.name.removesuffix(".gold.json") + ".txt"
    assert gold["figures"], "a report with no figures"
    for figure in gold["figures"]:
        assert text[figure["start"] : figure["end"]] == figure["text"], figure
        assert figure["approx"] in (None, "more", "about", "under", "at_least")
        assert isinstance(figure["optional"], bool)
    starts = [f["start"] for f in gold["figures"]]
    assert starts == sorted(starts)


def test_corpus_f1_floor():
    tp = fp = fn = 0
    for gold_path in GOLD_FILES:
        text, gold = _load(gold_path)
        a, b, c = _match(gold["figures"], extract_figures(text))
        tp, fp, fn = tp + a, fp + b, fn + c
    precision = tp / max(1, tp + fp)
    recall = tp / max(1, tp + fn)
    f1 = 2 * precision * recall / max(1e-9, precision + recall)
    assert tp > 300
    assert f1 >= 0.9, (precision, recall, fp, fn)


def test_the_matcher_counts_misses_and_extras():
    text = "播出新闻3条，刊发7篇。"
    gold = [
        {"start": 4, "end": 5, "value": 3, "optional": False},
        {"start": 8, "end": 9, "value": 8, "optional": False},
    ]
    assert _match(gold, extract_figures(text)) == (1, 1, 1)
