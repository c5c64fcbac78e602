"""Subscribing to warnings by phone: a key in the office's menu leads to
``dialplan/subscribe.conf.j2``, which says what the subscription is and the consent text,
asks for 1 (subscribe: consent) or 2 (unsubscribe), then for the sołectwo (a digit, or 0 /
nothing for the whole gmina), and asks the controller (FastAGI ``warnings-subscribe``).

The script reads ``CIC_WARN_CHOICE`` and ``CIC_WARN_AREA`` (DTMF the caller keyed) and the
caller's number, and sets ``CIC_WARN_RESULT`` last (``subscribed``, ``unsubscribed``,
``not_subscribed``, ``bad_number``); none means the controller failed and the dialplan hands
the caller to an agent. The call is recorded under the office's policy: that recording,
found by the call id kept with the consent, is the consent's audio.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from cic.asterisk import dialplan
from cic.asterisk.agi import AgiChannel, ScriptHandler, caller_field
from cic.warnings.subscriptions import Subscriptions

log = logging.getLogger(__name__)
SCRIPT = "warnings-subscribe"
DIGIT_WORDS = ("zero", "jeden", "dwa", "trzy", "cztery", "pięć", "sześć", "siedem", "osiem",
               "dziewięć")  # fmt: skip


def prompt_texts(office: str, consent: str, solectwa: Sequence[str]) -> dict[str, str]:
    """The Polish prompts of subscribing by phone (generated with the office's others)."""
    places = list(solectwa)[:9]
    area = "Ostrzeżenia dla całej gminy dostaniesz zawsze."
    if places:
        choices = " ".join(
            f"{name} – proszę nacisnąć {DIGIT_WORDS[i + 1]}." for i, name in enumerate(places)
        )
        area = (f"Aby dostawać ostrzeżenia dla jednego sołectwa, wybierz je. {choices} "
                "Dla całej gminy proszę nacisnąć zero albo poczekać.")  # fmt: skip
    return {
        "warnings-offer": (
            f"{office} wysyła ostrzeżenia o zagrożeniach: telefonem, a na komórki także SMS-em. "
            f"Treść zgody: {consent} Rozmowa jest nagrywana jako zapis zgody. "
            "Aby wyrazić zgodę i się zapisać, proszę nacisnąć jeden. "
            "Aby wypisać swój numer, proszę nacisnąć dwa."
        ),
        "warnings-area": area,
        "warnings-subscribed": "Dziękujemy. Numer został zapisany na ostrzeżenia.",
        "warnings-unsubscribed": "Numer został wypisany z ostrzeżeń.",
        "warnings-not_subscribed": "Ten numer nie był zapisany na ostrzeżenia.",
        "warnings-bad_number": (
            "Nie możemy zapisać tego numeru. Prosimy zapisać się na portalu albo w urzędzie."
        ),
    }


def subscribe_script(subs: Subscriptions) -> ScriptHandler:
    """The FastAGI handler of ``warnings-subscribe``."""

    async def handle(agi: AgiChannel, headers: Mapping[str, str]) -> None:
        call_id = await agi.get_variable(dialplan.CALL_ID) or headers.get("agi_uniqueid", "")
        choice = (await agi.get_variable(dialplan.WARN_CHOICE) or "")[:2]
        caller = caller_field(headers.get("agi_callerid"))
        if choice == "1":
            area = (await agi.get_variable(dialplan.WARN_AREA) or "")[:2]
            result = await subs.by_phone(caller, call_id[:64], area)
        elif choice == "2":
            result = await subs.end_by_phone(caller)
        else:
            return
        await agi.set_variable(dialplan.WARN_RESULT, result.result)
        log.info("call %s: warnings by phone: %s %s", call_id, result.result,
                 ",".join(result.channels))  # fmt: skip

    return handle
