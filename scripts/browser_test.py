#!/usr/bin/env python3
"""The dashboard in a real browser (Debian's chromium + chromium-driver, Selenium from
PyPI), against massaged on the simulator:
  open the dashboard; start a program and see the motor bars move; change the intensity
  and see the device's outputs follow; stop and see every output at 0 and the history
  row; screenshots kept as artifacts; a page from another origin tries the WebSocket and
  the API (with the token, as if it had leaked) and both are refused.
Also the dead-man switch with a real client process killed mid-program.
Usage: scripts/browser_test.py PATH/TO/massaged ARTIFACT_FOLDER"""
import http.server
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service as DriverService
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

sys.path.insert(0, os.path.dirname(__file__))
from service_harness import Service  # noqa: E402

passed = []
failed = []


def check(name, condition, detail=""):
    (passed if condition else failed).append(name)
    print(("ok   " if condition else "FAIL ") + name + ("" if condition else ": " + str(detail)), flush=True)


def motor_values(driver):
    return [int(e.get_attribute("data-value") or 0) for e in driver.find_elements(By.CSS_SELECTOR, "#motors .fill")]


def wait(driver, seconds, condition):
    try:
        return WebDriverWait(driver, seconds, poll_frequency=0.1).until(lambda d: condition(d))
    except Exception:
        return None


def browser(width, height):
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", f"--window-size={width},{height}"]:
        options.add_argument(argument)
    return webdriver.Chrome(service=DriverService("/usr/bin/chromedriver"), options=options)


def dashboard_test(service, artifacts):
    driver = browser(390, 844)   # a phone-sized screen
    try:
        driver.get(f"{service.url}/#token={service.token}")
        check("dashboard loads and shows the device", wait(driver, 20, lambda d: len(motor_values(d)) > 0) is not None)
        check("the token left the address bar", "token" not in driver.current_url, driver.current_url)
        wait(driver, 10, lambda d: len(Select(d.find_element(By.ID, "program-select")).options) > 0)
        Select(driver.find_element(By.ID, "program-select")).select_by_value("swedish")
        driver.find_element(By.ID, "start").click()
        seen = set()
        deadline = time.time() + 15
        while time.time() < deadline and len(seen) < 4:
            values = motor_values(driver)
            if any(values):
                seen.add(tuple(values))
            time.sleep(0.1)
        check("the motor bars move", len(seen) >= 4, seen)
        check("the surface temperature is shown", driver.find_element(By.ID, "temperature").text.endswith("°C"),
              driver.find_element(By.ID, "temperature").text)
        driver.save_screenshot(os.path.join(artifacts, "dashboard-phone-running.png"))

        # Intensity to 20 %: the device's own reported outputs follow (≤ 20 % of 1000).
        driver.execute_script("const s = document.getElementById('intensity'); s.value = 20; s.dispatchEvent(new Event('change'));")
        followed = wait(driver, 10, lambda d: service.state().get("run", {}).get("intensity") == 20)
        time.sleep(1.5)   # the slew limit ramps down
        highest = 0
        for _ in range(10):
            highest = max([highest] + service.state()["outputs"] + motor_values(driver))
            time.sleep(0.1)
        check("intensity 20 %: the device's outputs follow (all ≤ 200)", followed is not None and highest <= 200, highest)

        driver.find_element(By.ID, "pause").click()
        check("pause shows paused", wait(driver, 10, lambda d: d.find_element(By.ID, "run-line").get_attribute("data-state") == "paused") is not None)
        driver.find_element(By.ID, "resume").click()
        check("resume shows running", wait(driver, 10, lambda d: d.find_element(By.ID, "run-line").get_attribute("data-state") == "running") is not None)
        resumed_at = time.time()

        # The page's WebSocket pings (its hello carried the token) keep it present: its
        # run outlives the dead-man time (5 s) after the page's last request (resume).
        time.sleep(max(0, resumed_at + 6.5 - time.time()))
        run = service.state().get("run") or {}
        check("the page's run outlives the dead-man time while the page is open", run.get("state") == "running", service.state())

        driver.find_element(By.ID, "stop").click()
        stopped = wait(driver, 15, lambda d: d.find_element(By.ID, "run-line").get_attribute("data-state") == "idle"
                       and all(v == 0 for v in motor_values(d)))
        check("stop: every output at 0 on the page", stopped is not None, motor_values(driver))
        check("stop: every output at 0 on the device", all(v == 0 for v in service.state()["outputs"]), service.state()["outputs"])
        rows_script = "return [...document.querySelectorAll('#history .history-row')].map((r) => r.textContent)"
        row = wait(driver, 15, lambda d: [t for t in d.execute_script(rows_script) if "swedish" in t and "stopped" in t])
        check("the history row appears", bool(row), driver.execute_script(rows_script))
        check("the last run says the device acknowledged Stop", "acknowledged" in driver.find_element(By.ID, "run-line").text,
              driver.find_element(By.ID, "run-line").text)
        driver.save_screenshot(os.path.join(artifacts, "dashboard-phone-stopped.png"))
        driver.set_window_size(1200, 900)
        driver.save_screenshot(os.path.join(artifacts, "dashboard-desktop.png"))
        overflow = driver.execute_script("return document.documentElement.scrollWidth > window.innerWidth")
        driver.set_window_size(390, 844)
        time.sleep(0.3)
        check("no sideways scrolling on a phone-sized screen",
              not driver.execute_script("return document.documentElement.scrollWidth > window.innerWidth"), overflow)
    finally:
        driver.quit()


