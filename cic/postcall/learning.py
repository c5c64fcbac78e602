"""Supervisors' corrections as learning data for the topic tagger.

The latest correction of each call, with the call's redacted transcript, is one example
(``(text, topics)``, read by :func:`cic.recordings.service.latest_corrections`);
:func:`learned_tagger` trains the model of :mod:`cic.topics.learned` on them, and falls back
to the rules alone when there are too few corrections or no scikit-learn. Workers train again
as soon as the corrections change (:func:`corrections_version`, checked before each job), so
a supervisor's correction counts from the next call on.
"""

from __future__ import annotations

import logging

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cic.db import Store
from cic.recordings.models import TopicCorrection
from cic.recordings.service import latest_corrections
from cic.topics.learned import LearnedModelUnavailable, train_model
from cic.topics.tagger import Tagger
from cic.topics.taxonomy import load_taxonomy

log = logging.getLogger(__name__)


def corrections_version(session: Session) -> tuple[int, int]:
    """(how many corrections, the newest one's id): changes whenever one is added or removed."""
    count, newest = session.execute(
        select(func.count(TopicCorrection.id), func.max(TopicCorrection.id))
    ).one()
    return int(count or 0), int(newest or 0)


def learned_tagger(store: Store | None, tagger: Tagger | None = None) -> Tagger:
    """The taxonomy's tagger, with a model learned from the stored corrections if possible."""
    base = tagger or Tagger(load_taxonomy())
    if store is None:
        return base
    corrections = store.run_sync(latest_corrections)
    try:
        model = train_model(corrections, base.lemmatizer.lemmas)
    except LearnedModelUnavailable:
        log.info("topics: scikit-learn missing, tagging with rules only")
        return base
    if model is None:
        return base
    log.info("topics: model learned from %d corrections for %s", len(corrections), model.topics)
    return base.with_model(model)
