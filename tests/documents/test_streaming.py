"""Large texts: figures are yielded as they are found, in bounded pieces, without building
structures the size of the text."""

import itertools
import tracemalloc

from campaigndesk.documents import extraction
from campaigndesk.documents.extraction import MAX_CHUNK, iter_figures

PARAGRAPH = "截至2024年6月5日，全县悬挂横幅1260条，张贴海报8500余张，发放资料12.6万份。\n"
FIFTY_MB = 50 * 1024 * 1024


def _text_of(size_bytes: int, unit: str) -> str:
    return unit * (size_bytes // len(unit.encode("utf-8")) + 1)


def test_fifty_megabytes_yield_incrementally_with_small_memory():
    text = _text_of(FIFTY_MB, PARAGRAPH)
    assert len(text.encode("utf-8")) >= FIFTY_MB
    figures = iter_figures(text)
    tracemalloc.start()
    try:
        first = list(itertools.islice(figures, 3000))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [f.text for f in first[:3]] == ["1260", "8500", "12.6万"]
    assert first[-1].end < 200_000  # only the start of the text was read
    assert peak < 2 * 1024 * 1024, peak  # the text itself is ~100 MB in memory


def test_a_fifty_megabyte_line_is_cut_into_bounded_chunks():
    text = _text_of(FIFTY_MB, PARAGRAPH.rstrip("\n"))  # one paragraph, no newline
    covered = 0
    for offset, chunk, _new_paragraph in extraction._chunks(text):
        assert offset == covered
        assert 0 < len(chunk) <= MAX_CHUNK
        covered += len(chunk)
    assert covered == len(text)


def test_chunks_never_cut_a_number():
    # no punctuation to cut at: the cut moves back to before the number
    text = "宣" * (MAX_CHUNK - 3) + "123456份" + "宣" * MAX_CHUNK
    chunks = [chunk for _, chunk, _ in extraction._chunks(text)]
    assert any("123456份" in chunk for chunk in chunks)
    assert [f.text for f in iter_figures(text)] == ["123456"]


def test_as_of_carries_across_chunks_of_one_paragraph():
    filler = "，宣传工作有序推进" * (MAX_CHUNK // 9 + 10)
    text = "截至2024年6月5日" + filler + "，悬挂横幅20条。\n发放资料300份。"
    *_, last_in_paragraph, next_paragraph = iter_figures(text)
    assert last_in_paragraph.text == "20" and last_in_paragraph.as_of == "2024-06-05"
    assert next_paragraph.as_of is None
