"""The verification report in a real browser: every image decodes, every anchor resolves, no console error.

Needs Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them) and Selenium (test extra).
Without them the test is skipped with the reason; CI has them.
"""
from __future__ import annotations

import shutil

import pytest

from mdptheory.cli import main

pytestmark = pytest.mark.browser

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")


@pytest.fixture(scope="module")
def driver():
    if not (CHROMIUM and DRIVER):
        pytest.skip("chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)")
    webdriver = pytest.importorskip("selenium.webdriver")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    from selenium.webdriver.chrome.service import Service

    d = webdriver.Chrome(service=Service(DRIVER), options=opts)
    yield d
    d.quit()


def test_report_opens_cleanly_in_chromium(tmp_path, driver):
    report = tmp_path / "report" / "index.html"
    code = main(["verify", "vi-contraction", "planner-certificates", "--quick", "--power", "--jobs", "1",
                 "--store", str(tmp_path / "r.sqlite"), "--report", str(report), "--no-progress"])
    assert code == 0 and report.exists()
    driver.get(report.as_uri())
    images = driver.find_elements("tag name", "img")
    assert len(images) >= 2                                      # the bound's formula and the claim's figure
    assert driver.find_elements("id", "fig-planning-vi-contraction")
    broken = [i.get_attribute("alt") for i in images
              if not driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", i)]
    assert not broken, f"images that do not decode: {broken}"
    ids = set(driver.execute_script("return Array.from(document.querySelectorAll('[id]')).map(e => e.id)"))
    anchors = driver.execute_script(
        "return Array.from(document.querySelectorAll('a[href^=\"#\"]')).map(a => a.getAttribute('href').slice(1))")
    assert anchors and not [a for a in anchors if a not in ids], "anchors without a target"
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors
    text = driver.find_element("tag name", "body").text
    assert "nan" not in text.split() and "commit" in text and "Power against the registered mutants" in text
