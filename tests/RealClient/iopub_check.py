#!/usr/bin/python3
"""The plotly.js loader and a chart reach a client through a running Jupyter server, within its IOPub limits.

    /usr/bin/python3 tests/RealClient/iopub_check.py [--feed artifacts/feed] [--keep-log]

Starts a Jupyter server (`python3 -m jupyter_server`) on 127.0.0.1 (a free port, a random token, the root directory artifacts/tmp/iopub inside the
repository so that the kernel finds the repository's local dotnet-interactive tool), with the IOPub limits set
explicitly to Jupyter's defaults (1 MB/s of data and 1000 messages/s, averaged over a 3 s window). Through the REST
API it starts a .net-csharp kernel, connects to the kernel's websocket channels (tornado) as a browser does, and
executes:
  1. the tour's loading cell (#i the feed, #r Torchlet.Interactive at the feed's version): the banner and the
     plotly.js loader must arrive, and the loader must carry plotly.js whole (its base64 unpacks with gzip to the
     script Plotly.NET carries, beginning "/**\\n* plotly.js v");
  2. a chart cell (Charts.Activations): its HTML must arrive and call Plotly.newPlot once the loader is ready;
  3. a live training view (Live.Training): displayed, then updated in place (update_display_data).
No message may say "IOPub data rate exceeded" or "IOPub message rate exceeded", no cell may fail, and the loader's
message must stay below what the limit lets through in one window (limit × window = 3 MB), so that even a server
that counted every output byte (Jupyter Notebook before 5.1 did; later servers count stream output only) would
pass it.

Needs Debian's jupyter_server and tornado (python3-jupyter-server), the .net-csharp kernel registered
(`dotnet tool run dotnet-interactive -- jupyter install`, run inside the repository) and the packages in the feed
(./build.sh --target=Pack). Exit status 0 when it all holds, 1 with the failures, 2 when it cannot run. About 30 s.
"""
import argparse
import base64
import datetime
import gzip
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

try:
    from tornado import gen, ioloop
    from tornado.websocket import websocket_connect
except ImportError:
    print("iopub_check: needs tornado (Debian: apt-get install -y python3-jupyter-server); run it with /usr/bin/python3", file=sys.stderr)
    sys.exit(2)

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DATA_RATE_LIMIT = 1_000_000     # bytes/s, Jupyter's default
MSG_RATE_LIMIT = 1000           # messages/s, Jupyter's default
WINDOW = 3.0                    # s, Jupyter's default
RATE_WARNINGS = ("IOPub data rate exceeded", "IOPub message rate exceeded")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, root, log_path):
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(log_path, "w")
        # python -m jupyter_server: Debian's python3-jupyter-server installs no jupyter-server command.
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyter_server", "--no-browser"] + (["--allow-root"] if os.geteuid() == 0 else []) + [ "--ip=127.0.0.1", f"--port={self.port}", "--port-retries=0",
             f"--ServerApp.token={self.token}", f"--ServerApp.root_dir={root}",
             f"--ServerApp.iopub_data_rate_limit={DATA_RATE_LIMIT}", f"--ServerApp.iopub_msg_rate_limit={MSG_RATE_LIMIT}",
             f"--ServerApp.rate_limit_window={WINDOW}"],
            cwd=root, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def api(self, method, path, body=None):
        req = urllib.request.Request(self.base + path, method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as r:
            data = r.read()
            return json.loads(data) if data else None

    def wait_ready(self, timeout=60):
        end = time.time() + timeout
        while time.time() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter server exited with {self.proc.returncode}; see {self.log.name}")
            try:
                return self.api("GET", "/api/status")
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.3)
        raise RuntimeError(f"jupyter server did not answer within {timeout} s; see {self.log.name}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def message(code, session):
    return {
        "header": {"msg_id": uuid.uuid4().hex, "msg_type": "execute_request", "username": "iopub_check",
                   "session": session, "date": datetime.datetime.now(datetime.timezone.utc).isoformat(), "version": "5.3"},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                    "allow_stdin": False, "stop_on_error": True},
    }


