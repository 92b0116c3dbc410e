"""Folio's settings: one table of defaults, overridden from FOLIO_* variables."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Setting:
    key: str
    default: Any
    help: str

    @property
    def env(self) -> str:
        return f"FOLIO_{self.key}"


# Every setting Folio reads. The README's settings table is checked against this
# list by a test, so adding a setting here without documenting it fails CI.
SETTINGS: tuple[Setting, ...] = (
    Setting(
        "ENV",
        "production",
        "`production` or `development` (relaxes the startup checks).",
    ),
    Setting(
        "SECRET_KEY",
        None,
        "Signs sessions and CSRF tokens. Unset: a random key is generated once into `instance/secret_key` (mode 0600).",
    ),
    Setting(
        "DATABASE_URL",
        None,
        "SQLAlchemy URL. Unset: SQLite at `instance/folio.db`. PostgreSQL: `postgresql+psycopg://user@host/db`.",
    ),
    Setting(
        "SQLITE_SYNCHRONOUS",
        "FULL",
        "SQLite `synchronous` pragma: `FULL` (every acknowledged write survives power loss) or `NORMAL`.",
    ),
    Setting(
        "SQLITE_BUSY_TIMEOUT_MS",
        5000,
        "How long a SQLite writer waits for the write lock before the request answers 503.",
    ),
    Setting(
        "SQLITE_CACHE_MB",
        16,
        "SQLite page cache per database connection (one per worker thread), in MB. Pages beyond it are read from the OS's file cache again, at a system call each.",
    ),
    Setting(
        "SQLITE_MMAP_MB",
        128,
        "How much of the SQLite file each connection reads through a memory map rather than `read()` calls, in MB (0: none).",
    ),
    Setting("SITE_TITLE", "Folio", "The site's name, in the header, titles and feeds."),
    Setting(
        "SITE_DESCRIPTION",
        "Articles and notes from our team.",
        "Default meta description and feed subtitle.",
    ),
    Setting(
        "LOGO_MEDIA_ID",
        0,
        "The media library image shown in the header beside the site title. `0`: none.",
    ),
    Setting(
        "FAVICON_MEDIA_ID",
        0,
        "The media library image browsers show as the site's icon. `0`: Folio's own.",
    ),
    Setting(
        "SOCIAL_IMAGE_MEDIA_ID",
        0,
        "The media library image link previews show for a page or an article without a cover. `0`: none.",
    ),
    Setting(
        "ACCENT_COLOUR",
        "",
        "The accent (links, buttons) as `#rrggbb`, dark enough for AA contrast on the light page; dark mode uses a lighter shade of it. Empty: Folio's rust.",
    ),
    Setting(
        "FOOTER_TEXT",
        "",
        "A short text (Markdown) in every public page's footer. Empty: none.",
    ),
    Setting(
        "TIME_ZONE",
        "UTC",
        "The time zone dates are shown in to readers (`Europe/Paris`); stored times stay UTC.",
    ),
    Setting(
        "DATE_FORMAT",
        "day-month-year",
        "How readers see dates: `day-month-year` (6 December 2026), `month-day-year` (December 6, 2026), `short` (6 Dec 2026) or `iso` (2026-12-06).",
    ),
    Setting(
        "SITE_URL",
        "",
        "Public base URL (`https://blog.example.com`): every absolute link (canonical, feeds, sitemap, mail) is built on it, never on the request's `Host`. Required outside development; unset in development: `http://127.0.0.1:5000`.",
    ),
    Setting(
        "HTMX_CDN",
        True,
        "Load htmx 2.0.11 from the CDN with SRI (falling back to the vendored copy). `false`: serve only the local copy.",
    ),
    Setting("ARTICLES_PER_PAGE", 10, "Articles per list page."),
    Setting(
        "RATELIMIT_ENABLED",
        True,
        "Turn rate limiting of public forms and login on or off.",
    ),
    Setting(
        "RATELIMIT_STORAGE_URI",
        None,
        "Where rate-limit counters live. Unset: `instance/ratelimits.sqlite`, a SQLite file every worker on this machine shares (`folio-sqlite:///<absolute path>` for another file). Several machines: `redis://127.0.0.1:6379/0`. `memory://` counts in each process, so every worker allows the full limit.",
    ),
    Setting(
        "LOGIN_LIMIT_PER_IP",
        "20 per 15 minutes",
        "Failed staff sign-ins allowed from one client address (then 429).",
    ),
    Setting(
        "LOGIN_LIMIT_PER_ACCOUNT",
        "5 per 15 minutes",
        "Failed staff sign-ins allowed for one email address, from anywhere (then 429).",
    ),
    Setting(
        "PASSWORD_RESET_MINUTES",
        60,
        "How long a mailed password-reset link works (once).",
    ),
    Setting(
        "PASSWORD_RESET_LIMIT_PER_IP",
        "10 per hour",
        "Password-reset requests and new-password submissions allowed from one client address (then 429).",
    ),
    Setting(
        "PASSWORD_RESET_LIMIT_PER_ACCOUNT",
        "3 per hour",
        "Password-reset requests allowed for one email address, from anywhere (then 429).",
    ),
    Setting(
        "STAFF_SESSION_IDLE_MINUTES",
        720,
        "A staff session unused for this long ends (the next request asks to sign in again).",
    ),
    Setting(
        "STAFF_SESSION_MAX_DAYS",
        14,
        "A staff session ends this many days after sign-in, however active; also the session cookie's lifetime.",
    ),
    Setting(
        "TWO_FACTOR_REQUIRED",
        False,
        "Every staff account must use two-factor sign-in: one without it can only enrol (or sign out) after signing in.",
    ),
    Setting(
        "TWO_FACTOR_REMEMBER_DAYS",
        0,
        'Offer "Don\'t ask again on this browser" at the two-factor step, for this many days. `0`: never; every sign-in asks for a code.',
    ),
    Setting(
        "SMTP_HOST",
        "",
        "Mail server. Unset: mail stays in the outbox and the staff area shows it.",
    ),
    Setting("SMTP_PORT", 587, "Mail server port."),
    Setting(
        "SMTP_SECURITY",
        "starttls",
        "`starttls`, `tls` (implicit TLS, usually port 465) or `none`.",
    ),
    Setting("SMTP_USER", "", "SMTP login, if the server needs one."),
    Setting("SMTP_PASSWORD", "", "SMTP password."),
    Setting(
        "SMTP_TIMEOUT",
        10,
        "Seconds before an SMTP connection attempt is abandoned (and retried later).",
    ),
    Setting(
        "MAIL_FROM", "folio@localhost", "The From address of every mail Folio sends."
    ),
    Setting(
        "CONTACT_RECIPIENTS",
        [],
        "Comma-separated addresses that receive contact messages.",
    ),
    Setting(
        "TRUSTED_HOSTS",
        [],
        "Comma-separated host names Folio answers to; other `Host` headers get 400. Empty: any.",
    ),
    Setting(
        "PROXY_FIX",
        0,
        "Number of reverse proxies (nginx, Caddy) in front of Folio whose `X-Forwarded-*` headers to trust.",
    ),
    Setting(
        "SPAM_MIN_SECONDS",
        3,
        "A public form posted sooner than this after it was shown is treated as a bot.",
    ),
    Setting(
        "SPAM_MAX_FORM_AGE_HOURS",
        24,
        "A public form older than this must be reloaded before it is accepted.",
    ),
    Setting(
        "COMMENTS_PER_PAGE",
        50,
        "Top-level comments per page under an article (replies stay with their thread).",
    ),
    Setting(
        "COMMENTS_MAX_DEPTH",
        5,
        "How deep replies nest; a reply to a comment at the deepest level attaches to its parent.",
    ),
    Setting(
        "COMMENTS_CLOSE_AFTER_DAYS",
        0,
        "Close comments on articles published more than this many days ago. `0`: never.",
    ),
    Setting(
        "COMMENTS_MIN_LENGTH",
        2,
        "Shortest comment accepted, in characters (after trimming spaces).",
    ),
    Setting(
        "COMMENTS_RATE_LIMIT",
        "5 per minute;30 per hour",
        "Comment posts allowed per client IP (Flask-Limiter syntax, `;` between limits).",
    ),
    Setting(
        "COMMENTS_MAX_LINKS",
        2,
        "Hold a comment for moderation when it has this many links or more. `0`: no link rule.",
    ),
    Setting(
        "COMMENTS_REQUIRE_PREVIOUS_APPROVAL",
        True,
        "Hold a comment unless its author (by email) already has an approved comment.",
    ),
    Setting(
        "COMMENTS_MODERATION_WORDS",
        [],
        "Comma-separated words, names, URLs, emails or IPs that hold a comment for moderation.",
    ),
    Setting(
        "COMMENTS_BLOCKLIST",
        [],
        "Comma-separated words, names, URLs, emails or IPs that send a comment straight to spam.",
    ),
    Setting(
        "COMMENTS_NOTIFY_APPROVED",
        False,
        "Also mail admins and moderators about comments approved automatically (held ones always are).",
    ),
    Setting(
        "COMMENTS_EDIT_MINUTES",
        15,
        "How long after posting a reader may edit their comment (from the same browser, or by a “Your comments” link). `0`: never.",
    ),
    Setting(
        "NOTIFY_DIGEST_MINUTES",
        30,
        "A reader hears about replies in one thread (or new comments on an article they follow) at most once per this many minutes; what comes in between waits for one digest mail.",
    ),
    Setting(
        "READER_LINK_MINUTES",
        60,
        "How long a “Your comments” link mailed to a reader stays valid (it works once).",
    ),
    Setting(
        "PINGBACKS",
        "separate",
        "Approved pingbacks and trackbacks (imported from WordPress): `separate` lists them under an article's comments as “Mentions elsewhere”; `hidden` shows them nowhere. Never counted as comments.",
    ),
    Setting(
        "CONTACT_INTRO",
        "Questions, corrections or ideas? Write to us and we will reply by email.",
        "The text above the contact form.",
    ),
    Setting(
        "CONTACT_MIN_MESSAGE_LENGTH",
        10,
        "Shortest contact message accepted, in characters.",
    ),
    Setting(
        "CONTACT_MAX_LINKS",
        3,
        "A contact message with more links than this is stored as spam (not mailed).",
    ),
    Setting(
        "CONTACT_RATE_LIMIT",
        "5 per minute; 30 per day",
        "How often one address may send the contact form ([Flask-Limiter syntax](https://flask-limiter.readthedocs.io/en/stable/configuration.html#rate-limit-string-notation)); more gets 429.",
    ),
    Setting(
        "CONTACT_ACKNOWLEDGE",
        False,
        "Also mail the sender a short acknowledgement (through the outbox).",
    ),
    Setting(
        "OUTBOX_WORKER",
        True,
        "Send queued mail from a background thread in each app process (right after a message is queued, and every `FOLIO_OUTBOX_POLL_SECONDS`). `false`: only `flask outbox send` sends.",
    ),
    Setting(
        "OUTBOX_POLL_SECONDS",
        60,
        "How often the background thread looks for mail that is due (retries).",
    ),
    Setting(
        "MEDIA_STORAGE",
        "",
        "Where uploaded images are stored. Unset: the folder `instance/media/`, served by Folio. An absolute folder (`/var/lib/folio/media`): that folder, which nginx or Caddy can serve directly (docs/deployment.md). `s3://bucket/prefix`: S3-compatible object storage through boto3, credentials from boto3's usual variables (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`) or an instance role; Folio serves the files.",
    ),
    Setting(
        "MEDIA_S3_ENDPOINT_URL",
        "",
        "The S3 endpoint for storage other than AWS (MinIO, Garage, Cloudflare R2, Backblaze B2): `https://s3.example.com`. Unset: AWS.",
    ),
    Setting(
        "MEDIA_S3_REGION", "", "The S3 region (`eu-central-1`). Unset: boto3's default."
    ),
    Setting(
        "MEDIA_MAX_MB",
        20,
        "Largest image upload, in MB (larger: refused with a message).",
    ),
    Setting(
        "MEDIA_MAX_PIXELS",
        60_000_000,
        "Largest image accepted, in pixels (width × height, all frames of an animation together): a small file that decodes to more is a decompression bomb.",
    ),
    Setting(
        "MEDIA_MAX_FRAMES",
        300,
        "Most frames accepted in an animated GIF or WebP.",
    ),
    Setting(
        "MEDIA_WORKERS",
        1,
        "Threads per app process that make an upload's sizes after the upload is answered. `0`: make them during the upload request (tests, one-off commands).",
    ),
    Setting(
        "IMAGE_HOSTS",
        [],
        "Comma-separated hosts whose images articles may show over HTTPS (added to the CSP's `img-src`). Empty: images come only from Folio itself, so readers' addresses are never sent to another host; an external image in an article shows as a link.",
    ),
    Setting(
        "IMPORT_MAX_MB",
        512,
        "Largest WordPress export (WXR) file an admin may upload in Staff → Settings → Import, in MB (larger: refused with a message; import a larger file from the command line on the server).",
    ),
    Setting(
        "PLUGINS",
        [],
        "Plugins to load, in order, by entry-point name (comma-separated, e.g. `reading_list,akismet`). Installing a plugin's package does not enable it. `flask plugins list` shows what is installed. See docs/plugins.md.",
    ),
    Setting(
        "PLUGINS_SAFE_MODE",
        False,
        "`true`: load no plugin, whatever `FOLIO_PLUGINS` says (for when a plugin keeps the site from working).",
    ),
    Setting(
        "MAX_CONTENT_LENGTH",
        1024 * 1024,
        "Largest request body in bytes (larger: 413).",
    ),
)


def _coerce(raw: str, default: Any) -> Any:
    """Convert an environment string to the type of the setting's default."""
    if isinstance(default, bool):
        value = raw.strip().lower()
        if value in {"1", "true", "yes", "on"}:
            return True
        if value in {"0", "false", "no", "off", ""}:
            return False
        raise ValueError(f"expected true or false, got {raw!r}")
    if isinstance(default, int):
        return int(raw.strip())
    if isinstance(default, list):
        return [item.strip() for item in raw.split(",") if item.strip()]
    return raw


def load_settings(environ: os._Environ | dict[str, str]) -> dict[str, Any]:
    """Return every setting's value: the environment's if set, else the default."""
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = environ.get(setting.env)
        if raw is None:
            values[setting.key] = setting.default
            continue
        values[setting.key] = coerce_setting(setting.env, raw, setting.default)
    return values


def coerce_setting(name: str, raw: str, default: Any) -> Any:
    """An environment variable's value in the default's type; exit naming it if invalid."""
    try:
        return _coerce(raw, default)
    except ValueError as exc:
        raise SystemExit(f"folio: {name} is invalid: {exc}") from None


def instance_secret(instance_path: str) -> str:
    """Read the generated secret key, creating it (mode 0600) on first use."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        tmp = path.with_name(f".secret_key.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            # link() fails if another worker won the race; theirs is kept.
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()
