"""The topics of calls, as the contact-centre measures count them.

A call's topics are the agents' wrap-up topics (``call_wrapups.topic``, also copied to
``call_topics`` with source ``wrapup``), the supervisor's topics, and the automatic tags of a
call the supervisor did not correct (as in the supervisor's review). A call with two topics
counts once for each.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Subquery, exists, func, or_, select, union
from sqlalchemy.orm import aliased

from cic.calls.models import CallWrapup
from cic.recordings.models import CallTopic


def call_topics() -> Subquery:
    """``(call_id, topic)`` pairs, each once."""
    tag, correction = aliased(CallTopic), aliased(CallTopic)
    corrected = exists().where(correction.call_id == tag.call_id, correction.source == "supervisor")
    tagged = select(tag.call_id.label("call_id"), tag.topic_id.label("topic")).where(
        or_(tag.source.in_(("supervisor", "wrapup")), ~corrected)
    )
    wrapped: Any = select(
        CallWrapup.call_id.label("call_id"), func.trim(CallWrapup.topic).label("topic")
    ).where(func.trim(CallWrapup.topic) != "")
    return union(tagged, wrapped).subquery("call_topic")
