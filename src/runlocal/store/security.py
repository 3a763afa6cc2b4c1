"""The deployment's secrets and limits, kept in the database so that every app instance shares them: the secret
that signs form tokens (made on first use), the admin token (only its hash is kept), and rate-limit events."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from . import tables
from .db import Store, writer

S = tables.settings
R = tables.rate_events
FORM_SECRET = "form_secret"
ADMIN_HASH = "admin_token_sha256"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def get(store: Store, key: str) -> str | None:
    with store.engine.begin() as conn:
        v = conn.execute(select(S.c.value).where(S.c.key == key)).scalar()
    return None if v is None else str(v)


def put(store: Store, key: str, value: str) -> None:
    with store.engine.begin() as conn:
        n = conn.execute(S.update().where(S.c.key == key).values(value=value, updated_at=_now())).rowcount
        if not n:
            conn.execute(S.insert().values(key=key, value=value, updated_at=_now()))


def form_secret(store: Store) -> bytes:
    """The secret form tokens are signed with: made once, the same for every instance on this database."""
    v = get(store, FORM_SECRET)
    if v is None:
        try:
            with store.engine.begin() as conn:
                conn.execute(S.insert().values(key=FORM_SECRET, value=secrets.token_hex(32), updated_at=_now()))
        except IntegrityError:  # another instance made it at the same moment
            pass
        v = get(store, FORM_SECRET)
    assert v is not None
    return bytes.fromhex(v)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_admin_token(store: Store) -> str:
    """A fresh admin token (shown once); only its SHA-256 is stored, and any earlier token stops working."""
    token = secrets.token_urlsafe(32)
    put(store, ADMIN_HASH, token_hash(token))
    return token


def is_admin(store: Store, token: str | None) -> bool:
    want = get(store, ADMIN_HASH)
    if not token or want is None or len(token) > 200:
        return False
    return hmac.compare_digest(token_hash(token), want)


def hit(store: Store, action: str, client: str, *, limit: int, window: dt.timedelta) -> bool:
    """Record one `action` by `client` unless it already did it `limit` times within `window`; False when over."""
    since = _now() - window
    with writer(store) as conn, conn.begin():  # count, then write: the write lock from the start (SQLite)
        n = conn.execute(select(func.count()).select_from(R)
                         .where(R.c.action == action, R.c.client == client, R.c.at >= since)).scalar_one()
        if int(n) >= limit:
            return False
        conn.execute(R.insert().values(action=action, client=client, at=_now()))
        conn.execute(delete(R).where(R.c.action == action, R.c.at < _now() - 4 * window))  # old events go
    return True
