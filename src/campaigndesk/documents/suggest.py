"""Which indicator a figure read from a report most likely counts.

The score of an indicator for a figure has two parts, both compared script-blind
(``textnorm.match_key``):

- the measure word: 3 when the figure's equals the indicator's, 2 when they are
  interchangeable (名/人/位, 场/场次, 块/面), 0 when either is blank; a figure whose measure
  word is another one (人 against 人次, 条 against 张) never matches the indicator;
- the noun: 2 for every pair of adjacent characters (bigram) of the indicator's name that
  occurs in the noun counted ("会议专题研究" shares 会议 with 召开会议; "全网累计点击量"
  shares four with 累计点击量 and two with 点击量, so the cumulative one wins).

An indicator is suggested only with some evidence from the noun, or, when the figure names
no noun that matches anything, if its measure word belongs to that one indicator alone
(平方米 → the area of publicity sites). The best score wins; between equal scores, the
indicator more of whose name the noun holds ("点击量" is all of 点击量, half of 累计点击量);
a tie after that suggests nothing. Ratios and distinct counts are never suggested: they are
computed from the ledger and cannot be entered as figures.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from campaigndesk.ledger.models import Aggregation, Indicator

from .textnorm import match_key

# Measure words that count the same thing.
_EQUIVALENT: list[frozenset[str]] = [
    frozenset({"人", "名", "位"}),
    frozenset({"场", "场次"}),
    frozenset({"块", "面"}),
    frozenset({"篇", "则"}),
]
MEASURE_EXACT = 3
MEASURE_EQUIVALENT = 2
PER_BIGRAM = 2


@dataclass(frozen=True)
class Candidate:
    """An indicator that can be entered as a figure, with its comparison keys."""

    indicator: Indicator
    measure: str
    bigrams: frozenset[str]


def candidates(indicators: Iterable[Indicator] | None = None) -> list[Candidate]:
    """The indicators a figure may be imported as (active sums and latest snapshots)."""
    if indicators is None:
        indicators = Indicator.objects.filter(is_active=True).exclude(
            aggregation__in=[Aggregation.RATIO, Aggregation.DISTINCT]
        )
    return [
        Candidate(indicator=i, measure=match_key(i.measure_word), bigrams=_bigrams(i.name))
        for i in indicators
        if i.is_active and i.aggregation not in (Aggregation.RATIO, Aggregation.DISTINCT)
    ]


def _bigrams(text: str) -> frozenset[str]:
    key = match_key(text)
    if len(key) < 2:
        return frozenset({key}) if key else frozenset()
    return frozenset(key[i : i + 2] for i in range(len(key) - 1))


def measure_points(figure_measure: str, indicator_measure: str) -> int | None:
    """3 for the same measure word, 2 for interchangeable ones, 0 when either is blank;
    None when they differ (the figure cannot count that indicator)."""
    if not figure_measure or not indicator_measure:
        return 0
    if figure_measure == indicator_measure:
        return MEASURE_EXACT
    for group in _EQUIVALENT:
        if figure_measure in group and indicator_measure in group:
            return MEASURE_EQUIVALENT
    return None


def score(measure: str, counted: str, candidate: Candidate) -> tuple[int, float, int] | None:
    """(score, share of the name's bigrams found, bigrams found) of ``candidate`` for a
    figure, or None when the measure words rule it out. Both texts are compared through
    ``match_key``."""
    return _score(match_key(measure), match_key(counted), candidate)


def _score(measure_key: str, noun_key: str, candidate: Candidate) -> tuple[int, float, int] | None:
    points = measure_points(measure_key, candidate.measure)
    if points is None:
        return None
    shared = sum(1 for bigram in candidate.bigrams if bigram in noun_key) if noun_key else 0
    share = shared / len(candidate.bigrams) if candidate.bigrams else 0.0
    return points + PER_BIGRAM * shared, share, shared


def suggest(measure: str, counted: str, pool: list[Candidate]) -> Indicator | None:
    """The indicator that best fits a figure's measure word and counted noun, or None."""
    measure_key, noun_key = match_key(measure), match_key(counted)
    scored = []
    for candidate in pool:
        result = _score(measure_key, noun_key, candidate)
        if result is not None:
            scored.append((result, candidate))
    with_noun = [(s[:2], c) for s, c in scored if s[2] > 0]
    if with_noun:
        with_noun.sort(key=lambda item: item[0], reverse=True)
        best = with_noun[0][0]
        winners = [c for s, c in with_noun if s == best]
        return winners[0].indicator if len(winners) == 1 else None
    if not measure_key:
        return None
    same_measure = [c for c in pool if c.measure == measure_key]
    return same_measure[0].indicator if len(same_measure) == 1 else None
