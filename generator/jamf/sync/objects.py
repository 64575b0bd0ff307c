"""Single-object helpers shared by apply, audit and rotate: look one object up without raising on
duplicates, re-read one by name after an ambiguous create, and delete one (a 404 counts as done).
"""

from __future__ import annotations

from .. import resources as R
from ..client import JamfClient, NotFoundError
from ..resources import Desired, DuplicateError, Remote, fold
from .base import Observed


def delete_object(adapter: R.Adapter, client: JamfClient, obj: Remote) -> str:
    """Delete ``obj``; a 404 means it is gone already, which is what was wanted.

    DELETE is retried after a dropped connection or a 5xx (it is idempotent), so a first
    attempt that was applied but whose answer was lost makes the retry answer 404.  Returns
    "" or, for a 404, a note saying so for the report.
    """
    try:
        adapter.delete(client, obj)
    except NotFoundError:
        return "already gone when deleted: an earlier attempt whose answer was lost, or removed meanwhile"
    return ""


def find_or_none(observed: Observed, kind: str, name: str) -> Remote | None:
    try:
        return R.find_by_name(observed.objects.get(kind, []), name)
    except DuplicateError:
        return None


def display_name(wants: list[Desired], folded: str) -> str:
    return next((w.name for w in wants if fold(w.name) == folded), folded)


def reread_by_name(adapter: R.Adapter, client: JamfClient, prefix: str, name: str) -> Remote | None:
    """Re-read one object by name (after an ambiguous create): a Classic GET by name, or a list."""
    if adapter.classic and adapter.can_read_by_name(name):
        return adapter.read_by_name(client, name)
    obj = R.find_by_name(adapter.list(client, prefix, [name]), name)
    if obj is not None and not obj.complete:
        obj = adapter.read(client, obj)
    return obj
