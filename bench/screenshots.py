"""`make screenshots`: full-page PNGs of every public and staff page.

Each page in light and dark at 1280 px and dark at 390 px, written to
build/screenshots/<page>-<variant>.png, from the demo site (bench/demo_site.py)
driven by Debian's Chromium through Playwright. Public pages are taken as an
anonymous reader, staff pages signed in as the demo admin. Console errors and
CSP violations seen on the way are listed at the end (the browser tests fail
on them; here they are only reported).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.dataset import ROOT
from bench.demo_site import ARTICLE_SLUG
from bench.demo_site import AUTHOR_SLUG
from bench.demo_site import IMAGES_SLUG
from bench.demo_site import SEARCH_WORDS
from bench.demo_site import TAG_SLUG
from bench.demo_site import TWO_FACTOR_EDITOR
from bench.demo_site import DemoSite
from bench.demo_site import demo_plugins
from bench.demo_site import demo_site

OUT = ROOT / "build" / "screenshots"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-sync"]


@dataclass(frozen=True)
class Variant:
    name: str
    width: int
    height: int
    scheme: str


VARIANTS = [
    Variant("light-1280", 1280, 800, "light"),
    Variant("dark-1280", 1280, 800, "dark"),
    Variant("dark-390", 390, 844, "dark"),
]

# The two-factor code step: reached through the password step of the demo's
# editor with two-factor sign-in, in a context of its own.
CODE_STEP = "/staff/login/two-factor"

# (name, path, signed in); {article}, {message}, {page} come from the demo's ids. The
# inbox list comes before the message: opening a message marks it read.
PAGES = [
    ("home", "/", False),
    ("article", f"/articles/{ARTICLE_SLUG}", False),
    ("article-images", f"/articles/{IMAGES_SLUG}", False),
    ("tag", f"/tags/{TAG_SLUG}", False),
    ("page", "/about", False),
    ("page-privacy", "/privacy", False),
    ("author", f"/authors/{AUTHOR_SLUG}", False),
    ("search", f"/search?q={SEARCH_WORDS}", False),
    ("contact", "/contact/", False),
    ("contact-thanks", "/contact/thanks", False),
    ("follow", f"/articles/{ARTICLE_SLUG}/follow", False),
    ("follow-sent", f"/articles/{ARTICLE_SLUG}/follow/sent", False),
    ("subscription-confirm", "/subscriptions/confirm/{confirm_token}", False),
    ("unsubscribe", "/unsubscribe/{unsubscribe_token}", False),
    ("your-comments", "/your-comments", False),
    ("your-comments-sent", "/your-comments/sent", False),
    ("your-comments-erased", "/your-comments/erased", False),
    # Signed in: that context also holds the demo reader's session.
    ("your-comments-mine", "/your-comments/mine", True),
    ("not-found", "/no-such-page", False),
    ("staff-login", "/staff/login", False),
    ("staff-password-forgot", "/staff/password/forgot", False),
    ("staff-two-factor-code", CODE_STEP, False),
    ("staff-dashboard", "/staff/", True),
    ("staff-articles", "/staff/articles", True),
    ("staff-editor-new", "/staff/articles/new", True),
    ("staff-editor", "/staff/articles/{article}/edit", True),
    ("staff-editor-images", "/staff/articles/{images_article}/edit", True),
    ("staff-editor-upload", "/staff/articles/{images_article}/edit#upload", True),
    ("staff-pages", "/staff/pages", True),
    ("staff-page-editor", "/staff/pages/{page}/edit", True),
    ("staff-menus", "/staff/menus", True),
    ("staff-editor-seo", "/staff/articles/{seo_article}/edit#seo-box", True),
    ("staff-media", "/staff/media", True),
    ("staff-media-detail", "/staff/media/{media}", True),
    ("staff-media-picker", "/staff/media/picker?article_id={images_article}", True),
    ("staff-comments-pending", "/staff/comments?tab=pending", True),
    ("staff-comments-approved", "/staff/comments?tab=approved", True),
    ("staff-comments-spam", "/staff/comments?tab=spam", True),
    ("staff-comments-trash", "/staff/comments?tab=trash", True),
    ("staff-reader-subscriptions", "/staff/comments/{comment}/subscriptions", True),
    ("staff-comment-edit", "/staff/comments/{comment}/edit", True),
    ("staff-inbox", "/staff/inbox", True),
    ("staff-inbox-message", "/staff/inbox/{message}", True),
    ("staff-accounts", "/staff/users", True),
    ("staff-audit", "/staff/audit", True),
    ("staff-settings", "/staff/settings", True),
    ("staff-settings-logo", "/staff/media/picker?use=logo", True),
    ("staff-import", "/staff/import", True),
    ("staff-import-run", "/staff/import/{import_run}", True),
    ("staff-import-failed", "/staff/import/{failed_import_run}", True),
    ("staff-redirects", "/staff/redirects", True),
    ("staff-password", "/staff/password", True),
    ("staff-two-factor-enrol", "/staff/two-factor", True),
    ("staff-profile", "/staff/profile", True),
    ("staff-avatar-picker", "/staff/media/picker?use=avatar&user_id=1", True),
]

# Pages of the example plugins, taken when the demo site enables the plugin
# (bench/demo_site.py enables every installed one that imports). The plugins'
# parts of Folio's pages (the article's footer, the comment form's notice,
# the dashboard's card) are in the shots above.
PLUGIN_PAGES = {
    "discussed": [
        ("discussed", "/discussed", False),
        ("discussed-count", f"/discussed/articles/{ARTICLE_SLUG}", False),
        ("staff-discussed", "/staff/discussed", True),
    ],
}


def chromium_path() -> str | None:
    """FOLIO_CHROMIUM, Debian's Chromium, or None for Playwright's own."""
    for candidate in (
        os.environ.get("FOLIO_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
    ):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


def _console(problems: list[str], where: str, url: str, message) -> None:
    """Keep an error, but not the 404 page's own status, which is its point."""
    if message.type != "error":
        return
    if message.location.get("url") == url and "status of 404" in message.text:
        return
    problems.append(f"{where}: {message.text} ({message.location.get('url')})")


