"""report.html as a reader sees it: opened in headless Chromium (Debian's chromium and chromium-driver,
driven by Selenium), it renders, has its title, logs no console errors and shows every figure.

Set DROPOUT_SCREENSHOT to a path to keep the screenshot (the README's comes from a standard run of the
reference: see README, "Reports")."""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

webdriver = pytest.importorskip("selenium.webdriver")
from dropout_verify.reports import html  # noqa: E402
from matplotlib import image  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
FIXTURES = Path(__file__).parent.parent / "reports" / "fixtures"

# skipped on a developer's machine without Chromium; under CI (.ci/run installs it) a missing one fails
pytestmark = pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()) and os.environ.get("CI") != "true",
    reason="needs Debian's chromium and chromium-driver (apt-get install, see .ci/run)")


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,2000",
                     "--hide-scrollbars", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # the driver on disk: Selenium Manager would otherwise try to download one
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    yield driver
    driver.quit()


@pytest.mark.parametrize("fixture", ["reference-quick.json", "no-scale-quick.json"])
def test_report_renders_with_title_figures_and_no_console_errors(browser, tmp_path, fixture):
    run = json.loads((FIXTURES / fixture).read_text())
    page = tmp_path / "report.html"
    page.write_text(html.render(run), encoding="utf-8")
    browser.get(page.as_uri())
    assert browser.title == f"dropout-verify: {run['target']} {run['verdict'].upper()}"
    assert browser.find_element("css selector", "h1").text == f"dropout-verify: {run['target']}"
    figures = browser.find_elements("css selector", "figure svg")
    assert len(figures) >= 4
    for figure in figures:
        browser.execute_script("arguments[0].scrollIntoView()", figure)
        assert figure.is_displayed() and figure.size["width"] > 300 and figure.size["height"] > 150
    errors = [entry for entry in browser.get_log("browser") if entry["level"] in ("SEVERE", "ERROR")]
    assert not errors, errors
    browser.execute_script("window.scrollTo(0, 0)")
    png = browser.get_screenshot_as_png()
    pixels = image.imread(io.BytesIO(png), format="png")[..., :3]
    assert pixels.shape[0] > 500 and pixels.shape[1] > 500
    assert np.mean(pixels.min(axis=2) < 0.9) > 0.02, "the page is blank"  # text, badges and lines drawn
    keep = os.environ.get("DROPOUT_SCREENSHOT")
    if keep and fixture == "reference-quick.json":
        Path(keep).write_bytes(png)
