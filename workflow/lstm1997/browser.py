"""The report as a reader sees it, in headless Chromium: ``python -m lstm1997.browser REPORT PNG [--width 1280 --height 800]``.

Writes a screenshot of the page's first screen and prints what a reader would hit: images that did not load,
and whether the page scrolls sideways at that width (with the elements that reach past its right edge).
tests/test_browser.py runs the same checks on the tiny pipeline's report; docs/reproduction/first-screen.png is
this command's screenshot.

Chromium is driven through the Chrome DevTools protocol over a pipe (``--remote-debugging-pipe``: JSON
messages ending in a NUL byte, read on the browser's fd 3, written on its fd 4), so nothing but the browser
and the standard library is needed: Debian's ``chromium`` package (``.ci/run`` installs it).
"""

from __future__ import annotations

import argparse
import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
"""Executable names of a Chromium, in the order they are looked for on PATH."""

LAYOUT = """(async () => {
  await Promise.all([...document.images].map(img => img.decode().catch(() => null)));
  const root = document.documentElement;
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : '');
  return {
    images: document.images.length,
    broken: [...document.images].filter(img => img.naturalWidth === 0).map(img => (img.alt || img.src).slice(0, 80)),
    scroll_width: root.scrollWidth,
    client_width: root.clientWidth,
    wide: [...document.body.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > root.clientWidth + 0.5).slice(0, 8).map(
      e => name(e) + ' (right edge ' + Math.round(e.getBoundingClientRect().right) + ' px)'),
  };
})()"""
"""The page's facts for a reader: every image decoded (or failed), then which did not load and how wide the page is."""


@dataclass(frozen=True)
class Layout:
    """What a reader hits on a page: ``broken`` images (alt text or source), the page's ``scroll_width``
    against its ``client_width`` (the viewport less a scrollbar), and the first elements reaching past it."""

    images: int
    broken: list[str]
    scroll_width: int
    client_width: int
    wide: list[str]

    @property
    def scrolls_sideways(self) -> bool:
        return self.scroll_width > self.client_width


def find() -> str | None:
    """The path of a Chromium on PATH, or None."""
    return next(filter(None, map(shutil.which, CANDIDATES)), None)


class Browser:
    """One headless Chromium and one page in it, driven over the DevTools protocol's pipe; a context manager."""

    def __init__(self, executable: str | None = None, width: int = 1280, height: int = 800, timeout: float = 60.0):
        executable = executable or find()
        if executable is None:
            raise FileNotFoundError(f"no Chromium on PATH (looked for {', '.join(CANDIDATES)}); Debian: apt-get install chromium")
        self._profile = tempfile.TemporaryDirectory(prefix="chromium-")
        to_browser, self._write = os.pipe()
        self._read, from_browser = os.pipe()

        def on_fds_3_and_4():  # in the child, before exec: the pipe ends where Chromium expects them
            read, write = fcntl.fcntl(to_browser, fcntl.F_DUPFD, 10), fcntl.fcntl(from_browser, fcntl.F_DUPFD, 10)
            os.dup2(read, 3)
            os.dup2(write, 4)

        flags = [
            "--headless",
            "--remote-debugging-pipe",
            f"--user-data-dir={self._profile.name}",
            f"--window-size={width},{height}",
            "--hide-scrollbars",
            "--no-sandbox",  # root in CI and in containers
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            "--mute-audio",
            "about:blank",
        ]
        self._process = subprocess.Popen(
            [executable, *flags], pass_fds=(3, 4), preexec_fn=on_fds_3_and_4, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        os.close(to_browser)
        os.close(from_browser)
        self._timeout, self._next_id, self._buffer, self._events = timeout, 0, b"", []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self._session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.call("Page.enable", session=True)
        self.call("Emulation.setDeviceMetricsOverride", session=True, width=width, height=height, deviceScaleFactor=1, mobile=False)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        try:
            self._send({"id": 0, "method": "Browser.close"})
            self._process.wait(10)
        except (OSError, subprocess.TimeoutExpired):
            self._process.kill()
            self._process.wait()
        finally:
            os.close(self._write)
            os.close(self._read)
            self._profile.cleanup()

    def _send(self, message: dict) -> None:
        os.write(self._write, json.dumps(message).encode() + b"\0")

    def _receive(self) -> dict:
        while b"\0" not in self._buffer:
            if not select.select([self._read], [], [], self._timeout)[0]:
                raise TimeoutError(f"Chromium said nothing for {self._timeout:.0f} s")
            chunk = os.read(self._read, 1 << 20)
            if not chunk:
                raise ConnectionError(f"Chromium closed the pipe (exit code {self._process.poll()})")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method: str, session: bool = False, **params) -> dict:
        """One DevTools command (on the page's session where ``session``), its result; events that come meanwhile are kept."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self._session
        self._send(message)
        while True:
            reply = self._receive()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
            if "method" in reply:
                self._events.append(reply["method"])

    def open(self, page: str | Path) -> None:
        """Load a local file and wait for its load event (every image and style sheet in)."""
        self._events.clear()
        self.call("Page.navigate", session=True, url=Path(page).resolve().as_uri())
        while "Page.loadEventFired" not in self._events:
            self._events.append(self._receive().get("method"))

    def evaluate(self, expression: str):
        """The value of a JavaScript expression in the page (a promise awaited)."""
        result = self.call("Runtime.evaluate", session=True, expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"JavaScript: {result['exceptionDetails']}")
        return result["result"]["value"]

    def layout(self) -> Layout:
        return Layout(**self.evaluate(LAYOUT))

    def screenshot(self, png: str | Path) -> None:
        """The page's first screen (the viewport, scrolled to the top) as a PNG."""
        self.evaluate("window.scrollTo(0, 0)")
        data = base64.b64decode(self.call("Page.captureScreenshot", session=True, format="png")["data"])
        Path(png).parent.mkdir(parents=True, exist_ok=True)
        Path(png).write_bytes(data)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0].split(": ", 1)[0])
    parser.add_argument("report", help="an HTML page, e.g. results/report/report.html")
    parser.add_argument("png", help="where to write the screenshot of its first screen")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=800)
    args = parser.parse_args(argv)
    with Browser(width=args.width, height=args.height) as browser:
        browser.open(args.report)
        browser.screenshot(args.png)
        layout = browser.layout()
    print(f"wrote {args.png} ({args.width}x{args.height}, the first screen of {args.report})")
    print(f"images: {layout.images}, not loaded: {len(layout.broken)}{': ' + '; '.join(layout.broken) if layout.broken else ''}")
    if layout.scrolls_sideways:
        print(f"scrolls sideways at {args.width} px: {layout.scroll_width} px wide in {layout.client_width}; " + "; ".join(layout.wide))
    else:
        print(f"no sideways scroll at {args.width} px")


if __name__ == "__main__":
    main()
