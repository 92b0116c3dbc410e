"""A large synthetic WordPress export (WXR 1.2), written as it is generated.

`python -m bench.wxr_synth OUT.xml --posts 1000 --comments 1000000`

Deterministic (one seeded generator, no downloads). Posts take their share of
the comments by a Zipf-like weight, so a few posts hold thousands and most a
few hundred; threads go up to MAX_DEPTH levels; every comment state appears
in about the proportions of a real blog (STATES), with pingbacks and
trackbacks among them. Only one comment's text is in memory at a time, and
per post only the ids and depths of its comments (to pick reply parents).
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import TextIO

SITE = "https://synthetic.example"
MAX_DEPTH = 10
# (state, share): approved, held, spam, trash.
STATES = (("1", 0.80), ("0", 0.12), ("spam", 0.06), ("trash", 0.02))
# Among approved comments: pingbacks and trackbacks.
PINGBACK_SHARE = 0.02
TRACKBACK_SHARE = 0.005
# A reply (not top level) this often, to one of the post's recent approved comments.
REPLY_SHARE = 0.45
# How sharply comments gather on a few posts (0: evenly).
DEFAULT_SKEW = 0.6
FIRST_DAY = datetime(2012, 1, 1, tzinfo=UTC)
AUTHORS = ("admin", "editor", "maria", "tomasz", "ayesha")
CATEGORIES = (
    "Announcements",
    "Engineering",
    "Field notes",
    "Gardening",
    "Photography",
    "Reviews",
    "Travel",
    "Uncategorized",
)
TAGS = tuple(f"topic {n}" for n in range(1, 41))
FIRST_NAMES = (
    "Alex Anna Ben Carla Dmitri Elena Farid Grace Hiro Ines Jonas Kemal Lena Marco "
    "Nadia Omar Priya Quinn Rosa Sam Tariq Uma Viktor Wen Yara Zoe"
).split()
LAST_NAMES = (
    "Adams Bauer Chen Dubois Eriksen Fischer Garcia Haddad Ito Jensen Kowalski "
    "Lopez Moreau Novak Okafor Petrov Rossi Silva Tanaka Ueda Varga Weber Yilmaz"
).split()
WORDS = (
    "the of and to a in that is was it for on with as be at this have from or by "
    "not but what all were we when your can said there use an each which she do "
    "how their if will up other about out many then them these so some her would "
    "make like him into time has look two more write go see number no way could "
    "people my than first water been call who oil its now find long down day did "
    "get come made may part garden photo light lens morning river bridge station "
    "recipe bread coffee winter summer journey notes release version server update "
    "thanks great post really agree interesting question answer idea think point "
    "article read years ago remember tried worked problem solution simple"
).split()


@dataclass(frozen=True)
class Plan:
    """What to generate: sizes, the skew and the seed."""

    posts: int = 1000
    comments: int = 1_000_000
    skew: float = DEFAULT_SKEW
    seed: int = 8


def cdata(text: str) -> str:
    """text as CDATA (split where it holds `]]>`, as WordPress does)."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def shares(plan: Plan, rng: random.Random) -> list[int]:
    """Comments per post: Zipf-like weights in shuffled order, summing to the total."""
    weights = [1 / (rank + 1) ** plan.skew for rank in range(plan.posts)]
    rng.shuffle(weights)
    whole = sum(weights)
    counts = [int(plan.comments * w / whole) for w in weights]
    # The rounding remainder goes to the posts in order, one each.
    for n in range(plan.comments - sum(counts)):
        counts[n % plan.posts] += 1
    return counts


