"""Failover of the SIP front: residents call through Kamailio at a steady rate, node A's
Asterisk is killed with SIGKILL, node B takes over.

Prints the time from the kill to the first call node B answered, how long the agent's phone
took to be registered on B, the calls offered, answered by each node, lost in flight on A
(answered by A and cut by the kill) and not answered at all. Needs root (network
namespaces), Kamailio, SIPp, PostgreSQL and Redis (``CIC_TEST_POSTGRES_URL``,
``CIC_TEST_REDIS_URL``), like ``tests/deploy/test_failover.py``.

    python3 bench/failover.py --rate 4 --before 10 --after 20
"""

from __future__ import annotations

import argparse
import os
import secrets
import tempfile
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from tests.deploy.failover_run import run_failover
from tests.deploy.hanet import missing_tools


def _database() -> tuple[str, str, str]:
    base = os.environ.get("CIC_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
    admin = make_url(base).set(drivername="postgresql", database="postgres")
    admin_url = admin.render_as_string(hide_password=False)
    name = f"cic_bench_{secrets.token_hex(4)}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return admin_url, name, admin.set(database=name).render_as_string(hide_password=False)


def _drop(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
        conn.execute(drop.format(sql.Identifier(name)))


def main() -> None:
    """Run one failover and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=2.0, help="calls per second")
    parser.add_argument("--before", type=float, default=8.0, help="seconds before the kill")
    parser.add_argument("--after", type=float, default=12.0, help="seconds of calls after it")
    parser.add_argument("--hold", type=int, default=4, help="seconds a resident stays on")
    parser.add_argument("--keep", type=Path, help="keep logs and traces in this directory")
    args = parser.parse_args()
    missing = missing_tools()
    if missing:
        raise SystemExit(f"missing: {', '.join(missing)}")
    redis_url = os.environ.get("CIC_TEST_REDIS_URL", "redis://127.0.0.1:6379/7")
    admin_url, name, database_url = _database()
    try:
        with tempfile.TemporaryDirectory(prefix="cic-failover-") as tmp:
            result = run_failover(
                args.keep or Path(tmp), database_url, redis_url, rate=args.rate,
                before_seconds=args.before, after_seconds=args.after, hold_seconds=args.hold,
            )  # fmt: skip
    finally:
        if args.keep:
            print(f"database kept: {database_url}")
        else:
            _drop(admin_url, name)
    first_b = result.first_b_answer_after_kill
    answered = {a.caller for a in result.answers}
    print(f"calls offered:                    {result.offered} ({args.rate:g}/s)")
    print(f"answered by node A:               {len(result.answered_by('a'))}")
    print(f"answered by node B:               {len(result.answered_by('b'))}")
    print(f"not answered at all:              {result.offered - len(answered)}")
    print(f"lost in flight on A (at the kill): {result.in_flight_on_a}")
    print(f"kill -> first call answered by B: {first_b:.2f} s" if first_b is not None else
          "kill -> first call answered by B: never")  # fmt: skip
    offered_after = [a.offered_at - result.killed_at for a in result.answers]
    first_offer = min((t for t in offered_after if t >= 0), default=None)
    print(f"kill -> first call SIPp offered:  {first_offer:.2f} s (SIPp sends in bursts)"
          if first_offer is not None else "kill -> first call SIPp offered:  -")  # fmt: skip
    slowest = result.slowest_setup_after_kill
    print(f"slowest call set-up after kill:   {slowest:.2f} s" if slowest is not None else
          "slowest call set-up after kill:   -")  # fmt: skip
    again = result.agent_reregistered_after
    print(f"kill -> agent's phone on B:       {again:.2f} s" if again is not None else
          "kill -> agent's phone on B:       never")  # fmt: skip
    numbers = [r["caller_number"] for r in result.records]
    missing = sorted(c for c in answered if not any(n.endswith(c) for n in numbers))
    print(f"answered calls without a record:  {len(missing)} {' '.join(missing)}")
    for node in ("a", "b"):
        mine = [r for r in result.records if r["call_id"].startswith(f"node-{node}-")]
        print(f"records of node {node.upper()}:                {len(mine)}")
    print(f"call records:                     {len(result.records)}, "
          f"open: {sum(1 for r in result.records if r['ended_at'] is None)}")  # fmt: skip


if __name__ == "__main__":
    main()
