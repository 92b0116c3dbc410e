"""The benchmark's own code (bench/): built at a tiny size so it cannot rot. No timings."""

import shutil
import sqlite3

import pytest
from sqlalchemy import select

from bench import dataset
from bench import load
from bench import posting
from bench import report
from bench import routes
from bench import statements
from bench.run import median_of
from bench.run import parse_args
from config import Setting
from models import Comment
from models import db
from tests.support.factories import make_article
from tests.support.factories import make_comment

WRK_OUTPUT = """\
Running 10s test @ http://127.0.0.1:8000/healthz
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     9.81ms    3.10ms  40.12ms   80.00%
    Req/Sec     1.64k   120.00     1.90k    70.00%
  Latency Distribution
     50%  620.00us
     75%   11.20ms
     90%   13.90ms
     99%    1.02s
  32712 requests in 10.01s, 9.61MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 5
Requests/sec:   3268.05
Transfer/sec:      0.96MB
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A benchmark data set at a very small size."""
    path = tmp_path_factory.mktemp("bench") / "bench.db"
    return dataset.build(
        path, articles=30, big_thread=12, featured_comments=7, post_targets=2
    )


def test_dataset_holds_what_the_rows_need(tiny):
    with sqlite3.connect(tiny.path) as conn:
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        counts = dict(
            conn.execute(
                "SELECT slug, comment_count FROM articles WHERE slug LIKE 'bench-%'"
            ).fetchall()
        )
        replies = conn.execute(
            "SELECT count(*) FROM comments WHERE parent_id IS NOT NULL"
        ).fetchone()[0]
        tagged = conn.execute(
            "SELECT count(DISTINCT article_id) FROM article_tags"
        ).fetchone()[0]
    assert articles == 30 + 3 + 2
    assert {slug: n for slug, n in counts.items() if "generated" not in slug} == {
        dataset.FEATURED_SLUG: 7,
        dataset.EMPTY_SLUG: 0,
        dataset.BIG_SLUG: 12,
        dataset.post_slug(0): 7,
        dataset.post_slug(1): 7,
    }
    assert replies > 0
    assert tagged == articles


def test_article_markdown_is_long_with_structure():
    text = dataset.article_markdown()
    assert 2000 <= len(text.split()) <= 2600
    assert "\n## " in text and "\n### " in text
    assert "\n- " in text and "\n1. " in text and "```python" in text


def test_statement_row_counts_every_page(tiny, tmp_path):
    counts = statements.count_all(tiny.url, tmp_path / "instance", deep_page=2)
    pages = {p.key for p in statements.pages_to_count(2)}
    assert set(counts) == pages | {"post_plain", "post_htmx"}
    for key in ("article_0", "article_50", "article_2000"):
        assert counts[key]["status"] == 200
        assert counts[key]["warm"] >= 1
        assert counts[key]["statements"][0].upper().startswith("SELECT")
    for key in pages:
        assert counts[key].get("missing") or isinstance(counts[key]["cold"], int)
    for key, acknowledged in (("post_plain", 303), ("post_htmx", 200)):
        post = counts[key]
        assert post.get("missing") or post["statuses"] == [acknowledged] * 2


def test_route_detection(tiny, tmp_path):
    app = statements.bench_app(tiny.url, tmp_path / "instance")
    assert routes.route_exists(app, "/healthz")
    assert routes.route_exists(app, routes.ARTICLE.path)
    assert not routes.route_exists(app, "/no-such-page/at-all")
    assert not routes.endpoint_exists(app, "no.such_endpoint")


def test_parse_wrk_latency_distribution():
    result = load.parse_wrk(WRK_OUTPUT)
    assert result.requests == 32712
    assert result.rps == 3268.05
    assert result.p50_ms == 0.62
    assert result.p99_ms == 1020.0
    assert result.bad_status == 5
    assert result.socket_errors == 3