class Writer:
    """Writes the document in order; holds one comment's text at a time."""

    def __init__(self, out: TextIO, plan: Plan) -> None:
        self.out = out
        self.plan = plan
        self.rng = random.Random(plan.seed)
        self.next_comment_id = 1
        self.comments = 0
        self.items = 0
        self.largest_post = 0

    def words(self, count: int) -> str:
        """count words of filler text."""
        return " ".join(self.rng.choices(WORDS, k=count))

    def sentences(self, words: int) -> str:
        """About that many words as capitalised sentences."""
        parts = []
        while words > 0:
            n = min(words, self.rng.randint(6, 22))
            parts.append(self.words(n).capitalize() + ".")
            words -= n
        return " ".join(parts)

    def document(self) -> None:
        """The whole file."""
        self.out.write(_HEAD)
        for n, login in enumerate(AUTHORS, 1):
            self.author(n, login)
        for n, name in enumerate(CATEGORIES, 1):
            self.out.write(
                f"<wp:category><wp:term_id>{n}</wp:term_id>"
                f"<wp:category_nicename>{cdata(_slug(name))}</wp:category_nicename>"
                f"<wp:category_parent>{cdata('')}</wp:category_parent>"
                f"<wp:cat_name>{cdata(name)}</wp:cat_name></wp:category>\n"
            )
        for n, name in enumerate(TAGS, 100):
            self.out.write(
                f"<wp:tag><wp:term_id>{n}</wp:term_id>"
                f"<wp:tag_slug>{cdata(_slug(name))}</wp:tag_slug>"
                f"<wp:tag_name>{cdata(name)}</wp:tag_name></wp:tag>\n"
            )
        for post, count in enumerate(shares(self.plan, self.rng), 1):
            self.post(post, count)
        self.out.write("</channel>\n</rss>\n")

    def author(self, n: int, login: str) -> None:
        """A wp:author."""
        self.out.write(
            f"<wp:author><wp:author_id>{n}</wp:author_id>"
            f"<wp:author_login>{cdata(login)}</wp:author_login>"
            f"<wp:author_email>{cdata(login + '@synthetic.example')}</wp:author_email>"
            f"<wp:author_display_name>{cdata(login.title())}</wp:author_display_name>"
            f"<wp:author_first_name>{cdata(login.title())}</wp:author_first_name>"
            f"<wp:author_last_name>{cdata('')}</wp:author_last_name></wp:author>\n"
        )

    def post(self, n: int, comments: int) -> None:
        """One item with its comments."""
        rng = self.rng
        day = FIRST_DAY + timedelta(days=n * 3650 / self.plan.posts, hours=9)
        title = self.words(rng.randint(3, 9)).capitalize()
        slug = f"{_slug(title)[:60]}-{n}"
        creator = rng.choice(AUTHORS)
        status = rng.choices(("publish", "draft", "private"), (0.96, 0.03, 0.01))[0]
        terms = [("category", _slug(c), c) for c in rng.sample(CATEGORIES, 1)] + [
            ("post_tag", _slug(t), t) for t in rng.sample(TAGS, rng.randint(0, 4))
        ]
        categories = "".join(
            f'<category domain="{d}" nicename="{s}">{cdata(name)}</category>'
            for d, s, name in terms
        )
        self.out.write(
            f"<item><title>{cdata(title)}</title>"
            f"<link>{SITE}/{day:%Y/%m}/{slug}/</link>"
            f"<dc:creator>{cdata(creator)}</dc:creator>"
            f'<guid isPermaLink="false">{SITE}/?p={n}</guid>'
            f"<content:encoded>{cdata(self.post_body())}</content:encoded>"
            f"<excerpt:encoded>{cdata('')}</excerpt:encoded>"
            f"<wp:post_id>{n}</wp:post_id>"
            f"<wp:post_date>{cdata(_stamp(day))}</wp:post_date>"
            f"<wp:post_date_gmt>{cdata(_stamp(day))}</wp:post_date_gmt>"
            f"<wp:comment_status>{cdata('open')}</wp:comment_status>"
            f"<wp:post_name>{cdata(slug)}</wp:post_name>"
            f"<wp:status>{cdata(status)}</wp:status>"
            "<wp:post_parent>0</wp:post_parent><wp:menu_order>0</wp:menu_order>"
            f"<wp:post_type>{cdata('post')}</wp:post_type>"
            f"<wp:post_password>{cdata('')}</wp:post_password>"
            "<wp:is_sticky>0</wp:is_sticky>"
            f"{categories}<wp:postmeta><wp:meta_key>{cdata('_edit_last')}"
            f"</wp:meta_key><wp:meta_value>{cdata('1')}</wp:meta_value></wp:postmeta>\n"
        )
        for text in self.thread(day, comments):
            self.out.write(text)
        self.out.write("</item>\n")
        self.items += 1
        self.largest_post = max(self.largest_post, comments)

    def post_body(self) -> str:
        """Classic paragraphs (wpautop's input) or block-editor paragraphs."""
        rng = self.rng
        paragraphs = [
            self.sentences(rng.randint(40, 160)) for _ in range(rng.randint(3, 12))
        ]
        if rng.random() < 0.5:
            return "\n\n".join(paragraphs)
        return "\n\n".join(
            f"<!-- wp:paragraph -->\n<p>{p}</p>\n<!-- /wp:paragraph -->"
            for p in paragraphs
        )

    def thread(self, day: datetime, count: int) -> Iterator[str]:
        """A post's comments in id order, replies under recent approved ones."""
        rng = self.rng
        states = [s for s, _ in STATES]
        weights = [w for _, w in STATES]
        # (wp id, depth) of the post's recent approved comments: reply targets.
        recent: list[tuple[int, int]] = []
        when = day
        for _ in range(count):
            wp_id = self.next_comment_id
            self.next_comment_id += 1
            when += timedelta(seconds=rng.randint(30, 4 * 3600))
            state = rng.choices(states, weights)[0]
            parent, depth = 0, 0
            if state == "1" and recent and rng.random() < REPLY_SHARE:
                parent, parent_depth = rng.choice(recent[-20:])
                depth = min(parent_depth + 1, MAX_DEPTH - 1)
                if depth == parent_depth:  # the deepest level takes no replies
                    parent, depth = 0, 0
            kind = ""
            if state == "1" and not parent:
                roll = rng.random()
                if roll < PINGBACK_SHARE:
                    kind = "pingback"
                elif roll < PINGBACK_SHARE + TRACKBACK_SHARE:
                    kind = "trackback"
            if state == "1" and not kind:
                recent.append((wp_id, depth))
                if len(recent) > 200:
                    del recent[:100]
            self.comments += 1
            yield self.comment(wp_id, parent, state, kind, when)

    def comment(
        self, wp_id: int, parent: int, state: str, kind: str, when: datetime
    ) -> str:
        """One wp:comment."""
        rng = self.rng
        user_id = 0
        if kind:
            name = f"{self.words(2).title()} blog"
            email = ""
            url = f"https://{_slug(name)}.example.net/{wp_id}/"
            text = f"[&#8230;] {self.sentences(rng.randint(15, 40))} [&#8230;]"
        else:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            name = f"{first} {last}"
            email = f"{first}.{last}{rng.randint(1, 400)}@mail.example".lower()
            url = (
                f"https://{first}{last}.example.org/".lower()
                if rng.random() < 0.3
                else ""
            )
            if state == "1" and rng.random() < 0.03:
                user_id = rng.randint(1, len(AUTHORS))
            text = self.comment_body(state)
        ip = f"198.51.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        meta = ""
        if state in ("spam", "0") or rng.random() < 0.1:
            meta = (
                f"<wp:commentmeta><wp:meta_key>{cdata('akismet_result')}</wp:meta_key>"
                f"<wp:meta_value>{cdata('true' if state == 'spam' else 'false')}"
                "</wp:meta_value></wp:commentmeta>"
            )
        return (
            f"<wp:comment><wp:comment_id>{wp_id}</wp:comment_id>"
            f"<wp:comment_author>{cdata(name)}</wp:comment_author>"
            f"<wp:comment_author_email>{cdata(email)}</wp:comment_author_email>"
            f"<wp:comment_author_url>{url}</wp:comment_author_url>"
            f"<wp:comment_author_IP>{ip}</wp:comment_author_IP>"
            f"<wp:comment_date>{cdata(_stamp(when))}</wp:comment_date>"
            f"<wp:comment_date_gmt>{cdata(_stamp(when))}</wp:comment_date_gmt>"
            f"<wp:comment_content>{cdata(text)}</wp:comment_content>"
            f"<wp:comment_approved>{cdata(state)}</wp:comment_approved>"
            f"<wp:comment_type>{cdata(kind)}</wp:comment_type>"
            f"<wp:comment_parent>{parent}</wp:comment_parent>"
            f"<wp:comment_user_id>{user_id}</wp:comment_user_id>{meta}</wp:comment>\n"
        )

    def comment_body(self, state: str) -> str:
        """A comment's HTML: mostly short, a long tail; some links and quotes."""
        rng = self.rng
        words = max(3, min(600, int(rng.lognormvariate(3.6, 0.8))))
        paragraphs = []
        while words > 0:
            n = min(words, rng.randint(20, 80))
            paragraphs.append(self.sentences(n))
            words -= n
        roll = rng.random()
        if state == "spam" or roll < 0.08:
            href = f"https://shop{rng.randint(1, 999)}.example.com/offer"
            paragraphs.append(
                f'See <a href="{href}" rel="nofollow">{self.words(3)}</a>'
            )
        elif roll < 0.13:
            paragraphs.insert(0, f"<blockquote>{self.sentences(12)}</blockquote>")
        elif roll < 0.20:
            paragraphs[0] = f"<strong>{self.words(2)}</strong> {paragraphs[0]}"
        return "\n\n".join(paragraphs)


