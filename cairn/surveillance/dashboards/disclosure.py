"""Small-count suppression for tables whose cells add up to published totals.

`cairn.access.suppression` decides what a small count is (1 to 4 by default) and how one
row with its total is protected. Dashboards publish more than one row: a health
authority's weekly count is part of the province's week (a column total) and of the
authority's year (a row total), and the authority's year is the sum of its areas' years
(a hierarchy). A cell hidden in one row could be worked out from another row's total
unless enough cells are hidden across all of them.

`protect` hides cells until a reader of every published number can narrow no hidden cell
to fewer than four possible values (as many as "1 to 4" leaves), knowing only that a
hidden cell is at least 1 (zeros are shown). Steps:

1. Primary suppression: every count the access rules call small is hidden.
2. Each equation "total = sum of parts" is made safe on its own. As `suppress_counts`
   does for one row, small hidden parts never stand alone under a shown total: the
   smallest shown non-zero part is hidden too (or the total, when no part is left), so a
   reader who knows these rules cannot tell that every hidden part is small. Then, while
   the hidden cells leave too little room, more are hidden the same way.
3. Two-way tables (`Grid`: areas by periods, with their totals) are checked exactly: the
   room each hidden cell has is a maximum flow through the other hidden cells of its
   rows and columns (see `_grid_room`). A cell without enough room gets the smallest
   shown cell of its row or column hidden, and so on.
4. Finally all equations together: the bounds every equation implies are propagated
   through all of them until nothing changes, and any hidden cell left without enough
   room gets a neighbour hidden.

Hidden cells are all shown the same way ("suppressed"). The tests audit published tables
with linear programming over every equation a reader can form.
"""

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from cairn.access.suppression import is_suppressed, suppression_threshold

UNLIMITED = 2**40  # "no upper bound" as a capacity


@dataclass(frozen=True)
class Equation:
    """Published figures that add up: values[total] == sum(values[part] for part in parts)."""

    total: Hashable
    parts: tuple[Hashable, ...]


@dataclass(frozen=True)
class Grid:
    """A two-way table with its margins, every cell of it published.

    keys[0] is the margin row (column totals); keys[i][-1] is row i's total; keys[0][-1]
    the grand total. Each row and each column is an equation.
    """

    keys: tuple[tuple[Hashable, ...], ...]

    def equations(self) -> list[Equation]:
        rows, columns = len(self.keys), len(self.keys[0])
        found = [Equation(row[-1], tuple(row[:-1])) for row in self.keys]
        found += [
            Equation(self.keys[0][j], tuple(self.keys[i][j] for i in range(1, rows)))
            for j in range(columns)
        ]
        return found


class InconsistentTableError(ValueError):
    """The values given do not satisfy the equations they are published with."""


class _Table:
    """The values, which cells are hidden, and what a reader knows about a hidden cell."""

    def __init__(self, values: dict):
        self.values = values
        self.small = suppression_threshold() - 1  # 4: the largest small count
        self.hidden = {k for k, v in values.items() if is_suppressed(v)}

    def is_small(self, key) -> bool:
        return is_suppressed(self.values[key])

    def prior(self, key) -> tuple[float, float]:
        """What a reader knows of a hidden cell before any equation: at least 1 (zeros are
        shown), and nothing more, since every hidden cell is shown the same way."""
        return 1.0, math.inf

    def room(self, key) -> None:
        """Every hidden cell needs room for any four values (as many as 1 to 4 has)."""
        return None

    @property
    def spread(self) -> int:
        return self.small - 1

    def hide_smallest(self, keys: Iterable) -> Hashable | None:
        """Hide the smallest shown non-zero cell among keys; its key, or None."""
        values, hidden = self.values, self.hidden
        candidates = [(values[k], repr(k), k) for k in keys if k not in hidden and values[k] > 0]
        if not candidates:
            return None
        key = min(candidates)[2]
        hidden.add(key)
        return key


def _check(values: Mapping, equations: list[Equation]) -> None:
    for equation in equations:
        for key in (equation.total, *equation.parts):
            if key not in values:
                raise InconsistentTableError(f"Equation names a cell with no value: {key!r}.")
        parts = sum(values[p] for p in equation.parts)
        if values[equation.total] != parts:
            raise InconsistentTableError(
                f"Cell {equation.total!r} is {values[equation.total]} but its parts add up "
                f"to {parts}."
            )


