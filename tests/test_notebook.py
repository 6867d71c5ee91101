"""Notebook views: the optimum and the verdict first, then compact tables."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

import lpmech
from lpmech.analytic import myerson_revenue
from lpmech.checks.auditing import audit
from lpmech.numbers.formatting import format_number


class _Cells(HTMLParser):
    """Collects the text of table cells, and checks tags are balanced."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self.open: list[str] = []
        self._in_cell = False

    def handle_starttag(self, tag, attrs):
        self.open.append(tag)
        self._in_cell = tag in ("td", "th")
        if self._in_cell:
            self.cells.append("")

    def handle_endtag(self, tag):
        assert self.open.pop() == tag
        self._in_cell = False

    def handle_data(self, data):
        if self._in_cell:
            self.cells[-1] += data


def _parse(html: str) -> _Cells:
    parser = _Cells()
    parser.feed(html)
    assert parser.open == []
    return parser


def test_solution_html_leads_with_the_optimum_and_verdict(two_bidder_optimum):
    html = two_bidder_optimum._repr_html_()
    _parse(html)
    optimum = format_number(myerson_revenue(two_bidder_optimum.mechanism.env))
    first = re.search(r"<p>(.*?)</p>", html).group(1)
    assert f"Optimal revenue = {optimum}" in first
    assert "verified: all 3 families satisfied" in first
    assert html.index(optimum) < html.index("<table>")


def test_verification_html_names_violated_families():
    env = lpmech.single_item_auction([1, 2, 3], n_bidders=1)
    pay_your_bid = lpmech.Mechanism(env, [[1], [1], [1]], [[1], [2], [3]], name="pay your bid")
    html = pay_your_bid.verify(["dsic", "ex_post_ir"])._repr_html_()
    assert "VIOLATED: dominant_strategy_ic" in html
    cells = _parse(html).cells
    assert cells[cells.index("dominant_strategy_ic") + 1] == "VIOLATED"
    assert cells[cells.index("ex_post_ir") + 1] == "ok"
    audit_html = audit(pay_your_bid)._repr_html_()
    assert "max ex-post regret 2" in audit_html
    _parse(audit_html)


def test_environment_and_mechanism_html(two_bidder_optimum):
    env = two_bidder_optimum.mechanism.env
    cells = _parse(env._repr_html_()).cells
    assert "bidder 1" in cells
    assert "1, 2, 3, 4" in cells
    html = two_bidder_optimum.mechanism._repr_html_()
    revenue = format_number(two_bidder_optimum.mechanism.expected_revenue())
    assert f"expected revenue {revenue}" in html
    assert "… 4 more rows" in html  # 16 profiles, 12 shown


def test_names_are_escaped():
    env = lpmech.single_item_auction([1, 2], n_bidders=1, names=["<b>"])
    assert "&lt;b&gt;" in env._repr_html_()
    assert "<b>" not in env._repr_html_().replace("<strong>", "")


NOTEBOOK = {
    "solve": "import lpmech\n"
    "env = lpmech.single_item_auction([1, 2, 3, 4], n_bidders=2)\n"
    "solution = lpmech.solve(env)",
    "plot": "solution.plot()",
    "with pyplot": "import matplotlib.pyplot as plt\nsolution.plot()",
    "open figures": "print(len(plt.get_fignums()))",
    "sweep": 'table = lpmech.sweep("single_item", {"n_types": [2, 3]}, executor="serial")',
}


@pytest.fixture(scope="module")
def notebook_outputs() -> dict[str, list[dict]]:
    """The outputs of each cell of :data:`NOTEBOOK`, run in a fresh Jupyter kernel."""
    import nbclient
    import nbformat

    cells = [nbformat.v4.new_code_cell(source) for source in NOTEBOOK.values()]
    notebook = nbformat.v4.new_notebook(cells=cells)
    with pytest.MonkeyPatch.context() as patch:
        # the kernel picks its own (inline) matplotlib backend, as in a user's notebook
        patch.delenv("MPLBACKEND", raising=False)
        nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    return {name: cell.outputs for name, cell in zip(NOTEBOOK, notebook.cells, strict=True)}


def _count(outputs: list[dict], mime: str) -> int:
    return sum(mime in output.get("data", {}) for output in outputs)


@pytest.mark.slow
def test_solution_plot_shows_exactly_one_picture_in_a_fresh_kernel(notebook_outputs):
    assert _count(notebook_outputs["solve"], "image/png") == 0
    assert _count(notebook_outputs["plot"], "image/png") == 1  # no magic command, no pyplot
    assert _count(notebook_outputs["with pyplot"], "image/png") == 1  # not twice with pyplot
    assert notebook_outputs["open figures"][0]["text"].strip() == "0"  # nothing left open


@pytest.mark.slow
def test_a_sweep_shows_its_progress_in_a_notebook(notebook_outputs):
    widget = "application/vnd.jupyter.widget-view+json"
    assert _count(notebook_outputs["sweep"], widget) == 1


def test_solution_repr_is_one_short_line(two_bidder_optimum):
    text = repr(two_bidder_optimum)
    assert "\n" not in text
    assert len(text) < 120
    optimum = format_number(two_bidder_optimum.objective_value)
    assert text == (
        f"<Solution: optimal revenue = {optimum}; verified (3 families); 16 profiles, "
        f"2 agents, {two_bidder_optimum.report.formulation}>"
    )


def test_solution_html_folds_its_details(two_bidder_optimum):
    html = two_bidder_optimum._repr_html_()
    assert "<details>" in html
    assert "<details open" not in html
    assert html.index("Optimal revenue") < html.index("<details>")


def test_audit_html_keeps_the_worst_lie_and_calls_revenue_a_surplus():
    env = lpmech.single_item_auction([1, 2, 3], n_bidders=1)
    pay_your_bid = lpmech.Mechanism(env, [[1], [1], [1]], [[1], [2], [3]], name="pay your bid")
    html = audit(pay_your_bid)._repr_html_()
    cells = _parse(html).cells
    assert "worst ex-post lie" in cells
    assert "report 1" in cells  # type 3 gains most by reporting the lowest type
    assert "imbalance" not in html
    assert "surplus" in html