def test_parse_oha_json():
    result = load.parse_oha(
        {
            "summary": {"total": 10.0, "requestsPerSec": 812.5},
            "latencyPercentiles": {"p50": 0.0031, "p99": 0.0205},
            "statusCodeDistribution": {"200": 8120, "503": 5},
            "errorDistribution": {"connection closed": 2},
        }
    )
    assert (result.requests, result.rps, result.bad_status) == (8125, 812.5, 5)
    assert result.p50_ms == pytest.approx(3.1)
    assert result.p99_ms == pytest.approx(20.5)
    assert result.socket_errors == 2


def test_parse_wrk_refuses_other_output():
    with pytest.raises(ValueError):
        load.parse_wrk("unable to connect to 127.0.0.1:1 Connection refused")


COMMENT_FORM = """
<form action="/search"><input name="q"></form>
<form id="comment-form" method="post" action="/articles/a/comments" hx-post="/articles/a/comments">
  <input id="csrf_token" name="csrf_token" type="hidden" value="tok">
  <div class="hp" aria-hidden="true"><input name="homepage" type="text" value=""></div>
  <input name="rendered_at" type="hidden" value="signed.ts">
  <input name="parent_id" type="hidden" value="">
  <textarea name="body" required>
</textarea>
  <input name="author_name" type="text">
  <input name="author_email" type="email">
  <input name="author_url" type="url">
  <input name="remember" type="checkbox" value="y">
  <button type="submit">Post Comment</button>
</form>
"""


def test_parse_comment_form_reads_hidden_fields_and_roles():
    form = posting.parse_comment_form(COMMENT_FORM)
    assert form.action == "/articles/a/comments"
    assert form.hidden == {
        "csrf_token": "tok",
        "homepage": "",
        "rendered_at": "signed.ts",
        "parent_id": "",
    }
    assert form.roles == {
        "body": "body",
        "name": "author_name",
        "email": "author_email",
        "url": "author_url",
    }


@pytest.mark.parametrize(
    "html",
    ["<p>no form</p>", '<form action="/articles/a/comments"><input name="x"></form>'],
)
def test_parse_comment_form_without_usable_form(html):
    with pytest.raises(posting.FormNotFound):
        posting.parse_comment_form(html)


def test_rate_limit_overrides_only_comment_limits():
    settings = (
        Setting("RATELIMIT_ENABLED", True, ""),
        Setting("COMMENT_RATE_LIMIT", "5 per minute;50/day", ""),
        Setting("COMMENTS_PER_PAGE", 50, ""),
        Setting("COMMENT_RATELIMIT_PER_HOUR", 30, ""),
    )
    env, notes = posting.rate_limit_overrides(settings)
    assert env == {
        "FOLIO_COMMENT_RATE_LIMIT": "1000000 per minute",
        "FOLIO_COMMENT_RATELIMIT_PER_HOUR": "1000000",
    }
    assert len(notes) == 2


def _fake_run(scale: float) -> dict:
    get = {"label": "x", "rps": 1000 * scale, "p50_ms": 1.0, "p99_ms": 2.0}
    get |= {"cpu_ms": 1.0 / scale, "bytes": 2048, "bad_status": 0, "socket_errors": 0}
    gets = {key: dict(get) for key in ("healthz", "article_50", "home", "deep")}
    gets |= {"page2_full": dict(get), "page2_htmx": dict(get)}
    gets["tag"] = gets["search"] = {"label": "t", "missing": "route missing"}
    small = {key: dict(value) for key, value in gets.items() if key != "healthz"}
    post = {"label": "p", "missing": "route missing"}
    return {
        "gets": gets,
        "small": small,
        "posts": {"plain": post, "htmx": dict(post)},
        "rss_mb": [60.0 * scale, 61.0],
    }