def _equation_bounds(table: _Table, equation: Equation) -> dict:
    """Bounds on the hidden cells of one equation from it alone: {key: (low, high)}."""
    values, hidden = table.values, table.hidden
    keys = [(equation.total, 1), *((p, -1) for p in equation.parts)]
    # sum(sign * cell) == 0; move the shown cells to the right-hand side.
    constant = -sum(sign * values[k] for k, sign in keys if k not in hidden)
    unknown = [(k, sign, *table.prior(k)) for k, sign in keys if k in hidden]
    found = {}
    for key, sign, _, _ in unknown:
        # sign * key == constant - sum(other signs * others)
        low_rest = sum(s * (lo if s > 0 else hi) for k, s, lo, hi in unknown if k != key)
        high_rest = sum(s * (hi if s > 0 else lo) for k, s, lo, hi in unknown if k != key)
        low, high = constant - high_rest, constant - low_rest
        if sign < 0:
            low, high = -high, -low
        prior_low, prior_high = table.prior(key)
        found[key] = (max(low, prior_low), min(high, prior_high))
    return found


def _enough(table: _Table, key, low: float, high: float) -> bool:
    room = table.room(key)
    if room is None:
        return high - low >= table.spread - 1e-9
    value = table.values[key]
    return low <= value - room[0] + 1e-9 and high >= value + room[1] - 1e-9


def _fix_equation(table: _Table, equation: Equation) -> Hashable | None:
    """Make one equation safe on its own; the key of the cell it hid, if any."""
    hidden_parts = [p for p in equation.parts if p in table.hidden]
    if not hidden_parts and equation.total not in table.hidden:
        return None
    # As suppress_counts does for a row: under a shown total, small hidden counts never
    # stand alone; a reader who knows the rules would otherwise know each is 1 to 4.
    only_small = hidden_parts and all(table.is_small(p) for p in hidden_parts)
    if equation.total not in table.hidden and only_small:
        added = table.hide_smallest(equation.parts)
        if added is None:
            table.hidden.add(equation.total)
            added = equation.total
        return added
    for key, (low, high) in _equation_bounds(table, equation).items():
        if not _enough(table, key, low, high):
            added = table.hide_smallest(equation.parts)
            if added is None and equation.total not in table.hidden:
                table.hidden.add(equation.total)
                added = equation.total
            return added
    return None


def _grid_room(table: _Table, grid: Grid) -> list:
    """The hidden cells of a two-way table that cannot move as far as they must.

    Changes to the hidden cells that leave every published total alone are circulations
    in the bipartite graph of rows and columns whose edges are the hidden cells (the
    margin row and column enter with their sign flipped, so that every row and column
    sums to zero). A cell can rise by the flow that can come back around from its column
    to its row, and fall by the flow the other way, within what the other hidden cells
    allow: that is the linear-programming range, as two maximum flows. A cheap lower
    bound from single rectangles of hidden cells settles most cells first.
    """
    keys, hidden, values = grid.keys, table.hidden, table.values
    n_rows, n_columns = len(keys), len(keys[0])
    cells = []  # (row, column, key, rise capacity, fall capacity) in the signed table
    rise = np.zeros((n_rows, n_columns), dtype=np.int64)
    fall = np.zeros((n_rows, n_columns), dtype=np.int64)
    for i in range(n_rows):
        for j in range(n_columns):
            key = keys[i][j]
            if key not in hidden:
                continue
            low, high = table.prior(key)
            up = UNLIMITED if high == math.inf else int(high) - values[key]
            down = values[key] - int(low)
            interior = (i > 0) == (j < n_columns - 1)
            y_up, y_down = (up, down) if interior else (down, up)
            rise[i, j], fall[i, j] = y_up, y_down
            cells.append((i, j, key, y_up, y_down, interior))
    if not cells:
        return []
    short = []
    exact = []
    for i, j, key, y_up, y_down, interior in cells:
        room = table.room(key)
        if room is None:  # any four values: as far as `spread` either way, in total
            need_up = need_down = None
        else:
            need_up, need_down = (room[1], room[0]) if interior else room
        up = np.minimum(np.minimum(fall[i, :][None, :], fall[:, j][:, None]), rise)
        down = np.minimum(np.minimum(rise[i, :][None, :], rise[:, j][:, None]), fall)
        up[i, :] = up[:, j] = down[i, :] = down[:, j] = 0
        can_up, can_down = min(y_up, int(up.max())), min(y_down, int(down.max()))
        if _has_room(table, can_up, can_down, need_up, need_down):
            continue
        exact.append((i, j, key, y_up, y_down, need_up, need_down))
    if not exact:
        return []
    size = n_rows + n_columns
    capacity: list[dict] = [{} for _ in range(size)]
    for i, j, _, y_up, y_down, _ in cells:
        capacity[i][n_rows + j] = y_up  # flow row -> column raises the cell
        capacity[n_rows + j][i] = y_down
    for i, j, key, y_up, y_down, need_up, need_down in exact:
        column = n_rows + j
        del capacity[i][column], capacity[column][i]
        up_limit = table.spread if need_up is None else need_up
        down_limit = table.spread if need_down is None else need_down
        up = min(y_up, _flow(capacity, column, i, limit=up_limit))
        down = min(y_down, _flow(capacity, i, column, limit=down_limit))
        capacity[i][column], capacity[column][i] = y_up, y_down
        if not _has_room(table, up, down, need_up, need_down):
            short.append(key)
    return short


