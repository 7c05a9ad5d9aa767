"""Delete recorded calls older than TRANSCRIPT_RETENTION_DAYS: `python -m conversation.retention`.

Each call goes whole: its session, turns, tool calls and state snapshots.
The reservations themselves are not touched.
"""

import argparse
import sys
from datetime import timedelta

from sqlalchemy.exc import SQLAlchemyError

from conversation.call import utc_now
from conversation.call_records import CallRecordStore, CallRecordStoreError, Deleted
from settings import load_settings_or_exit


def delete_expired(store: CallRecordStore, days: int) -> Deleted:
    return store.delete_before(utc_now() - timedelta(days=days))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--days", type=int, help="keep this many days instead of TRANSCRIPT_RETENTION_DAYS"
    )
    args = parser.parse_args(argv)
    settings = load_settings_or_exit()
    days = args.days if args.days is not None else settings.transcript_retention_days
    if days < 1:
        parser.error("--days must be at least 1")
    try:
        store = CallRecordStore.open(settings.conversations_database_url)
        deleted = delete_expired(store, days)
    except (CallRecordStoreError, SQLAlchemyError) as error:
        print(f"retention: {error}", file=sys.stderr)
        return 2
    print(
        f"Deleted {deleted.sessions} calls older than {days} days "
        f"({deleted.turns} turns, {deleted.tool_calls} tool calls, "
        f"{deleted.snapshots} state snapshots)."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
