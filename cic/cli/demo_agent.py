"""The demo konsultant's browser phone: an agent made with the demo accounts on the first run.

:func:`cic.cli.demo_accounts.create_once` links the ``konsultant`` demo account to the agent
made here: a WebRTC endpoint (no fixed contact, so ``pjsip.conf`` renders ``webrtc = yes``)
in the first-line queue, logged out. Its SIP password is generated like every agent's
(``Credentials.sip_password``) and only reaches the browser of the signed-in konsultant, so
the console's softphone registers as soon as that user signs in. ``cic up`` makes the demo
accounts before it renders Asterisk's configuration, so the endpoint exists from the start.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cic.agents.models import Agent, AgentStatus, Queue, QueueMembership

AGENT = "konsultant"
DISPLAY_NAME = "Konsultant Demo"
FIRST_LINE_TITLE = "Pierwsza linia"


def make_browser_agent(db: Session, first_line_queue: str) -> str | None:
    """Add the demo konsultant's agent (browser phone, first-line queue); its username, or
    ``None`` when an agent of that name exists already (the office's own: left alone)."""
    if db.scalar(select(Agent.id).where(Agent.username == AGENT)) is not None:
        return None
    queue = db.scalar(select(Queue).where(Queue.name == first_line_queue))
    if queue is None:  # the controller makes it at start; the first run comes before that
        queue = Queue(name=first_line_queue, title=FIRST_LINE_TITLE)
        db.add(queue)
    agent = Agent(
        username=AGENT, display_name=DISPLAY_NAME, endpoint=Agent.endpoint_for(AGENT),
        static_contact=None,
    )  # fmt: skip
    db.add(agent)
    db.flush()
    db.add(QueueMembership(queue_id=queue.id, agent_id=agent.id, penalty=0))
    db.add(AgentStatus(agent_id=agent.id))
    db.flush()
    return AGENT


def retire_browser_agent(db: Session) -> bool:
    """Deactivate the demo konsultant's agent (``cic users remove-demo``); False when there
    is none active (or the office's own agent has that name)."""
    agent = db.scalar(select(Agent).where(Agent.username == AGENT))
    if agent is None or not agent.active or agent.display_name != DISPLAY_NAME:
        return False
    agent.active = False
    return True
