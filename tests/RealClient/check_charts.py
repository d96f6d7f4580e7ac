#!/usr/bin/env python3
"""Every Plotly chart of an executed notebook's HTML draws in headless Chromium with no network.

    python3 tests/RealClient/check_charts.py artifacts/notebooks/00-tour.html \
        [--scenarios] [--screenshot artifacts/notebooks/00-tour.png] [--notebook artifacts/notebooks/00-tour.ipynb]

The HTML is what `jupyter nbconvert --to html` makes of the executed notebook (the build's Notebooks target writes
artifacts/notebooks/00-tour.html). Chromium opens it in a network namespace of its own (`unshare -n`: no network at
all; where that is not allowed, a dead proxy and a resolver that finds no host), runs its scripts for 30 s of virtual
time and dumps the DOM. A drawn Plotly chart holds `main-svg` layers; a chart with none is blank, and is named:
its cell's prompt, its place in the cell, its title and its traces. The outputs Torchlet.Interactive wrote (the
plotly.js loader and every chart) must not refer to anything on the network, and the loader must report "ready".

--scenarios also builds small pages from the executed notebook's own outputs (the loader and two chart outputs, read
from the .ipynb next to the HTML or --notebook) and checks the cases a page can be in: a chart before the loader
(cells re-run out of order), two loaders (the extension loaded twice), a page with require.js's AMD `define` (classic
Jupyter, nbconvert's template online), a chart replaced by a live update before and after plotly.js is ready, and a
chart with no loader on the page (it stays blank and says what is missing).

Exit status 0 when everything holds; 1 with one line per failure; 2 when the check cannot run (no Chromium, no
chart found). Standard library only; about 5 s for the tour, 25 s with --scenarios.
"""
import argparse
import html
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

CHART_DIV = re.compile(r'<div id="([^"]+)"><!-- Plotly chart will be drawn inside this DIV -->')
PROMPT = re.compile(r'In&nbsp;\[(\d*)\]:')
NETWORK = re.compile(r'https?://|<script[^>]*\ssrc\s*=|cdn\.|requirejs', re.IGNORECASE)
VIRTUAL_TIME_MS = 30000


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


_unshare = None


def offline_prefix():
    """`unshare -n` (a network namespace with nothing in it) where this process may create one."""
    global _unshare
    if _unshare is None:
        _unshare = False
        if shutil.which("unshare"):
            try:
                _unshare = subprocess.run(["unshare", "-n", "true"], capture_output=True, timeout=10).returncode == 0
            except (OSError, subprocess.TimeoutExpired):
                _unshare = False
    return ["unshare", "-n"] if _unshare else []


def chromium(browser, url, *extra):
    """Runs headless Chromium on url with no network; returns its stdout (the DOM with --dump-dom)."""
    args = offline_prefix() + [
        browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--mute-audio",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        # Belt and braces where unshare is not allowed: every request goes to a dead proxy, and no host resolves.
        "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>", "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--virtual-time-budget={VIRTUAL_TIME_MS}", *extra, url]
    run = subprocess.run(args, capture_output=True, text=True, timeout=300)
    if run.returncode != 0:
        raise RuntimeError(f"chromium exited with {run.returncode}: {run.stderr[-2000:]}")
    return run.stdout


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class DomScan(html.parser.HTMLParser):
    """Counts the elements with class main-svg inside each element whose id is in `ids`, and collects loader texts
    and the scripts that define plotly.js."""

    def __init__(self, ids):
        super().__init__(convert_charrefs=True)
        self.ids = set(ids)
        self.counts = {i: 0 for i in ids}
        self.stack = []            # (tag, chart id or None)
        self.loader_depth = None
        self.loader_texts = []
        self.missing_notes = 0
        self.plotly_scripts = 0
        self.in_script = False
        self.script_text = []
        self.errors = None
        self.html_attrs = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.html_attrs = a
            self.errors = a.get("data-errors")
        classes = (a.get("class") or "").split()
        if "main-svg" in classes:
            for _, chart in self.stack:
                if chart:
                    self.counts[chart] += 1
        if "torchlet-plotly-missing" in classes:
            self.missing_notes += 1
        if tag in VOID:
            return
        chart = a.get("id") if a.get("id") in self.ids else None
        self.stack.append((tag, chart))
        if "torchlet-plotly-loader" in classes:
            self.loader_depth = len(self.stack)
            self.loader_texts.append("")
        if tag == "script":
            self.in_script, self.script_text = True, []

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag == "script" and self.in_script:
            self.in_script = False
            if "".join(self.script_text).lstrip().startswith("(function (define, module, exports, require)"):
                self.plotly_scripts += 1
        for k in range(len(self.stack) - 1, -1, -1):
            if self.stack[k][0] == tag:
                del self.stack[k:]
                break
        if self.loader_depth is not None and len(self.stack) < self.loader_depth:
            self.loader_depth = None

    def handle_data(self, data):
        if self.in_script:
            self.script_text.append(data[:200])
            return
        if self.loader_depth is not None:
            self.loader_texts[-1] += data