async def execute(ws, code, session, timeout):
    """Sends one execute_request; returns every message answering it (iopub and shell), with their wire sizes."""
    msg = message(code, session)
    await ws.write_message(json.dumps(msg))
    got, replied, idle = [], False, False
    end = time.time() + timeout
    while not (replied and idle):
        left = end - time.time()
        if left <= 0:
            raise TimeoutError(f"no execute_reply and idle status within {timeout} s for: {code[:80]!r}")
        raw = await _read(ws, left)
        if raw is None:
            raise ConnectionError("the kernel's websocket closed")
        m = json.loads(raw)
        if m.get("parent_header", {}).get("msg_id") != msg["header"]["msg_id"]:
            # Rate-limit warnings are written with the parent of the message that tripped them; keep any stray one too.
            if any(w in raw for w in RATE_WARNINGS):
                got.append((len(raw), m))
            continue
        got.append((len(raw), m))
        t = m["header"]["msg_type"]
        if m.get("channel") == "shell" and t == "execute_reply":
            replied = True
        if t == "status" and m["content"].get("execution_state") == "idle":
            idle = True
    return got


async def _read(ws, timeout):
    return await gen.with_timeout(datetime.timedelta(seconds=timeout), ws.read_message())


def html_of(m):
    data = m.get("content", {}).get("data", {})
    h = data.get("text/html", "")
    return "".join(h) if isinstance(h, list) else h


