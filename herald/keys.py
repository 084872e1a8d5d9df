"""``herald keys create --tenant NAME``: make an API key for a tenant and print it once."""

from __future__ import annotations

import argparse
import hashlib
import re
import sys

from redis.exceptions import RedisError

TENANT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``keys`` subcommands."""
    sub = parser.add_subparsers(dest="keys_command", required=True)
    create = sub.add_parser("create", help="create an API key for a tenant and print it (shown once)")
    create.add_argument("--tenant", required=True, help="tenant name: letters, digits, '_', '.', '-'")


def run(args: argparse.Namespace) -> int:
    """Run a ``keys`` subcommand against the configured Redis; 0 on success."""
    from services.runtime.apikeys import new_api_key, redis_key
    from services.runtime.redis import sync_client
    from services.runtime.settings import get_settings

    if args.keys_command != "create":
        print(f"error: unknown keys command {args.keys_command!r}", file=sys.stderr)
        return 2
    if not TENANT.match(args.tenant):
        print("error: --tenant must be 1-64 letters, digits, '_', '.' or '-'", file=sys.stderr)
        return 2
    settings = get_settings()
    api_key = new_api_key()
    try:
        sync_client(settings).set(redis_key(settings.redis_prefix, api_key), args.tenant)
    except RedisError as exc:
        print(f"error: cannot reach Redis at {settings.redis_url}: {exc}", file=sys.stderr)
        return 1
    fingerprint = hashlib.sha256(api_key.encode()).hexdigest()[:12]
    print(api_key)
    print(f"tenant {args.tenant}; key fingerprint {fingerprint}; store it now, it is not shown again", file=sys.stderr)
    return 0
