"""`warroom serve | migrate | demo | export INC-N | report | policy check FILE`."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import signal
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from warroom.config import ConfigError, Settings, load_settings
from warroom.domain.policy import PolicyError
from warroom.log_setup import configure_logging
from warroom.policy_file import load_policy

if TYPE_CHECKING:
    from warroom.runtime import Runtime

__all__ = ["main"]

log = logging.getLogger("warroom")


class _PrintVersion(argparse.Action):
    """`--version`, read from the installed package's metadata (pyproject's version) only
    when asked, so other commands do not pay for the look-up."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        from importlib.metadata import version

        print(f"warroom {version('warroom')}")
        parser.exit()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="warroom", description=__doc__)
    parser.add_argument("--version", action=_PrintVersion)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the Slack app (HTTP, or Socket Mode)")
    serve.add_argument("--socket-mode", action="store_true", help="connect out over Socket Mode")
    serve.add_argument("--host", help="HTTP bind address (default: HOST, or 0.0.0.0)")
    serve.add_argument("--port", type=int, help="HTTP port (default: PORT, or 3000)")
    commands.add_parser("migrate", help="bring the database schema up to date")
    demo = commands.add_parser("demo", help="run one whole incident against a Slack stand-in")
    demo.add_argument("--out", type=Path, default=Path("warroom-demo-postmortem.md"))
    export = commands.add_parser("export", help="print an incident, its timeline and postmortem")
    export.add_argument("reference", help="the incident, like INC-42")
    export.add_argument("--format", choices=["md", "json"], default="md")
    export.add_argument("--team", help="workspace ID, when the database holds several")
    report = commands.add_parser("report", help="figures across incidents: are we getting better?")
    report.add_argument("--since", type=_day, help="first day, YYYY-MM-DD (organisation's zone)")
    report.add_argument("--until", type=_day, help="last day, YYYY-MM-DD, included")
    report.add_argument("--severity", help="only this severity, like SEV1")
    report.add_argument("--format", choices=["md", "csv", "json"], default="md")
    report.add_argument("--team", help="workspace ID (default: every workspace in the database)")
    policy = commands.add_parser("policy", help="work with policy files")
    policy_commands = policy.add_subparsers(dest="policy_command", required=True)
    check = policy_commands.add_parser("check", help="validate a policy file")
    check.add_argument("file", type=Path)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "policy":
            return _policy_check(args.file)
        if args.command == "demo":
            return _demo(args.out)
        settings = load_settings()
        configure_logging(settings.log_level)
        if args.command == "migrate":
            return _migrate(settings)
        if args.command == "export":
            return _export(settings, args.reference, fmt=args.format, team=args.team)
        if args.command == "report":
            return _report(settings, args)
        return _serve(settings, socket_mode=args.socket_mode, host=args.host, port=args.port)
    except (ConfigError, PolicyError) as exc:
        print(f"warroom: {exc}", file=sys.stderr)
        return 2


def _policy_check(path: Path) -> int:
    if not path.is_file():
        why = "is a directory, not a policy file" if path.is_dir() else "does not exist"
        print(f"warroom: {path} {why}", file=sys.stderr)
        return 2
    try:
        policy = load_policy(path)
    except PolicyError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    routes = len(policy.alert_routes)
    print(
        f"{path}: OK — {len(policy.severities)} severities, {len(policy.statuses)} statuses, "
        f"{len(policy.roles)} roles, {routes} alert route{'' if routes == 1 else 's'}"
    )
    return 0


def _migrate(settings: Settings) -> int:
    from warroom.store.migrations import upgrade

    upgrade(settings.database_url)
    print(f"warroom: database is up to date ({_safe_url(settings.database_url)})")
    return 0


def _demo(out: Path) -> int:
    """A first look: no Slack account, no settings, a scratch SQLite file next to `out`."""
    from warroom.demo import run_demo
    from warroom.store.migrations import upgrade

    configure_logging("ERROR")
    if out.is_dir():  # `--out somewhere/`: the files go in it
        out = out / "warroom-demo-postmortem.md"
    database = out.with_name("warroom-demo.db")
    database.unlink(missing_ok=True)
    url = f"sqlite+aiosqlite:///{database}"
    upgrade(url)
    markdown = asyncio.run(run_demo(url, print))
    if markdown is None:
        print("warroom: the demo ended without a postmortem draft", file=sys.stderr)
        return 1
    out.write_text(markdown, encoding="utf-8")
    print(f"\nThe postmortem draft is in {out}; the demo's store is {database}.")
    return 0


