"""A real browser for the end-to-end tests: Chromium, headless, driven over
the WebDriver protocol by chromedriver (both Debian's), with only Python's
standard library. It reads one command a line on stdin and answers one line
on stdout ("ok ..." or "fail REASON"), so that a test script can act between
two steps (stop a node, then reload):

  open URL              load URL
  login USER PASSWORD   fill Keycloak's login form (#username, #password) and
                        submit it; ok once the page is no longer the form
  logged-in PREFIX TEXT ok when, after the page's own redirects settle, the
                        URL starts with PREFIX, no login form is shown, and
                        the page shows TEXT (any case) within 60 s
  reload                load the current page again
  cookie NAME           ok VALUE of the browser's cookie NAME for this page
  shot FILE             save a screenshot (PNG) to FILE
  quit                  end the browser

Usage: python3 browser.py [--resolve HOST=ADDRESS]... [--secure-origin ORIGIN]...
HOST=ADDRESS makes the browser reach HOST at ADDRESS (the tests' names are in
no DNS); ORIGIN (http://host:port) is treated as a secure context, as https
and localhost are.
"""
import base64
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"


class Driver:
    def __init__(self, resolve, secure):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.profile = tempfile.mkdtemp(prefix="browser-")
        self.process = subprocess.Popen(
            [CHROMEDRIVER, "--port=%d" % self.port, "--allowed-ips=127.0.0.1"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 30
        while True:
            try:
                self.call("GET", "/status")
                break
            except (urllib.error.URLError, ConnectionError):
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
        rules = ",".join("MAP %s %s" % tuple(r.split("=", 1)) for r in resolve)
        args = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,900", "--user-data-dir=" + self.profile,
                "--no-first-run", "--no-default-browser-check"]
        if rules:
            args.append("--host-resolver-rules=" + rules)
        if secure:
            args.append("--unsafely-treat-insecure-origin-as-secure=" + ",".join(secure))
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome", "pageLoadStrategy": "normal",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args}}}}
        self.session = self.call("POST", "/session", caps)["sessionId"]

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (self.port, path), data=data,
                                     method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=120) as r:
                return json.loads(r.read() or b"{}").get("value")
        except urllib.error.HTTPError as e:
            value = json.loads(e.read() or b"{}").get("value", {})
            raise RuntimeError(value.get("message", str(e)).splitlines()[0])

    def s(self, method, path, body=None):
        return self.call(method, "/session/%s%s" % (self.session, path), body)

    def find(self, css):
        found = self.s("POST", "/elements", {"using": "css selector", "value": css})
        return [f[ELEMENT] for f in found]

    def wait_for(self, css, seconds=60):
        deadline = time.time() + seconds
        while time.time() < deadline:
            found = self.find(css)
            if found:
                return found[0]
            time.sleep(0.25)
        return None

    def url(self):
        return self.s("GET", "/url")

    def settle(self, seconds=3.0):
        """Wait until the URL has not changed for `seconds` (the account
        console's own redirects through the login endpoint)."""
        last, since = self.url(), time.time()
        deadline = time.time() + 60
        while time.time() < deadline:
            time.sleep(0.25)
            now = self.url()
            if now != last:
                last, since = now, time.time()
            elif time.time() - since >= seconds:
                break
        return last

    def quit(self):
        try:
            self.s("DELETE", "")
        finally:
            self.process.terminate()
            self.process.wait(10)


def run(driver, words):
    cmd = words[0]
    if cmd == "open":
        driver.s("POST", "/url", {"url": words[1]})
        return "ok " + driver.url()
    if cmd == "login":
        user = driver.wait_for("#username")
        if not user:
            return "fail no login form at " + driver.url()
        driver.s("POST", "/element/%s/value" % user, {"text": words[1]})
        password = driver.find("#password")[0]
        driver.s("POST", "/element/%s/value" % password, {"text": words[2]})
        driver.s("POST", "/element/%s/click" % driver.find("#kc-login")[0], {})
        deadline = time.time() + 60
        while time.time() < deadline:
            if not driver.find("#kc-form-login"):
                return "ok " + driver.settle()
            error = driver.find("#input-error, .kc-feedback-text, .pf-m-danger")
            if error:
                text = driver.s("GET", "/element/%s/text" % error[0])
                return "fail the login form says: " + " ".join(text.split())
            time.sleep(0.25)
        return "fail still on the login form after 60 s"
    if cmd == "logged-in":
        url = driver.settle()
        if driver.find("#kc-form-login"):
            return "fail the login form is shown at " + url
        if not url.startswith(words[1]):
            return "fail at " + url
        want = " ".join(words[2:]).lower()
        deadline = time.time() + 60
        while True:
            text = driver.s("POST", "/execute/sync",
                            {"script": "return document.body.innerText", "args": []}) or ""
            if want in text.lower():
                return "ok " + url
            if time.time() > deadline:
                return "fail no %r on the page at %s: %s" % (want, url, " ".join(text.split())[:200])
            time.sleep(0.5)
    if cmd == "reload":
        driver.s("POST", "/refresh", {})
        return "ok " + driver.url()
    if cmd == "cookie":
        for c in driver.s("GET", "/cookie"):
            if c["name"] == words[1]:
                return "ok " + c["value"]
        return "fail no cookie " + words[1]
    if cmd == "shot":
        with open(words[1], "wb") as f:
            f.write(base64.b64decode(driver.s("GET", "/screenshot")))
        return "ok " + words[1]
    return "fail unknown command " + cmd


def main():
    options = {"--resolve": [], "--secure-origin": []}
    args = sys.argv[1:]
    while args and args[0] in options:
        options[args[0]].append(args[1])
        args = args[2:]
    driver = Driver(options["--resolve"], options["--secure-origin"])
    try:
        for line in sys.stdin:
            words = line.split()
            if not words:
                continue
            if words[0] == "quit":
                break
            try:
                answer = run(driver, words)
            except (RuntimeError, urllib.error.URLError, OSError, IndexError) as e:
                answer = "fail %s: %s" % (words[0], e)
            print(answer, flush=True)
    finally:
        driver.quit()


main()
