"""The real app (`streamlit run`) on a free port with a temporary data folder, and Debian's Chromium."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).parent / "screenshots"
# What a user waits for (a page, a message) may take long on a loaded machine: generous caps, never fixed sleeps.
WAIT_MS = 60_000
expect.set_options(timeout=WAIT_MS)


def pytest_collection_modifyitems(items):
    """Every test here drives the browser: `pytest -m "not e2e"` leaves them out of a quick loop."""
    for item in items:
        if Path(item.path).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(data_dir: Path, **settings: str):
    """`streamlit run app.py` on a free port, on the SQLite file in `data_dir`, with these environment settings;
    yields its address once it answers, and stops it after."""
    port = _free_port()
    env = os.environ | {"PIPEWRIGHT_DATA_DIR": str(data_dir)} | settings
    env.pop("PIPEWRIGHT_DB_URL", None)
    log = (data_dir / "server.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            f"--server.port={port}",
            "--server.address=127.0.0.1",
            "--server.headless=true",
            "--browser.gatherUsageStats=false",
            "--server.fileWatcherType=none",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.3)
    else:
        server.kill()
        pytest.fail(f"streamlit did not start; log:\n{(data_dir / 'server.log').read_text()}")
    try:
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    """The app as it starts with no settings, shared by the browser tests."""
    with serving(tmp_path_factory.mktemp("app-data")) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: `make test` installs Debian's chromium"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


def new_page(browser):
    """A browser context of its own (another person, as far as the app can tell) and a page in it."""
    context = browser.new_context(viewport={"width": 1400, "height": 1600}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    return page


@pytest.fixture
def page(browser):
    page = new_page(browser)
    yield page
    page.context.close()


SETTLED = """() => document.querySelector('[data-testid="stMain"]')
    && !document.querySelector('[data-testid="stSkeleton"], [data-stale="true"]')
    && [...document.querySelectorAll('.js-plotly-plot')].every(chart => chart.querySelector('.main-svg'))"""


def settle(page) -> None:
    """Wait until the app has finished running the page: nothing left loading or stale, every chart drawn."""
    expect(page.get_by_test_id("stStatusWidget")).to_be_hidden()
    page.wait_for_function(SETTLED)


@pytest.fixture
def shoot():
    SCREENSHOTS.mkdir(exist_ok=True)

    def save(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        settle(page)
        page.screenshot(path=path, full_page=True)
        return path

    return save
