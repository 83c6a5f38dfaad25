"""No module of zoneops imports itself back: no two modules import each other, directly or
through a longer chain. A cycle makes the import order matter and hides which module is the
rule and which the user of it; the test names the cycle so it can be untied (move the shared
part down, or reach the other side through a registry or a signal).

The graph is import-linter's (grimp); imports under ``if TYPE_CHECKING:`` do not count, as in
the contracts of ``pyproject.toml``. Tests are left out: they may import anything.
"""

import grimp
import pytest

# Cycles being untied elsewhere, each as the set of its modules (none left).
KNOWN: set[frozenset[str]] = set()


def _is_test(module: str) -> bool:
    return ".tests." in f"{module}." or module.rsplit(".", 1)[-1].startswith("test")


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("zoneops", exclude_type_checking_imports=True, cache_dir=None)


def strongly_connected(graph) -> list[set[str]]:
    """The groups of modules that reach each other (Tarjan's algorithm, without recursion)."""
    modules = sorted(m for m in graph.modules if not _is_test(m))
    kept = set(modules)
    edges = {
        m: sorted(x for x in graph.find_modules_directly_imported_by(m) if x in kept)
        for m in modules
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups = []
    for root in modules:
        if root in index:
            continue
        work = [(root, iter(edges[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    group = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.add(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(group)
    return groups


def describe(graph, group: set[str]) -> str:
    """One cycle through the group, as ``a -> b -> … -> a``."""
    start = min(group)
    for step in sorted(graph.find_modules_directly_imported_by(start)):
        if step in group:
            back = graph.find_shortest_chain(importer=step, imported=start)
            if back:
                return " -> ".join((start, *back))
    return ", ".join(sorted(group))


def test_no_module_imports_itself_back(graph):
    cycles = [g for g in strongly_connected(graph) if frozenset(g) not in KNOWN]
    assert not cycles, "Import cycles:\n" + "\n".join(describe(graph, g) for g in cycles)


def test_the_known_cycles_are_still_there(graph):
    """A cycle untied must leave KNOWN too, so that it cannot come back unseen."""
    found = {frozenset(g) for g in strongly_connected(graph)}
    gone = [sorted(cycle) for cycle in KNOWN if cycle not in found]
    assert not gone, f"Untied: remove from KNOWN {gone}"


def test_a_cycle_is_found_and_named():
    """The check itself: two modules importing each other (one through a third) are named."""
    graph = grimp.ImportGraph()
    for module in ("p", "p.a", "p.b", "p.c", "p.tests", "p.tests.test_a"):
        graph.add_module(module)
    graph.add_import(importer="p.a", imported="p.b")
    graph.add_import(importer="p.b", imported="p.c")
    graph.add_import(importer="p.c", imported="p.a")
    graph.add_import(importer="p.tests.test_a", imported="p.a")
    graph.add_import(importer="p.a", imported="p.tests.test_a")
    groups = strongly_connected(graph)
    assert groups == [{"p.a", "p.b", "p.c"}]
    assert describe(graph, groups[0]) == "p.a -> p.b -> p.c -> p.a"
