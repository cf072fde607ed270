"""python -m portalsim serve|truth [--articles N] [--seed S] [--new K] [--edited M] [--layouts N --layout-seed S] [--fault KEY=all_500|no_dates ...]"""
from __future__ import annotations

import argparse
import errno
import signal
import sys
import threading

from portalsim.faults import FAULTS, parse_fault
from portalsim.model import PORT_VARIABLE
from portalsim.replica import PORT, build_replica
from portalsim.server import ReplicaServer


def _fault(text: str) -> tuple[str, str]:
    try:
        return parse_fault(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _count(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a number of stories (0 or more), got {text!r}")
    return int(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m portalsim", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("serve", "truth"):
        p = sub.add_parser(name)
        p.add_argument("--articles", type=int, default=240, help="number of distinct stories (default 240)")
        p.add_argument("--seed", type=int, default=0)
        p.add_argument("--new", type=_count, default=0, metavar="K",
                       help="the next day: K stories published after the replica's clock (default 0)")
        p.add_argument("--edited", type=_count, default=0, metavar="M",
                       help="the next day: M older stories edited, one paragraph added (default 0)")
        p.add_argument("--layouts", type=_count, default=0, metavar="N",
                       help="serve N portals drawn from the layout grammar instead of the six families "
                            "(127.0.20.i:PORT; layout seeds >= 1000 are held out)")
        p.add_argument("--layout-seed", type=_count, default=0, metavar="S",
                       help="the first layout seed (default 0)")
        if name == "truth":
            p.add_argument("-o", "--output", default="-", help="output file (default: stdout)")
        else:
            p.add_argument("--live-clock", action="store_true", help="header clocks show the real time")
            p.add_argument("--fault", action="append", type=_fault, default=[], metavar="KEY=FAULT",
                           help=f"make one portal misbehave ({', '.join(FAULTS)}); repeatable")
    args = parser.parse_args(argv)
    try:
        replica = build_replica(seed=args.seed, articles=args.articles, new=args.new, edited=args.edited,
                                clock="live" if getattr(args, "live_clock", False) else None,
                                layouts=args.layouts, layout_seed=args.layout_seed)
    except ValueError as exc:  # more edits than the replica has stories to edit
        parser.error(str(exc))
    if args.command == "truth":
        data = replica.to_json()
        if args.output == "-":
            sys.stdout.write(data + "\n")
        else:
            with open(args.output, "w", encoding="utf-8") as fh:
                fh.write(data + "\n")
            print(f"wrote {args.output}: {len(replica.truth)} stories", file=sys.stderr)
        return 0
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        server = ReplicaServer(replica, faults=dict(args.fault))
    except ValueError as exc:  # a fault for a portal the replica does not have
        parser.error(str(exc))
    try:
        server.start()
    except OSError as exc:  # another demo, `portalsim serve` or test run holds the replica's addresses
        if exc.errno != errno.EADDRINUSE:
            raise
        print(f"portalsim: the replica's addresses (127.0.10.N:{PORT} …) are taken by another process "
              f"({exc.strerror}): stop the other demo, `portalsim serve` or test run first, or serve "
              f"on another port with {PORT_VARIABLE}=N", file=sys.stderr)
        return 1
    with server:
        for p in replica.portals:
            print(f"{p.key:20} {p.family:11} {server.base_url(p.key)}  (alias http://{p.alias_host})", flush=True)
        next_day = f"; next day: {args.new} new, {args.edited} edited" if replica.next_day else ""
        print(f"serving {args.articles} stories (seed {args.seed}){next_day}; Ctrl-C to stop", flush=True)
        stop.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
