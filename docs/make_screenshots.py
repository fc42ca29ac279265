"""Screenshots of the main pages at a phone and a desktop width (`make screenshots`).

Serves the demo site from a throwaway SQLite database, drives Debian's Chromium
with Playwright, and writes PNGs into screenshots/ (not committed). With
--docs, it also refreshes the small pictures in docs/ that the README shows.
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WIDTHS = {"phone": (375, 812), "desktop": (1280, 900)}
PAGES = {
    "home": "/",
    "articles": "/articles/",
    "article": "/articles/when-your-partner-says-no-to-couples-therapy/",
    "request": "/request/?journey=couples&readiness=not_asked",
    "team": "/team/",
    "profile": "/team/maya-okafor/",
    "fees": "/fees/",
    "contact": "/contact/",
}
# (page, width) pairs copied to docs/ for the README, kept small.
DOCS = [
    ("home", "desktop"),
    ("article", "phone"),
    ("request", "phone"),
    ("team", "desktop"),
    ("profile", "phone"),
    ("fees", "desktop"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", action="store_true", help="also refresh docs/*.png")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    out = ROOT / "screenshots"
    out.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DJANGO_DEBUG": "1",
            "DATABASE_URL": f"sqlite:///{tmp}/screenshots.sqlite3",
        }
        python = sys.executable
        for command in (["migrate", "--no-input", "-v0"], ["load_demo_content"]):
            subprocess.run([python, "manage.py", *command], cwd=ROOT, env=env, check=True)
        port = free_port()
        server = subprocess.Popen(
            [python, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(base + "/healthz", timeout=1)
                    break
                except OSError:
                    time.sleep(0.1)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                for width_name, (width, height) in WIDTHS.items():
                    context = browser.new_context(viewport={"width": width, "height": height})
                    page = context.new_page()
                    for name, path in PAGES.items():
                        page.goto(base + path)
                        target = out / f"{name}-{width_name}.png"
                        page.screenshot(path=target)
                        print(target.relative_to(ROOT))
                        if args.docs and (name, width_name) in DOCS:
                            docs_target = ROOT / "docs" / f"{name}-{width_name}.png"
                            page.screenshot(path=docs_target)
                            print(docs_target.relative_to(ROOT))
                    context.close()
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