async def run_checks(server, kernel_id, feed, version, failures, report, flood=False):
    url = f"ws://127.0.0.1:{server.port}/api/kernels/{kernel_id}/channels?token={server.token}"
    ws = await websocket_connect(url, max_message_size=64 * 1024 * 1024)
    session = uuid.uuid4().hex
    cells = [
        ("load", f'#i "nuget:{feed}"\n#r "nuget:Torchlet.Interactive, {version}"', 600),
        ("chart", 'using Torchlet.Interactive;\nCharts.Activations("ReLU", "Tanh")', 120),
        ("live", 'var live = Live.Training("loss");\nlive.Interval = TimeSpan.Zero; live.Epochs = 3; live.BatchesPerEpoch = 2;\n'
                 'for (int e = 0; e < 3; e++) for (int b = 0; b < 2; b++) live.Report(e, b, 1.0 / (1 + 2 * e + b));', 120),
    ]
    if flood:
        # The detector's own check: 4 MB of stdout (stream output, which the server does count) must trip the limit.
        cells.append(("flood", 'Console.Out.Write(new string(\'x\', 4_000_000)); Console.Out.Flush();', 120))
    for name, code, timeout in cells:
        t0 = time.time()
        got = await execute(ws, code, session, timeout)
        took = time.time() - t0
        kinds = [m["header"]["msg_type"] for _, m in got]
        report.append(f"cell '{name}': {len(got)} messages in {took:.1f} s ({', '.join(sorted(set(kinds)))})")
        warned = [w for _, m in got for w in RATE_WARNINGS if w in json.dumps(m.get("content", {}))]
        if name == "flood":
            if "IOPub data rate exceeded" in warned:
                report.append("flood: 4 MB of stdout made the server say \"IOPub data rate exceeded\", as it should: the detector works")
            else:
                failures.append("cell 'flood': 4 MB of stdout did not make the server say \"IOPub data rate exceeded\": the detector is blind")
            continue
        for w in warned:
            failures.append(f"cell '{name}': the server said \"{w}\"")
        for size, m in got:
            if m["header"]["msg_type"] == "error":
                failures.append(f"cell '{name}' failed: {m['content'].get('ename')}: {m['content'].get('evalue', '')[:300]}")
        reply = next((m for _, m in got if m["header"]["msg_type"] == "execute_reply"), None)
        if reply and reply["content"].get("status") != "ok":
            failures.append(f"cell '{name}': execute_reply status {reply['content'].get('status')}")
        shown = [(size, m) for size, m in got if m["header"]["msg_type"] in ("display_data", "execute_result", "update_display_data")]

        if name == "load":
            loaders = [(size, m) for size, m in shown if "torchlet-plotly-loader" in html_of(m)]
            if not any("Torchlet " in html_of(m) and "loaded" in html_of(m) for _, m in shown):
                failures.append("cell 'load': no banner arrived")
            if len(loaders) != 1:
                failures.append(f"cell 'load': {len(loaders)} plotly.js loader outputs arrived, expected 1")
                continue
            size, m = loaders[0]
            h = html_of(m)
            b64 = re.search(r'var b64 = "([A-Za-z0-9+/=]+)";', h)
            if not b64:
                failures.append("cell 'load': the loader output carries no packed script")
                continue
            script = gzip.decompress(base64.b64decode(b64.group(1)))
            if not script.startswith(b"/**\n* plotly.js v"):
                failures.append(f"cell 'load': the packed script does not unpack to plotly.js (begins {script[:40]!r})")
            report.append(f"loader: {size:,} bytes on the websocket ({len(b64.group(1)):,} characters of base64), "
                          f"unpacking to {len(script):,} bytes of plotly.js {re.search(rb'plotly.js v([0-9.]+)', script[:100]).group(1).decode()}")
            if size >= DATA_RATE_LIMIT * WINDOW:
                failures.append(f"cell 'load': the loader's message ({size:,} bytes) is not below limit × window ({DATA_RATE_LIMIT * WINDOW:,.0f} bytes)")
        elif name == "chart":
            charts = [m for _, m in shown if "Plotly.newPlot" in html_of(m)]
            if not charts:
                failures.append("cell 'chart': no chart output arrived")
            elif not all("s.ready.then(" in html_of(m) for m in charts):
                failures.append("cell 'chart': the chart does not wait for the embedded plotly.js")
            else:
                report.append(f"chart: {len(html_of(charts[0])):,} characters of HTML, {html_of(charts[0]).count('Plotly.newPlot(')} Plotly.newPlot call(s)")
        elif name == "live":
            first = [m for _, m in shown if m["header"]["msg_type"] == "display_data" and "Plotly.newPlot" in html_of(m)]
            updates = [m for _, m in shown if m["header"]["msg_type"] == "update_display_data" and "Plotly.newPlot" in html_of(m)]
            if not first or not updates:
                failures.append(f"cell 'live': expected a display and updates in place, got {len(first)} display(s) and {len(updates)} update(s)")
            else:
                report.append(f"live: 1 display, {len(updates)} updates in place; last: "
                              + re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html_of(updates[-1]).split("var renderPlotly")[0])).strip()[:120])
    ws.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--feed", default=os.path.join(REPO, "artifacts", "feed"), help="the local feed (default artifacts/feed)")
    ap.add_argument("--keep-log", action="store_true", help="keep the server's log on success too")
    ap.add_argument("--flood", action="store_true",
                    help="also check the check: a last cell writes 4 MB to stdout, which must trip the server's data rate limit")
    args = ap.parse_args()
    feed = os.path.abspath(args.feed)
    try:
        version = open(os.path.join(feed, "version.txt")).read().strip()
    except OSError:
        print(f"iopub_check: no {feed}/version.txt: run ./build.sh --target=Pack first", file=sys.stderr)
        return 2
    root = os.path.join(REPO, "artifacts", "tmp", "iopub")
    os.makedirs(root, exist_ok=True)
    log_path = os.path.join(REPO, "artifacts", "logs", "iopub-check.server.log")
    os.makedirs(os.path.dirname(log_path), exist_ok=True)

    started = time.time()
    server = Server(root, log_path)
    failures, report = [], []
    kernel_id = None
    try:
        server.wait_ready()
        status = server.api("GET", "/api")
        specs = server.api("GET", "/api/kernelspecs")["kernelspecs"]
        if ".net-csharp" not in specs:
            print("iopub_check: the .net-csharp kernel is not registered with Jupyter: run "
                  "`dotnet tool run dotnet-interactive -- jupyter install` inside the repository", file=sys.stderr)
            return 2
        report.append(f"jupyter server {status.get('version', '?') if isinstance(status, dict) else '?'} on 127.0.0.1:{server.port}; "
                      f"iopub_data_rate_limit {DATA_RATE_LIMIT:,} B/s, iopub_msg_rate_limit {MSG_RATE_LIMIT}/s, rate_limit_window {WINDOW} s")
        kernel_id = server.api("POST", "/api/kernels", {"name": ".net-csharp"})["id"]
        ioloop.IOLoop.current().run_sync(lambda: run_checks(server, kernel_id, feed, version, failures, report, args.flood), timeout=900)
    except Exception as e:   # noqa: BLE001 - any failure of the run is reported as such
        failures.append(f"{type(e).__name__}: {e}")
    finally:
        if kernel_id:
            try:
                server.api("DELETE", f"/api/kernels/{kernel_id}")
            except Exception:   # noqa: BLE001
                pass
        server.stop()
    server_log = open(log_path, errors="replace").read()
    for w in RATE_WARNINGS:
        if w in server_log and not args.flood:
            failures.append(f"the server's log says \"{w}\" ({log_path})")
    for line in report:
        print("  " + line)
    took = time.time() - started
    if failures:
        print(f"iopub_check: {len(failures)} problem(s) in {took:.0f} s (server log: {log_path}):", file=sys.stderr)
        for f in failures:
            print("  " + f, file=sys.stderr)
        return 1
    if not args.keep_log:
        os.remove(log_path)
    print(f"iopub_check: the loader, a chart and a live view arrived through jupyter server without a rate-limit message, in {took:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
