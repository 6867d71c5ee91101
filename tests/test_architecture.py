"""The seams between lpmech's modules, read from the source (issue 16).

Five rules, each checked on the parsed modules (``ast``), so a violation fails
here with its file and line rather than surfacing later as a tangle:

* no module uses another module's private (``_underscore``) names — neither by
  importing them nor by reaching into an object's ``._attribute`` that the
  module itself does not define;
* no import cycle among lpmech's modules, counting imports inside functions
  (imports under ``if TYPE_CHECKING:`` are for annotations only and do not run);
* no ``isinstance`` switch on constraint-family classes, and no ``getattr`` probing of
  families, anywhere outside ``lpmech/constraints/``: formulations, sizing, the algorithm
  choice and the certificate ask families for their declared forms instead;
* every import that runs when a module is imported (at its top or in a class body) follows
  the layering table of ``docs/explanation/architecture.md`` (:data:`PIPELINE`): a stage
  imports only the stages it is allowed, all earlier in the pipeline. An import inside a
  function may reach a later stage: that is delegation when called (``Mechanism.plot``
  draws through ``lpmech.views``), not a dependency of the module. The page's table and
  every package's docstring say the same; at most ten modules sit at the top level.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

import lpmech
from lpmech.constraints import ConstraintFamily

ROOT = Path(__file__).parent.parent
SOURCES = {
    **{path: "lpmech" for path in (ROOT / "lpmech").rglob("*.py")},
    **{path: "lpmech.models" for path in (ROOT / "models").rglob("*.py")},
}


def module_name(path: Path) -> str:
    base = ROOT / ("lpmech" if SOURCES[path] == "lpmech" else "models")
    parts = list(path.relative_to(base).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join([SOURCES[path], *parts])


MODULES = {module_name(path): path for path in SOURCES}
TREES = {name: ast.parse(path.read_text(), str(path)) for name, path in MODULES.items()}


def is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def runtime_nodes(tree: ast.AST):
    """Every node except those under ``if TYPE_CHECKING:``."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(child for child in ast.iter_child_nodes(node) if not is_type_checking(child))


