"""Shared fixtures: both databases, the Slack stand-in, and Warroom served over real HTTP.

Which database a test gets (through `database_url`, directly or via `harness`):

- Tests about the database run twice, on SQLite and on PostgreSQL: everything under
  the paths in `BOTH_DATABASES` (store, scheduler/jobs, the timeline store, database
  outage and restart, crashes, two replicas) and any test marked
  `@pytest.mark.both_databases` (delivery claims, concurrent writers, retries racing).
- Every other test runs once, on SQLite.

A new test whose point is how the database behaves (locking, ON CONFLICT, claims,
concurrency, a dialect branch in `warroom.store`) gets the marker.

Tests under `SLOW` (child processes, the wheel build, real seconds of client
timeouts and waits, property-based runs, the bulk of the retry matrix) are marked
`slow`: all run in the default `pytest`; the fast lane `pytest -m "not slow" --no-cov`
leaves them out.

PostgreSQL is `WARROOM_TEST_PG_URL`, default a scratch database on 127.0.0.1:5432
made for this run and dropped after it; its name carries the process id, so
concurrent runs and pytest-xdist workers never share tables. PostgreSQL not
answering is a failure, not a skip.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from tests.harness import Clock, Harness, start_harness
from warroom.store.engine import Store, create_engine
from warroom.store.migrations import upgrade
from warroom.store.models import Base


def _pg_url() -> str:
    """The scratch database, or the one given; each pytest-xdist worker gets its own
    (the given name plus the worker's id), since tests truncate every table."""
    given = os.environ.get("WARROOM_TEST_PG_URL")
    if given is None:
        return f"postgresql+asyncpg://postgres@127.0.0.1:5432/warroom_test_{os.getpid()}"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker is None:
        return given
    url = make_url(given)
    return url.set(database=f"{url.database}_{worker}").render_as_string(hide_password=False)


PG_URL = _pg_url()


def _asyncpg_dsn(url: str, database: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


async def _recreate_pg_schema(url: str) -> None:
    name = make_url(url).database
    try:
        admin = await asyncpg.connect(_asyncpg_dsn(url, "postgres"))
    except OSError as exc:
        raise RuntimeError(
            f"PostgreSQL is not answering at {make_url(url).host}:{make_url(url).port}: {exc}. "
            "Start it (see .ci/run) or set WARROOM_TEST_PG_URL."
        ) from exc
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    conn = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        await conn.close()


async def _truncate_pg(url: str) -> None:
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    conn = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        await conn.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    finally:
        await conn.close()


async def _drop_pg_database(url: str) -> None:
    admin = await asyncpg.connect(_asyncpg_dsn(url, "postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    finally:
        await admin.close()


SLOW = (
    "test_packaging.py",  # builds the wheel, installs it in a fresh venv
    "test_cli.py::test_serve_",  # `warroom serve` as a child process
    "test_socket_mode.py::test_serve_socket_mode_process",
    "test_socket_mode.py::test_sigterm_lets_background_work_finish",
    "faults/test_crash_mid_",  # SIGKILLed child processes
    "faults/test_database_restart.py",  # a private PostgreSQL cluster, crashed
    "faults/test_database_outage.py",  # seconds of unanswered connections
    "faults/test_hostile_transport.py",  # a child process per test, floods
    "faults/test_load_smoke.py",
    "faults/test_policy_at_start.py",
    "faults/test_room_takeover.py::test_killed_before_create_then_squatted",
    "faults/test_serve_process.py",
    "faults/test_signatures.py::test_a_captured_request_replayed_after_the_window",
    "faults/test_slack_failures.py",  # real 1 s client timeouts under 30% faults
    "faults/test_reminders_under_slack_failures.py",
    "faults/test_two_replicas.py",
    "faults/test_user_text_commands.py",  # property-based, through HTTP
    "faults/test_user_text_properties.py",
    "fakeslack/test_fakeslack_faults.py::test_every_kind_looks_like_slack",  # 0.5 s timeouts
    "fakeslack/test_fakeslack_faults.py::test_a_seed_fails_the_same_calls",
)
"""Node ids (under tests/, prefixes) of the slow tests; see the module docstring.
test_slack_retries marks its own (all but one kind of each family)."""


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.nodeid.removeprefix("tests/").startswith(SLOW):
            item.add_marker(pytest.mark.slow)


def pytest_configure(config: pytest.Config) -> None:
    """The coverage floor (pyproject.toml) is for the whole suite: a run of some files or
    a `-k`/`-m` selection keeps measuring but neither fails on it nor prints the table
    (unless asked with --cov-report)."""
    coverage = config.pluginmanager.get_plugin("_cov")  # pytest-cov's plugin
    whole_suite = config.args_source == pytest.Config.ArgsSource.TESTPATHS and not (
        config.option.keyword or config.option.markexpr or config.option.deselect
    )
    if coverage is None or whole_suite:
        return
    coverage.options.cov_fail_under = None
    if not any(arg.startswith("--cov-report") for arg in config.invocation_params.args):
        coverage.options.cov_report = {}


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    asyncio.run(_recreate_pg_schema(PG_URL))
    upgrade(PG_URL)
    yield PG_URL
    if os.environ.get("WARROOM_TEST_PG_URL") != PG_URL:
        asyncio.run(_drop_pg_database(PG_URL))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "warroom.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


BOTH_DATABASES = (
    "store/",
    "scheduler/",
    "timeline/test_store.py",
    "faults/test_database_",
    "faults/test_crash_mid_",
    "faults/test_two_replicas.py",
)
"""Test paths (under tests/) that are about the database, so run on both."""
TESTS = Path(__file__).parent
ALL = ["sqlite", "postgresql"]


def about_the_database(item: pytest.Function) -> bool:
    where = item.path.relative_to(TESTS).as_posix()
    return where.startswith(BOTH_DATABASES) or item.get_closest_marker("both_databases") is not None


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "database_url" in metafunc.fixturenames:
        if metafunc.definition.get_closest_marker("postgres") is not None:
            databases = ["postgresql"]
        else:
            databases = ALL if about_the_database(metafunc.definition) else ["sqlite"]
        metafunc.parametrize("database_url", databases, indirect=True)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        target = tmp_path / "warroom.db"
        shutil.copy(sqlite_template, target)
        return f"sqlite+aiosqlite:///{target}"
    url: str = request.getfixturevalue("pg_url")
    asyncio.run(_truncate_pg(url))
    return url


@pytest.fixture
def clock() -> Clock:
    now = datetime.now(UTC).replace(microsecond=0)
    return Clock(now - timedelta(seconds=1))


@pytest.fixture
async def harness(database_url: str, clock: Clock) -> AsyncIterator[Harness]:
    async with start_harness(database_url, clock) as running:
        yield running


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    """The store alone, on the test's database (migrated, empty)."""
    store = Store(create_engine(database_url))
    yield store
    await store.dispose()
