"""Starts massaged on the simulator in a private runtime/config folder, for the browser
test and the load benchmark. Finds the URL and the token the way massagectl does."""
import json
import os
import signal
import subprocess
import tempfile
import time
import urllib.request


class Service:
    def __init__(self, binary, dead_man=5.0, extra=()):
        self.folder = tempfile.mkdtemp(prefix="massaged-")
        self.env = dict(os.environ)
        self.env["XDG_RUNTIME_DIR"] = os.path.join(self.folder, "run")
        self.env["XDG_CONFIG_HOME"] = os.path.join(self.folder, "config")
        os.makedirs(self.env["XDG_RUNTIME_DIR"], mode=0o700)
        self.log = open(os.path.join(self.folder, "massaged.log"), "w")
        self.process = subprocess.Popen(
            [binary, "--device", "sim", "--port", "0", "--dead-man", str(dead_man),
             "--history", os.path.join(self.folder, "history.sqlite"), *extra],
            env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        description = os.path.join(self.env["XDG_RUNTIME_DIR"], "massage-control", "service.json")
        deadline = time.time() + 60
        while not os.path.exists(description):
            if self.process.poll() is not None or time.time() > deadline:
                raise RuntimeError("massaged did not start: " + open(self.log.name).read())
            time.sleep(0.1)
        time.sleep(0.2)
        with open(description) as f:
            self.url = json.load(f)["url"]
        with open(os.path.join(self.env["XDG_CONFIG_HOME"], "massage-control", "service-token")) as f:
            self.token = f.read().strip()
        self.port = int(self.url.rsplit(":", 1)[1])
        self.wait_connected()

    def request(self, method, path, body=None, client="harness", token=True):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("X-Massage-Client", client)
        if token:
            request.add_header("Authorization", "Bearer " + self.token)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def state(self):
        return self.request("GET", "/api/v1/devices")[1]["devices"][0]

    def wait_connected(self):
        deadline = time.time() + 30
        while not self.state().get("connected"):
            if time.time() > deadline:
                raise RuntimeError("the simulator did not connect")
            time.sleep(0.1)

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        return self.process.returncode
