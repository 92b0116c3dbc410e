"""Which of config.py's SETTINGS admins may change in the browser, and of what kind.

The staff settings form is built from EDITABLE (blueprints/staff/settings_form.py);
web/site_settings.py stores and applies the values. A setting listed here is
still set, and then locked, by its FOLIO_* variable.
"""

from __future__ import annotations

import enum
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from email_validator import EmailNotValidError
from email_validator import validate_email

from web.colours import accent_problem


class Kind(enum.StrEnum):
    TEXT = "text"
    LONG_TEXT = "long-text"
    BOOL = "bool"
    INT = "int"
    CHOICE = "choice"
    COLOUR = "colour"
    EMAILS = "emails"
    WORDS = "words"
    MEDIA = "media"
    TIME_ZONE = "time-zone"


@dataclass(frozen=True)
class Editable:
    key: str
    label: str
    kind: Kind
    group: str
    hint: str = ""
    minimum: int = 0
    maximum: int = 0  # INT: the largest value; texts and lists: the most characters
    required: bool = False

    @property
    def env(self) -> str:
        return f"FOLIO_{self.key}"


# The named date formats readers may see (strftime patterns are never taken from
# a form). A comment's time adds " at 14:05".
DATE_FORMATS: dict[str, tuple[str, str]] = {
    "day-month-year": ("%-d %B %Y", "6 December 2026"),
    "month-day-year": ("%B %-d, %Y", "December 6, 2026"),
    "short": ("%-d %b %Y", "6 Dec 2026"),
    "iso": ("%Y-%m-%d", "2026-12-06"),
}

# How approved pingbacks and trackbacks show under an article (FOLIO_PINGBACKS).
PINGBACK_DISPLAYS: dict[str, str] = {
    "separate": "Listed apart, under “Mentions elsewhere”",
    "hidden": "Not shown",
}

IDENTITY = "Site identity"
CONTACT = "Contact"
COMMENTS = "Comments"
DATES = "Dates"
SIGN_IN = "Staff sign-in"
IMAGES = "Images"
# The settings form's fieldsets; images are chosen on pages of their own.
GROUPS = (IDENTITY, CONTACT, COMMENTS, DATES, SIGN_IN)