def _export(settings: Settings, reference: str, *, fmt: str, team: str | None) -> int:
    from warroom.domain.clock import system_clock
    from warroom.services.export import ExportError, export_incident
    from warroom.store.engine import Store, create_engine

    async def run() -> str:
        store = Store(create_engine(settings.database_url))
        try:
            policy = load_policy(settings.policy_file)
            return await export_incident(store, policy, system_clock, reference, fmt=fmt, team=team)
        finally:
            await store.dispose()

    try:
        print(asyncio.run(run()))
    except ExportError as exc:
        print(f"warroom: {exc}", file=sys.stderr)
        return 2
    return 0


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date; write it like 2026-03-01"
        ) from None


def _report(settings: Settings, args: argparse.Namespace) -> int:
    from warroom.domain.clock import system_clock
    from warroom.domain.report_render import render
    from warroom.services.reports import ReportError, Reports
    from warroom.store.engine import Store, create_engine

    async def run() -> str:
        store = Store(create_engine(settings.database_url))
        try:
            reports = Reports(store, load_policy(settings.policy_file), system_clock)
            found = await reports.report(
                since=args.since, until=args.until, severity=args.severity, team=args.team
            )
            return render(found, args.format)
        finally:
            await store.dispose()

    try:
        print(asyncio.run(run()), end="")
    except ReportError as exc:
        print(f"warroom: {exc}", file=sys.stderr)
        return 2
    return 0


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _serve(settings: Settings, *, socket_mode: bool, host: str | None, port: int | None) -> int:
    """Serves on uvloop: its loop and transports cost less CPU per request than
    asyncio's own."""
    import uvloop

    from warroom.runtime import build_runtime
    from warroom.web.server import raise_open_file_limit

    settings.require_slack(socket_mode=socket_mode)
    raise_open_file_limit()
    runtime = build_runtime(settings)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(
            _run(
                runtime,
                socket_mode=socket_mode,
                host=host or settings.host,
                port=port or settings.port,
            )
        )


async def _run(runtime: Runtime, *, socket_mode: bool, host: str, port: int) -> int:
    from warroom.bolt.app import build_bolt_app
    from warroom.scheduler.driver import ticking
    from warroom.store.migrations import HEAD_REVISION, current_revision, upgrade
    from warroom.web.asgi import create_asgi_app
    from warroom.web.server import build_server

    settings = runtime.settings
    current, head = await current_revision(runtime.store), HEAD_REVISION
    if current != head and settings.database_url.startswith("sqlite"):
        await asyncio.to_thread(upgrade, settings.database_url)  # the embedded default
        current = await current_revision(runtime.store)
    gc.freeze()  # start-up objects live forever; keep full collections off the request path
    gc.set_threshold(10_000, 50, 50)  # a request allocates thousands: collect per dozens
    if current != head:
        await runtime.close()
        raise ConfigError(
            f"DATABASE_URL schema is at {current or 'nothing'}, not {head}: run `warroom migrate`."
        )
    if socket_mode:
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        assert settings.slack_app_token is not None
        bolt = build_bolt_app(runtime, socket_mode=True)
        handler = AsyncSocketModeHandler(bolt, settings.slack_app_token.get_secret_value())
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        log.info("Warroom connecting to Slack over Socket Mode")
        try:
            await handler.connect_async()  # type: ignore[no-untyped-call]
            async with ticking(runtime.scheduler, settings.scheduler_tick):
                await stop.wait()
        finally:
            await handler.close_async()  # type: ignore[no-untyped-call]
            await runtime.close()
        return 0
    app = create_asgi_app(runtime)
    log.info("Warroom listening on http://%s:%d/slack/events", host, port)
    server = build_server(app, host=host, port=port, read_timeout_s=settings.request_read_timeout)
    try:
        async with ticking(runtime.scheduler, settings.scheduler_tick):
            await server.serve()
    finally:
        await runtime.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
