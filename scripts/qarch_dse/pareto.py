"""Pareto fronts in Python, the same definition as `qarch pareto`: a point dominates another
when it is no worse in every objective and better in one; equal points do not dominate each
other."""

import math


def dominates(a, b, maximize):
    better = False
    for x, y, up in zip(a, b, maximize):
        if up:
            x, y = -x, -y
        if x > y:
            return False
        if x < y:
            better = True
    return better


def pareto_indices(values, maximize):
    """Indices (ascending) of the non-dominated rows of `values` (a list of tuples). A row with a
    NaN objective is never on the front and dominates nothing (NaN compares false, so it would
    otherwise sort anywhere and hide rows it cannot dominate)."""
    key = lambda i: tuple(-v if up else v for v, up in zip(values[i], maximize))
    usable = [i for i, row in enumerate(values) if not any(math.isnan(v) for v in row)]
    front = []
    for i in sorted(usable, key=key):
        if not any(dominates(values[f], values[i], maximize) for f in front):
            front.append(i)
    return sorted(front)


def pareto_mask(df, minimize=(), maximize=()):
    """A boolean Series: True for rows of `df` on the front. Rows whose status is not "ok" or
    that lack an objective (NaN) are False."""
    import pandas as pd

    columns = list(minimize) + list(maximize)
    ups = [False] * len(minimize) + [True] * len(maximize)
    usable = df[columns].notna().all(axis=1)
    if "status" in df.columns:
        usable &= df["status"] == "ok"
    rows = df.index[usable].tolist()
    values = [tuple(float(df.at[r, c]) for c in columns) for r in rows]
    mask = pd.Series(False, index=df.index)
    for i in pareto_indices(values, ups):
        mask.at[rows[i]] = True
    return mask
