"""Staff → Settings → Import: upload a WXR file, the run on its thread, progress, report."""

from __future__ import annotations

import io
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy import select
from werkzeug.wrappers import request as request_module

from blueprints.staff.import_forms import ARCHIVE
from blueprints.staff.import_forms import EMPTY
from blueprints.staff.import_forms import NOT_XML
from blueprints.staff.import_forms import WEB_PAGE
from models import Article
from models import AuditEvent
from models import ImportRun
from models import ImportStatus
from models import Role
from models import db
from porting import import_runs
from porting.import_files import is_locked
from porting.import_report import ImportReport
from porting.import_runs import INTERRUPTED
from porting.import_runs import import_worker
from tests.support import wxr_builder as wxr
from tests.support.factories import make_user
from tests.support.staff_support import staff_client
from tests.test_html_valid import fragment_problems
from tests.test_html_valid import problems

ITEMS = (
    wxr.author("ann", "ann@example.com", "Ann"),
    wxr.item(1, "First post", "<p>One</p>", creator="ann",
             comments=(wxr.comment(11, "Nice"), wxr.comment(12, "Thanks", parent=11))),
    wxr.item(2, "About", "<p>Us</p>", post_type="page", slug="about-us"),
)  # fmt: skip


def _post(client, data: bytes, name: str = "site.xml", **fields):
    """POST the import form with data as its file."""
    form = {"file": (io.BytesIO(data), name), "authors": "match", **fields}
    return client.post("/staff/import", data=form, content_type="multipart/form-data")


def _finish(app) -> None:
    with app.app_context():
        assert import_worker().wait(30)


def _run(app, run_id: int) -> ImportRun:
    with app.app_context():
        run = db.session.get(ImportRun, run_id)
        db.session.expunge(run)
        return run


def _run_id(response) -> int:
    assert response.status_code == 303, response.data
    return int(response.headers["Location"].rsplit("/", 1)[1])


# A process that locks a file as an import's thread does, then waits to be killed.
HOLD = """
import fcntl, sys, time
f = open(sys.argv[1], "rb")
fcntl.flock(f, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(60)
"""


@pytest.fixture
def admin(app):
    client, _ = staff_client(app, Role.ADMIN, email="boss@example.com")
    return client


@pytest.fixture
def gate(monkeypatch):
    """The importer replaced by one that stops at 1 of 3 items until gate.set()."""
    opened, reached = threading.Event(), threading.Event()

    def importing(path, options, progress=None):
        progress(1, 3)
        reached.set()
        opened.wait(20)
        progress(3, 3)
        return ImportReport()

    monkeypatch.setattr(import_runs, "import_wordpress", importing)
    opened.reached = reached
    yield opened
    opened.set()


def test_import_upload_runs_and_shows_the_report(app, admin):
    response = _post(admin, wxr.document(*ITEMS))
    run_id = _run_id(response)
    assert response.headers["Location"] == f"/staff/import/{run_id}"
    _finish(app)
    run = _run(app, run_id)
    assert (run.status, run.done_items, run.total_items) == (ImportStatus.DONE, 2, 2)
    page = admin.get(f"/staff/import/{run_id}").get_data(as_text=True)
    assert "Import finished. 2 items read." in page
    assert '<th scope="row">article</th><td class="cell-number">1</td>' in page
    assert '<th scope="row">comment</th><td class="cell-number">2</td>' in page
    assert "hx-trigger" not in page
    assert problems(page) == []
    with app.app_context():
        assert db.session.scalar(select(func.count(Article.id))) == 2
        event = db.session.scalar(select(AuditEvent))
        assert (event.action, event.actor_label) == (
            "site-imported",
            "boss@example.com",
        )
        assert "site.xml" in event.detail
    # The file is gone once the run has ended.
    assert not list((Path(app.instance_path) / "imports").glob("*.xml"))
    listing = admin.get("/staff/import").get_data(as_text=True)
    assert f'href="/staff/import/{run_id}"' in listing and ">Done<" in listing
    assert problems(listing) == []


def test_import_report_as_json(app, admin):
    run_id = _run_id(_post(admin, wxr.document(*ITEMS)))
    _finish(app)
    response = admin.get(f"/staff/import/{run_id}/report.json")
    assert response.status_code == 200
    assert response.json["counts"]["page"]["imported"] == 1
    assert "attachment" in response.headers["Content-Disposition"]


def test_import_dry_run_writes_nothing(app, admin):
    run_id = _run_id(_post(admin, wxr.document(*ITEMS), dry_run="y"))
    _finish(app)
    page = admin.get(f"/staff/import/{run_id}").get_data(as_text=True)
    assert "Dry run finished: nothing was written." in page
    assert '<th scope="row">article</th><td class="cell-number">1</td>' in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Article.id))) == 0
        assert db.session.get(ImportRun, run_id).done_items == 2


