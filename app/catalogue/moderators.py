"""Moderator accounts. Passwords are hashed with Argon2id."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from app.models import AdminUser
from app.security.sessions import end_sessions_of

_hasher = PasswordHasher()
MIN_PASSWORD = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def create_admin(session: Session, username: str, password: str) -> AdminUser:
    username = username.strip()
    if not username:
        raise ValueError("имя пользователя не может быть пустым")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"пароль должен быть не короче {MIN_PASSWORD} символов")
    user = by_username(session, username)
    if user is None:
        user = AdminUser(username=username, password_hash=hash_password(password))
    else:
        set_password(session, user, password)
        user.active = True
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, user: AdminUser, password: str, keep_session: int | None = None) -> None:
    """A new password ends every session opened with the old one (but `keep_session`, the
    moderator's own when they change it themselves): whoever knew the old one is out."""
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"пароль должен быть не короче {MIN_PASSWORD} символов")
    user.password_hash = hash_password(password)
    session.add(user)
    if user.id is not None:
        end_sessions_of(session, user.id, keep=keep_session)


def by_username(session: Session, username: str) -> AdminUser | None:
    if "\x00" in username:  # nobody's name (create_admin keeps what was typed), and PostgreSQL refuses it
        return None
    return session.exec(select(AdminUser).where(AdminUser.username == username.strip())).first()


def authenticate(session: Session, username: str, password: str) -> AdminUser | None:
    user = by_username(session, username)
    if user is None or not user.active:
        # Spend the same time as a real check, so timing does not reveal which usernames exist.
        _hasher.hash(password)
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.add(user)
    return user
