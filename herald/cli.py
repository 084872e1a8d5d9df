"""The ``herald`` command: ``up``, ``classify``, ``ingest``."""

from __future__ import annotations

import argparse
import secrets
import sys
from pathlib import Path


def _cmd_up(args: argparse.Namespace) -> int:
    from herald.launcher import run_until_signal, start_system, wait_ready
    from herald.local import LaunchError
    from services.runtime.kafka import BrokerUnavailable
    from services.runtime.settings import get_settings

    settings = get_settings()
    extra: dict[str, str] = {}
    api_key = settings.bootstrap_api_key.get_secret_value() if settings.bootstrap_api_key else None
    if args.demo:
        api_key = api_key or "hk_demo_" + secrets.token_urlsafe(16)
        extra.update(bootstrap_api_key=api_key, allow_private_urls="true")
    try:
        system = start_system(settings, Path(settings.data_dir), extra)
    except (LaunchError, BrokerUnavailable) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if api_key and args.demo:
        print(f"\nAPI key for tenant 'default': {api_key}", flush=True)

    on_ready = None
    if args.demo:
        from herald.demo import Receiver, run_demo

        receiver = Receiver()
        host = settings.host
        ingest_url = f"http://{host}:{settings.ingest_port}"
        notify_url = f"http://{host}:{settings.notify_port}"

        def on_ready() -> None:
            try:
                for port in (settings.ingest_port, settings.notify_port):
                    wait_ready(f"http://{host}:{port}/readyz")
                run_demo(ingest_url, notify_url, api_key or "", receiver)
            except Exception as exc:  # the demo must never take the system down with it
                print(f"demo failed: {exc}", file=sys.stderr, flush=True)

    print("\nHerald is up. Ctrl-C stops everything.", flush=True)
    return run_until_signal(system, on_ready)


def _cmd_classify(args: argparse.Namespace) -> int:
    from services.classify import cli as classify_cli

    return int(classify_cli.run(args))


def _cmd_keys(args: argparse.Namespace) -> int:
    from herald.keys import run

    return run(args)


def _cmd_ingest(args: argparse.Namespace) -> int:
    from herald.ingest_files import run

    return run(args)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(prog="herald", description="Herald news alerting")
    sub = parser.add_subparsers(dest="command", required=True)

    up = sub.add_parser("up", help="run the whole system on this machine")
    up.add_argument("--demo", action="store_true", help="subscribe a local receiver and post sample articles")
    up.set_defaults(func=_cmd_up)

    classify = sub.add_parser("classify", help="tag JSON Lines articles offline (no broker, no network)")
    from services.classify import cli as classify_cli

    classify_cli.add_arguments(classify)
    classify.set_defaults(func=_cmd_classify)

    ingest = sub.add_parser("ingest", help="import article files through the ingest API")
    from herald.ingest_files import add_arguments

    add_arguments(ingest)
    ingest.set_defaults(func=_cmd_ingest)

    keys = sub.add_parser("keys", help="manage API keys of the subscription API")
    from herald.keys import add_arguments as add_keys_arguments

    add_keys_arguments(keys)
    keys.set_defaults(func=_cmd_keys)
    return parser


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``herald`` console script."""
    args = build_parser().parse_args(argv)
    raise SystemExit(args.func(args))