def scan(dom, ids):
    s = DomScan(ids)
    s.feed(dom)
    s.close()
    return s


def charts_in(source):
    """(id, description, its own markup) of every Plotly.NET chart div in the nbconvert HTML, in page order."""
    charts, per_cell = [], {}
    for m in CHART_DIV.finditer(source):
        chart_id = m.group(1)
        prompts = PROMPT.findall(source, 0, m.start())
        cell = f"In [{prompts[-1]}]" if prompts else "before the first cell"
        per_cell[cell] = per_cell.get(cell, 0) + 1
        end = source.find("</script>", m.end())
        own = source[m.start(): end if end > 0 else m.end()]
        title = ""
        lm = re.search(r"var layout = (\{.*?\});\n", own, re.S)
        if lm:
            try:
                t = json.loads(lm.group(1)).get("title")
                title = t.get("text", "") if isinstance(t, dict) else (t or "")
            except ValueError:
                pass
        names = re.findall(r'"name":"((?:[^"\\]|\\.)*)"', own)
        traces = ", ".join(dict.fromkeys(html.unescape(n) for n in names))
        what = f"{cell}, chart {per_cell[cell]}" + (f" '{title}'" if title else "") + (f" (traces: {traces})" if traces else "")
        charts.append((chart_id, what, own))
    return charts


def check_page(browser, html_path, screenshot=None, height=10000):
    """The main check. Returns (failures, lines to print)."""
    source = open(html_path, encoding="utf-8").read()
    charts = charts_in(source)
    if not charts:
        print(f"check_charts: no Plotly chart in {html_path}: nothing to check", file=sys.stderr)
        sys.exit(2)
    failures, lines = [], []
    for chart_id, what, own in charts:
        bad = NETWORK.search(own)
        if bad:
            failures.append(f"{what}: its HTML refers to the network ('{bad.group(0)}')")
    loaders = re.findall(r'<div id="torchlet-plotly-[0-9a-f]+" class="torchlet-plotly-loader".*?</script>', source, re.S)
    if not loaders:
        failures.append("no plotly.js loader (class torchlet-plotly-loader) on the page")
    for block in loaders:
        bad = NETWORK.search(block)
        if bad:
            failures.append(f"the plotly.js loader refers to the network ('{bad.group(0)}')")

    url = "file://" + os.path.abspath(html_path)
    s = scan(chromium(browser, url, "--dump-dom"), [c[0] for c in charts])
    for chart_id, what, _ in charts:
        n = s.counts[chart_id]
        if n < 2:
            failures.append(f"BLANK: {what} [div {chart_id}]: {n} main-svg layer(s), a drawn chart has 2 or more")
        else:
            lines.append(f"drawn: {what}: {n} main-svg layers")
    for text in s.loader_texts:
        status = text.split("packed):", 1)[-1].strip()
        if not status.startswith("ready"):
            failures.append(f"the plotly.js loader says '{status}', not 'ready'")
        else:
            lines.append(f"loader: {' '.join(text.split())}")
    if screenshot:
        chromium(browser, url, f"--screenshot={os.path.abspath(screenshot)}", f"--window-size=1280,{height}")
        lines.append(f"screenshot: {screenshot} (1280×{height})")
    return failures, lines