def _settle(page, timeout: float = 10.0) -> None:
    """Wait for htmx (it reveals Load more) and the fonts (they change the layout).

    Polled with evaluate: wait_for_function evaluates strings with eval, which
    Folio's CSP refuses.
    """
    deadline = time.monotonic() + timeout
    while not page.evaluate("!!window.htmx") and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    page.evaluate("document.fonts.ready.then(() => true)")
    _reveal_lazy(page, deadline)
    # A full-page shot does not scroll, so lazy images below the first screen
    # (comment avatars, pictures in an article) would never load: load them
    # all, and wait until each is decoded too (loaded is not yet painted).
    page.evaluate(
        """Promise.all([...document.images].map(img => {
            img.loading = "eager";
            return img.decode().catch(() => true);
        }))"""
    )


def _reveal_lazy(page, deadline: float) -> None:
    """Scroll each part htmx loads when revealed into view, and wait for its swap.

    A full-page shot does not scroll, so hx-trigger="revealed" would never
    fire (the Most discussed plugin's count under an article). Each such
    element is replaced by its fragment (outerHTML): wait until it is gone.
    """
    lazy = "[hx-trigger~='revealed']"
    if not page.evaluate(f"!!document.querySelector({lazy!r})"):
        return
    page.evaluate(
        f"document.querySelectorAll({lazy!r}).forEach(el => el.scrollIntoView())"
    )
    while page.evaluate(f"!!document.querySelector({lazy!r})"):
        if time.monotonic() > deadline:
            raise RuntimeError(f"{page.url}: a revealed part was never swapped in")
        page.wait_for_timeout(50)
    page.evaluate("window.scrollTo(0, 0)")


