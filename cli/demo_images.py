"""Images for the demo, drawn with Pillow when `flask seed-demo` runs.

Nothing is downloaded and no image file is committed: each picture is drawn
from gradients and shapes, the same bytes on every run (so a second run finds
them in the library as the same files), and goes into the media library with
its alt text and caption, its sizes made before any article shows it.
"""

from __future__ import annotations

import io
import math
import random
import re
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image
from PIL import ImageDraw
from PIL import ImageFilter

from blueprints.media.images import inspect_upload
from blueprints.media.library import add_upload
from blueprints.media.library import describe
from blueprints.media.processing import limits
from blueprints.media.processing import process
from blueprints.media.processing import processor
from models import Media
from models import MediaStatus
from models import db

WIDTH, HEIGHT = 2000, 1250
# Shapes are drawn this many times larger, then scaled down: smooth edges.
SMOOTH = 2
RGB = tuple[int, int, int]
Point = tuple[float, float]


@dataclass(frozen=True)
class DemoImage:
    """One picture of the demo: its name in demo_content, its words, how to draw it."""

    name: str
    alt: str
    caption: str
    draw: Callable[[], Image.Image]


def rgb(hex_colour: str) -> RGB:
    """#rrggbb as a tuple."""
    value = hex_colour.lstrip("#")
    return tuple(int(value[i : i + 2], 16) for i in (0, 2, 4))


def vertical_gradient(size: tuple[int, int], top: str, bottom: str) -> Image.Image:
    """An RGB image fading from top to bottom."""
    mask = Image.linear_gradient("L").resize(size, Image.Resampling.BICUBIC)
    return Image.composite(
        Image.new("RGB", size, rgb(bottom)), Image.new("RGB", size, rgb(top)), mask
    )


def paint(canvas: Image.Image, colour: str, *shapes: Callable, blur: float = 0) -> None:
    """Fill what each shape(draw, scale) draws in colour, smoothed (blurred if asked)."""
    w, h = canvas.size
    mask = Image.new("L", (w * SMOOTH, h * SMOOTH), 0)
    draw = ImageDraw.Draw(mask)
    for shape in shapes:
        shape(draw, SMOOTH)
    mask = mask.resize((w, h), Image.Resampling.BOX)
    if blur:
        mask = soft(mask, blur)
    canvas.paste(Image.new("RGB", (w, h), rgb(colour)), (0, 0), mask)


