"""The event bus: topics carrying JSON-ready dicts, in-process or over Redis pub/sub.

Usage::

    async with bus.subscribe("call", "agent") as sub:
        async for topic, message in sub:
            ...

Both implementations behave the same (``tests/unit/test_bus_contract.py``): messages are
JSON round-tripped (each subscriber gets its own copy), order is kept per publisher and
topic, and a slow subscriber never blocks publishers: its bounded queue drops the OLDEST
message and counts it in ``Subscription.dropped``. Publishing never blocks on a subscriber
and, for Redis, never raises when Redis is down (the failure is logged and counted).
Pub/sub is fire-and-forget: messages published while nobody (or Redis) listens are gone.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from types import TracebackType
from typing import Any, Protocol

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

DEFAULT_QUEUE_SIZE = 10_000
_CLOSED: Any = object()

Message = tuple[str, dict[str, Any]]


def encode(message: dict[str, Any]) -> str:
    """Serialise a message; raises ``TypeError`` for values JSON cannot carry."""
    if not isinstance(message, dict):
        raise TypeError(f"bus messages are dicts, not {type(message).__name__}")
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


class Subscription(Protocol):
    """An async context manager and async iterator of ``(topic, message)``."""

    dropped: int

    async def __aenter__(self) -> Subscription: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def __aiter__(self) -> AsyncIterator[Message]: ...

    async def __anext__(self) -> Message: ...


class Bus(Protocol):
    """Publish JSON-ready dicts under a topic; subscribe to one or more topics."""

    async def publish(self, topic: str, message: dict[str, Any]) -> None:
        """Send ``message`` to every current subscriber of ``topic``."""
        ...

    def subscribe(self, *topics: str) -> Subscription:
        """A subscription to ``topics``; it receives messages once entered (``async with``)."""
        ...

    async def close(self) -> None:
        """Stop: end every subscription's iteration and release connections."""
        ...


class QueueSubscription:
    """A subscription backed by a bounded asyncio queue (drop-oldest when full)."""

    def __init__(self, bus: _HubBus, topics: tuple[str, ...], maxsize: int) -> None:
        """Subscribe to ``topics`` of ``bus`` once entered."""
        if not topics:
            raise ValueError("subscribe to at least one topic")
        self.topics = frozenset(topics)
        self.dropped = 0
        self._bus = bus
        self._queue: asyncio.Queue[Any] = asyncio.Queue(maxsize)
        self._closed = False

    async def __aenter__(self) -> QueueSubscription:
        """Start receiving."""
        await self._bus._attach(self)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop receiving (unsubscribe)."""
        await self._bus._detach(self)

    def __aiter__(self) -> QueueSubscription:
        """Iterate over ``(topic, message)`` until the bus closes."""
        return self

    async def __anext__(self) -> Message:
        """The next message; ends when the bus or this subscription is closed."""
        if self._closed and self._queue.empty():
            raise StopAsyncIteration
        item = await self._queue.get()
        if item is _CLOSED:
            self._closed = True
            raise StopAsyncIteration
        topic, payload = item
        return topic, json.loads(payload)

    def deliver(self, topic: str, payload: str) -> None:
        """Queue an encoded message; when full, drop the oldest one and count it."""
        self._put((topic, payload))

    def end(self) -> None:
        """Make iteration stop after the messages already queued."""
        self._put(_CLOSED)

    def _put(self, item: Any) -> None:
        while True:
            try:
                self._queue.put_nowait(item)
                return
            except asyncio.QueueFull:
                dropped = self._queue.get_nowait()
                if dropped is _CLOSED:  # never drop the end marker
                    self._queue.put_nowait(dropped)
                    return
                self.dropped += 1
                self._bus.dropped += 1
                if self.dropped in (1, 100) or self.dropped % 10_000 == 0:
                    log.warning(
                        "bus subscriber %s is too slow: %d message(s) dropped",
                        sorted(self.topics),
                        self.dropped,
                    )


class _HubBus:
    """Local fan-out shared by both implementations."""

    def __init__(self, queue_size: int) -> None:
        self.queue_size = queue_size
        self.dropped = 0
        self.published = 0
        self._subscribers: dict[str, set[QueueSubscription]] = {}
        self._closed = False

    def subscribe(self, *topics: str) -> QueueSubscription:
        """A subscription to ``topics``; it receives messages once entered (``async with``)."""
        return QueueSubscription(self, topics, self.queue_size)

    async def _attach(self, sub: QueueSubscription) -> None:
        if self._closed:
            sub.end()
            return
        for topic in sub.topics:
            self._subscribers.setdefault(topic, set()).add(sub)

    async def _detach(self, sub: QueueSubscription) -> None:
        for topic in sub.topics:
            subs = self._subscribers.get(topic)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del self._subscribers[topic]

    def _fan_out(self, topic: str, payload: str) -> None:
        for sub in tuple(self._subscribers.get(topic, ())):
            sub.deliver(topic, payload)

    def _end_all(self) -> None:
        self._closed = True
        for sub in {s for subs in self._subscribers.values() for s in subs}:
            sub.end()
        self._subscribers.clear()


class InProcessBus(_HubBus):
    """The embedded bus: asyncio queues in this process, one per subscriber."""

    def __init__(self, queue_size: int = DEFAULT_QUEUE_SIZE) -> None:
        """``queue_size`` bounds each subscriber's backlog."""
        super().__init__(queue_size)

    async def publish(self, topic: str, message: dict[str, Any]) -> None:
        """Deliver to local subscribers of ``topic``; a no-op once closed."""
        payload = encode(message)
        if self._closed:
            return
        self.published += 1
        self._fan_out(topic, payload)

    async def close(self) -> None:
        """End every subscription."""
        self._end_all()