def _has_room(table: _Table, up: int, down: int, need_up, need_down) -> bool:
    if need_up is None:
        return up + down >= table.spread
    return up >= need_up and down >= need_down


def _flow(capacity: list[dict], source: int, sink: int, *, limit: int) -> int:
    """Maximum flow from source to sink, or `limit` if it is at least that much.

    Augmenting paths by breadth-first search on a copy of the residual capacities; the
    graphs are tiny (the rows and columns of one table) and a few units are enough.
    """
    if limit <= 0:
        return 0
    residual = [dict(edges) for edges in capacity]
    total = 0
    while total < limit:
        parent = {source: None}
        queue = [source]
        for node in queue:
            if node == sink:
                break
            for neighbour, room in residual[node].items():
                if room > 0 and neighbour not in parent:
                    parent[neighbour] = node
                    queue.append(neighbour)
        if sink not in parent:
            break
        path = []
        node = sink
        while parent[node] is not None:
            path.append((parent[node], node))
            node = parent[node]
        push = min(limit - total, *(residual[a][b] for a, b in path))
        for a, b in path:
            residual[a][b] -= push
            residual[b][a] = residual[b].get(a, 0) + push
        total += push
    return total


def _hide_near(table: _Table, grid: Grid, key) -> Hashable | None:
    """Hide the smallest shown non-zero cell in the key's row or column; when those hold
    none, look along the rows and columns of the hidden cells they hold, and so on."""
    keys = grid.keys
    i, j = next((i, row.index(key)) for i, row in enumerate(keys) if key in row)
    rows, columns = {i}, {j}
    seen_rows: set[int] = set()
    seen_columns: set[int] = set()
    while rows or columns:
        line = [keys[r][c] for r in rows for c in range(len(keys[0]))]
        line += [keys[r][c] for c in columns for r in range(len(keys))]
        added = table.hide_smallest(line)
        if added is not None:
            return added
        seen_rows |= rows
        seen_columns |= columns
        next_rows = {r for c in columns for r in range(len(keys)) if keys[r][c] in table.hidden}
        next_columns = {c for r in rows for c in range(len(keys[0])) if keys[r][c] in table.hidden}
        rows, columns = next_rows - seen_rows, next_columns - seen_columns
    return None


def _widen_grid(table: _Table, grid: Grid) -> bool:
    """Hide more cells of a two-way table until every hidden cell has its room."""
    hid_any = False
    while True:
        short = _grid_room(table, grid)
        progressed = False
        for key in short:
            if _hide_near(table, grid, key) is not None:
                progressed = hid_any = True
        if not progressed:
            return hid_any