def soft(mask: Image.Image, blur: float) -> Image.Image:
    """A mask blurred by blur pixels (at a quarter of its size: the same look, faster)."""
    small = mask.resize((mask.width // 4, mask.height // 4), Image.Resampling.BOX)
    small = small.filter(ImageFilter.GaussianBlur(blur / 4))
    return small.resize(mask.size, Image.Resampling.BICUBIC)


def ridge(seed: int, base: float, height: float, waves: int = 4) -> list[Point]:
    """A skyline of summed sine waves across the picture, closed along the bottom."""
    chance = random.Random(seed)
    terms = [
        (chance.uniform(0.6, 1.0) / (n + 1), chance.uniform(1.5, 4.5) * (n + 1), chance.uniform(0, 6.3))
        for n in range(waves)
    ]  # fmt: skip
    points = []
    for step in range(101):
        x = step / 100
        y = sum(a * math.sin(f * x * math.pi + p) for a, f, p in terms)
        points.append((x * WIDTH, base - y * height))
    return [*points, (WIDTH, HEIGHT), (0, HEIGHT)]


def polygon(points: Sequence[Point]) -> Callable:
    """A shape for paint(): a filled polygon."""
    return lambda draw, k: draw.polygon([(x * k, y * k) for x, y in points], fill=255)


def ellipse(
    cx: float, cy: float, rx: float, ry: float | None = None, cut: bool = False
) -> Callable:
    """A shape for paint(): a filled ellipse (a circle when ry is None).

    cut: take the ellipse out of the shapes drawn before it instead.
    """
    ry = rx if ry is None else ry
    return lambda draw, k: draw.ellipse(
        [(cx - rx) * k, (cy - ry) * k, (cx + rx) * k, (cy + ry) * k],
        fill=0 if cut else 255,
    )


def rounded(box: Sequence[float], radius: float) -> Callable:
    """A shape for paint(): a rounded rectangle."""
    return lambda draw, k: draw.rounded_rectangle(
        [v * k for v in box], radius * k, fill=255
    )


def dawn() -> Image.Image:
    """Mountains in layers of rust under a peach sky, the sun low between them."""
    canvas = vertical_gradient((WIDTH, HEIGHT), "#d98f6f", "#fbe6cf")
    paint(canvas, "#fff3df", ellipse(1290, 610, 260), blur=90)
    paint(canvas, "#fff6e8", ellipse(1290, 610, 130))
    layers = [
        (11, 700, 150, "#e2a98a"),
        (12, 800, 130, "#c97b5a"),
        (13, 905, 110, "#a1401f"),
        (14, 1030, 90, "#6b2a16"),
        (15, 1150, 60, "#3d1a10"),
    ]
    for seed, base, height, colour in layers:
        paint(canvas, colour, polygon(ridge(seed, base, height)))
    return canvas


def night() -> Image.Image:
    """A cabin with one lit window on a dark hill, under stars and a quiet moon."""
    canvas = vertical_gradient((WIDTH, HEIGHT), "#121a2e", "#3f5370")
    chance = random.Random(7)
    stars = [(chance.uniform(0, WIDTH), chance.uniform(0, 760), chance.uniform(1.2, 3.4)) for _ in range(170)]  # fmt: skip
    paint(canvas, "#e9eef8", *(ellipse(x, y, r) for x, y, r in stars))
    paint(canvas, "#f4efd8", ellipse(470, 290, 95), ellipse(510, 262, 88, cut=True))
    paint(canvas, "#2b3a57", polygon(ridge(21, 900, 120)))
    paint(canvas, "#172033", polygon(ridge(22, 1040, 70)))
    paint(canvas, "#f0a37f", ellipse(1385, 905, 120), blur=60)  # the window's glow
    paint(canvas, "#0e1524", polygon([(1260, 1000), (1260, 880), (1370, 800), (1480, 880), (1480, 1000)]))  # fmt: skip
    paint(canvas, "#ffcf9e", rounded((1345, 890, 1395, 940), 4))
    paint(canvas, "#0e1524", polygon(ridge(23, 1120, 40)))
    return canvas


def pages() -> Image.Image:
    """Three sheets of paper with lines of text, fanned out on a sage desk."""
    canvas = vertical_gradient((WIDTH, HEIGHT), "#c9d9ce", "#9fb8a8")
    for angle, dx, heading in ((-9, -330, "#5b4570"), (5, 320, "#3f5370"), (-2, 0, "#a1401f")):  # fmt: skip
        sheet, mask = _sheet(heading)
        sheet, mask = (
            image.rotate(angle, Image.Resampling.BICUBIC, expand=True)
            for image in (sheet, mask)
        )
        shadow = soft(mask, 28).point(lambda v: v * 0.35)
        x, y = WIDTH // 2 + dx - sheet.width // 2, 625 - sheet.height // 2
        canvas.paste(Image.new("RGB", shadow.size, rgb("#4a5f50")), (x + 14, y + 24), shadow)  # fmt: skip
        canvas.paste(sheet, (x, y), mask)
    return canvas


def _sheet(heading: str) -> tuple[Image.Image, Image.Image]:
    """A sheet of paper with a heading and lines of text, and its mask, with room around."""
    size, margin = (760, 950), 60  # the sheet is 640 by 830
    sheet = Image.new("RGB", size, rgb("#fbfaf7"))
    paint(sheet, heading, rounded((125, 150, 540, 195), 12))
    lines = [
        rounded((125, 250 + row * 52, 635 - 140 * (row % 4 == 3), 270 + row * 52), 10)
        for row in range(11)
    ]  # fmt: skip
    paint(sheet, "#c9c2b6", *lines)
    big = Image.new("L", (size[0] * SMOOTH, size[1] * SMOOTH), 0)
    outline = (margin, margin, size[0] - margin, size[1] - margin)
    rounded(outline, 18)(ImageDraw.Draw(big), SMOOTH)
    return sheet, big.resize(size, Image.Resampling.BOX)


def shapes() -> Image.Image:
    """Circles, half circles and bars in the site's colours on warm paper."""
    canvas = Image.new("RGB", (WIDTH, 1200), rgb("#f3f0ea"))
    paint(canvas, "#d9e4dc", ellipse(520, 600, 420))
    paint(canvas, "#a1401f", ellipse(520, 600, 230))
    paint(canvas, "#ecdcc8", rounded((1000, 180, 1820, 420), 120))
    paint(canvas, "#3f5370", ellipse(1410, 820, 300))
    paint(canvas, "#f3f0ea", rounded((1080, 820, 1740, 1140), 0))  # a half circle
    paint(canvas, "#e5ad9c", ellipse(1040, 880, 90))
    paint(canvas, "#5d5739", rounded((900, 520, 1880, 560), 20))
    return canvas


def waves() -> Image.Image:
    """Layered waves at dusk, from a pale horizon to deep water."""
    canvas = vertical_gradient((1800, 1200), "#e4dcea", "#aebfdc")
    paint(canvas, "#fbf3e4", ellipse(1240, 430, 110))
    colours = ["#9fb2d4", "#7f95bf", "#5f78a6", "#46608d", "#324a73", "#22365a"]
    for n, colour in enumerate(colours):
        base = 560 + n * 115
        points = [
            (x * 18, base - 26 * math.sin(x * 0.21 + n * 1.7) - 12 * math.sin(x * 0.53 + n))
            for x in range(101)
        ]  # fmt: skip
        paint(canvas, colour, polygon([*points, (1800, 1200), (0, 1200)]))
    return canvas


def portrait() -> Image.Image:
    """A drawn head and shoulders in rust and sand on a peach ground, for an avatar."""
    side = 1600
    canvas = vertical_gradient((side, side), "#f6e4da", "#e5ad9c")
    paint(canvas, "#fbf3e4", ellipse(800, 760, 520), blur=80)
    paint(canvas, "#a1401f", ellipse(800, 1400, 560, 420))  # the shoulders
    paint(canvas, "#5b2a18", ellipse(800, 600, 300, 320))  # the hair
    paint(canvas, "#ecdcc8", ellipse(800, 700, 245, 265))  # the face
    return canvas


DEMO_IMAGES = (
    DemoImage(
        "dawn",
        "Mountain ridges in layers of rust and amber, the sun rising low between them.",
        "",
        dawn,
    ),
    DemoImage(
        "pages",
        "Three sheets of paper with lines of text fanned out on a green desk.",
        "",
        pages,
    ),
    DemoImage(
        "night",
        "A small cabin with one lit window on a dark hill, under a crescent moon and stars.",
        "",
        night,
    ),
    DemoImage(
        "shapes",
        "An abstract composition of circles, a half circle and bars in rust, sage, "
        "sand and slate blue.",
        "Drawn with Pillow when the demo was seeded: nothing on this site was downloaded.",
        shapes,
    ),
    DemoImage(
        "portrait",
        "A drawn portrait: a round face under dark hair, rust shoulders, on peach.",
        "",
        portrait,
    ),
    DemoImage(
        "waves",
        "Rows of waves in deepening blues under a pale lilac evening sky.",
        "",
        waves,
    ),
)

PLACEHOLDER = re.compile(r"\(demo-image:(\w+)\)")


def jpeg(image: Image.Image) -> bytes:
    """The picture as the file an editor would upload."""
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def add_demo_images() -> dict[str, int]:
    """Draw the demo's images into the library, sizes made, described: name -> media id."""
    ids = {}
    for image in DEMO_IMAGES:
        inspected = inspect_upload(
            jpeg(image.draw()), f"{image.name}.jpg", "image/jpeg", limits()
        )
        ids[image.name] = add_upload(inspected, None, image.alt).media.id
    # Made on the app's threads unless MEDIA_WORKERS is 0; wait for them, and
    # make here what a process that died left half done. The rollback ends
    # this session's read, whose snapshot is older than the threads' writes.
    processor().wait()
    db.session.rollback()
    for image in DEMO_IMAGES:
        media = db.session.get(Media, ids[image.name])
        if media.status == MediaStatus.PROCESSING:
            process(media.id)
        if image.caption and media.caption != image.caption:
            describe(media, image.alt, image.caption)
    db.session.rollback()
    return ids


def place_images(body: str, ids: dict[str, int]) -> str:
    """A demo body with its `(demo-image:name)` links pointed at the library."""
    return PLACEHOLDER.sub(lambda m: f"(/media/{ids[m.group(1)]})", body)
