"""The import boundaries of DESIGN.md, read from the source: no circles, `core` knows no domain, arrows point
down the layers, and a domain reaches another only through its door (`attent.<domain>` or its `service`).

`python -m tests.unit.test_architecture` prints the counts the architecture issue asked for.
"""

import ast
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "src" / "attent"
# Lowest first. A domain may import the domains of lower rows only; domains on one row know nothing of
# each other. The entry points (app, cli, wiring, models, __main__) stand above every row.
LAYERS: list[tuple[str, ...]] = [
    ("core",),
    ("organisations", "mail"),
    ("agents",),
    ("timeline", "notifications", "failures"),
    ("customers",),
    ("cases",),
    ("files",),
    ("channels",),
    ("contacts",),
    ("promises",),
    ("verification", "playbooks"),
    ("recovery",),
    ("signals", "coach"),
    ("briefs", "phone", "mailboxes"),
    ("insight",),
    ("privacy",),
    ("search",),
    ("workspace", "portal"),
]
# Entry points compose everything: the app, the CLI, the wiring, every model for Alembic, the demo data.
ENTRY_POINTS = {"app", "cli", "wiring", "models", "demo", "__main__", "__init__"}
RANK = {domain: rank for rank, row in enumerate(LAYERS) for domain in row}
DOORS = {"service"}  # besides the package itself, which re-exports the names other domains use


@dataclass(frozen=True)
class Import:
    """One `import attent…` or `from attent… import …` statement."""

    module: str  # the importing module, e.g. attent.cases.service
    target: str  # the imported module, e.g. attent.timeline.service
    line: int

    @property
    def source_domain(self) -> str:
        return _domain(self.module)

    @property
    def target_domain(self) -> str:
        return _domain(self.target)


def _domain(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SOURCE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> set[str]:
    return {_module_name(p) for p in SOURCE.rglob("*.py") if "migrations" not in p.parts}


def imports() -> Iterator[Import]:
    """Every import of an attent module by an attent module, wherever it stands (lazy ones included)."""
    known = _modules()
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        module = _module_name(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                # `from attent.cases import service` imports the module attent.cases.service
                targets = [
                    f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in known else node.module
                    for a in node.names
                ]
            else:
                continue
            for target in dict.fromkeys(targets):
                if target == "attent" or target.startswith("attent."):
                    yield Import(module, target, node.lineno)


def circles(found: list[Import]) -> list[list[str]]:
    """Strongly connected groups of modules (Tarjan): each is an import circle."""
    graph: dict[str, set[str]] = defaultdict(set)
    for i in found:
        if i.target != i.module and not i.module.startswith(i.target + "."):  # a package's own children
            graph[i.module].add(i.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    sys.setrecursionlimit(10_000)

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in list(graph):
        if node not in index:
            visit(node)
    return groups


def upward(found: list[Import]) -> list[Import]:
    """Imports from a domain to one on its own row or a higher one (entry points may import anything)."""
    return [
        i
        for i in found
        if i.source_domain not in ENTRY_POINTS
        and i.source_domain != i.target_domain
        and RANK.get(i.target_domain, len(LAYERS)) >= RANK.get(i.source_domain, -1)
    ]


def side_doors(found: list[Import]) -> list[Import]:
    """Imports of another domain's modules other than its package and its service."""
    return [
        i
        for i in found
        if i.source_domain not in ENTRY_POINTS
        and i.target_domain not in (i.source_domain, "core")
        and i.target.count(".") > 1
        and i.target.split(".")[2] not in DOORS
    ]


def kind_literals(names: set[str] | None = None) -> list[tuple[str, int, str]]:
    """String literals that name a timeline event kind ('promise.kept') outside the `kinds.py` module that
    defines it; `names` defaults to every registered kind."""
    if names is None:
        from attent import wiring  # noqa: F401 (every domain, so every kind is registered)
        from attent.timeline.kinds import KINDS

        names = set(KINDS)
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" in path.parts or path.name == "kinds.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in names:
                found.append((_module_name(path), node.lineno, node.value))
    return found


def test_no_import_circles() -> None:
    assert circles(list(imports())) == []


def test_core_knows_no_domain() -> None:
    assert [i for i in imports() if i.source_domain == "core" and i.target_domain != "core"] == []


def test_every_domain_has_a_layer() -> None:
    domains = {p.name for p in SOURCE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert sorted(domains - set(RANK) - ENTRY_POINTS) == []


def test_arrows_point_down() -> None:
    assert [f"{i.module}:{i.line} -> {i.target}" for i in upward(list(imports()))] == []


def test_a_timeline_kind_is_named_only_where_it_is_defined() -> None:
    assert [f"{module}:{line} {kind}" for module, line, kind in kind_literals()] == []


def test_domains_meet_through_their_doors() -> None:
    assert [f"{i.module}:{i.line} -> {i.target}" for i in side_doors(list(imports()))] == []


ENGINE = "attent.coach.engine"  # the coach's pure engine: compiled, and no part of the product around it


def _in_engine(module: str) -> bool:
    return module == ENGINE or module.startswith(ENGINE + ".")


def engine_leaks() -> list[Import]:
    """Imports by the engine of any attent module outside it: the coach's product, core, another domain."""
    return [i for i in imports() if _in_engine(i.module) and not _in_engine(i.target)]


def engine_side_doors() -> list[Import]:
    """Imports of an engine module other than its package (`attent.coach.engine`, which re-exports what the
    product uses) by a module outside the engine."""
    return [i for i in imports() if not _in_engine(i.module) and _in_engine(i.target) and i.target != ENGINE]


def test_the_coach_engine_imports_nothing_of_attent_but_itself() -> None:
    assert [f"{i.module}:{i.line} -> {i.target}" for i in engine_leaks()] == []


def test_the_coach_product_uses_the_engine_through_its_package() -> None:
    assert [f"{i.module}:{i.line} -> {i.target}" for i in engine_side_doors()] == []


def test_the_engine_checks_see_the_engine() -> None:
    """The checks above read real imports: the engine's modules import each other, the product the door."""
    found = list(imports())
    assert any(i.module == f"{ENGINE}.scorer" and i.target == f"{ENGINE}.behaviours" for i in found)
    assert any(i.module == "attent.coach.scoring" and i.target == ENGINE for i in found)


if __name__ == "__main__":
    found = list(imports())
    kinds = kind_literals()
    print(f"imports between attent modules: {len(found)}")
    print(f"import circles: {len(circles(found))}")
    for group in circles(found):
        print("   ", " -> ".join(group))
    print(f"upward arrows: {len(upward(found))}")
    print(f"cross-domain imports other than a package or its service: {len(side_doors(found))}")
    print(f"timeline kind names written outside their definition: {len(kinds)}")
