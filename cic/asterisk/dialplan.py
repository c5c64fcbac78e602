"""The dialplan contract: every channel variable and context that both the dialplan templates
(``dialplan/*.j2``) and the Python code name, spelled once.

The templates write these names literally (dialplan stays readable as dialplan);
``tests/unit/test_dialplan_contract.py`` checks that each name here occurs in the templates
and that no Python module outside this one spells a dialplan variable as a string literal.
"""

from __future__ import annotations

# --- every call: set by the dialplan before it asks the controller ---
CALL_ID = "CIC_CALLID"
DIALLED = "CIC_DIALLED"

# --- a routing decision (FastAGI ``route`` and ``menu``); ACTION is always set last ---
TARGET = "CIC_TARGET"
QUEUE = "CIC_QUEUE"
AGENT_WAIT = "CIC_AGENT_WAIT"
REASON = "CIC_REASON"
NOTICE = "CIC_NOTICE"
ACTION = "CIC_ACTION"
MENU_KEY = "CIC_MENUKEY"

# --- case status by phone (FastAGI ``case-status``) ---
CASE_NUMBER = "CIC_CASENO"
CASE_PIN = "CIC_CASEPIN"
CASE_FILE = "CIC_CASE_FILE"
CASE_RESULT = "CIC_CASE_RESULT"

# --- callbacks: the request from the queue, and the call placed back ---
CB_NUMBER = "CIC_CB_NUMBER"
CB_POSITION = "CIC_CB_POS"
CB_ID = "CIC_CB_ID"
CB_STATUS = "CIC_CB_STATUS"
CB_ATTEMPT = "CIC_CB_ATTEMPT"
CB_AGENT = "CIC_CB_AGENT"
CB_CALL = "CIC_CB_CALL"
CB_QUEUE = "CIC_CB_QUEUE"
CB_SHOWN = "CIC_CB_SHOWN"
CB_DIAL = "CIC_CB_DIAL"
CB_RING = "CIC_CB_RING"
CALLBACK_DIAL_CONTEXT = "cic-callback-dial"
# Set by the controller's Originate and read back by its own FastAGI: the templates pass it
# through without naming it.
NOT_IN_TEMPLATES = frozenset({CB_ATTEMPT})

# --- warnings by phone call (dialplan/notify.conf.j2), set by the controller's Originate ---
NT_ID = "CIC_NT_ID"
NT_ATTEMPT = "CIC_NT_ATTEMPT"
NT_DIAL = "CIC_NT_DIAL"
NT_RING = "CIC_NT_RING"
NT_FILE = "CIC_NT_FILE"
NT_WAIT = "CIC_NT_WAIT"
NT_RESULT = "CIC_NT_RESULT"
NOTIFY_DIAL_CONTEXT = "cic-notify-dial"
NOTIFY_MESSAGE_CONTEXT = "cic-notify-message"

# --- transfers: inherited (``__``) by the Local channel Asterisk dials for a consult ---
XFER_ID = "CIC_XFER_ID"
XFER_DEST = "CIC_XFER_DEST"
XFER_RING = "CIC_XFER_RING"
CONSULT_CONTEXT = "cic-consult"
BLIND_CONTEXT = "cic-blind"


def inherited(variable: str) -> str:
    """``variable`` as set so that channels dialled from this one inherit it (``__`` prefix)."""
    return f"__{variable}"


# --- warnings: subscribing by phone (FastAGI ``warnings-subscribe``) ---
WARN_CHOICE = "CIC_WARN_CHOICE"
WARN_AREA = "CIC_WARN_AREA"
WARN_RESULT = "CIC_WARN_RESULT"
