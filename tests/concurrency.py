"""Two writers at once, in two threads with their own database connections."""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction


@dataclass
class Overlap:
    """What each step returned or raised, and whether the second was still waiting while
    the first held its transaction open."""

    first: object
    second: object
    second_waited: bool


def overlap(first: Callable[[], object], second: Callable[[], object]) -> Overlap:
    """Run ``first`` in a transaction kept open for half a second after it returns, and
    ``second`` (in its own transaction, as the services open them) once ``first`` has
    returned; then let ``first`` commit. Needs a transactional test on PostgreSQL."""
    holding, release = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def run_first():
        try:
            with transaction.atomic():
                outcome["first"] = first()
                holding.set()
                release.wait(20)
        except BaseException as error:  # reported to the test in the outcome
            outcome["first"] = error
        finally:
            holding.set()
            connection.close()

    def run_second():
        try:
            holding.wait(20)
            outcome["second"] = second()
        except BaseException as error:
            outcome["second"] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run_first), threading.Thread(target=run_second)]
    for thread in threads:
        thread.start()
    holding.wait(20)
    time.sleep(0.5)
    waited = threads[1].is_alive()
    release.set()
    for thread in threads:
        thread.join(30)
    return Overlap(outcome.get("first"), outcome.get("second"), waited)
