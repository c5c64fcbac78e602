"""Building the post-call machinery from settings: queue, pipeline, workers, service."""

from __future__ import annotations

from pathlib import Path

from cic.config import Settings, SpeechSettings
from cic.db import Store
from cic.postcall.learning import corrections_version, learned_tagger
from cic.postcall.pipeline import Pipeline
from cic.postcall.queue import JobQueue, RedisQueue, StoreQueue
from cic.postcall.service import PostCallService
from cic.postcall.worker import Worker, WorkerSettings, worker_name
from cic.speech.redaction import RedactionPolicy
from cic.speech.stt import SpeechEngine, SttSettings, create_engine
from cic.speech.vocabulary import prompt_phrases
from cic.topics.lemmas import make_lemmatizer
from cic.topics.tagger import Tagger
from cic.topics.taxonomy import load_taxonomy
from cic.topics.trained import trained_tagger


def make_queue(settings: SpeechSettings, store: Store, redis_url: str) -> JobQueue:
    """The Redis stream queue when configured (and a Redis URL is set), else the store one."""
    if settings.queue == "redis":
        if not redis_url:
            raise ValueError("speech.queue: redis needs redis_url")
        return RedisQueue(store, redis_url)
    return StoreQueue(store)


def topic_cache(settings: Settings) -> Path:
    """Where the trained topic model is kept: ``speech.topic_cache`` or the state folder's."""
    return Path(settings.speech.topic_cache or Path(settings.state_dir) / "cache")


def make_tagger(settings: SpeechSettings, cache_dir: Path | None = None) -> Tagger:
    """The office's taxonomy's tagger: its rules and, unless ``topic_model`` is off, the
    model trained on the shipped corpus (kept in ``cache_dir``)."""
    taxonomy = load_taxonomy(settings.taxonomy or None)
    lemmatizer = make_lemmatizer()
    if not settings.topic_model:
        return Tagger(taxonomy, lemmatizer)
    return trained_tagger(taxonomy, lemmatizer, cache_dir=cache_dir)


def make_pipeline(
    settings: SpeechSettings, store: Store | None = None, cache_dir: Path | None = None
) -> Pipeline:
    """The steps with the configured engine and the office's taxonomy's tagger (built lazily,
    see :func:`make_tagger`; with ``store``, also a model learned from supervisors'
    corrections, trained again when they change)."""
    stt = SttSettings.from_mapping(settings.stt)

    def engine() -> SpeechEngine:
        return create_engine(stt, hotwords=hotwords(settings, stt))

    base: list[Tagger] = []  # built once (the corpus model trains or loads in seconds)

    def tagger() -> Tagger:
        if not base:
            base.append(make_tagger(settings, cache_dir))
        return learned_tagger(store, base[0])

    version = None if store is None else (lambda: store.run_sync(corrections_version))
    policy = RedactionPolicy(
        min_digits=settings.redact_min_digits,
        redact_unverified_numbers=settings.redact_unverified_numbers,
    )
    return Pipeline(
        engine, tagger, policy=policy, keep_unredacted=bool(settings.unredacted_role),
        tagger_version=version,
    )  # fmt: skip


def hotwords(settings: SpeechSettings, stt: SttSettings) -> tuple[str, ...]:
    """What Whisper is told to expect: the office's vocabulary (place names) when
    ``speech.stt.hotwords`` is on, then the office's taxonomy's topic names when
    ``speech.stt.topic_hotwords`` is on; nothing by default."""
    places = settings.vocabulary if stt.hotwords else []
    taxonomy = load_taxonomy(settings.taxonomy or None) if stt.topic_hotwords else None
    topics = [topic.name for topic in taxonomy.topics] if taxonomy else []
    return prompt_phrases(places, topics)


def worker_settings(settings: SpeechSettings) -> WorkerSettings:
    """Lease, poll and back-off from the speech settings."""
    return WorkerSettings(
        lease_seconds=float(settings.lease_seconds),
        poll_seconds=float(settings.poll_seconds),
        backoff_seconds=float(settings.backoff_seconds),
        backoff_max_seconds=float(settings.backoff_max_seconds),
    )


def make_workers(
    settings: SpeechSettings, store: Store, queue: JobQueue, pipeline: Pipeline
) -> list[Worker]:
    """``settings.workers`` workers sharing one queue and one pipeline (one loaded engine)."""
    ws = worker_settings(settings)
    return [
        Worker(store, queue, pipeline, ws, worker_name(index))
        for index in range(max(settings.workers, 0))
    ]


def make_service(settings: SpeechSettings, store: Store, queue: JobQueue) -> PostCallService:
    """The service with the configured number of attempts per job."""
    return PostCallService(store, queue, max_attempts=settings.max_attempts)
