"""A small, exact, deterministic 2-D Delaunay triangulation and barycentric point location.

Process maps interpolate the films of one P% level linearly over a Delaunay
triangulation of their (L:S, X:B) conditions. Those are a few dozen points (at
most a few thousand, after binning, for very large tables), so a plain
incremental algorithm in Python suffices, and the analysis need not import
``scipy.spatial`` (0.3 s).

Algorithm
---------
Points are inserted in lexicographic (x, y) order, so every new point lies
outside the current convex hull (sweep-hull insertion): it is joined to the
hull edges it sees, and the edges opposite it are made locally Delaunay by
Lawson flips. The orientation and in-circle predicates are exact (a
floating-point filter with Shewchuk's error bounds, falling back to exact
rational arithmetic), so near-degenerate inputs cannot break the
triangulation.

Degenerate inputs
-----------------
* Collinear points: hull vertices on a straight edge stay vertices; all
  points collinear gives no triangle.
* Co-circular points (e.g. the four corners of every cell of a rectangular
  grid design): the Delaunay triangulation is not unique. Ties are broken by
  symbolic perturbation, as CGAL does: each point is lifted onto the
  paraboloid by an extra infinitesimal amount that is larger the earlier the
  point comes in (x, y) lexicographic order. For four co-circular points this
  picks the diagonal that avoids the lexicographically smallest one; a
  rectangular grid cell is split from its upper-left (low x, high y) to its
  lower-right corner. The result is one of the valid Delaunay triangulations
  and does not depend on the order of the input rows. (Qhull, behind
  ``scipy.spatial.Delaunay``, decides such ties by floating-point noise.)
* Duplicate points: only the first of equal points becomes a vertex.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

__all__ = ["delaunay", "locate"]

_EPS = 2.0**-53
_CCW_BOUND = (3.0 + 16.0 * _EPS) * _EPS
_ICC_BOUND = (10.0 + 96.0 * _EPS) * _EPS


def _orient(a, b, c) -> int:
    """Sign of the orientation of (a, b, c): +1 counter-clockwise, −1 clockwise, 0 collinear (exact)."""
    detleft = (a[0] - c[0]) * (b[1] - c[1])
    detright = (a[1] - c[1]) * (b[0] - c[0])
    det = detleft - detright
    bound = _CCW_BOUND * (abs(detleft) + abs(detright))
    if det > bound:
        return 1
    if -det > bound:
        return -1
    fa, fb, fc = ([Fraction(v) for v in p] for p in (a, b, c))
    det = (fa[0] - fc[0]) * (fb[1] - fc[1]) - (fa[1] - fc[1]) * (fb[0] - fc[0])
    return (det > 0) - (det < 0)


def _incircle_exact_sign(a, b, c, d) -> int:
    """Sign of the in-circle determinant (> 0: d inside the circle of CCW a, b, c), exact."""
    adx = a[0] - d[0]
    ady = a[1] - d[1]
    bdx = b[0] - d[0]
    bdy = b[1] - d[1]
    cdx = c[0] - d[0]
    cdy = c[1] - d[1]
    bdxcdy, cdxbdy = bdx * cdy, cdx * bdy
    cdxady, adxcdy = cdx * ady, adx * cdy
    adxbdy, bdxady = adx * bdy, bdx * ady
    alift = adx * adx + ady * ady
    blift = bdx * bdx + bdy * bdy
    clift = cdx * cdx + cdy * cdy
    det = alift * (bdxcdy - cdxbdy) + blift * (cdxady - adxcdy) + clift * (adxbdy - bdxady)
    permanent = ((abs(bdxcdy) + abs(cdxbdy)) * alift + (abs(cdxady) + abs(adxcdy)) * blift
                 + (abs(adxbdy) + abs(bdxady)) * clift)
    bound = _ICC_BOUND * permanent
    if det > bound:
        return 1
    if -det > bound:
        return -1
    fa, fb, fc, fd = ([Fraction(v) for v in p] for p in (a, b, c, d))
    adx, ady = fa[0] - fd[0], fa[1] - fd[1]
    bdx, bdy = fb[0] - fd[0], fb[1] - fd[1]
    cdx, cdy = fc[0] - fd[0], fc[1] - fd[1]
    det = ((adx * adx + ady * ady) * (bdx * cdy - cdx * bdy) + (bdx * bdx + bdy * bdy) * (cdx * ady - adx * cdy)
           + (cdx * cdx + cdy * cdy) * (adx * bdy - bdx * ady))
    return (det > 0) - (det < 0)


def _in_circle(p: list, ia: int, ib: int, ic: int, id_: int) -> bool:
    """Is point id_ strictly inside the circle through the CCW triangle (ia, ib, ic), after perturbation?

    Indices are lexicographic ranks. An exact tie (four co-circular points) is
    decided by the lift of the lowest-ranked of the four, which dominates: the
    sign is that of its cofactor in the 4 × 4 lifted determinant.
    """
    s = _incircle_exact_sign(p[ia], p[ib], p[ic], p[id_])
    if s:
        return s > 0
    low = min(ia, ib, ic, id_)
    if low == ia:
        s = _orient(p[ib], p[ic], p[id_])
    elif low == ib:
        s = -_orient(p[ia], p[ic], p[id_])
    elif low == ic:
        s = _orient(p[ia], p[ib], p[id_])
    else:
        s = -_orient(p[ia], p[ib], p[ic])
    return s > 0


def delaunay(points) -> np.ndarray:
    """Delaunay triangulation of 2-D points.

    Parameters
    ----------
    points : array-like, shape (n, 2)
        Finite coordinates.

    Returns
    -------
    numpy.ndarray of int, shape (t, 3)
        Triangles as indices into ``points``, counter-clockwise, sorted (by
        their vertex indices) so the output is deterministic; empty (0, 3)
        when fewer than 3 distinct points are not all collinear.

    Notes
    -----
    See the module docstring for the algorithm and for the rule used where
    the triangulation is not unique (co-circular points). R:
    ``geometry::delaunayn`` or ``deldir::deldir`` (which, like SciPy, break
    such ties by floating-point rounding).
    """
    pts = np.asarray(points, dtype=float)
    if pts.ndim != 2 or pts.shape[1] != 2:
        raise ValueError(f"delaunay: points must have shape (n, 2); got {pts.shape}")
    if not np.all(np.isfinite(pts)):
        raise ValueError("delaunay: points must be finite")
    order = np.lexsort((pts[:, 1], pts[:, 0]))
    sp = pts[order]
    keep = np.r_[True, np.any(sp[1:] != sp[:-1], axis=1)]  # first of equal points
    order = order[keep]
    p = [tuple(map(float, row)) for row in pts[order]]
    n = len(p)
    empty = np.empty((0, 3), dtype=np.intp)
    if n < 3:
        return empty
    # the first points may be collinear; find the first that is not
    i = 2
    while i < n and _orient(p[0], p[1], p[i]) == 0:
        i += 1
    if i == n:
        return empty
    opp: dict[tuple[int, int], int] = {}  # directed edge (a, b) of CCW triangle (a, b, c) -> c

    def add(a: int, b: int, c: int) -> None:
        opp[(a, b)] = c
        opp[(b, c)] = a
        opp[(c, a)] = b

    def remove(a: int, b: int, c: int) -> None:
        del opp[(a, b)], opp[(b, c)], opp[(c, a)]

    def legalize(stack: list[tuple[int, int]]) -> None:
        while stack:
            a, b = stack.pop()
            c = opp.get((a, b))
            d = opp.get((b, a))
            if c is None or d is None:  # hull edge, or flipped away meanwhile
                continue
            if _in_circle(p, a, b, c, d):
                remove(a, b, c)
                remove(b, a, d)
                add(a, d, c)
                add(d, b, c)
                stack.extend([(a, d), (d, b)])
                stack.extend([(b, c), (c, a)])

    nxt: dict[int, int] = {}
    prv: dict[int, int] = {}
    chain = list(range(i))  # collinear, in lexicographic order along their line
    if _orient(p[0], p[1], p[i]) > 0:
        for j in range(i - 1):
            add(chain[j], chain[j + 1], i)
        ring = chain + [i]
    else:
        for j in range(i - 1):
            add(chain[j + 1], chain[j], i)
        ring = chain[::-1] + [i]
    for u, v in zip(ring, ring[1:] + ring[:1]):
        nxt[u], prv[v] = v, u
    for q in range(i + 1, n):
        last = q - 1
        # a hull edge at the last inserted point is visible from q, except in degenerate cases
        start = None
        if _orient(p[last], p[nxt[last]], p[q]) < 0:
            start = last
        elif _orient(p[prv[last]], p[last], p[q]) < 0:
            start = prv[last]
        else:
            for u in nxt:
                if _orient(p[u], p[nxt[u]], p[q]) < 0:
                    start = u
                    break
            if start is None:  # pragma: no cover - q lies outside the hull by construction
                raise RuntimeError("delaunay: no visible hull edge (internal error)")
        u = start
        while _orient(p[prv[u]], p[u], p[q]) < 0:
            u = prv[u]
            if u == start:  # pragma: no cover
                raise RuntimeError("delaunay: the whole hull is visible (internal error)")
        w = nxt[start]
        while _orient(p[w], p[nxt[w]], p[q]) < 0:
            w = nxt[w]
        stack = []
        v = u
        while v != w:
            v2 = nxt[v]
            add(v2, v, q)
            stack.append((v2, v))
            if v != u:
                del nxt[v], prv[v]
            v = v2
        nxt[u], prv[q] = q, u
        nxt[q], prv[w] = w, q
        legalize(stack)
    tris = {tuple(_canonical(a, b, c)) for (a, b), c in opp.items()}
    out = np.array(sorted(tris), dtype=np.intp).reshape(-1, 3)
    return order[out]


def _canonical(a: int, b: int, c: int) -> tuple[int, int, int]:
    """The rotation of the CCW triple (a, b, c) that starts with its smallest index."""
    if a < b and a < c:
        return a, b, c
    if b < c:
        return b, c, a
    return c, a, b


def locate(points, triangles, queries, *, tol: float = 1e-9) -> tuple[np.ndarray, np.ndarray]:
    """Triangle containing each query point, and its barycentric coordinates.

    Parameters
    ----------
    points : array-like, shape (n, 2)
    triangles : array-like of int, shape (t, 3)
    queries : array-like, shape (q, 2)
    tol : float, default 1e-9
        A query counts as inside a triangle when all its barycentric
        coordinates are ≥ −tol (as ``scipy.spatial.Delaunay.find_simplex``).

    Returns
    -------
    simplex : numpy.ndarray of int, shape (q,)
        Index of the first triangle containing the query, −1 outside all.
    weights : numpy.ndarray, shape (q, 3)
        Barycentric coordinates in that triangle (NaN outside).
    """
    pts = np.asarray(points, dtype=float)
    tri = np.asarray(triangles, dtype=np.intp)
    qs = np.asarray(queries, dtype=float)
    simplex = np.full(len(qs), -1, dtype=np.intp)
    weights = np.full((len(qs), 3), np.nan)
    if len(tri) == 0 or len(qs) == 0:
        return simplex, weights
    a, b, c = pts[tri[:, 0]], pts[tri[:, 1]], pts[tri[:, 2]]
    v0, v1 = b - a, c - a
    den = v0[:, 0] * v1[:, 1] - v1[:, 0] * v0[:, 1]
    # A sliver along the hull (a point inserted almost on the line of a hull edge) can have a doubled area
    # that rounds to 0 here. It covers nothing its neighbours do not (within tol), so it is not searched.
    scale = float(np.abs(pts).max())
    searched = np.flatnonzero(np.abs(den) > 64 * np.finfo(float).eps * scale * scale)
    a, v0, v1, den = a[searched], v0[searched], v1[searched], den[searched]
    step = max(1, (1 << 16) // len(qs))
    todo = np.ones(len(qs), dtype=bool)
    for s in range(0, len(searched), step):
        e = slice(s, s + step)
        v2x = qs[None, :, 0] - a[e, 0, None]
        v2y = qs[None, :, 1] - a[e, 1, None]
        wb = (v2x * v1[e, 1, None] - v1[e, 0, None] * v2y) / den[e, None]
        wc = (v0[e, 0, None] * v2y - v2x * v0[e, 1, None]) / den[e, None]
        wa = 1.0 - wb - wc
        inside = (wa >= -tol) & (wb >= -tol) & (wc >= -tol) & todo[None, :]
        hit = inside.any(axis=0)
        if hit.any():
            first = inside[:, hit].argmax(axis=0)
            cols = np.flatnonzero(hit)
            simplex[cols] = searched[s + first]
            weights[cols] = np.column_stack([wa[first, cols], wb[first, cols], wc[first, cols]])
            todo[cols] = False
        if not todo.any():
            break
    return simplex, weights
