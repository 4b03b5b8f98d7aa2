"""Shared fixtures. Tests never need the network or ../shared."""

from __future__ import annotations

import os
import random
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, text

from ossmeta.store import Store, open_store

DATA = Path(__file__).parent / "data"

settings.register_profile(
    "default", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=150
)
settings.load_profile("default")


@pytest.fixture
def data_dir() -> Path:
    return DATA


# ------------------------------------------------------------------ stores (SQLite and PostgreSQL)

PG_ENV = "OSSMETA_TEST_DATABASE_URL"
PG_SKIP = (
    f"PostgreSQL tests need {PG_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test); "
    "CI sets it"
)


def pytest_sessionstart(session: pytest.Session) -> None:
    """With the variable set, an unreachable server is a failure, never a skip."""
    url = os.environ.get(PG_ENV)
    if not url:
        return
    try:
        engine = create_engine(url)
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
    except Exception as error:
        pytest.exit(f"{PG_ENV} is set but PostgreSQL cannot be reached: {error}", returncode=3)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards."""
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(PG_SKIP)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield base + ("&" if "?" in base else "?") + f"options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def one_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """One store, not one per backend, for tests whose subject is not the store (Spark's
    tests: a minute each): PostgreSQL when it is configured, as a deployment would use,
    else SQLite. Both backends' reads of the same rows are the ``store`` tests' subject."""
    url = (
        str(request.getfixturevalue("pg_url"))
        if os.environ.get(PG_ENV)
        else f"sqlite:///{tmp_path / 'store.db'}"
    )
    opened = open_store(url)
    opened.upgrade()
    yield opened
    opened.dispose()


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = open_store(store_url)
    opened.upgrade()
    yield opened
    opened.dispose()


@pytest.fixture
def spark(shared_spark: Any) -> Iterator[Any]:
    """The worker's Spark session, left as the test found it: what a test cached or
    checkpointed is released afterwards, so no test depends on (or runs out of memory
    because of) the ones before it."""
    from ossmeta.analyses.metrics.engine import persisted_rdds, release_rdds

    before = set(persisted_rdds(shared_spark))
    yield shared_spark
    shared_spark.catalog.clearCache()
    release_rdds(shared_spark, keep=before)


@pytest.fixture(scope="session")
def shared_spark() -> Iterator[Any]:
    """One local Spark session for the test run (a JVM takes many seconds to start). Every
    test's cached frames and checkpoints are released after it (the ``spark`` fixture, and
    ``SparkEngine.close``), so no test inherits the memory of the ones before it. Tests that
    use it are grouped onto one xdist worker (``xdist_group("spark")``)."""
    pytest.importorskip("pyspark", reason="the Spark engine needs the 'spark' extra")
    if shutil.which("java") is None:
        pytest.skip("the Spark engine needs a Java runtime (java on PATH)")
    from ossmeta.analyses.spark_session import spark_session

    os.environ.setdefault("OSSMETA_SPARK_MASTER", "local[2]")
    os.environ.setdefault("OSSMETA_SPARK_PARTITIONS", "2")
    os.environ.setdefault("OSSMETA_SPARK_MEMORY", "3g")
    session = spark_session("ossmeta-tests")
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


# ------------------------------------------------------------------ order independence

SHUFFLE_ENV = "OSSMETA_TEST_SHUFFLE"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With ``OSSMETA_TEST_SHUFFLE=SEED`` the tests run in a seeded random order, to find a
    test whose outcome depends on what ran before it (``make test-shuffled`` runs it)."""
    seed = os.environ.get(SHUFFLE_ENV)
    if seed:
        random.Random(seed).shuffle(items)


def pytest_report_header(config: pytest.Config) -> str | None:
    seed = os.environ.get(SHUFFLE_ENV)
    return f"test order shuffled with seed {seed!r} ({SHUFFLE_ENV})" if seed else None
