"""The `lateral-search-api` command: `serve` (default), `migrate`, `users add`, `users list`."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys

from lateral_search_api.adapters.database import open_database
from lateral_search_api.config import SearchApiSettings
from lateral_search_api.service_layer.users import (
    AccountError,
    create_user,
    list_users,
    set_disabled,
)
from lateral_shared.auth import Role
from lateral_shared.db import session_factory
from lateral_shared.logging import configure_logging


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lateral-search-api", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="serve the search API and web pages (the default)")
    commands.add_parser("migrate", help="create or upgrade the accounts tables")
    users = commands.add_parser("users", help="manage local staff accounts").add_subparsers(
        dest="users_command", required=True
    )
    add = users.add_parser("add", help="add an account (the password is never an argument)")
    add.add_argument("username")
    add.add_argument(
        "--role",
        action="append",
        required=True,
        choices=[r.value for r in Role],
        help="repeat for several roles",
    )
    add.add_argument(
        "--password-env",
        metavar="VAR",
        help="read the password from this environment variable instead of a prompt",
    )
    users.add_parser("list", help="list accounts and their roles")
    disable = users.add_parser(
        "disable", help="stop an account signing in, and end its web sessions now"
    )
    disable.add_argument("username")
    users.add_parser("enable", help="let a disabled account sign in again").add_argument("username")
    return parser


def _password(env_var: str | None) -> str:
    if env_var:
        value = os.environ.get(env_var)
        if not value:
            raise AccountError(f"the environment variable {env_var} is not set or is empty")
        return value
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise AccountError("the two passwords differ")
    return first


async def _users(settings: SearchApiSettings, args: argparse.Namespace) -> None:
    engine = await open_database(settings.database_url)
    try:
        async with session_factory(engine)() as session:
            if args.users_command == "add":
                password = _password(args.password_env)
                account = await create_user(
                    session, username=args.username, password=password, roles=args.role
                )
                print(f"added {account.username} ({', '.join(account.roles)})")
            elif args.users_command in ("disable", "enable"):
                disabled = args.users_command == "disable"
                ended = await set_disabled(session, username=args.username, disabled=disabled)
                done = f"{args.users_command}d {args.username.strip().lower()}"
                print(f"{done}; {ended} web session(s) ended" if disabled else done)
            else:
                for account in await list_users(session):
                    state = " (disabled)" if account.disabled else ""
                    print(f"{account.username}\t{','.join(account.roles)}{state}")
    finally:
        await engine.dispose()


async def _serve(settings: SearchApiSettings) -> None:
    # Imported here so the account commands start quickly (no web server, bus or index code).
    from lateral_search_api.bootstrap import bootstrap
    from lateral_shared.runtime import serve

    service = await bootstrap(settings)
    await serve([service], host=settings.http_host, port=settings.http_port)


async def _migrate(settings: SearchApiSettings) -> None:
    engine = await open_database(settings.database_url)
    await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = SearchApiSettings()
    configure_logging(settings.log_level)
    try:
        if args.command == "users":
            asyncio.run(_users(settings, args))
        elif args.command == "migrate":
            asyncio.run(_migrate(settings))
            print("search-api database migrated")
        else:
            asyncio.run(_serve(settings))
    except AccountError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