def _bounds(table: _Table, equations: list[Equation]) -> dict:
    """Bounds on every hidden cell from all equations at once, propagated to a fixpoint."""
    hidden = table.hidden
    low = {k: table.prior(k)[0] for k in hidden}
    high = {k: table.prior(k)[1] for k in hidden}
    relevant = [e for e in equations if e.total in hidden or any(p in hidden for p in e.parts)]

    def bounds_of(key):
        if key in hidden:
            return low[key], high[key]
        value = float(table.values[key])
        return value, value

    for _ in range(100):
        changed = False
        for equation in relevant:
            parts = equation.parts
            part_bounds = [bounds_of(p) for p in parts]
            sum_low = sum(b[0] for b in part_bounds)
            sum_high = sum(b[1] for b in part_bounds)
            total = equation.total
            total_low, total_high = bounds_of(total)
            if total in hidden:
                if sum_low > low[total] + 1e-9:
                    low[total], changed = sum_low, True
                if sum_high < high[total] - 1e-9:
                    high[total], changed = sum_high, True
                total_low, total_high = low[total], high[total]
            unbounded = sum(1 for b in part_bounds if b[1] == math.inf)
            finite_high = sum(b[1] for b in part_bounds if b[1] != math.inf)
            for part, (part_low, part_high) in zip(parts, part_bounds, strict=True):
                if part not in hidden:
                    continue
                if part_high == math.inf:
                    others_high = math.inf if unbounded > 1 else finite_high
                else:
                    others_high = math.inf if unbounded else finite_high - part_high
                new_low = total_low - others_high
                new_high = total_high - (sum_low - part_low)
                if new_low > low[part] + 1e-9:
                    low[part], changed = new_low, True
                if new_high < high[part] - 1e-9:
                    high[part], changed = new_high, True
        if not changed:
            break
    return {k: (low[k], high[k]) for k in hidden}


def protect(
    values: Mapping[Hashable, int],
    equations: Iterable[Equation] = (),
    *,
    grids: Iterable[Grid] = (),
) -> dict:
    """The cells as they may be published: the value, or None where it is suppressed.

    `values` holds every published cell (non-negative integers); `equations` and `grids`
    every sum among them that a reader could use. Raises InconsistentTableError when the
    values do not add up.
    """
    values = {k: int(v) for k, v in values.items()}
    for key, value in values.items():
        if value < 0:
            raise InconsistentTableError(f"Cell {key!r} is negative ({value}).")
    grids = list(grids)
    equations = list(equations) + [e for grid in grids for e in grid.equations()]
    _check(values, equations)
    table = _Table(values)
    by_cell: dict[Hashable, list[Equation]] = {}
    for equation in equations:
        for key in (equation.total, *equation.parts):
            by_cell.setdefault(key, []).append(equation)

    while True:
        # Step 2: each equation on its own, until none needs another hidden cell.
        pending = equations
        while pending:
            touched = set()
            for equation in pending:
                added = _fix_equation(table, equation)
                if added is not None:
                    touched.add(added)
            pending = list({id(e): e for k in touched for e in by_cell.get(k, [])}.values())
        # Step 3: two-way tables exactly.
        if any(_widen_grid(table, grid) for grid in grids):
            continue
        # Step 4: all equations together.
        short = [
            k
            for k, (low, high) in _bounds(table, equations).items()
            if not _enough(table, k, low, high)
        ]
        if not short or not _widen(table, short, by_cell):
            break
    return {k: (None if k in table.hidden else v) for k, v in values.items()}


def _widen(table: _Table, short: list, by_cell: dict) -> bool:
    """Hide one more cell next to each hidden cell without room; False when none is left."""
    progressed = False
    for key in sorted(short, key=repr):
        # Widen through the equation with the fewest hidden cells: it is the tightest.
        for equation in sorted(
            by_cell.get(key, []),
            key=lambda e: sum(1 for c in (e.total, *e.parts) if c in table.hidden),
        ):
            if table.hide_smallest(equation.parts) is not None:
                progressed = True
                break
            if equation.total not in table.hidden and table.values[equation.total] > 0:
                table.hidden.add(equation.total)
                progressed = True
                break
    return progressed