def test_table_and_targets_from_runs():
    runs = [_fake_run(1.0), _fake_run(2.0), _fake_run(3.0)]
    median = median_of(runs)
    assert median["gets"]["healthz"]["rps"] == 2000
    assert median["rss_mb"] == [180.0, 61.0]
    meta = {
        "started": "now",
        "server": "gunicorn 2 x sync",
        "tool_version": "wrk",
        "load": "-c32",
        "runs": 3,
        "machine": {"cpus": 2, "cpu_model": "cpu", "python": "3"},
        "command": "python -m bench.run",
        "articles": 10_000,
        "small_articles": 100,
        "deep_page": 400,
    }
    counts = {"article_0": {"missing": True}}
    result = {"meta": meta, "median": median, "runs": runs, "statements": counts}
    result["targets"] = report.targets(result)
    statuses = {t["target"]: t["status"] for t in result["targets"]}
    assert statuses["each worker < 100 MB resident"] == "NOT MET"
    assert statuses["tag page: 10,000 articles within 2x of 100"] == "n/a"
    assert "route missing" in {t["measured"] for t in result["targets"]}
    table = report.render_table(result)
    assert "n/a (route missing)" in table
    assert "framework ceiling" in table
    assert "100%" in table  # req/s as a share of the ceiling's


def test_command_line_defaults():
    args = parse_args([])
    assert (args.runs, args.duration, args.workers, args.worker_class) == (
        1,
        10,
        2,
        "sync",
    )
    assert (args.connections, args.threads) == (32, 2)


def test_python_client_loads_a_live_server(live_server):
    result = load.python_load(live_server("/healthz"), 0.3, clients=2)
    assert result.requests > 0
    assert (result.bad_status, result.socket_errors) == (0, 0)
    assert result.p99_ms >= result.p50_ms > 0


def test_posting_client_through_the_real_form(make_live_server):
    server = make_live_server(SPAM_MIN_SECONDS=0, WTF_CSRF_ENABLED=True)
    if not routes.endpoint_exists(server.app, "comments.create"):
        pytest.skip("this build has no comment POST yet")
    with server.app.app_context():
        article = make_article()
        make_comment(article, author_email=dataset.reader_email(0))
        path = f"/articles/{article.slug}"
    result = posting.run_posts(server.url, [path], 4, 2, htmx=False, marker="t1")
    assert (result.acknowledged, result.errors) == (4, 0), result.statuses
    result = posting.run_posts(server.url, [path], 2, 1, htmx=True, marker="t2")
    assert (result.acknowledged, result.errors) == (2, 0), result.statuses


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
@pytest.mark.parametrize("htmx", [False, True])
def test_wrk_replays_every_prepared_post_once(make_live_server, htmx):
    server = make_live_server(SPAM_MIN_SECONDS=0, WTF_CSRF_ENABLED=True)
    with server.app.app_context():
        article = make_article()
        make_comment(article, author_email=dataset.reader_email(0))
        path = f"/articles/{article.slug}"
    marker = f"wrk{int(htmx)}"
    result = posting.run_posts(
        server.url, [path], 6, 3, htmx=htmx, marker=marker, tool="wrk"
    )
    ack = "200" if htmx else "303"
    # Every post answered once (wrk's own check request used none of them).
    assert result.statuses == {ack: 6}, result.statuses
    assert (result.acknowledged, result.errors) == (6, 0)
    assert result.p99_ms >= result.p50_ms > 0 and result.seconds > 0
    with server.app.app_context():
        bodies = db.session.scalars(
            select(Comment.body).where(Comment.body.contains(marker))
        ).all()
    assert len(bodies) == len(set(bodies)) == 6


def test_steal_percent_reads_the_eighth_counter():
    from bench.run import steal_percent

    before = [100, 0, 10, 800, 0, 0, 0, 10, 0, 0]
    after = [200, 0, 20, 1500, 0, 0, 0, 30, 0, 0]
    # 20 stolen of 100 + 10 + 700 + 20 = 830 jiffies.
    assert steal_percent(before, after) == 2.4
    assert steal_percent(None, after) is None


def test_gunicorn_settings_are_the_deployed_ones_without_access_log():
    import runpy
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    deployed = runpy.run_path(str(root / "deploy" / "gunicorn.conf.py"))
    bench = runpy.run_path(str(root / "bench" / "gunicorn.conf.py"))
    assert deployed["accesslog"] == "-" and bench["accesslog"] is None
    assert bench["worker_tmp_dir"] == deployed["worker_tmp_dir"] == "/dev/shm"
    assert bench["post_worker_init"] is not None
    assert (
        "-c deploy/gunicorn.conf.py" in (root / "deploy" / "folio.service").read_text()
    )
