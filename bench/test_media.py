"""The image benchmark (bench/media.py), run tiny so it cannot rot. No timings."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from bench import media


def test_realistic_jpeg_is_a_detailed_photo_sized_file():
    data = media.realistic_jpeg((800, 600))
    with Image.open(io.BytesIO(data)) as image:
        assert (image.format, image.size) == ("JPEG", (800, 600))
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    # Noise and shapes, not a flat colour: tens of thousands of colours, and
    # about 0.3 bytes a pixel (a 12-megapixel one is 3-5 MB).
    assert colours is None or len(colours) > 20_000
    assert len(data) > 0.15 * 800 * 600


@pytest.mark.slow
def test_media_bench_runs_every_part_tiny():
    results = media.run(media.TINY, tool="python")
    for workers in (0, 1):
        row = results["upload"][workers]
        assert [r["status"] for r in row["runs"]] == ["ready"]
        assert row["peak_rss_mb"] >= row["rss_before_mb"] > 0
        assert row["runs"][0]["stored_bytes"] > 0
    small, large = results["library"]
    assert (small["images"], large["images"]) == (3, 30)
    assert small["status"] == large["status"] == 200
    article = results["article"]
    assert {row["status"] for row in article.values()} == {200}
    assert article["body image"]["pictures"] == 1
    assert all(row["requests"] > 0 for row in article.values())
    text = media.report(results)
    assert "MEDIA_WORKERS=1" in text and "30 / 3" in text and "body image" in text
