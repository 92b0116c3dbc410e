"""Demo content for `flask seed-demo`: articles about Folio, written for Folio.

An article's "cover" and its body's `(demo-image:name)` links name pictures of
cli/demo_images.py, which the seed draws into the media library first. Its
"author" is "admin" (the default) or "writer", the demo's two profiles below;
its "seo" holds the "Search & social" fields, a social image by name.
"""

from __future__ import annotations

# The profile the demo admin gets (when it has none yet), and a second author.
DEMO_ADMIN_PROFILE: dict = {
    "bio": (
        "Looks after this site and its staff area. Writes about how Folio is "
        "built and run, mostly on *one small machine*."
    ),
    "website": "https://folio.example/about",
    "avatar": "portrait",
}
DEMO_WRITER: dict = {
    "email": "mina@example.com",
    "display_name": "Mina Okafor",
    "bio": (
        "Editor. Writes about moderation, operations and the [quiet web]"
        "(https://example.org/quiet-web)."
    ),
    "website": "https://mina.example/",
}

DEMO_ARTICLES: list[dict] = [
    {
        "title": "Welcome to Folio",
        "summary": "What Folio is, who it is for, and how this demo site is put together.",
        "tags": ["Folio", "Getting started"],
        "cover": "dawn",
        "body": """\
Folio is a small publishing site that a team can run on one virtual machine. It
serves articles, lets readers comment without a page reload, and gives the team a
quiet staff area to write, moderate and answer messages.

## Why another blog engine

Most blogs are a few articles, a comment form and a contact page. The software
behind them should be as small as that, yet careful about the things that go
wrong in practice:

- **Spam** arrives within hours of a site going live. Folio ships its own
  defences: a honeypot field, a signed form timestamp, rate limits and
  moderation rules, with no third-party service.
- **Lost messages** are worse than slow ones. A contact message is committed to
  the database before any email is attempted, and the outbox retries until the
  mail server answers.
- **Upgrades** should be boring. Every schema change is a migration, and
  `make upgrade` applies them.

## How pages are built

Pages are rendered on the server with Jinja. Where a page changes in place, such
as a new comment appearing under an article, [htmx](https://htmx.org/) asks the
server for just that part of the page and swaps it in. Turn JavaScript off and
every form still works: it posts, and the server answers with a full page.

## What to try

1. Read the article *Writing in Markdown* and leave a comment under it.
2. Open the contact page and send a message with an empty email field to see
   the inline feedback.
3. Sign in to the staff area with the admin account that `make run` printed.

Enjoy the tour, and delete these demo articles when you are ready to publish
your own.
""",
    },
    {
        "title": "Writing in Markdown",
        "summary": "Headings, lists, links, tables and code: the Markdown Folio understands.",
        "tags": ["Writing", "Markdown"],
        "cover": "pages",
        "body": """\
Articles in Folio are written in Markdown, a plain-text format that reads well
even before it is rendered. This article shows what is supported.

## Emphasis and links

Write *emphasis* with single asterisks and **strong emphasis** with double ones.
~~Strikethrough~~ uses two tildes. Links look like
[this one to the CommonMark spec](https://spec.commonmark.org/), and links to
other sites are marked `nofollow` automatically.

## Lists

Unordered lists start with a dash:

- one idea per item
- short items read best
- nest by indenting
  - like this

Ordered lists start with a number:

1. Draft the article.
2. Preview it beside the editor.
3. Publish now, or pick a time in the future to schedule it.

## Tables

| Setting | Default | Purpose |
|:--------|:-------:|--------:|
| `ARTICLES_PER_PAGE` | 10 | cards per list page |
| `HTMX_CDN` | true | where htmx is loaded from |

## Images

Images come from the media library: upload one, describe it for readers who
cannot see it, and place it by its number:

```markdown
![What the image shows](/media/42)
```

An image on a line of its own may be wider than the text:

![Waves in deepening blues under a pale lilac evening sky](demo-image:waves)

When the image has a caption in the library, the caption is shown under it:

![Circles, a half circle and bars in rust, sage, sand and slate blue](demo-image:shapes)

## Code

Inline `code` uses backticks. Blocks use three backticks and an optional
language name:

```python
def reading_minutes(words: int) -> int:
    return max(1, -(-words // 230))
```

## What is not allowed

Raw HTML is switched off, and everything is sanitized after rendering, so a
`<script>` tag in an article is shown as text rather than run. That keeps the
site safe even if an account is compromised.
""",
    },
    {
        "title": "Moderating comments without the spam",
        "summary": "How Folio decides which comments appear at once and which wait for a moderator.",
        "tags": ["Comments", "Moderation"],
        "author": "writer",
        "body": """\
Comments are where a blog becomes a conversation, and where spam arrives first.
Folio follows the rules that WordPress made familiar, and adds a few defences of
its own.

## The rules

A new comment is **held for moderation** when:

- its author has never had a comment approved before (matched by email);
- it contains two or more links;
- it contains a word from the moderation list.

It goes straight to **spam** when it matches the blocklist of words, email
addresses, IP addresses or URLs. Everything else is approved and appears at
once.

## The defences

Bots fill in every field they find, so the form carries one that people never
see. The form also carries a signed timestamp: a post that arrives a second
after the page was rendered was not typed by a person. Rate limits stop a single
address from flooding the site.

Each decision is recorded with its reason, such as *held: first comment from
this email*, so a moderator can see why a comment is waiting.

## Privacy

Readers' email addresses are never shown on a public page. Avatars are drawn
from a keyed hash of the address, so the picture cannot be traced back to the
email.
""",
    },
    {
        "title": "Running Folio on one small machine",
        "summary": "Install, back up and upgrade Folio on a single virtual machine.",
        "tags": ["Operations", "Folio"],
        "cover": "night",
        "author": "writer",
        "seo": {
            "meta_title": "Folio on a small VM: install, back up, upgrade",
            "meta_description": (
                "A publishing site on one virtual machine: make run, SQLite with "
                "online backups, and upgrades that are one command."
            ),
            "social_image": "shapes",
        },
        "body": """\
Folio is designed for a team with one small virtual machine and no time for
operations. SQLite is the default database: one file under `instance/`, with
write-ahead logging so readers never wait for writers.

## Install

On a fresh Debian or Ubuntu machine with Python 3.11 or newer:

```sh
git clone https://example.org/folio.git && cd folio
make run
```

`make run` creates a virtual environment, applies the migrations, seeds this
demo content and prints the admin account it created.

## Back up

Run `flask backup /var/backups/folio.db` from cron. It uses SQLite's online
backup API, so the copy is consistent even while readers post comments.

## Upgrade

Pull the new version and run the migrations:

```sh
git pull
make upgrade
```

## When one machine is not enough

Set `FOLIO_DATABASE_URL` to a PostgreSQL database and
`FOLIO_RATELIMIT_STORAGE_URI` to Redis, and run as many workers as you like.
Nothing else changes.
""",
    },
]