def mat_test(service, artifacts):
    """The mat's zone map and a mat session toward today's goal, from the page."""
    driver = browser(390, 844)
    try:
        driver.get(f"{service.url}/#token={service.token}")
        zones = wait(driver, 20, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#mat-zones .zone")) == 16)
        check("the mat's 16 zones are drawn", zones is not None, len(driver.find_elements(By.CSS_SELECTOR, "#mat-zones .zone")))
        wait(driver, 10, lambda d: d.find_element(By.ID, "mat-start").is_enabled())
        driver.find_element(By.ID, "mat-start").click()
        line = lambda d: d.find_element(By.ID, "mat-session-line")
        running = wait(driver, 15, lambda d: line(d).get_attribute("data-state") == "running" and "0:02" <= line(d).text.split(": ", 1)[1][:4])
        check("a mat session runs on the page", running is not None, line(driver).text)
        check("the goal line counts today's mat time", "today on the mat" in driver.find_element(By.ID, "mat-goal").text,
              driver.find_element(By.ID, "mat-goal").text)
        driver.save_screenshot(os.path.join(artifacts, "dashboard-phone-mat.png"))
        driver.find_element(By.ID, "mat-end").click()
        ended = wait(driver, 15, lambda d: line(d).get_attribute("data-state") == "ended")
        check("ending it shows how it ended", ended is not None and "ended by dashboard" in line(driver).text, line(driver).text)
        rows_script = "return [...document.querySelectorAll('#history .history-row')].map((r) => r.textContent)"
        row = wait(driver, 15, lambda d: [t for t in d.execute_script(rows_script) if t and "mat" in t and "ended by dashboard" in t])
        check("the mat session's history row appears", bool(row), driver.execute_script(rows_script))
    finally:
        driver.quit()


FOREIGN_PAGE = """<!doctype html><title>foreign</title><pre id="out"></pre><script>
const target = "%(url)s", token = "%(token)s";
const out = {};
function done() { document.getElementById("out").textContent = JSON.stringify(out); }
const ws = new WebSocket(target.replace("http", "ws") + "/api/v1/stream");
ws.onopen = () => { out.ws = "open"; done(); };
ws.onmessage = (e) => { out.wsMessage = e.data.slice(0, 40); done(); };
ws.onclose = () => { if (!out.ws) out.ws = "refused"; done(); };
fetch(target + "/api/v1/devices/sim/stop", { method: "POST", headers: { "Authorization": "Bearer " + token } })
  .then((r) => { out.post = "status " + r.status; done(); }).catch((e) => { out.post = "blocked"; done(); });
fetch(target + "/api/v1/devices/sim/stop", { method: "POST", mode: "no-cors", body: "x" })
  .then((r) => { out.simplePost = "sent"; done(); }).catch((e) => { out.simplePost = "blocked"; done(); });
fetch(target + "/api/v1/devices").then((r) => r.text()).then((t) => { out.read = t.slice(0, 40); done(); })
  .catch((e) => { out.read = "blocked"; done(); });
</script>"""


def foreign_origin_test(service, artifacts):
    page = (FOREIGN_PAGE % {"url": service.url, "token": service.token}).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    status, _ = service.request("POST", "/api/v1/devices/sim/start", {"program": "swedish", "detached": True}, client="owner")
    check("a run for the foreign page to try to stop", status == 200, status)
    driver = browser(800, 600)
    try:
        driver.get(f"http://127.0.0.1:{server.server_port}/")
        result = wait(driver, 15, lambda d: (lambda o: o if {"ws", "post", "simplePost", "read"} <= o.keys() else None)(
            json.loads(d.find_element(By.ID, "out").text or "{}")))
        result = result or json.loads(driver.find_element(By.ID, "out").text or "{}")
        print("foreign page saw:", result, flush=True)
        driver.save_screenshot(os.path.join(artifacts, "foreign-origin.png"))
        check("the foreign page's WebSocket is refused", result.get("ws") == "refused" and "wsMessage" not in result, result)
        check("the foreign page cannot read the API", result.get("read") == "blocked", result)
        check("the foreign page's API calls change nothing (the run goes on)", service.state().get("run") is not None, service.state())
    finally:
        driver.quit()
        server.shutdown()
    service.request("POST", "/api/v1/devices/sim/stop", client="owner")
    deadline = time.time() + 10
    while service.state().get("run") and time.time() < deadline:
        time.sleep(0.1)
    log = open(service.log.name).read()
    check("the service logged no refused request as served", "evil" not in log)


DEAD_MAN_CLIENT = """
import json, sys, time, urllib.request
url, token = sys.argv[1], sys.argv[2]
req = urllib.request.Request(url + "/api/v1/devices/sim/start", data=json.dumps({"program": "swedish"}).encode(), method="POST")
req.add_header("Authorization", "Bearer " + token); req.add_header("X-Massage-Client", "doomed"); req.add_header("Content-Type", "application/json")
urllib.request.urlopen(req, timeout=10)
print("started", flush=True)
while True:  # present through requests with the token (only they count), until killed
    r = urllib.request.Request(url + "/api/v1/devices"); r.add_header("X-Massage-Client", "doomed")
    r.add_header("Authorization", "Bearer " + token)
    urllib.request.urlopen(r, timeout=10).read(); time.sleep(0.5)
"""


def dead_man_test(binary):
    service = Service(binary, dead_man=2.0)
    try:
        client = subprocess.Popen([sys.executable, "-c", DEAD_MAN_CLIENT, service.url, service.token], stdout=subprocess.PIPE, text=True)
        check("the controlling client started a run", client.stdout.readline().strip() == "started")
        time.sleep(3)
        check("the run goes on while its controller is there", service.state().get("run") is not None, service.state())
        client.kill()
        killed_at = time.time()
        while service.state().get("run") and time.time() < killed_at + 10:
            time.sleep(0.05)
        stopped_after = time.time() - killed_at
        state = service.state()
        check(f"the run stops within the dead-man time (2 s + a round): {stopped_after:.2f} s", state.get("run") is None and stopped_after < 3.5, stopped_after)
        last = state.get("last_run") or {}
        check("the note names the dead-man switch", "dead-man" in last.get("note", ""), last)
        check("the device acknowledged Stop", "acknowledged" in last.get("stop", ""), last)
        # The Status after the acknowledged Stop (one status period, 100 ms) shows the outputs.
        deadline = time.time() + 2
        while any(service.state()["outputs"]) and time.time() < deadline:
            time.sleep(0.05)
        check("every output at 0", all(v == 0 for v in service.state()["outputs"]), service.state()["outputs"])
    finally:
        code = service.stop()
        check("SIGTERM ends the service cleanly", code == 0, code)


def late_device_test(binary):
    """A device absent when the service starts is connected once it appears."""
    massagectl = os.path.join(os.path.dirname(binary), "massagectl")
    folder = tempfile.mkdtemp(prefix="massaged-late-")
    sock = os.path.join(folder, "late.sock")
    service = Service(binary, extra=("--device", "unix:" + sock))
    simulator = None
    try:
        late = lambda: service.request("GET", "/api/v1/devices")[1]["devices"][1]
        check("a device absent at the start is listed with its error", not late().get("connected") and late().get("error"), late())
        simulator = subprocess.Popen([massagectl, "simulate", "--listen", "unix:" + sock, "--quiet"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        appeared = time.time()
        while not late().get("connected") and time.time() < appeared + 20:
            time.sleep(0.2)
        check(f"it is connected once it appears (the service tries every 5 s): {time.time() - appeared:.1f} s",
              late().get("connected") is True, late())
    finally:
        if simulator:
            simulator.send_signal(signal.SIGINT)
            simulator.wait(timeout=10)
        code = service.stop()
        check("SIGTERM ends the service cleanly", code == 0, code)


def sqlite_rows(path):
    """(kind, outcome, note, endedAt) of every history row, read the way any SQLite reader would."""
    import sqlite3
    with sqlite3.connect(path) as db:
        return db.execute("SELECT kind, outcome, note, endedAt FROM session").fetchall()


def main():
    binary, artifacts = sys.argv[1], sys.argv[2]
    os.makedirs(artifacts, exist_ok=True)
    service = Service(binary, dead_man=5.0, extra=("--device", "sim:mat-16"))
    try:
        dashboard_test(service, artifacts)
        mat_test(service, artifacts)
        foreign_origin_test(service, artifacts)
        # SIGTERM with a program playing and a mat session running: each device acks Stop.
        started = service.request("POST", "/api/v1/devices/sim/start", {"program": "swedish"})
        check("a program plays when SIGTERM comes", started[0] == 200, started)
        matted = service.request("POST", "/api/v1/devices/sim:mat-16/mat-session/start", {})
        check("a mat session runs when SIGTERM comes", matted[0] == 200, matted)
        time.sleep(0.5)
    finally:
        code = service.stop()
        check("SIGTERM ends the service cleanly", code == 0, code)
    log = open(service.log.name).read()
    for device in ("sim", "sim:mat-16"):
        check(f"on SIGTERM, {device} acknowledged Stop", f"shut down: {device}: Stop acknowledged" in log, log[-600:])
    rows = sqlite_rows(os.path.join(service.folder, "history.sqlite"))
    check("the run's history row is finished: stopped by the shutdown",
          any(r[0] == "program" and r[1] == "stopped" and r[2] == "stopped: the service shut down" and r[3] for r in rows), rows)
    check("the mat session's row is finished", any(r[0] == "mat" and r[2] == "ended: the service shut down" and r[3] for r in rows), rows)
    dead_man_test(binary)
    late_device_test(binary)
    print(f"{len(passed)} passed, {len(failed)} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
