"""WordPress authors to Folio staff: mapped, created inactive, or all to one account."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field

from slugify import slugify
from sqlalchemy import func
from sqlalchemy import select

from models import Role
from models import User
from models import db
from porting.import_ids import ImportedIds
from porting.import_report import ImportReport
from porting.wxr_records import Author

# Never a valid Argon2 hash: the account cannot sign in until a password is set.
NO_PASSWORD = "!imported"


# A piece imported before whose row was deleted since stays deleted.
GONE = "deleted in Folio since it was imported"


class ImportProblem(Exception):
    """An import that cannot start, in one sentence (a bad option, say)."""


@dataclass(frozen=True)
class AuthorOptions:
    """How authors are found: --author-map, --create-authors, --assign-to."""

    author_map: Mapping[str, str] = field(default_factory=dict)
    create_authors: bool = False
    assign_to: str | None = None


def parse_author_map(text: str) -> dict[str, str]:
    """`login = email` (or `login,email`) per line; # starts a comment."""
    mapping: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = re.split(r"\s*[=,]\s*", line, maxsplit=1)
        if len(parts) != 2 or "@" not in parts[1]:
            raise ImportProblem(
                f"author map line {number}: expected `wordpress-login = staff@email`"
            )
        mapping[parts[0].strip().lower()] = parts[1].strip().lower()
    return mapping


def _user_by_email(email: str) -> User | None:
    return db.session.scalar(
        select(User).where(func.lower(User.email) == email.strip().lower())
    )


class Authors:
    """Finds (or makes) the staff account for each WordPress author login."""

    def __init__(
        self, options: AuthorOptions, ids: ImportedIds, report: ImportReport
    ) -> None:
        self.options = options
        self.ids = ids
        self.report = report
        self._by_login: dict[str, int | None] = {}
        self._by_wp_id: dict[int, int | None] = {}
        self._declared: dict[str, Author] = {}
        self._everyone: int | None = None
        if options.assign_to:
            user = _user_by_email(options.assign_to)
            if user is None:
                raise ImportProblem(
                    f"--assign-to: no staff account {options.assign_to}"
                )
            self._everyone = user.id

    def declare(self, author: Author) -> None:
        """Note an author the file lists (its wp:author element)."""
        self._declared[author.login.lower()] = author

    def for_login(self, login: str) -> int | None:
        """The Folio user id for a post's dc:creator (None: no author)."""
        key = (login or "").strip().lower()
        if key not in self._by_login:
            author = self._declared.get(key) or Author(None, login, "", login, "", "")
            self._by_login[key] = self._resolve(author)
            if author.wp_id is not None:
                self._by_wp_id[author.wp_id] = self._by_login[key]
        return self._by_login[key]

    def for_wp_user(self, wp_id: int | None) -> int | None:
        """The Folio user id for a comment's wp:comment_user_id, when known."""
        if not wp_id or self._everyone is not None:
            # Under --assign-to, no one's comment becomes that account's own.
            return None
        if wp_id not in self._by_wp_id:
            for author in self._declared.values():
                if author.wp_id == wp_id:
                    self.for_login(author.login)
        return self._by_wp_id.get(wp_id)

    def _resolve(self, author: Author) -> int | None:
        if self._everyone is not None:
            return self._everyone
        if not author.login:
            return None
        mapped = self.ids.get("author", author.login.lower())
        if mapped is not None:
            return mapped
        if self.ids.gone("author", author.login.lower()):
            self.report.warn(
                "author", author.login, f"{GONE}: its posts have no author"
            )
            return None
        user = self._existing(author)
        if user is not None:
            return user.id
        if self.options.create_authors:
            return self._create(author)
        self.report.warn(
            "author",
            author.login,
            "no staff account matches (by email or login): its posts have no author;"
            " map it to an account, create accounts for authors, or give every"
            " post to one account",
        )
        return None

    def _existing(self, author: Author) -> User | None:
        login = author.login.lower()
        wanted = self.options.author_map.get(login) or self.options.author_map.get(
            author.email.lower()
        )
        if wanted:
            user = _user_by_email(wanted)
            if user is None:
                self.report.warn("author", author.login, f"mapped to unknown {wanted}")
            return user
        if author.email:
            user = _user_by_email(author.email)
            if user is not None:
                return user
        return db.session.scalar(select(User).where(User.slug == slugify(login)))

    def _create(self, author: Author) -> int:
        email = author.email.strip().lower()
        if not email or "@" not in email or _user_by_email(email) is not None:
            email = f"wp-{slugify(author.login) or 'author'}@users.invalid"
        name = (
            author.display_name
            or " ".join(p for p in (author.first_name, author.last_name) if p)
            or author.login
        )
        user = User(
            email=email[:254],
            display_name=name.strip()[:100],
            password_hash=NO_PASSWORD,
            role=Role.EDITOR,
            is_active=False,
        )
        db.session.add(user)
        db.session.flush()
        self.ids.add("author", author.login.lower(), user.id)
        self.report.count("author", "imported")
        self.report.warn(
            "author",
            author.login,
            f"created inactive account {email}: an admin activates it and"
            " its owner sets a password",
        )
        return user.id
