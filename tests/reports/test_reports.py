"""Reports rendered from recorded runs: what a reader sees in the Markdown and the HTML, the figures
embedded as valid SVG, the comparison of several runs, and the ``report`` command."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from dropout_verify.properties.cli import main
from dropout_verify.reports import compare, html, markdown, plots

FIXTURES = Path(__file__).parent / "fixtures"
PASSING = json.loads((FIXTURES / "reference-quick.json").read_text())
FAILING = json.loads((FIXTURES / "no-scale-quick.json").read_text())
SVG = "{http://www.w3.org/2000/svg}svg"


def svgs(page: str) -> list[ET.Element]:
    return [ET.fromstring(match) for match in re.findall(r"<svg.*?</svg>", page, flags=re.DOTALL)]


def test_markdown_puts_the_verdict_and_one_row_per_property_on_top():
    text = markdown.render(FAILING)
    first = text.splitlines()[0]
    assert first == "# dropout-verify: dropout_zoo:NoScale — **FAIL**"
    summary = text.split("## Details")[0]
    rows = [line for line in summary.splitlines() if line.startswith("| ") and not line.startswith("| property")]
    assert [row.split(" | ")[0][2:] for row in rows] == [prop["name"] for prop in FAILING["properties"]]
    assert "| kept_values | **FAIL** |" in summary
    assert "```python" in text and "x = np.array(1.0, dtype=np.float16)" in text


def test_markdown_of_a_passing_run_quotes_the_estimates_with_intervals():
    text = markdown.render(PASSING)
    mask_rate = next(line for line in text.splitlines() if line.startswith("| mask_rate |"))
    assert re.search(r"\| 0\.\d+ \[0\.\d+, 0\.\d+\] \(float\d+, p=0\.\d+\) \|", mask_rate)
    assert "**FAIL**" not in text.split("## Details")[0]


@pytest.mark.parametrize("run", [PASSING, FAILING], ids=["passing", "failing"])
def test_html_is_one_self_contained_page_with_every_property_and_figure(run):
    page = html.render(run)
    assert page.startswith("<!DOCTYPE html>") and f"<title>dropout-verify: {run['target']}" in page
    assert "<script" not in page and "<link" not in page and "@import" not in page
    assert not re.search(r"url\((?!#)", page)  # only references to ids inside the page
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", page)  # nothing fetched from anywhere
    for prop in run["properties"]:
        assert f'id="{prop["name"]}"' in page
    figures = svgs(page)
    assert len(figures) == len(plots.all_figures(run)) >= 4
    for figure in figures:
        assert figure.tag == SVG and float(figure.get("width", "0pt").rstrip("pt")) > 100
        assert len(list(figure.iter())) > 50  # drawn, not an empty canvas


def test_html_of_a_failure_shows_the_shrunk_example_as_a_snippet():
    page = html.render(FAILING)
    assert "Smallest failing input found by Hypothesis" in page
    assert "target = load_target(&#x27;dropout_zoo:NoScale&#x27;)" in page
    assert "print(target.forward(x, p, training=True, seed=seed))" in page


def test_figures_are_deterministic_for_the_same_run():
    assert plots.rate_calibration(PASSING) == plots.rate_calibration(PASSING)


def test_figures_without_their_data_are_left_out():
    subset = {**PASSING, "properties": [p for p in PASSING["properties"] if p["name"] == "inference"]}
    assert plots.all_figures(subset) == []
    assert "<h2>Figures</h2>" not in html.render(subset)


def test_an_incomplete_run_says_so_everywhere():
    run = {**PASSING, "complete": False, "verdict": "fail"}
    assert "INCOMPLETE" in markdown.render(run).splitlines()[0]
    assert "INCOMPLETE" in html.render(run) and "interrupted" in html.render(run)


def test_comparison_marks_the_rows_whose_verdicts_differ():
    rows = {name: differs for name, _, differs in compare.rows([PASSING, FAILING])}
    assert rows["kept_values"] and rows["unbiased"] and not rows["mask_rate"]
    text = compare.render_markdown([PASSING, FAILING])
    assert "| **≠** `kept_values` |" in text and "| `mask_rate` |" in text
    assert text.count("≠") == 1 + sum(rows.values())  # the legend plus one per differing row
    page = compare.render_html([PASSING, FAILING])
    assert page.count('style="background:#fff7d6"') == sum(rows.values())


def test_report_command_renders_one_saved_run(tmp_path):
    assert main(["report", str(FIXTURES / "no-scale-quick.json"), "--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "report.json", "report.md"]
    assert json.loads((tmp_path / "report.json").read_text()) == FAILING


def test_report_command_compares_several_runs(tmp_path):
    runs = [str(FIXTURES / "reference-quick.json"), str(FIXTURES / "no-scale-quick.json")]
    assert main(["report", *runs, "--out", str(tmp_path)]) == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["1-reference", "2-dropout_zoo_NoScale", "comparison.html", "comparison.md"]
    assert (tmp_path / "2-dropout_zoo_NoScale" / "report.html").exists()


@pytest.mark.parametrize("content", [None, "not json", '{"a": 1}', "[1, 2]"])
def test_report_command_refuses_what_is_not_a_run(tmp_path, capsys, content):
    path = tmp_path / "run.json"
    if content is not None:
        path.write_text(content)
    assert main(["report", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(path) in err
    assert not (tmp_path / "out").exists()


class InjectingTarget:
    """Raises with markup in its message: a report must quote it, never render it."""

    @property
    def versions(self):
        return {"evil<b>": "1.0 ![](http://host/v.png)"}

    def forward(self, x, p, *, training, seed):
        raise RuntimeError("<script>alert(1)</script><img src=x onerror=alert(1)> | ![](http://host/x.png) `x`")


def test_markdown_quotes_text_the_target_controls_as_literal_text():
    from dropout_verify.properties import verify

    run = verify(InjectingTarget(), tier="quick", properties=["mask_rate"], workers=0).to_dict()
    text = markdown.render(run) + compare.render_markdown([run, run])
    assert "<script" not in text and "<img" not in text and "<b>" not in text
    assert "![](" not in text and "](http" not in text
    assert "&lt;script&gt;" in text and "\\!\\[\\]\\(http://host/x.png\\)" in text
    page = html.render(run)
    assert "<script>alert" not in page and "<img src=x" not in page


def test_reports_show_expected_findings_and_deviations(tmp_path):
    from dropout_verify.properties import verify
    from dropout_zoo import KeepDropSwapped, LowPrecisionScale

    (tmp_path / "expected.toml").write_text(
        '[[finding]]\nproperty = "mask_rate"\nreason = "swapped <on purpose>"\n'
        '[[finding]]\nproperty = "inference"\nreason = "nothing to find"\n', encoding="utf-8")
    run = verify(KeepDropSwapped(), tier="quick", properties=["mask_rate", "inference"],
                 expect=tmp_path / "expected.toml").to_dict()
    text = markdown.render(run)
    assert text.splitlines()[0] == "# dropout-verify: dropout_zoo.KeepDropSwapped — **PASS**"
    assert "| mask_rate | xfail |" in text and "## Expected findings" in text
    assert "- matched: #1 mask\\_rate, " in text and "- fixed: #2 inference" in text
    assert "(expected: swapped &lt;on purpose&gt;)" in text  # the user's text, quoted
    page = html.render(run)
    assert "<h2>Expected findings</h2>" in page and "swapped &lt;on purpose&gt;" in page
    graded = verify(LowPrecisionScale(), tier="quick", properties=["kept_values"]).to_dict()
    assert "- deviation at dtype float64" in markdown.render(graded)
    assert 'class="badge deviation"' in html.render(graded)


@pytest.mark.parametrize(("target", "prop", "figure"), [("reference-gaussian", "noise_law", "noise"),
                                                        ("reference-alpha", "unbiased", "alpha")])
def test_the_family_laws_get_their_own_figure_and_say_their_law(target, prop, figure):
    from dropout_verify.properties import verify

    run = json.loads(verify(target, tier="quick", seed=0, properties=[prop]).to_json())
    assert [key for key, _, _ in plots.all_figures(run)] == ["pvalues", figure]
    law = target.removeprefix("reference-")
    assert f"{law} law" in markdown.render(run) and f"{law} law" in html.render(run)


def test_a_distributed_run_gets_the_per_rank_figure_and_says_its_contract():
    from dropout_verify.properties import verify
    from ranks_zoo import SameSeedEveryRank

    run = json.loads(verify(SameSeedEveryRank(world_size=3), tier="quick", seed=0).to_json())
    assert "ranks" in [key for key, _, _ in plots.all_figures(run)]
    assert "independent contract on 3 ranks" in markdown.render(run)
    assert "independent contract on 3 ranks" in html.render(run)