def _slug(text: str) -> str:
    """A WordPress-style slug of ASCII words."""
    return "-".join(text.lower().split())


def _stamp(when: datetime) -> str:
    """WordPress's MySQL-style date."""
    return when.strftime("%Y-%m-%d %H:%M:%S")


_HEAD = f"""<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0"
  xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:wfw="http://wellformedweb.org/CommentAPI/"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>A synthetic blog</title>
<link>{SITE}</link>
<description>Generated for Folio's import benchmark</description>
<language>en-GB</language>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>{SITE}</wp:base_site_url>
<wp:base_blog_url>{SITE}</wp:base_blog_url>
"""


@dataclass(frozen=True)
class Written:
    """What a generated file holds."""

    path: Path
    items: int
    comments: int
    bytes: int
    largest_post: int


def write_wxr(path: Path, plan: Plan) -> Written:
    """Generate the file at path, streaming; what it holds."""
    path = Path(path)
    with path.open("w", encoding="utf-8", buffering=1 << 20) as out:
        writer = Writer(out, plan)
        writer.document()
    return Written(
        path, writer.items, writer.comments, path.stat().st_size, writer.largest_post
    )


def main(argv: list[str] | None = None) -> int:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.wxr_synth", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("out", type=Path, help="the WXR file to write")
    parser.add_argument("--posts", type=int, default=Plan.posts)
    parser.add_argument("--comments", type=int, default=Plan.comments)
    parser.add_argument("--skew", type=float, default=DEFAULT_SKEW)
    parser.add_argument("--seed", type=int, default=Plan.seed)
    args = parser.parse_args(argv)
    plan = Plan(args.posts, args.comments, args.skew, args.seed)
    written = write_wxr(args.out, plan)
    print(
        f"{written.path}: {written.items:,} posts, {written.comments:,} comments"
        f" (at most {written.largest_post:,} on one post), {written.bytes / 1e6:,.1f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