# ------------------------------------------------------------------------------------------------ scenarios

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>
<script>
  function torchletNote(k, v) {{ document.documentElement.setAttribute(k, v); }}
  var torchletErrors = [];
  window.addEventListener('error', function (e) {{ torchletErrors.push(String(e.message)); torchletNote('data-errors', torchletErrors.join(' | ')); }});
  window.addEventListener('unhandledrejection', function (e) {{ torchletErrors.push('unhandled: ' + e.reason); torchletNote('data-errors', torchletErrors.join(' | ')); }});
  // As Jupyter does for an updated display: the new HTML replaces the old, its scripts are run again.
  function torchletShow(slot, markup) {{
    var el = document.getElementById(slot);
    el.innerHTML = markup;
    el.querySelectorAll('script').forEach(function (old) {{
      var s = document.createElement('script'); s.text = old.text; old.parentNode.replaceChild(s, old);
    }});
  }}
</script>
{head}</head><body>
{body}
</body></html>"""

AMD_STUB = """<script>
  // require.js's globals as classic Jupyter has them; plotly.js must not register itself through them.
  window.define = function () { torchletNote('data-amd-define-called', 'yes'); };
  window.define.amd = { jQuery: true };
  window.require = function () {}; window.requirejs = window.require;
</script>"""


def js_string(markup):
    return json.dumps(markup).replace("</", "<\\/")


def notebook_outputs(ipynb):
    nb = json.load(open(ipynb, encoding="utf-8"))
    loader, charts = None, []
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []):
            h = out.get("data", {}).get("text/html")
            if h is None:
                continue
            h = "".join(h) if isinstance(h, list) else h
            if "torchlet-plotly-loader" in h and loader is None:
                loader = h
            elif "Plotly.newPlot" in h:
                charts.append(h)
    return loader, charts


def check_scenarios(browser, ipynb, workdir):
    loader, outputs = notebook_outputs(ipynb)
    if loader is None or len(outputs) < 2:
        return [f"scenarios: {ipynb} has {'no' if loader is None else 'a'} loader output and {len(outputs)} chart output(s); two are needed"]
    a, b = outputs[0], outputs[-1]
    ids = lambda markup: [m.group(1) for m in CHART_DIV.finditer(markup)]
    failures = []

    def run(name, body, head="", expect_drawn=(), expect_blank=(), check=None):
        path = os.path.join(workdir, f"scenario-{name}.html")
        with open(path, "w", encoding="utf-8") as f:
            f.write(PAGE.format(title=name, head=head, body=body))
        every = list(expect_drawn) + list(expect_blank)
        s = scan(chromium(browser, "file://" + path, "--dump-dom"), every)
        problems = []
        for i in expect_drawn:
            if s.counts[i] < 2:
                problems.append(f"chart {i} is blank ({s.counts[i]} main-svg)")
        for i in expect_blank:
            if s.counts[i] != 0:
                problems.append(f"chart {i} was drawn")
        if s.errors:
            problems.append(f"script errors: {s.errors}")
        if check:
            problems += check(s)
        for p in problems:
            failures.append(f"scenario '{name}' ({path}): {p}")
        print(f"scenario {name}: {'ok' if not problems else 'FAILED'}", flush=True)

    run("loader-then-chart", loader + a, expect_drawn=ids(a),
        check=lambda s: [] if s.plotly_scripts == 1 else [f"plotly.js ran {s.plotly_scripts} times"])
    run("chart-before-loader", a + loader, expect_drawn=ids(a))

    def one_load(s):
        problems = [] if s.plotly_scripts == 1 else [f"plotly.js ran {s.plotly_scripts} times, expected once"]
        statuses = [t.split("packed):", 1)[-1].strip() for t in s.loader_texts]
        if len(statuses) != 2 or not all(x.startswith("ready") for x in statuses):
            problems.append(f"loader statuses {statuses}")
        return problems
    # A second loader output (its own id, as every LoaderHtml has).
    second = re.sub(r'torchlet-plotly-([0-9a-f]+)', lambda m: 'torchlet-plotly-' + m.group(1)[::-1], loader)
    run("two-loaders", loader + a + second, expect_drawn=ids(a), check=one_load)

    def no_amd(s):
        return ["plotly.js called require.js's define instead of setting window.Plotly"] \
            if s.html_attrs.get("data-amd-define-called") else []
    run("require-js-page", loader + a, head=AMD_STUB, expect_drawn=ids(a), check=no_amd)

    # A live view: the output is replaced before plotly.js is ready (a's callback must find its div gone), then b is
    # replaced again by a after it is ready (drawn at once).
    live = loader + '<div id="slot"></div><script>\n' \
        f"torchletShow('slot', {js_string(a)});\n" \
        f"torchletShow('slot', {js_string(b)});\n" \
        f"setTimeout(function () {{ torchletShow('slot', {js_string(a)}); }}, 5000);\n" \
        "</script>"
    run("live-update", live, expect_drawn=ids(a))
    live_b = loader + '<div id="slot"></div><script>\n' \
        f"torchletShow('slot', {js_string(a)});\n" \
        f"torchletShow('slot', {js_string(b)});\n" \
        "</script>"
    run("live-update-before-ready", live_b, expect_drawn=ids(b))

    def says_missing(s):
        return [] if s.missing_notes >= 1 else ["no note saying that plotly.js is missing"]
    run("no-loader", a, expect_blank=ids(a), check=says_missing)
    return failures


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("html", help="the executed notebook as HTML (jupyter nbconvert --to html)")
    ap.add_argument("--screenshot", help="also save a screenshot of the page (PNG) here")
    ap.add_argument("--height", type=int, default=10000, help="screenshot height in pixels (default 10000)")
    ap.add_argument("--scenarios", action="store_true", help="also check loader/chart ordering cases on pages built from the notebook's outputs")
    ap.add_argument("--notebook", help="the executed .ipynb for --scenarios (default: next to the HTML)")
    ap.add_argument("--chromium", help="the Chromium binary (default: chromium on PATH)")
    args = ap.parse_args()

    browser = args.chromium or find_chromium()
    if not browser:
        print("check_charts: no Chromium found (Debian: apt-get install -y chromium); --chromium PATH names one", file=sys.stderr)
        return 2
    if not os.path.exists(args.html):
        print(f"check_charts: {args.html} does not exist", file=sys.stderr)
        return 2
    print(f"check_charts: {args.html} in {os.path.basename(browser)}, "
          f"{'in a network namespace of its own (unshare -n)' if offline_prefix() else 'network blocked by a dead proxy and resolver'}")
    failures, lines = check_page(browser, args.html, args.screenshot, args.height)
    for line in lines:
        print("  " + line, flush=True)
    if args.scenarios:
        ipynb = args.notebook or os.path.splitext(args.html)[0] + ".ipynb"
        work = tempfile.mkdtemp(prefix="check-charts-")
        scenario_failures = check_scenarios(browser, ipynb, work)
        failures += scenario_failures
        if not scenario_failures:
            shutil.rmtree(work, ignore_errors=True)   # kept when something failed: the messages name its pages
    if failures:
        print(f"check_charts: {len(failures)} problem(s):", file=sys.stderr)
        for f in failures:
            print("  " + f, file=sys.stderr)
        return 1
    print("check_charts: every chart drawn with no network" + (", every scenario as expected" if args.scenarios else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