def _upload_in_editor(page) -> None:
    """Upload a drawn picture through the editor's Add images, as a writer would."""
    from PIL import Image

    from cli.demo_images import dawn
    from cli.demo_images import jpeg

    # Mirrored: a file the demo's library does not hold yet.
    data = jpeg(dawn().transpose(Image.Transpose.FLIP_LEFT_RIGHT))
    name = "harbour-at-dawn.jpg"
    page.locator("textarea[name='body']").evaluate(
        "el => { el.focus(); el.setSelectionRange(0, 0); }"
    )
    page.locator("[data-upload-input]").set_input_files(
        {"name": name, "mimeType": "image/jpeg", "buffer": data}
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not page.evaluate(
        "!!document.querySelector('.editor-upload[data-markdown]')"
        " && !document.querySelector(\"textarea[name='body']\").value.includes('#upload-')"
    ):
        page.wait_for_timeout(50)
    page.get_by_label("Alt text").first.fill("A new picture, described")
    # The sizes are made on a worker thread: wait for the row to show the
    # picture and the preview to follow.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not page.evaluate(
        "!!document.querySelector('.editor-upload[data-ready] picture')"
        " && !!document.querySelector('#preview .prose > :first-child picture')"
    ):
        page.wait_for_timeout(100)
    _settle(page)


def _password_step(browser, variant: Variant, site: DemoSite):
    """A fresh context past the password step of the two-factor editor."""
    context = browser.new_context(
        viewport={"width": variant.width, "height": variant.height},
        color_scheme=variant.scheme,
    )
    page = context.new_page()
    page.goto(site("/staff/login"))
    page.get_by_label("Email").fill(TWO_FACTOR_EDITOR)
    page.get_by_label("Password").fill(site.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(site(CODE_STEP))
    page.close()
    return context


def shoot(site: DemoSite, out: Path, pages: list[tuple[str, str, bool]]) -> list[str]:
    """Write every page in every variant; the console problems seen."""
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS
        )
        try:
            contexts = {}
            for variant in VARIANTS:
                for staff in (False, True):
                    context = browser.new_context(
                        viewport={"width": variant.width, "height": variant.height},
                        color_scheme=variant.scheme,
                    )
                    context.set_default_timeout(30_000)
                    if staff:
                        context.add_cookies(
                            [
                                {"name": k, "value": v, "url": site.url}
                                for k, v in site.cookies.items()
                            ]
                        )
                    contexts[variant.name, staff] = context
            for name, path, staff in pages:
                url = site(path.format(**site.ids))
                for variant in VARIANTS:
                    context = contexts[variant.name, staff]
                    if path == CODE_STEP:
                        context = _password_step(browser, variant, site)
                    page = context.new_page()
                    where = f"{name}-{variant.name}"
                    page.on(
                        "console", lambda m, w=where, u=url: _console(problems, w, u, m)
                    )
                    page.on(
                        "pageerror", lambda e, w=where: problems.append(f"{w}: {e}")
                    )
                    page.goto(url, wait_until="load")
                    _settle(page)
                    if url.endswith("#upload"):
                        _upload_in_editor(page)
                    target = out / f"{where}.png"
                    page.screenshot(path=str(target), full_page=True)
                    page.close()
                    shown = (
                        target.relative_to(ROOT)
                        if target.is_relative_to(ROOT)
                        else target
                    )
                    print(shown, flush=True)
        finally:
            browser.close()
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument(
        "--only", action="append", help="a page name to take (repeatable)"
    )
    parser.add_argument("--articles", type=int, default=12)
    args = parser.parse_args(argv)
    every = PAGES + [
        page for name in demo_plugins() for page in PLUGIN_PAGES.get(name, [])
    ]
    pages = [p for p in every if not args.only or p[0] in args.only]
    if not pages:
        parser.error(f"no page called {args.only}; pages: {[p[0] for p in every]}")
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="folio-screenshots-") as workdir:
        with demo_site(Path(workdir), articles=args.articles) as site:
            problems = shoot(site, args.out, pages)
    count = len(pages) * len(VARIANTS)
    print(f"{count} screenshots in {args.out} ({time.monotonic() - started:.0f} s)")
    if problems:
        print(f"\n{len(problems)} console errors or CSP violations:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
