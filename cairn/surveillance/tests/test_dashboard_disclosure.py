"""Suppression of tables with totals: no count from 1 to 4 shows, and none can be worked out.

Every protected table is audited with linear programming (`feasible_ranges`): over all
tables that agree with what is published, each suppressed cell must still be able to take
at least four values (as many as "1 to 4" allows).
"""

import numpy as np
import pytest

from cairn.access.suppression import suppress_counts, suppressed_total
from cairn.surveillance.dashboards.disclosure import (
    Equation,
    Grid,
    InconsistentTableError,
    protect,
)
from cairn.surveillance.dashboards.testing import feasible_ranges

MIN_SPREAD = 3  # highest - lowest: four possible values, like 1..4


def row(values: dict, total_key="total"):
    cells = dict(values)
    cells[total_key] = sum(values.values())
    return cells, [Equation(total_key, tuple(values))]


def assert_protected(values: dict, equations: list[Equation], shown: dict):
    for key, value in shown.items():
        if value is not None:
            assert not 1 <= value <= 4, f"{key} shows the small count {value}"
    ranges = feasible_ranges([(e.total, e.parts) for e in equations], shown)
    for key, (low, high) in ranges.items():
        assert low - 1e-6 <= values[key] <= high + 1e-6
        assert high - low >= MIN_SPREAD - 1e-6, (
            f"{key} (really {values[key]}) is narrowed to {low:g}..{high:g}"
        )
    # Under a shown total, small hidden counts never stand alone.
    for equation in equations:
        hidden = [p for p in equation.parts if shown[p] is None]
        if shown[equation.total] is not None and hidden:
            assert any(values[p] >= 5 for p in hidden), f"only small cells hidden in {equation}"


def test_one_small_cell_hides_the_next_smallest_too():
    values, equations = row({"ed": 3, "paramedic": 12, "coroner": 40, "first_responder": 0})
    shown = protect(values, equations)
    assert shown == {
        "ed": None,
        "paramedic": None,
        "coroner": 40,
        "first_responder": 0,
        "total": 55,
    }
    assert_protected(values, equations, shown)


def test_two_small_cells_that_the_total_would_pin_down():
    # 4 + 4 with nothing else: the access rules alone would show the total 8, giving both
    # away (both hidden cells at most 4, adding up to 8). Here the total is hidden too.
    values, equations = row({"a": 4, "b": 4, "c": 0})
    assert suppress_counts({"a": 4, "b": 4, "c": 0}) == {"a": None, "b": None, "c": 0}
    assert suppressed_total({"a": 4, "b": 4, "c": 0}) == 8  # what protect() improves on
    shown = protect(values, equations)
    assert shown["a"] is None and shown["b"] is None
    assert shown["total"] is None
    assert_protected(values, equations, shown)


def test_many_ones_are_not_given_away_by_their_sum():
    values, equations = row({f"area-{i}": 1 for i in range(6)} | {"big": 30})
    shown = protect(values, equations)
    assert shown["big"] is None  # 6 ones and a total of 36 would otherwise say "all ones"
    assert_protected(values, equations, shown)


def test_zeros_and_large_counts_show():
    values, equations = row({"a": 0, "b": 5, "c": 120})
    assert protect(values, equations) == values


def test_two_way_table_is_protected_across_rows_and_columns():
    # Four communities by three months, with their totals: a cell hidden in its row is
    # also in its column, and the rectangle of hidden cells has to be wide enough.
    table = np.array([[6, 3, 2], [1, 0, 0], [5, 0, 1], [32, 9, 14]])
    keys = [[("c", i, j) for j in range(3)] + [("c", i, "all")] for i in range(4)]
    margin = [("m", j) for j in range(3)] + [("m", "all")]
    values = {}
    for i in range(4):
        for j in range(3):
            values[keys[i][j]] = int(table[i, j])
        values[keys[i][3]] = int(table[i].sum())
    for j in range(3):
        values[margin[j]] = int(table[:, j].sum())
    values[margin[3]] = int(table.sum())
    grid = Grid(tuple([tuple(margin), *(tuple(k) for k in keys)]))
    shown = protect(values, grids=[grid])
    assert_protected(values, grid.equations(), shown)


def _random_hierarchy(rng, *, authorities, areas, periods):
    """A province > authorities > areas table over periods, with period totals."""
    values, grids = {}, []
    times = [*range(periods), "all"]
    for a in range(authorities):
        for c in range(areas[a]):
            mean = float(rng.choice([0.3, 1, 2, 4, 8, 20]))
            for t in range(periods):
                values[("area", a, c, t)] = int(rng.poisson(mean))
            values[("area", a, c, "all")] = sum(values[("area", a, c, t)] for t in range(periods))
        for t in times:
            values[("ha", a, t)] = sum(values[("area", a, c, t)] for c in range(areas[a]))
        rows = [tuple(("ha", a, t) for t in times)]
        rows += [tuple(("area", a, c, t) for t in times) for c in range(areas[a])]
        grids.append(Grid(tuple(rows)))
    for t in times:
        values[("bc", t)] = sum(values[("ha", a, t)] for a in range(authorities))
    rows = [tuple(("bc", t) for t in times)]
    rows += [tuple(("ha", a, t) for t in times) for a in range(authorities)]
    grids.append(Grid(tuple(rows)))
    return values, grids


@pytest.mark.parametrize("seed", range(25))
def test_random_hierarchies_survive_a_linear_programming_audit(seed):
    rng = np.random.default_rng(seed)
    authorities = int(rng.integers(2, 5))
    areas = [int(rng.integers(2, 6)) for _ in range(authorities)]
    values, grids = _random_hierarchy(
        rng, authorities=authorities, areas=areas, periods=int(rng.integers(3, 13))
    )
    shown = protect(values, grids=grids)
    assert_protected(values, [e for g in grids for e in g.equations()], shown)


def test_values_that_do_not_add_up_are_refused():
    with pytest.raises(InconsistentTableError, match="'total' is 9 but its parts add up to 10"):
        protect({"a": 4, "b": 6, "total": 9}, [Equation("total", ("a", "b"))])
    with pytest.raises(InconsistentTableError, match="negative"):
        protect({"a": -1, "total": -1}, [Equation("total", ("a",))])