EDITABLE: tuple[Editable, ...] = (
    Editable(
        "SITE_TITLE", "Site title", Kind.TEXT, IDENTITY, maximum=100, required=True
    ),
    Editable(
        "SITE_DESCRIPTION",
        "Description",
        Kind.TEXT,
        IDENTITY,
        "Search results and feeds show it under the title.",
        maximum=300,
    ),
    Editable(
        "LOGO_MEDIA_ID",
        "Logo",
        Kind.MEDIA,
        IMAGES,
        "Shown in the header beside the site title.",
    ),
    Editable(
        "FAVICON_MEDIA_ID",
        "Favicon",
        Kind.MEDIA,
        IMAGES,
        "The browser tab's icon; a square image works best.",
    ),
    Editable(
        "SOCIAL_IMAGE_MEDIA_ID",
        "Default social image",
        Kind.MEDIA,
        IMAGES,
        "Link previews show it for pages, and articles without a cover.",
    ),
    Editable(
        "ACCENT_COLOUR",
        "Accent colour",
        Kind.COLOUR,
        IDENTITY,
        "Links and buttons, as #rrggbb; dark mode uses a lighter shade. "
        "Empty: Folio's rust (#a1401f).",
    ),
    Editable(
        "FOOTER_TEXT",
        "Footer text",
        Kind.LONG_TEXT,
        IDENTITY,
        "Markdown: links and emphasis; shown at the foot of every public page.",
        maximum=1000,
    ),
    Editable(
        "CONTACT_INTRO",
        "Contact page introduction",
        Kind.LONG_TEXT,
        CONTACT,
        maximum=1000,
    ),
    Editable(
        "CONTACT_RECIPIENTS",
        "Recipients",
        Kind.EMAILS,
        CONTACT,
        "The addresses contact messages are mailed to, one a line.",
        maximum=2000,
    ),
    Editable(
        "COMMENTS_MODERATION_WORDS",
        "Hold comments containing",
        Kind.WORDS,
        COMMENTS,
        "Words, names, URLs, emails or IPs, one a line.",
        maximum=5000,
    ),
    Editable(
        "COMMENTS_BLOCKLIST",
        "Send to spam comments containing",
        Kind.WORDS,
        COMMENTS,
        "Words, names, URLs, emails or IPs, one a line.",
        maximum=5000,
    ),
    Editable(
        "COMMENTS_MAX_LINKS",
        "Hold comments with this many links",
        Kind.INT,
        COMMENTS,
        "0: no link rule.",
        maximum=100,
    ),
    Editable(
        "COMMENTS_REQUIRE_PREVIOUS_APPROVAL",
        "Hold comments unless the author has an approved comment",
        Kind.BOOL,
        COMMENTS,
    ),
    Editable(
        "COMMENTS_CLOSE_AFTER_DAYS",
        "Close comments after (days)",
        Kind.INT,
        COMMENTS,
        "On articles published longer ago. 0: never.",
        maximum=36500,
    ),
    Editable(
        "COMMENTS_MAX_DEPTH",
        "Reply depth",
        Kind.INT,
        COMMENTS,
        "How deep replies nest.",
        minimum=1,
        maximum=10,
    ),
    Editable(
        "COMMENTS_PER_PAGE",
        "Comments per page",
        Kind.INT,
        COMMENTS,
        "Top-level comments; replies stay with their thread.",
        minimum=5,
        maximum=500,
    ),
    Editable(
        "COMMENTS_EDIT_MINUTES",
        "Readers may edit a comment for (minutes)",
        Kind.INT,
        COMMENTS,
        "After posting: from the same browser, or by a “Your comments” link. 0: never.",
        maximum=1440,
    ),
    Editable(
        "NOTIFY_DIGEST_MINUTES",
        "Reply emails at most once per (minutes)",
        Kind.INT,
        COMMENTS,
        "Per thread or followed article; what comes in between goes as one digest.",
        maximum=1440,
    ),
    Editable(
        "PINGBACKS",
        "Pingbacks and trackbacks",
        Kind.CHOICE,
        COMMENTS,
        "Links from other sites, imported from WordPress; never counted as comments.",
    ),
    Editable(
        "TIME_ZONE",
        "Time zone",
        Kind.TIME_ZONE,
        DATES,
        "Readers see dates in it; stored times stay UTC.",
    ),
    Editable("DATE_FORMAT", "Date format", Kind.CHOICE, DATES),
    Editable(
        "TWO_FACTOR_REQUIRED",
        "Require two-factor sign-in for every staff account",
        Kind.BOOL,
        SIGN_IN,
        "An account without it can only set it up (or sign out) after its password.",
    ),
    Editable(
        "TWO_FACTOR_REMEMBER_DAYS",
        "Let a browser skip the code for (days)",
        Kind.INT,
        SIGN_IN,
        "Offered as a box at the code step. 0: ask on every sign-in.",
        maximum=90,
    ),
)

BY_KEY = {editable.key: editable for editable in EDITABLE}
# The values of each Kind.CHOICE setting, with what the form shows for each.
CHOICES: dict[str, dict[str, str]] = {
    "DATE_FORMAT": {name: example for name, (_, example) in DATE_FORMATS.items()},
    "PINGBACKS": PINGBACK_DISPLAYS,
}
MEDIA_SETTINGS = tuple(e for e in EDITABLE if e.kind is Kind.MEDIA)


@cache
def time_zones() -> tuple[str, ...]:
    """The IANA time zone names this system knows, sorted."""
    return tuple(sorted(available_timezones()))


def choices(editable: Editable) -> dict[str, str]:
    """A choice setting's values, each with what the form shows for it."""
    return CHOICES[editable.key]


def problem(editable: Editable, value: Any) -> str | None:
    """Why value cannot be this setting's (checks a form's fields do not), or None."""
    if editable.kind is Kind.TEXT and _has_control_characters(value):
        # A title reaches mail subjects: a line break there is refused mail.
        return "Use one line of text, without control characters."
    if editable.kind is Kind.COLOUR and value:
        return accent_problem(value)
    if editable.kind is Kind.TIME_ZONE and value not in time_zones():
        return "Choose a time zone from the list, such as Europe/Paris or UTC."
    if editable.kind is Kind.CHOICE and value not in choices(editable):
        return "Choose one of the values listed."
    if editable.kind is Kind.EMAILS:
        return _emails_problem(value)
    return None


def _has_control_characters(text: str) -> bool:
    return any(unicodedata.category(character) == "Cc" for character in text)


def _emails_problem(addresses: list[str]) -> str | None:
    """The first address that is not one, named."""
    for address in addresses:
        try:
            validate_email(address, check_deliverability=False)
        except EmailNotValidError:
            return f"{address!r} is not an email address."
    return None


def check_locked_value(key: str, value: Any) -> None:
    """Stop at start-up when a FOLIO_* variable gives a setting a value it cannot have."""
    editable = BY_KEY[key]
    reason = problem(editable, value)
    if reason is not None:
        raise SystemExit(f"folio: {editable.env} is invalid: {reason}")
