"""`talentctl publish` on the known data set of test_kpi, opened in a real browser (Debian's
chromium, headless): the page loads with no console error and fetches nothing, the charts'
numbers in the rendered DOM match kpi.report, every text is escaped, and it names no one but
post holders and awardees."""
from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from test_kpi import build_world, ctl
from test_recruitment import day

CHROMIUM = shutil.which("chromium")
HOSTILE = 'Ủy ban <b>Thử</b> & "Co" <script>alert(1)</script>'


class Marks(HTMLParser):
    """Every element carrying data-chart or data-kpi, with its attributes; and all text."""

    def __init__(self):
        super().__init__()
        self.marks: list[tuple[str, dict]] = []
        self.tags: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        attrs = dict(attrs)
        if "data-chart" in attrs or "data-kpi" in attrs:
            self.marks.append((tag, attrs))

    def handle_data(self, data):
        self.text.append(data)

    def values(self, chart, series, key="data-org") -> dict[str, int]:
        return {a[key]: int(a["data-value"]) for t, a in self.marks
                if a.get("data-chart") == chart and a.get("data-series") == series and key in a}


def browse(page: Path, *extra: str) -> subprocess.CompletedProcess:
    # As root chromium needs --no-sandbox; a private profile keeps runs apart.
    return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
                           f"--user-data-dir={page.parent / 'profile'}", *extra, page.as_uri()],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def site(daemon, tmp_path_factory):
    conns, holders, private = build_world(daemon)
    conns["admin"].result("org.create", {"code": "TEST-ESC", "kind": "other", "name": HOSTILE})
    out = tmp_path_factory.mktemp("site")
    published = ctl(daemon, "publish", "--out", str(out))
    assert published.returncode == 0, published.stderr
    report = conns["admin"].result("kpi.report", {})
    return conns, private, out, report


def test_the_files(site):
    conns, _, out, report = site
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "kpi.csv", "kpi.json"]
    assert json.loads((out / "kpi.json").read_text()) == report
    rows = list(csv.DictReader(io.StringIO((out / "kpi.csv").read_text())))
    assert [r["code"] for r in rows] == [o["code"] for o in report["orgs"]] + ["national"]
    assert rows[-1]["nominations_awarded"] == "1"


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (make deps)")
def test_chromium_renders_it_with_no_error_and_the_charts_match_kpi_report(site):
    conns, _, out, report = site
    shown = browse(out / "index.html", "--dump-dom")
    assert shown.returncode == 0, shown.stderr
    problems = [line for line in shown.stderr.splitlines()
                if "CONSOLE" in line or "Uncaught" in line or "Refused to" in line or "net::ERR" in line]
    assert not problems, problems
    dom = Marks()
    dom.feed(shown.stdout)
    orgs = {o["code"]: o for o in report["orgs"]}

    assert dom.values("coverage", "filled") == {c: o["chief_engineers"]["filled"] for c, o in orgs.items()}
    assert dom.values("late-duties", "late") == {c: o["duties"]["late"] for c, o in orgs.items() if o["duties"]["late"]}
    for series in ("submitted", "passed", "awarded"):
        assert dom.values("nominations", series) == {c: o["nominations"][series] for c, o in orgs.items()
                                                     if any(o["nominations"].values())}
    progress = conns["admin"].result("recruitment.progress", {})
    points = dom.values("leading-experts", "in_post", key="data-date")
    assert points[day(0)] == progress["leading_experts"]["in_post"] == report["national"]["experts"]["leading_in_post"]
    assert min(points) == "2025-07-31" and all(v == 0 for d, v in points.items() if d < day(-30))
    [target] = [a for t, a in dom.marks if a.get("data-series") == "target"]
    assert int(target["data-value"]) == progress["target"]
    kpis = {a["data-kpi"]: a["data-value"] for t, a in dom.marks if "data-kpi" in a}
    assert kpis["ce_filled"] == str(report["national"]["chief_engineers"]["filled"])
    assert kpis["nominations_awarded"] == "1"

    # The hostile org name is text, not markup; Vietnamese survives the round trip.
    text = "".join(dom.text)
    assert HOSTILE in text and "b" not in dom.tags and "script" not in dom.tags
    assert "Công khai tiến độ" in text and "Nhóm Dữ liệu" not in text


def test_it_names_holders_and_awardees_and_no_one_else(site):
    _, private, out, _ = site
    page = (out / "index.html").read_text()
    assert "Phạm Quốc Việt" in page          # holds MOHA's STI post today
    assert "Đỗ Minh Châu" in page            # holds MOF's OPS post until day 4
    assert "Vũ Thị Lan Anh" in page          # awarded
    for value in [*private.values(), "Hoàng Thị Mai", "001179000123", "1979-03-04", "chau@example.vn"]:
        assert value not in page, value
    assert '<meta charset="utf-8">' in page and "<script" not in page.replace("&lt;script", "")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (make deps)")
def test_a_screenshot_can_be_taken(site, tmp_path):
    # Kept out of the repository: a person looks at it (see the README); here it must only exist.
    _, _, out, _ = site
    shot = tmp_path / "kpi.png"
    taken = browse(out / "index.html", f"--screenshot={shot}", "--window-size=1200,2400")
    assert taken.returncode == 0 and shot.stat().st_size > 10_000, taken.stderr