def test_import_gives_everything_to_one_account(app, admin):
    with app.app_context():
        editor = make_user(email="ed@example.com", role=Role.EDITOR)
        editor_id = editor.id
    response = _post(
        admin, wxr.document(*ITEMS), authors="assign", assign_to=str(editor_id)
    )
    _run_id(response)
    _finish(app)
    with app.app_context():
        authors = db.session.scalars(select(Article.author_id)).all()
    assert authors == [editor_id, editor_id]


@pytest.mark.parametrize("role", [Role.EDITOR, Role.MODERATOR])
@pytest.mark.parametrize(
    "path", ["/staff/import", "/staff/import/1", "/staff/import/1/report.json"]
)
def test_import_pages_are_for_admins(app, role, path):
    client, _ = staff_client(app, role)
    assert client.get(path).status_code == 403
    assert _post(client, wxr.document(*ITEMS)).status_code == 403


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "site.xml", EMPTY),
        (b"Hello, this is text", "site.xml", NOT_XML),
        (b"PK\x03\x04zipped", "site.zip", ARCHIVE),
        (b"\x1f\x8b\x08gzipped", "site.xml.gz", ARCHIVE),
        (b"\n<!DOCTYPE html><html><body>Log in</body></html>", "site.xml", WEB_PAGE),
    ],
)
def test_import_refuses_what_is_not_xml(app, admin, data, name, message):
    response = _post(admin, data, name)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert problems(response.get_data(as_text=True)) == []
    with app.app_context():
        assert db.session.scalar(select(func.count(ImportRun.id))) == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"file": None}, "Choose the .xml file WordPress exported."),
        ({"authors": "assign"}, "Choose the account that gets every post."),
        ({"authors": "everyone"}, "Not a valid choice"),
    ],
)
def test_import_form_errors_are_422(app, admin, fields, message):
    form = {"file": (io.BytesIO(wxr.document(*ITEMS)), "site.xml"), "authors": "match"}
    form.update(fields)
    form = {k: v for k, v in form.items() if v is not None}
    response = admin.post(
        "/staff/import", data=form, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_import_of_malformed_xml_fails_with_line_and_column(app, admin):
    bad = b'<?xml version="1.0"?>\n<rss><channel>\n<item><title>x</channel></rss>\n'
    run_id = _run_id(_post(admin, bad))
    _finish(app)
    run = _run(app, run_id)
    assert run.status == ImportStatus.FAILED
    assert run.error.startswith("Not imported: line 3, column ")
    page = admin.get(f"/staff/import/{run_id}").get_data(as_text=True)
    assert "Failed. <bdi>Not imported: line 3, column" in page
    assert "hx-trigger" not in page


def test_import_of_what_is_not_wordpress_fails(app, admin):
    run_id = _run_id(_post(admin, b"<rss><channel><title>x</title></channel></rss>"))
    _finish(app)
    assert "not appear to be a WordPress export" in _run(app, run_id).error


def test_import_needs_csrf(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    client, _ = staff_client(app, Role.ADMIN)
    response = _post(client, wxr.document(*ITEMS))
    assert response.status_code == 400
    assert b"expired" in response.data
    with app.app_context():
        assert db.session.scalar(select(func.count(ImportRun.id))) == 0


def test_import_with_csrf_token_over_max_content_length(make_app):
    """The token is checked once the limit is raised: a large file gets in."""
    app = make_app(WTF_CSRF_ENABLED=True)
    client, _ = staff_client(app, Role.ADMIN)
    page = client.get("/staff/import").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    data = wxr.document(wxr.item(1, "Long", "x" * 1_200_000))
    assert len(data) > app.config["MAX_CONTENT_LENGTH"]
    _run_id(_post(client, data, csrf_token=token))
    _finish(app)


def test_import_upload_never_spools_to_the_system_temp_folder(app, admin, monkeypatch):
    """Werkzeug's default spool (often a tmpfs, so memory) is not used."""

    def system_spool(*args, **kwargs):
        raise AssertionError("spooled into the system's temporary folder")

    monkeypatch.setattr(request_module, "default_stream_factory", system_spool)
    data = wxr.document(wxr.item(1, "Long", "x" * 700_000))  # over 500 KB: spooled
    run_id = _run_id(_post(admin, data))
    _finish(app)
    assert _run(app, run_id).status == ImportStatus.DONE


def test_import_too_large_is_413_with_a_message(make_app):
    app = make_app(IMPORT_MAX_MB=2)
    client, _ = staff_client(app, Role.ADMIN)
    response = _post(client, wxr.document(wxr.item(1, "Big", "x" * 2_100_000)))
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "The file is larger than 2 MB" in page and "<h1" in page
    with app.app_context():
        assert db.session.scalar(select(func.count(ImportRun.id))) == 0
    # Under it, though over the site's 1 MiB limit for other forms: taken.
    _run_id(_post(client, wxr.document(wxr.item(1, "Big", "x" * 1_500_000))))
    _finish(app)


def test_import_progress_polls_while_running_then_stops(app, admin, gate, htmx_headers):
    run_id = _run_id(_post(admin, wxr.document(*ITEMS)))
    assert gate.reached.wait(20)
    try:
        files = list((Path(app.instance_path) / "imports").glob(f"{run_id}-*.xml"))
        assert len(files) == 1
        assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
        part = admin.get(f"/staff/import/{run_id}", headers=htmx_headers)
        text = part.get_data(as_text=True)
        assert text.lstrip().startswith('<section id="import-progress"')
        assert 'hx-trigger="every 1s"' in text and 'hx-swap="outerHTML"' in text
        assert '<progress class="import-bar" value="1" max="3"' in text
        assert "1 of 3 items" in text and "Refresh" in text
        assert fragment_problems(text) == []
        assert "HX-Request" in part.headers["Vary"]
        whole = admin.get(f"/staff/import/{run_id}").get_data(as_text=True)
        assert whole.startswith("<!doctype html>") and "every 1s" in whole
        assert problems(whole) == []
    finally:
        gate.set()
    _finish(app)
    part = admin.get(f"/staff/import/{run_id}", headers=htmx_headers)
    text = part.get_data(as_text=True)
    assert "hx-trigger" not in text and "hx-get" not in text
    assert "Import finished. 3 items read." in text and "autofocus" in text


def test_second_import_is_refused_while_one_runs(app, admin, gate):
    first = _run_id(_post(admin, wxr.document(*ITEMS)))
    assert gate.reached.wait(20)
    try:
        response = _post(admin, wxr.document(*ITEMS))
        assert response.status_code == 409
        page = response.get_data(as_text=True)
        assert f"Import {first} (site.xml) is still under way" in page
        assert f'href="/staff/import/{first}"' in page
    finally:
        gate.set()
    _finish(app)
    with app.app_context():
        assert db.session.scalar(select(func.count(ImportRun.id))) == 1
    _run_id(_post(admin, wxr.document(*ITEMS)))
    _finish(app)


def test_interrupted_run_is_shown_failed_and_does_not_block(app, admin):
    with app.app_context():
        run = ImportRun(
            format="wordpress", filename="old.xml", status=ImportStatus.RUNNING
        )
        db.session.add(run)
        db.session.commit()
        stale = run.id
    # What a process that died mid-import leaves: its file, no longer locked.
    left = Path(app.instance_path) / "imports" / f"{stale}-0123abcd.xml"
    left.parent.mkdir(parents=True, exist_ok=True)
    left.write_bytes(wxr.document(*ITEMS))
    page = admin.get(f"/staff/import/{stale}").get_data(as_text=True)
    assert f"Failed. <bdi>{INTERRUPTED}</bdi>" in page
    assert "hx-trigger" not in page
    _run_id(_post(admin, wxr.document(*ITEMS)))
    _finish(app)
    run = _run(app, stale)
    assert (run.status, run.error) == (ImportStatus.FAILED, INTERRUPTED)
    assert not left.exists()


def test_import_list_is_paged_newest_first(app, admin):
    with app.app_context():
        for n in range(25):
            db.session.add(ImportRun(format="wordpress", filename=f"f{n}.xml", status=ImportStatus.DONE))  # fmt: skip
        db.session.commit()
    first = admin.get("/staff/import").get_data(as_text=True)
    assert "f24.xml" in first and "f0.xml" not in first
    assert 'href="/staff/import?page=2"' in first
    assert "f0.xml" in admin.get("/staff/import?page=2").get_data(as_text=True)


def test_settings_page_links_to_import(admin):
    page = admin.get("/staff/settings").get_data(as_text=True)
    assert 'href="/staff/import"' in page


def test_report_json_of_a_failed_run_is_404(app, admin):
    run_id = _run_id(_post(admin, b"<rss><channel></channel></rss>"))
    _finish(app)
    assert admin.get(f"/staff/import/{run_id}/report.json").status_code == 404


def test_import_uploads_are_rate_limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    client, _ = staff_client(app, Role.ADMIN)
    statuses = [_post(client, b"not xml").status_code for _ in range(11)]
    assert statuses == [422] * 10 + [429]


def test_a_run_is_under_way_while_another_process_holds_its_file(app):
    """The lock dies with the process that held it, however it ends."""
    folder = Path(app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "7-0123abcd.xml"
    path.write_bytes(b"<rss/>")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with app.app_context():
            assert is_locked(7)
            assert not is_locked(8)
    finally:
        holder.kill()
        holder.wait(10)
        holder.stdout.close()
    with app.app_context():
        assert not is_locked(7)