def imports(name: str) -> list[tuple[str, list[str], int]]:
    """(imported module, names taken from it, line) for each run-time import of ``name``."""
    package = name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in runtime_nodes(TREES[name]):
        if isinstance(node, ast.Import):
            found += [(alias.name, [], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            source = node.module or ""
            if node.level:  # relative import (banned by ruff, but resolve it anyway)
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                source = f"{base}.{source}" if source else base
            found.append((source, [alias.name for alias in node.names], node.lineno))
    return found


def dependencies(name: str) -> set[str]:
    """The lpmech modules ``name`` imports at run time (a submodule taken by name counts)."""
    edges = set()
    for source, names, _ in imports(name):
        for taken in names:
            if f"{source}.{taken}" in MODULES:
                edges.add(f"{source}.{taken}")
        if source in MODULES and not (source == "lpmech" and names):
            edges.add(source)
    edges.discard(name)
    return edges


def test_no_module_imports_another_modules_private_names():
    offences = [
        f"{MODULES[name]}:{line} imports {taken} from {source}"
        for name in MODULES
        for source, names, line in imports(name)
        if source.startswith("lpmech")
        for taken in names
        if taken.startswith("_") and not taken.startswith("__")
    ]
    assert not offences, "\n".join(offences)


def defined_names(tree: ast.AST) -> set[str]:
    """Every name a module defines: functions, classes, assigned names and attributes."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def test_no_module_reaches_into_private_attributes_defined_elsewhere():
    offences = []
    for name, tree in TREES.items():
        own = defined_names(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and node.attr not in own
            ):
                offences.append(f"{MODULES[name]}:{node.lineno} uses {ast.unparse(node)}")
    assert not offences, "\n".join(offences)


def test_no_module_patches_a_name_it_imported():
    """Assigning to an attribute of an imported module or class at import time is action at
    a distance: the patched behaviour depends on what happens to have been imported."""
    offences = []
    for name, tree in TREES.items():
        imported = {
            alias.asname or alias.name.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        }
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else []
            if isinstance(node, ast.AugAssign | ast.AnnAssign):
                targets = [node.target]
            offences += [
                f"{MODULES[name]}:{node.lineno} patches {ast.unparse(target)}"
                for target in targets
                if isinstance(target, ast.Attribute)
                and isinstance(root := target.value, ast.Name)
                and root.id in imported
            ]
    assert not offences, "\n".join(offences)


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a list of nodes, or None (depth-first search)."""
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_find_cycle_finds_a_planted_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle_among_lpmech_modules():
    graph = {name: dependencies(name) for name in MODULES}
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_mechanism_depends_on_the_environment_and_layout_only_at_import():
    module_level = {
        source
        for source, _, _ in imports("lpmech.results.mechanism")
        if source.startswith("lpmech")
    }
    top = {
        node.module
        for node in TREES["lpmech.results.mechanism"].body
        if isinstance(node, ast.ImportFrom) and node.module.startswith("lpmech")
    }
    assert top <= {
        "lpmech.problem.environment",
        "lpmech.problem.layout",
        "lpmech.errors",
        "lpmech.arrays",
        "lpmech.problem.lying",
        "lpmech.stable_sums",
    }, top
    # methods delegate, when called, to the modules that sit above Mechanism (checks and views)
    above = {
        "lpmech.checks.verification",
        "lpmech.views.text",
        "lpmech.views.frames",
        "lpmech.views.plots",
        "lpmech.views.notebook",
    }
    assert module_level - top <= above, module_level


def family_class_names(name: str) -> set[str]:
    """Names in module ``name`` bound to constraint-family classes, directly or in tuples."""
    tree = TREES[name]
    names = set()
    for source, taken, _ in imports(name):
        if not source.startswith("lpmech"):
            continue
        module = importlib.import_module(source)
        for item in taken:
            value = getattr(module, item, None)
            if isinstance(value, type) and issubclass(value, ConstraintFamily):
                names.add(item)
    for node in tree.body:  # module-level aliases such as a tuple of family classes
        if isinstance(node, ast.Assign) and any(
            isinstance(n, ast.Name) and n.id in names for n in ast.walk(node.value)
        ):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


OUTSIDE_CONSTRAINTS = sorted(
    n for n in MODULES if n.startswith("lpmech") and not n.startswith("lpmech.constraints")
)


@pytest.mark.parametrize("name", OUTSIDE_CONSTRAINTS)
def test_no_module_outside_constraints_switches_on_family_classes(name):
    """Formulations, sizing, the algorithm choice, the certificate, the checks, views, sweeps
    and the CLI ask families for their declared forms (the protocol block of
    ``ConstraintFamily``), never for their class. Checking that an argument *is* a family
    (``ConstraintFamily`` itself) is input validation and allowed."""
    families = family_class_names(name) - {"ConstraintFamily"}
    offences = [
        f"{MODULES[name]}:{node.lineno}: {ast.unparse(node)}"
        for node in ast.walk(TREES[name])
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("isinstance", "issubclass")
        and len(node.args) == 2
        and any(isinstance(n, ast.Name) and n.id in families for n in ast.walk(node.args[1]))
    ]
    assert not offences, "\n".join(offences)


def test_the_family_class_check_sees_a_planted_switch():
    tree = ast.parse("from lpmech.constraints import BayesianIC\nisinstance(f, BayesianIC)")
    TREES["planted"], MODULES["planted"] = tree, Path("planted.py")
    try:
        assert family_class_names("planted") == {"BayesianIC"}
        with pytest.raises(AssertionError, match="isinstance"):
            test_no_module_outside_constraints_switches_on_family_classes("planted")
    finally:
        del TREES["planted"], MODULES["planted"]


def family_probes(tree: ast.AST) -> list[ast.Call]:
    """``getattr``/``hasattr`` calls on a name that reads as a family (``f``, ``family``,
    ``part``, ``families[...]`` …) with a constant attribute name."""
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "hasattr")
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
        ):
            target = ast.unparse(node.args[0])
            if target in ("f", "family", "part", "c", "constraint") or "famil" in target:
                found.append(node)
    return found


@pytest.mark.parametrize("name", OUTSIDE_CONSTRAINTS)
def test_no_module_outside_constraints_probes_families_with_getattr(name):
    """What a family has is declared on ``ConstraintFamily`` with a default, so nothing
    outside ``lpmech.constraints`` probes for an attribute that may be missing."""
    offences = [
        f"{MODULES[name]}:{node.lineno}: {ast.unparse(node)}"
        for node in family_probes(TREES[name])
    ]
    assert not offences, "\n".join(offences)


