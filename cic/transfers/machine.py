"""The transfer state machine: which step may follow which. Pure: no I/O, no clock.

A consult starts ``consulting`` (the resident on hold with music, the colleague ringing or
talking to the agent). From there:

- the agent returns to the resident (AMI CancelAtxfer) -> ``returned`` (the colleague had
  answered) or ``cancelled`` (still ringing);
- the agent completes it (the agent's channel hangs up: Asterisk bridges the resident with the
  colleague) -> ``completing`` until Asterisk confirms (AttendedTransfer) -> ``completed``;
- the agent hangs up by themselves after the colleague answered -> ``completed`` too;
- the colleague does not answer, is busy or hangs up -> ``failed`` (Asterisk gives the agent
  back the resident);
- the resident hangs up -> ``ended`` (the agent and the colleague may go on talking).

A blind transfer is ``blind`` until Asterisk confirms (BlindTransfer) -> ``done``, or
``failed`` when Asterisk refuses it.
"""

from __future__ import annotations

from cic.transfers.errors import TransferStateError

CONSULTING = "consulting"
COMPLETING = "completing"
BLIND = "blind"
RETURNED = "returned"
CANCELLED = "cancelled"
COMPLETED = "completed"
FAILED = "failed"
ENDED = "ended"
DONE = "done"

OPEN_STATES = frozenset({CONSULTING, COMPLETING, BLIND})
FINAL_STATES = frozenset({RETURNED, CANCELLED, COMPLETED, FAILED, ENDED, DONE})
STATES = OPEN_STATES | FINAL_STATES

# What happened (command or Asterisk event) -> {from state: to state}.
TRANSITIONS: dict[str, dict[str, str]] = {
    "return": {CONSULTING: RETURNED},
    "cancel": {CONSULTING: CANCELLED},
    "complete": {CONSULTING: COMPLETING},
    "transferred": {CONSULTING: COMPLETED, COMPLETING: COMPLETED, BLIND: DONE},
    "target_failed": {CONSULTING: FAILED},
    "consult_ended": {CONSULTING: RETURNED, COMPLETING: FAILED},
    "resident_gone": {CONSULTING: ENDED, COMPLETING: ENDED, BLIND: ENDED},
    "pbx_refused": {CONSULTING: FAILED, COMPLETING: CONSULTING, BLIND: FAILED},
}

#: Polish names of the states for messages.
STATE_NAMES = {
    CONSULTING: "konsultacja w toku",
    COMPLETING: "przekazywanie w toku",
    BLIND: "przekazywanie bez konsultacji w toku",
    RETURNED: "powrót do mieszkańca",
    CANCELLED: "anulowane",
    COMPLETED: "przekazane",
    FAILED: "nieudane",
    ENDED: "mieszkaniec się rozłączył",
    DONE: "przekazane",
}


def can(state: str, step: str) -> bool:
    """True when ``step`` may happen in ``state``."""
    return state in TRANSITIONS.get(step, {})


def advance(state: str, step: str) -> str:
    """The state after ``step``; :class:`TransferStateError` (409) when it cannot happen now."""
    table = TRANSITIONS.get(step)
    if table is None:
        raise ValueError(f"unknown transfer step {step!r}")
    try:
        return table[state]
    except KeyError:
        raise TransferStateError(state, step) from None


def is_open(state: str) -> bool:
    """True while the transfer holds the call's lock."""
    return state in OPEN_STATES
