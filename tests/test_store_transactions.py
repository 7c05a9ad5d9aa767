"""A transaction the database aborted because of a concurrent one is run again; any other
failure is not."""

import sqlite3

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from store.database import create_engine_for
from store.transactions import ATTEMPTS, run_with_retries


def failing_then(errors: list[Exception], result="done"):
    runs = []

    def transaction():
        runs.append(1)
        if errors:
            raise errors.pop(0)
        return result

    return transaction, runs


def unique_clash() -> IntegrityError:
    orig = sqlite3.IntegrityError("UNIQUE constraint failed: tool_results.key")
    return IntegrityError("INSERT", {}, orig)


def test_a_unique_key_inserted_first_by_another_transaction_is_run_again():
    transaction, runs = failing_then([unique_clash()])
    assert run_with_retries(transaction) == "done"
    assert len(runs) == 2


def test_a_lock_timeout_is_not_run_again():
    locked = OperationalError("BEGIN", {}, sqlite3.OperationalError("database is locked"))
    transaction, runs = failing_then([locked])
    with pytest.raises(OperationalError):
        run_with_retries(transaction)
    assert len(runs) == 1


def test_a_clash_that_keeps_happening_is_raised_after_a_few_runs():
    transaction, runs = failing_then([unique_clash() for _ in range(10)])
    with pytest.raises(IntegrityError):
        run_with_retries(transaction)
    assert len(runs) == ATTEMPTS


def test_a_sqlite_file_has_one_connection_that_a_second_transaction_waits_for(tmp_path):
    engine = create_engine_for(f"sqlite:///{tmp_path}/one.db")
    with engine.connect():
        with pytest.raises(PoolTimeout):  # after POOL_WAIT_SECS, as "database is busy"
            engine.connect()
    assert engine.pool.checkedin() == 1
