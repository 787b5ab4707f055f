"""The HTML report in headless Chromium: loads with no failed request and no console error.

Uses the Chrome DevTools Protocol. Skipped where Chromium is not installed,
except in CI (CI=true), where .ci/run installs it and a missing browser fails.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"),
                                reason="chromium is not installed (apt-get install chromium)")


@pytest.fixture(scope="module")
def report_html(reference_results, tmp_path_factory):
    from ssereport.report.render import render_report

    out = tmp_path_factory.mktemp("browser")
    return render_report(reference_results, out, formats=("html",))["html"]


def _devtools(profile) -> tuple[subprocess.Popen, str]:
    assert CHROMIUM, "chromium is required in CI"
    proc = subprocess.Popen(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--remote-debugging-port=0", f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        m = re.search(r"DevTools listening on (ws://\S+)", line)
        if m:
            return proc, m.group(1)
    proc.kill()
    proc.wait()
    proc.stderr.close()
    pytest.fail("chromium did not start its DevTools endpoint")


def _page_socket(browser_ws: str):
    """A DevTools WebSocket to the browser's first page (the one ``_devtools`` opened)."""
    import urllib.request

    import websocket

    port = re.search(r":(\d+)/", browser_ws).group(1)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as resp:
        targets = json.loads(resp.read())
    page = next(t for t in targets if t["type"] == "page")
    return websocket.create_connection(page["webSocketDebuggerUrl"], timeout=30)


def test_html_loads_without_failed_requests_or_console_errors(report_html, tmp_path):
    import websocket  # its timeout exception ends the read after the load event

    proc, browser_ws = _devtools(tmp_path / "profile")
    try:
        ws = _page_socket(browser_ws)
        msg_id = 0

        def send(method, **params):
            nonlocal msg_id
            msg_id += 1
            ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))

        for domain in ("Page", "Network", "Runtime", "Log"):
            send(f"{domain}.enable")
        send("Page.navigate", url=report_html.resolve().as_uri())
        failures, errors, requests = [], [], []
        loaded = False
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not loaded:
            event = json.loads(ws.recv())
            method = event.get("method")
            params = event.get("params", {})
            if method == "Network.requestWillBeSent":
                requests.append(params["request"]["url"][:60])
            elif method == "Network.loadingFailed":
                failures.append(params)
            elif method == "Runtime.exceptionThrown":
                errors.append(params)
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning"):
                errors.append(params)
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                errors.append(params["entry"])
            elif method == "Page.loadEventFired":
                loaded = True
        # read what arrives right after the load event
        ws.settimeout(1.0)
        try:
            while True:
                event = json.loads(ws.recv())
                if event.get("method") in ("Network.loadingFailed", "Runtime.exceptionThrown"):
                    failures.append(event["params"])
        except websocket.WebSocketTimeoutException:
            pass
        send("Runtime.evaluate", expression="document.querySelectorAll('figure svg').length", returnByValue=True)
        ws.settimeout(10)
        n_svg = None
        while n_svg is None:
            event = json.loads(ws.recv())
            if event.get("id") == msg_id:
                n_svg = event["result"]["result"]["value"]
        ws.close()
    finally:
        proc.kill()
        proc.wait()
        proc.stderr.close()
    assert loaded, "the page never finished loading"
    assert failures == [], failures
    assert errors == [], errors
    # the only request is the file itself: everything else is inline
    assert all(u.startswith(("file:", "data:")) for u in requests), requests
    assert n_svg >= 10


@pytest.fixture(scope="module")
def batch_html(reference_results, tmp_path_factory):
    """The failing example batch (every film with reasons): the widest film table."""
    from ssereport import load_films
    from ssereport.qa.judge import judge_batch
    from ssereport.qa.model import fit_model
    from ssereport.qa.report import render_batch_html

    from .conftest import ROOT

    model = fit_model(reference_results)
    result = judge_batch(model, load_films(ROOT / "data" / "batches" / "batch_2026-03-16_C.csv"))
    path = tmp_path_factory.mktemp("browser-batch") / "batch.html"
    path.write_text(render_batch_html(result, model=model), encoding="utf-8")
    return path


def _evaluate_at_width(path, expression: str, *, width: int, height: int, profile) -> object:
    """Load ``path`` in headless Chromium emulating a phone of ``width`` CSS pixels; return ``expression``."""
    proc, browser_ws = _devtools(profile)
    try:
        ws = _page_socket(browser_ws)
        msg_id = 0

        def call(method, **params):
            nonlocal msg_id
            msg_id += 1
            ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
            while True:
                event = json.loads(ws.recv())
                if event.get("id") == msg_id:
                    return event.get("result", {})

        call("Page.enable")
        call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=3, mobile=True)
        msg_id += 1
        ws.send(json.dumps({"id": msg_id, "method": "Page.navigate", "params": {"url": path.resolve().as_uri()}}))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if json.loads(ws.recv()).get("method") == "Page.loadEventFired":
                break
        value = call("Runtime.evaluate", expression=expression, returnByValue=True)["result"]["value"]
        ws.close()
    finally:
        proc.kill()
        proc.wait()
        proc.stderr.close()
    return value


def test_batch_report_at_phone_width_needs_no_sideways_scrolling(batch_html, tmp_path):
    """At 390 px the verdict and every film's result are on screen, and the page does not scroll sideways."""
    expression = """(() => {
        const inside = el => { const r = el.getBoundingClientRect();
                               return r.width > 0 && r.height > 0 && r.left >= 0 && r.right <= 390; };
        const results = [...document.querySelectorAll('table.films td[class^="result-"]')];
        const badge = document.querySelector('.verdict-box .badge');
        return {scrollWidth: document.documentElement.scrollWidth,
                results: results.length, visible: results.filter(inside).length,
                results_text: results.map(td => td.textContent.trim()),
                badge: badge !== null && inside(badge) ? badge.textContent.trim() : null,
                reasons: [...document.querySelectorAll('table.films tr.reasons td:last-child')].filter(inside).length};
    })()"""
    v = _evaluate_at_width(batch_html, expression, width=390, height=844, profile=tmp_path / "profile")
    assert v["scrollWidth"] <= 390, v
    assert v["badge"] == "✗ FAIL"
    assert v["results"] == 9 and v["visible"] == 9 and v["results_text"] == ["FAIL"] * 9
    assert v["reasons"] == 9
