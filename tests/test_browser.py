"""The tiny pipeline's rendered report in a real browser, headless Chromium (Debian's package, `.ci/run` installs
it): every image loads, and the page does not scroll sideways at 1280 px, the width of a laptop's browser window.

Skipped where no Chromium is on PATH, unless REQUIRE_BROWSER=1 (CI sets it): then a missing browser fails.
"""

import os

import pytest
from matplotlib import image

from lstm1997 import browser

WIDTH, HEIGHT = 1280, 800


@pytest.fixture(scope="module")
def page(request):
    """The tiny run's report.html, open in headless Chromium at 1280 x 800 (the browser looked for before the run)."""
    if browser.find() is None:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but no Chromium on PATH ({', '.join(browser.CANDIDATES)}); Debian: apt-get install chromium")
        pytest.skip(f"no Chromium on PATH ({', '.join(browser.CANDIDATES)}); Debian's chromium package brings one, as .ci/run installs it")
    workdir = request.getfixturevalue("workdir")
    with browser.Browser(width=WIDTH, height=HEIGHT) as chromium:
        chromium.open(workdir / "results/report/report.html")
        yield chromium


def test_every_image_of_the_report_loads(page):
    layout = page.layout()
    assert layout.images == 4 + 5 + 2, f"the tiny report shows 4 figures, 5 learning curves and 2 sweep maps; the page has {layout.images} images"
    assert not layout.broken, f"images that did not load: {layout.broken}"


def test_the_report_does_not_scroll_sideways_at_1280_px(page):
    layout = page.layout()
    assert layout.client_width <= WIDTH
    assert not layout.scrolls_sideways, f"{layout.scroll_width} px wide in a {layout.client_width} px window; reaching past it: {layout.wide}"


def test_the_first_screen_is_a_picture_of_the_report(page, tmp_path):
    page.screenshot(tmp_path / "first-screen.png")
    pixels = image.imread(tmp_path / "first-screen.png")
    assert pixels.shape[:2] == (HEIGHT, WIDTH) and pixels.std() > 0.01
