"""Figure extraction benchmarks: accuracy on the shared examples and on the project's own
annotated corpus (scored by ../shared/tools/score_extract.py), and throughput.

The scoring tool and the examples live outside the repository (in the shared folder next
to it, or CAMPAIGNDESK_SHARED_DIR); when they are missing the rows say so.
"""

import importlib.util
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from django.conf import settings

from campaigndesk.documents.extraction import extract_figures, iter_figures

Row = tuple[str, float, str, str]

CORPUS_DIR = Path(__file__).resolve().parent.parent / "documents" / "corpus"
SYNTHETIC_BYTES = 5_000_000
NAN = float("nan")


def shared_dir() -> Path:
    return Path(os.environ.get("CAMPAIGNDESK_SHARED_DIR") or settings.PROJECT_DIR.parent / "shared")


def _load_scorer(path: Path) -> ModuleType | None:
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location("score_extract", path)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _documents(folder: Path) -> list[tuple[Path, Path]]:
    """(text, gold) pairs in a folder of NAME.txt + NAME.gold.json files."""
    pairs = []
    for gold in sorted(folder.glob("*.gold.json")):
        text = gold.with_name(gold.name.removesuffix(".gold.json") + ".txt")
        if text.is_file():
            pairs.append((text, gold))
    return pairs


def _read_text(path: Path) -> str:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return handle.read()


def score_folder(folder: Path, score: Callable[[dict, dict], dict]) -> dict:
    """Totals of the scoring tool over every annotated document in ``folder``."""
    totals = {"tp": 0, "fp": 0, "fn": 0, "measure_ok": 0, "approx_ok": 0, "documents": 0}
    for text_path, gold_path in _documents(folder):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        predicted = {"figures": [f.as_dict() for f in extract_figures(_read_text(text_path))]}
        result = score(gold, predicted)
        for key in ("tp", "fp", "fn", "measure_ok", "approx_ok"):
            totals[key] += result[key]
        totals["documents"] += 1
    return totals


def _accuracy_rows(label: str, totals: dict) -> list[Row]:
    tp, fp, fn = totals["tp"], totals["fp"], totals["fn"]
    precision = tp / max(1, tp + fp)
    recall = tp / max(1, tp + fn)
    f1 = 2 * precision * recall / max(1e-9, precision + recall)
    return [
        (f"extract {label} ({totals['documents']} texts): F1", f1, "ratio", ">= 0.95"),
        ("  precision", precision, "ratio", ""),
        ("  recall", recall, "ratio", ""),
        ("  measure word accuracy", totals["measure_ok"] / max(1, tp), "ratio", ""),
        ("  approximation accuracy", totals["approx_ok"] / max(1, tp), "ratio", ""),
        ("  figures found / missed / extra", float(tp), "", f"{fn} missed, {fp} extra"),
    ]


def synthetic_text(size: int = SYNTHETIC_BYTES, sources: list[Path] | None = None) -> str:
    """About ``size`` bytes of report text: the corpus (and the examples, if present)
    repeated, paragraphs as they are."""
    paths = sources if sources is not None else [t for t, _ in _documents(CORPUS_DIR)]
    base = "\n".join(_read_text(p) for p in paths) + "\n"
    repeat = max(1, size // max(1, len(base.encode("utf-8"))) + 1)
    return base * repeat


def run(scale: float = 1.0) -> list[Row]:
    rows: list[Row] = []
    shared = shared_dir()
    scorer = _load_scorer(shared / "tools" / "score_extract.py")
    examples = shared / "examples" / "extraction"
    if scorer is None:
        rows.append(
            (f"extract: scoring tool missing ({shared}/tools/score_extract.py)", NAN, "", "")
        )
    else:
        if _documents(examples):
            rows += _accuracy_rows("shared examples", score_folder(examples, scorer.score))
        else:
            rows.append((f"extract: shared examples missing ({examples})", NAN, "", ""))
        rows += _accuracy_rows("own corpus", score_folder(CORPUS_DIR, scorer.score))
    sources = [t for t, _ in _documents(CORPUS_DIR)] + [t for t, _ in _documents(examples)]
    text = synthetic_text(sources=sources)
    megabytes = len(text.encode("utf-8")) / 1_000_000
    start = time.perf_counter()
    count = sum(1 for _ in iter_figures(text))
    elapsed = time.perf_counter() - start
    rows.append(
        (
            f"extract throughput ({megabytes:.1f} MB, {count:,} figures)",
            megabytes / elapsed,
            "MB/s",
            ">= 1",
        )
    )
    return rows