class RedisBus(_HubBus):
    """Redis pub/sub: channel ``<prefix><topic>`` (prefix ``cic:``), JSON text messages.

    One Redis connection publishes; one pub/sub connection, read by a background task,
    feeds the local subscriber queues and is re-established (and re-subscribed) whenever
    Redis goes away and comes back. While Redis is unreachable a message is handed to this
    process's subscribers directly.
    """

    def __init__(
        self, url: str, *, prefix: str = "cic:", queue_size: int = DEFAULT_QUEUE_SIZE
    ) -> None:
        """Connect lazily to ``url``."""
        super().__init__(queue_size)
        self.prefix = prefix
        self.publish_failures = 0
        self._redis = aioredis.Redis.from_url(
            url,
            socket_connect_timeout=2,
            socket_timeout=5,
            health_check_interval=15,
            retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), 1),
        )
        self._channels: set[str] = set()
        self._pubsub: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._confirmed: dict[str, asyncio.Event] = {}
        self._down = False
        # One SUBSCRIBE at a time on the pub/sub connection: two at once while it is still
        # being opened each open a connection, and the first one's channels are lost.
        self._subscribing = asyncio.Lock()

    async def publish(self, topic: str, message: dict[str, Any]) -> None:
        """Publish to Redis; if Redis is down, log, count and return normally."""
        payload = encode(message)
        if self._closed:
            return
        try:
            data = payload.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates: let JSON escape them
            data = json.dumps(message, separators=(",", ":"), allow_nan=False).encode("ascii")
        try:
            await self._redis.publish(self.prefix + topic, data)
        except (RedisError, OSError) as exc:
            self.publish_failures += 1
            if not self._down:
                log.error(
                    "bus: Redis unreachable; messages reach only this process's subscribers: %s",
                    exc,
                )
            self._down = True
            # This process's own live views (wallboard, consoles) keep their feed; other
            # processes miss the message. A publish that failed after Redis took it may
            # reach a local subscriber twice; that beats a wallboard blind for the outage.
            self._fan_out(topic, payload)
            return
        self.published += 1
        if self._down:
            log.warning("bus: Redis reachable again")
            self._down = False

    async def _attach(self, sub: QueueSubscription) -> None:
        await super()._attach(sub)
        if self._closed:
            return
        new = [self.prefix + t for t in sub.topics if self.prefix + t not in self._channels]
        if not new:
            return
        waits = [self._confirmed.setdefault(ch, asyncio.Event()) for ch in new]
        self._channels.update(new)
        if self._reader is None or self._reader.done():
            self._reader = asyncio.create_task(self._read_loop(), name="cic-bus-redis-reader")
        elif self._pubsub is not None:
            try:
                async with self._subscribing:
                    if self._pubsub is not None:
                        await self._pubsub.subscribe(*new)
            except Exception as exc:  # the reader re-subscribes everything when it reconnects
                log.warning("bus: subscribe to %s failed for now: %s", new, exc)
        try:
            async with asyncio.timeout(5):
                await asyncio.gather(*(w.wait() for w in waits))
        except TimeoutError:
            log.error("bus: Redis did not confirm subscription to %s (yet)", new)

    async def _detach(self, sub: QueueSubscription) -> None:
        await super()._detach(sub)
        gone = [self.prefix + t for t in sub.topics if t not in self._subscribers]
        gone = [ch for ch in gone if ch in self._channels]
        self._channels.difference_update(gone)
        for ch in gone:
            self._confirmed.pop(ch, None)
        if gone and self._pubsub is not None and not self._closed:
            try:
                await self._pubsub.unsubscribe(*gone)
            except Exception as exc:  # the reader reconnects with the right channels anyway
                log.debug("bus: unsubscribe from %s failed: %s", gone, exc)

    async def _read_loop(self) -> None:
        delay = 0.1
        while not self._closed:
            pubsub: Any = self._redis.pubsub()
            self._pubsub = pubsub
            try:
                async with self._subscribing:
                    if self._channels:
                        await pubsub.subscribe(*self._channels)
                while not self._closed:
                    if pubsub.connection is None:  # nothing subscribed yet or any more
                        await asyncio.sleep(0.1)
                        continue
                    item = await pubsub.get_message(timeout=1.0)
                    delay = 0.1
                    if item is not None:
                        self._handle(item)
            except (RedisError, OSError) as exc:
                log.warning("bus: Redis subscription lost (%s); retrying in %.1f s", exc, delay)
            except Exception:
                log.exception("bus: unexpected error in the Redis reader; restarting it")
            finally:
                self._pubsub = None
                for event in self._confirmed.values():
                    event.clear()
                with contextlib.suppress(RedisError, OSError):
                    await pubsub.aclose()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    def _handle(self, item: dict[str, Any]) -> None:
        kind = item.get("type")
        channel = item.get("channel")
        if isinstance(channel, bytes):
            channel = channel.decode("utf-8", "replace")
        if not isinstance(channel, str):
            return
        if kind == "subscribe":
            event = self._confirmed.get(channel)
            if event is not None:
                event.set()
        elif kind == "message" and channel.startswith(self.prefix):
            data = item.get("data")
            payload = data.decode("utf-8") if isinstance(data, bytes) else str(data)
            self._fan_out(channel[len(self.prefix) :], payload)

    async def close(self) -> None:
        """End every subscription, stop the reader and close the connections."""
        self._end_all()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        with contextlib.suppress(RedisError, OSError):
            await self._redis.aclose()


def make_bus(redis_url: str = "", *, prefix: str = "cic:") -> Bus:
    """The Redis bus for ``redis_url``; the in-process bus when the URL is empty."""
    if not redis_url:
        return InProcessBus()
    return RedisBus(redis_url, prefix=prefix)