def test_the_probe_check_sees_a_planted_probe():
    planted = ast.parse('getattr(family, "n_pairs", None)\nany(getattr(f, "units", 1) for f in x)')
    assert len(family_probes(planted)) == 2


def test_the_checks_see_every_module():
    assert "lpmech.formulations.interim" in MODULES
    assert "lpmech.models.single_item" in MODULES
    assert dependencies("lpmech.solving.pipeline") >= {
        "lpmech.formulations",
        "lpmech.checks.verification",
    }
    assert lpmech.__name__ == "lpmech"


# ----------------------------------------------------------------- the layering
#
# The table of docs/explanation/architecture.md, in pipeline order: each stage and the
# stages it may import at module level (besides the foundations, which every stage may
# import). ``EARLIER`` means every earlier stage. The rule counts imports that run when a
# module is imported: at the top of the module or in a class body. An import inside a
# function runs when the function is called and may reach a later stage: that is how a
# result's method delegates (``Mechanism.plot`` draws through ``lpmech.views``). Imports
# under ``if TYPE_CHECKING:`` are annotations only and never run.

FOUNDATIONS = ("errors", "extras", "arrays", "names", "stable_sums")
EARLIER = "every earlier stage"
PIPELINE: tuple[tuple[str, tuple[str, ...] | str], ...] = (
    ("foundations", ()),
    ("numbers", ()),
    ("problem", ("numbers",)),
    ("constraints", ("numbers", "problem")),
    ("program", ("numbers", "problem", "constraints")),
    ("backends", ("numbers", "problem", "constraints", "program")),
    ("results", ("numbers", "problem", "constraints", "program", "backends")),
    ("formulations", ("numbers", "problem", "constraints", "program", "backends", "results")),
    ("checks", ("numbers", "problem", "constraints", "program", "results")),
    ("solving", EARLIER),
    ("exact", EARLIER),
    ("characterisation", ("numbers", "problem", "results")),
    ("analytic", ("numbers", "problem", "results", "characterisation")),
    ("views", EARLIER),
    ("files", ("numbers", "problem", "constraints", "program", "results", "checks")),
    ("models", EARLIER),
    ("sweeps", EARLIER),
    ("cli", EARLIER),
    ("testing", EARLIER),
    ("lpmech", EARLIER),  # the package's table of contents, and ``python -m lpmech``
)
STAGES = [stage for stage, _ in PIPELINE]
#: Top-level modules that belong to a stage of their own name's.
TOP_LEVEL_STAGE = {
    **dict.fromkeys(FOUNDATIONS, "foundations"),
    "files": "files",
    "problem_files": "files",
    "testing": "testing",
    "__main__": "lpmech",
}


def may_import(stage: str) -> set[str]:
    """The stages ``stage`` may import at module level, the foundations included."""
    position = STAGES.index(stage)
    allowed = dict(PIPELINE)[stage]
    earlier = STAGES[:position] if allowed == EARLIER else list(allowed)
    return {"foundations", *earlier}


def stage_of(module: str) -> str:
    """The stage a module belongs to: its package, or its own stage at the top level."""
    parts = module.split(".")
    if len(parts) == 1:
        return "lpmech"
    return TOP_LEVEL_STAGE.get(parts[1], parts[1])


def runs_at_import(node: ast.AST) -> bool:
    """Whether the statements under ``node`` run when its module is imported."""
    return not is_type_checking(node) and not isinstance(
        node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
    )


