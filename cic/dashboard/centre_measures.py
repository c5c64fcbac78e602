"""How each of the contact centre's call figures is read off the call sums, in Polish.

Handling time (AHT) is the talk time Asterisk measured (``calls.talk_seconds``) plus the
after-call period ``office.wrapup_seconds`` during which the queue offers the agent no call.
"""

from __future__ import annotations

from cic.config import OfficeSettings
from cic.dashboard import centre_calls as calls
from cic.dashboard.centre_calls import Sums
from cic.dashboard.centre_parts import Measure, mean, share


def measures(office: OfficeSettings) -> dict[str, Measure[Sums]]:
    """The call figures by name, with their Polish labels and descriptions (how each is
    counted: see :mod:`cic.dashboard.centre_calls`)."""
    wrap, seconds = office.wrapup_seconds, office.service_level_seconds
    aht = f"Średni czas obsługi: czas rozmowy plus {wrap} s przerwy po rozmowie"

    def handling(s: Sums) -> float | None:
        return mean(s.talk_total, s.handled, wrap)

    def answered(s: Sums) -> int:
        return s.answered

    return {
        "service_level": Measure(
            "centre.service_level", f"Poziom obsługi ({seconds} s)", "%",
            lambda s: share(s.within, s.offered - s.short_abandoned),
            lambda s: s.offered - s.short_abandoned,
            f"Odsetek połączeń skierowanych do kolejki odebranych w ciągu {seconds} s. "
            "Mianownik: połączenia z kolejki bez rozłączonych przez dzwoniącego w ciągu "
            f"pierwszych {calls.SHORT_ABANDON_SECONDS} s; prośba o oddzwonienie liczy się "
            "jako połączenie nieodebrane w czasie.",
            True, "calls.level",
        ),
        "abandonment": Measure(
            "centre.abandonment", "Porzucone połączenia", "%",
            lambda s: share(s.abandoned, s.offered), lambda s: s.offered,
            "Odsetek połączeń skierowanych do kolejki, w których dzwoniący rozłączył się przed "
            f"odebraniem (także w ciągu pierwszych {calls.SHORT_ABANDON_SECONDS} s); prośba o "
            "oddzwonienie nie jest porzuceniem.",
            False, "calls.offered",
        ),
        "asa": Measure(
            "centre.asa", "Średni czas oczekiwania na odebranie", "s",
            lambda s: mean(s.wait_total, s.queued_answered), lambda s: s.queued_answered,
            "Średni czas od wejścia do kolejki do odebrania, dla odebranych połączeń z kolejki.",
            False, "calls.answered_queued",
        ),
        "aht_topic": Measure(
            "centre.aht_topic", "Średni czas obsługi wg tematu", "s", handling,
            lambda s: s.handled,
            f"{aht}; rozmowa o dwóch tematach liczy się w każdym z nich.",
            None, "calls.handled",
        ),
        "aht_department": Measure(
            "centre.aht_department", "Średni czas obsługi wg komórki", "s", handling,
            lambda s: s.handled,
            f"{aht}; komórka konsultanta, który odebrał, a gdy jej nie ma, komórka kolejki.",
            None, "calls.handled",
        ),
        "aht_agent": Measure(
            "centre.aht_agent", "Średni czas obsługi wg konsultanta", "s", handling,
            lambda s: s.handled, f"{aht}.", None, "calls.handled",
        ),
        "transfer_rate": Measure(
            "centre.transfer_rate", "Przekazane połączenia", "%",
            lambda s: share(s.transferred, s.answered), answered,
            "Odsetek odebranych połączeń przekazanych innej osobie (przekazanie zakończone, "
            "z konsultacją lub bez); wg komórki, która odebrała.",
            None, "calls.answered",
        ),
        "transfer_agent": Measure(
            "centre.transfer_agent", "Przekazane połączenia wg konsultanta", "%",
            lambda s: share(s.transferred, s.answered), answered,
            "Odsetek połączeń odebranych przez konsultanta, które przekazał dalej.",
            None, "calls.answered",
        ),
        "agents": Measure(
            "centre.agents", "Odebrane połączenia wg konsultanta", "liczba",
            lambda s: float(s.answered), answered,
            "Połączenia odebrane przez konsultanta (z kolejki i bezpośrednie).",
            None, "calls.answered",
        ),
        "departments": Measure(
            "centre.departments", "Odebrane połączenia wg komórki", "liczba",
            lambda s: float(s.answered), answered,
            "Połączenia odebrane w komórce: konsultanta, który odebrał, a gdy jej nie ma, "
            "kolejki.",
            None, "calls.answered",
        ),
    }  # fmt: skip