DEMO_COMMENTS: list[dict] = [
    {
        "article": 0,
        "author_name": "Ada Reader",
        "author_email": "ada@example.org",
        "author_url": "https://example.org/ada",
        "body": "Great to see a blog engine that works without JavaScript. Looking forward to trying it.",
    },
    {
        "article": 0,
        "author_name": "Grace Writer",
        "author_email": "grace@example.org",
        "author_url": "",
        "body": "How does the outbox behave when the mail server is down for a day?",
    },
    {
        "article": 0,
        "reply_to": 1,
        "author_name": "Ada Reader",
        "author_email": "ada@example.org",
        "author_url": "",
        "body": "It keeps the mail and retries with backoff, so nothing is lost.",
    },
    {
        "article": 1,
        "author_name": "Linus Table",
        "author_email": "linus@example.org",
        "author_url": "",
        "body": "Tables with alignment are exactly what I needed for release notes.",
    },
]

# Site settings the demo stores as an admin would at Staff → Settings (the
# default social image is the "pages" drawing; see cli/demo.py).
DEMO_SETTINGS = {
    "FOOTER_TEXT": (
        "Folio is a small publishing app. The articles here are a demo; "
        "[write to us](/contact/) about anything in them."
    ),
}
DEMO_SOCIAL_IMAGE = "pages"
# Pages (About; the privacy page comes from its template) and the menus that
# link them: ("page", title), ("tag", name) or ("url", label, address).
DEMO_ABOUT = {
    "title": "About",
    "slug": "about",
    "body": """\
This is a demo of **Folio**, a small publishing site for a team: articles,
comments without a page reload, a contact form, and a quiet staff area.

Pages like this one are written in the same editor as articles, but they are
not listed with them: they live at their own address (this one is `/about`)
and appear where the team puts them in the header and footer menus.

Questions? [Write to us](/contact/).
""",
}
DEMO_MENUS: dict[str, list[tuple[str, ...]]] = {
    "header": [
        ("url", "Articles", "/"),
        ("page", "About"),
        ("tag", "Writing"),
        ("url", "Search", "/search"),
        ("url", "Contact", "/contact/"),
    ],
    "footer": [
        ("page", "About"),
        ("page", "Privacy"),
        ("url", "Atom feed", "/feed.xml"),
        ("url", "Contact us", "/contact/"),
        ("url", "Staff", "/staff/login"),
    ],
}