def module_level_imports(tree: ast.AST) -> list[tuple[str, list[str], int]]:
    """(imported module, names, line) of every import that runs when the module is imported:
    not inside a function (or lambda), not under ``if TYPE_CHECKING:``."""
    found, stack = [], [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import):
            found += [(alias.name, [], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert not node.level, f"line {node.lineno}: a relative import"  # ruff bans them
            found.append((node.module or "", [alias.name for alias in node.names], node.lineno))
        stack.extend(child for child in ast.iter_child_nodes(node) if runs_at_import(child))
    return sorted(found, key=lambda item: item[2])


def imported_stages(tree: ast.AST) -> list[tuple[str, str, int]]:
    """(stage, imported module, line) for each module-level import from lpmech; a submodule
    taken by name (``from lpmech import files``) counts as that submodule."""
    found = []
    for source, names, line in module_level_imports(tree):
        if source != "lpmech" and not source.startswith("lpmech."):
            continue
        taken = [f"{source}.{name}" for name in names if f"{source}.{name}" in MODULES]
        found += [(stage_of(module), module, line) for module in taken or [source]]
    return found


def layering_offences(name: str, tree: ast.AST) -> list[str]:
    stage = stage_of(name)
    allowed = may_import(stage) | {stage}
    path = MODULES[name].relative_to(ROOT) if MODULES[name].is_absolute() else MODULES[name]
    return [
        f"{path}:{line}: {name} ({stage}) imports {module} ({target}) at module "
        f"level; {stage} may import {', '.join(sorted(allowed - {stage}))}"
        for target, module, line in imported_stages(tree)
        if target not in allowed
    ]


def test_the_table_is_in_pipeline_order():
    for position, (stage, allowed) in enumerate(PIPELINE):
        if allowed != EARLIER:
            assert set(allowed) <= set(STAGES[:position]), stage


def test_every_module_belongs_to_a_stage_of_the_table():
    assert {stage_of(name) for name in MODULES} == set(STAGES)


def test_every_module_level_import_follows_the_table():
    offences = [line for name in MODULES for line in layering_offences(name, TREES[name])]
    assert not offences, "\n".join(offences)


def test_the_layering_check_sees_a_planted_upward_import():
    planted = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "from lpmech.numbers.rationals import exact\n"
        "from lpmech import files\n"
        "if TYPE_CHECKING:\n"
        "    from lpmech.solving.pipeline import solve\n"
        "def later():\n"
        "    from lpmech.views.plots import interim\n"
        "class Holder:\n"
        "    from lpmech.results.mechanism import Mechanism\n"
    )
    MODULES["lpmech.problem.planted"] = Path("lpmech/problem/planted.py")
    try:
        offences = layering_offences("lpmech.problem.planted", planted)
    finally:
        del MODULES["lpmech.problem.planted"]
    assert [offence.split(": ")[0] for offence in offences] == [
        "lpmech/problem/planted.py:3",  # files (a submodule taken by name) sits later
        "lpmech/problem/planted.py:9",  # a class body runs at import
    ]
    assert "may import foundations, numbers" in offences[0]


def test_at_most_ten_modules_at_the_top_level():
    top = sorted(path.name for path in (ROOT / "lpmech").glob("*.py"))
    assert len(top) <= 10, top


PACKAGES = {
    stage_of(name): path
    for name, path in MODULES.items()
    if path.name == "__init__.py" and name.count(".") == 1
}


def test_every_stage_but_the_top_level_ones_is_a_package():
    assert set(PACKAGES) == set(STAGES) - {"foundations", "files", "testing", "lpmech"}


def may_import_paragraph(text: str) -> str:
    start = text.index("May import")
    return text[start:].split("\n\n")[0]


def named_stages(text: str) -> set[str]:
    return {stage_of(module) for module in re.findall(r"\blpmech(?:\.[a-z_]+)?", text)}


@pytest.mark.parametrize("stage", sorted(PACKAGES))
def test_every_package_docstring_says_its_stage_and_what_it_may_import(stage):
    docstring = ast.get_docstring(TREES[module_name(PACKAGES[stage])]) or ""
    assert docstring.startswith(f"Stage {STAGES.index(stage)}, {stage}: "), docstring[:80]
    paragraph = may_import_paragraph(docstring)
    if dict(PIPELINE)[stage] == EARLIER:
        assert EARLIER in paragraph, paragraph
    else:
        assert named_stages(paragraph) == may_import(stage) - {"foundations"}, paragraph


ARCHITECTURE = ROOT / "docs" / "explanation" / "architecture.md"


def documented_table() -> list[tuple[int, set[str], str]]:
    """(stage, stages named in the package column, may-import column) of each row of the
    architecture page's table."""
    rows = []
    for line in ARCHITECTURE.read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0].isdigit():
            rows.append((int(cells[0]), named_stages(cells[1]), cells[-1]))
    return rows


def test_the_architecture_page_lists_the_table():
    rows = documented_table()
    assert [stage for stage, _, _ in rows] == list(range(len(STAGES)))
    for (position, named, allowed), stage in zip(rows, STAGES, strict=True):
        assert named == {stage}, (position, named)
        declared = dict(PIPELINE)[stage]
        if declared == EARLIER:
            assert allowed == EARLIER, (stage, allowed)
        else:
            words = set(re.findall(r"[a-z_]+", allowed)) - {"the", "foundations", "only"}
            assert words == set(declared), (stage, allowed)
