"""Linear support vector machine in NumPy: solver, resampling, splits and metrics.

Everything the classifier needs without scikit-learn, imbalanced-learn or SciPy:

* :func:`smo_linear` solves many binary C-SVC problems with a linear kernel at
  once, by libsvm's SMO on the dual (Fan, Chen & Lin 2005 second-order working
  set selection, no shrinking) to a KKT gap below 1e-9, finished by an exact
  solve on the free support vectors that must pass the same test;
* :func:`fit_ovo` fits one-vs-one models (pairs of classes in sorted order, as
  libsvm) on many training sets in one call; :class:`LinearOVO` and
  :func:`vote` predict by libsvm's vote;
* :func:`standardize`, :func:`random_oversample`, :func:`stratified_split`,
  :func:`stratified_subsample` and :func:`repeated_stratified_kfold` draw with
  a :class:`numpy.random.Generator`;
* :func:`confusion_matrix`, :func:`precision_recall_f1`, :func:`f1_macro` and
  :func:`f1_macro_by_group`.

The arrays here are plain NumPy; labels are integers.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

__all__ = [
    "DECISION_TIE", "DEFAULT_TOL", "LinearOVO", "SMOResult", "confusion_matrix", "dual_objective", "f1_macro",
    "f1_macro_by_group", "fit_ovo", "kkt_gap", "precision_recall_f1", "random_oversample",
    "repeated_stratified_kfold", "smo_linear", "standardize", "stratified_split", "stratified_subsample", "vote",
]

TAU = 1e-12  # libsvm's substitute for a non-positive curvature a_ij
DEFAULT_TOL = 1e-9
DECISION_TIE = 1e-9  # |decision| below this is a tie (the point is on the hyperplane up to rounding)


# --------------------------------------------------------------------------- solver

@dataclass(frozen=True, eq=False)
class SMOResult:
    """Solutions of a batch of binary linear C-SVC problems (see :func:`smo_linear`).

    Attributes
    ----------
    alpha : numpy.ndarray
        (n_problems, n_points) dual variables, 0 on padding.
    w : numpy.ndarray
        (n_problems, n_features) hyperplane normal ``sum(alpha * y * x)``.
    b : numpy.ndarray
        (n_problems,) intercept; the decision value is ``x @ w + b``, > 0 for ``y = +1``.
    gap : numpy.ndarray
        KKT gap ``max_{I_up} v - min_{I_low} v`` of the returned ``alpha``
        (libsvm's stopping quantity, ``v = y - x @ w``).
    n_iter : numpy.ndarray
        SMO iterations of each problem.
    polished : numpy.ndarray
        True where the exact solve on the free set finished the problem (see Notes of :func:`smo_linear`).
    converged : numpy.ndarray
        True where ``gap < tol``.
    """

    alpha: np.ndarray
    w: np.ndarray
    b: np.ndarray
    gap: np.ndarray
    n_iter: np.ndarray
    polished: np.ndarray
    converged: np.ndarray


def _up_low(alpha, upper, ypos):
    """libsvm's I_up (alpha can move so that -y G grows) and I_low index sets."""
    lo = alpha > 0
    hi = alpha < upper
    return np.where(ypos, hi, lo), np.where(ypos, lo, hi)


def _gap_and_v(x, y, upper, ypos, alpha):
    w = np.einsum("pn,pnd->pd", alpha * y, x)
    v = y - np.einsum("pnd,pd->pn", x, w)
    up, low = _up_low(alpha, upper, ypos)
    return np.where(up, v, -np.inf).max(axis=1) - np.where(low, v, np.inf).min(axis=1), v, w


def kkt_gap(x, y, upper, alpha) -> np.ndarray:
    """KKT gap ``max_{i in I_up} v_i - min_{j in I_low} v_j`` with ``v = y - x @ w``.

    For the dual of the C-SVC, ``v_i = -y_i G_i`` (``G`` the gradient of the
    dual objective); a feasible ``alpha`` is optimal if and only if the gap
    is <= 0. Shapes as in :func:`smo_linear` (``y`` is +1/-1); one gap per problem.
    """
    x, y, upper, alpha = _as_batch(x, y, upper, alpha)
    return _gap_and_v(x, y, upper, y > 0, alpha)[0]


def dual_objective(x, y, alpha) -> np.ndarray:
    """Dual objective ``sum(alpha) - |sum(alpha y x)|^2 / 2`` (to be maximised), one per problem."""
    x, y, _, alpha = _as_batch(x, y, np.zeros_like(np.asarray(y, dtype=float)), alpha)
    w = np.einsum("pn,pnd->pd", alpha * y, x)
    return alpha.sum(axis=1) - 0.5 * (w * w).sum(axis=1)


def _as_batch(x, y, upper, alpha=None):
    x = np.asarray(x, dtype=float)
    if x.ndim == 2:
        x = x[None]
        y = np.asarray(y, dtype=float)[None]
        upper = np.asarray(upper, dtype=float)[None]
        alpha = None if alpha is None else np.asarray(alpha, dtype=float)[None]
    y = np.asarray(y, dtype=float)
    upper = np.asarray(upper, dtype=float)
    alpha = None if alpha is None else np.asarray(alpha, dtype=float)
    return x, y, upper, alpha


def _intercept(alpha, v, upper, ypos):
    """libsvm's ``calculate_rho`` (``b = -rho``): mean over free SVs, else the midpoint of the feasible range."""
    free = (alpha > 0) & (alpha < upper)
    nfree = free.sum(axis=1)
    mean_free = np.where(free, v, 0.0).sum(axis=1) / np.maximum(nfree, 1)
    at_up = alpha >= upper
    at_lo = (alpha <= 0) & (upper > 0)
    # in libsvm's terms yG = -v; ub over {y=+1 at 0, y=-1 at C}, lb over {y=+1 at C, y=-1 at 0}
    ub = np.where((at_up & ~ypos) | (at_lo & ypos), -v, np.inf).min(axis=1)
    lb = np.where((at_up & ypos) | (at_lo & ~ypos), -v, -np.inf).max(axis=1)
    return np.where(nfree > 0, mean_free, -(ub + lb) / 2)


def _polish(x, y, upper, ypos, alpha, tol, rounds=2):
    """Exact solution on the current free set, checked against the KKT conditions.

    With the bounded variables fixed, the free ones solve the linear system
    ``y_i (x_i . w + b) = 1`` (i free), ``y . alpha = 0``. If the solution
    leaves the box, the worst offender is moved to the bound it crossed and
    the system re-solved (at most ``rounds`` times). Returns ``(ok, alpha')``:
    ``ok`` where ``alpha'`` is feasible and its KKT gap is below ``tol``.
    """
    p, n, d = x.shape
    rows = np.arange(p)
    free = (alpha > 0) & (alpha < upper)
    base = np.where(free, 0.0, alpha)
    out = alpha.copy()
    ok_solve = np.zeros(p, dtype=bool)
    for _ in range(rounds):
        m = free.sum(axis=1)
        mm = int(m.max())
        if mm == 0:
            break
        order = np.argsort(~free, axis=1, kind="stable")[:, :mm]
        valid = np.arange(mm)[None, :] < m[:, None]
        xf = x[rows[:, None], order] * valid[:, :, None]
        yf = y[rows[:, None], order] * valid
        uf = upper[rows[:, None], order]
        wb = np.einsum("pn,pnd->pd", base * y, x)
        mat = np.zeros((p, mm + 1, mm + 1))
        mat[:, :mm, :mm] = yf[:, :, None] * yf[:, None, :] * np.matmul(xf, xf.transpose(0, 2, 1))
        mat[:, :mm, mm] = yf
        mat[:, mm, :mm] = yf
        diag = np.arange(mm)
        mat[:, diag, diag] += ~valid  # padding: identity rows
        mat[:, mm, mm] = (m == 0)
        rhs = np.zeros((p, mm + 1))
        rhs[:, :mm] = (1.0 - yf * np.einsum("pmd,pd->pm", xf, wb)) * valid
        rhs[:, mm] = -(base * y).sum(axis=1)
        sol = np.matmul(np.linalg.pinv(mat, rcond=1e-13), rhs[:, :, None])[:, :, 0]
        af = sol[:, :mm]
        # relative violation of the box, worst per problem
        scale = np.maximum(uf, 1e-300)
        over = np.where(valid, np.maximum(-af, af - uf) / scale, -np.inf)
        worst = over.argmax(axis=1)
        bad = over[rows, worst] > 1e-12
        cand = np.where(valid, np.clip(af, 0.0, uf), 0.0)
        trial = base.copy()
        trial[rows[:, None], order] = np.where(valid, cand, trial[rows[:, None], order])
        out = np.where((~bad & (m > 0))[:, None], trial, out)
        ok_solve |= ~bad & (m > 0)
        if not bad.any():
            break
        # move the worst offender of each failing problem to the bound it crossed
        bi = rows[bad]
        pt = order[bi, worst[bad]]
        free[bi, pt] = False
        base[bi, pt] = np.where(af[bi, worst[bad]] > uf[bi, worst[bad]], upper[bi, pt], 0.0)
    return ok_solve & _certify(x, y, upper, ypos, out, tol), out


def _certify(x, y, upper, ypos, alpha, tol):
    """True where ``alpha`` is feasible (box, ``y . alpha = 0``) and its KKT gap is below ``tol``."""
    gap = _gap_and_v(x, y, upper, ypos, alpha)[0]
    box = ((alpha >= 0) & (alpha <= upper)).all(axis=1)
    balance = np.abs((alpha * y).sum(axis=1)) <= 1e-10 * np.maximum(1.0, alpha.sum(axis=1))
    return box & balance & (gap < tol)


def _null_basis(y: np.ndarray) -> np.ndarray:
    """Orthonormal basis (columns) of ``{p : y . p = 0}``, by a Householder reflection of ``y / |y|`` onto e_1."""
    m = len(y)
    u = y / np.sqrt(y @ y)
    v = u.copy()
    v[0] -= 1.0 if u[0] <= 0 else -1.0  # u - e1 or u + e1, whichever is not near zero
    h = np.eye(m) - (2.0 / (v @ v)) * np.outer(v, v)
    return h[:, 1:]


def _box_qp(h, g, y, s, u, a, max_iter=60):
    """Exact minimiser of ``a'Ha/2 - g'a`` s.t. ``y'a = s``, ``0 <= a <= u`` (H positive semi-definite).

    Primal active-set method (Nocedal & Wright 2006, Alg. 16.3) from the
    feasible ``a``; on the free variables the step is the Newton step in the
    null space of ``y``, or, where the reduced Hessian is singular and the
    gradient has a component there, a descent direction followed to the first
    bound. Returns ``(a, ok)``; small problems only (a few dozen variables).
    """
    m = len(g)
    a = np.clip(a.astype(float), 0.0, u)
    at_lo, at_hi = a <= 0, a >= u
    eps = 1e-12 * max(1.0, float(np.abs(h).max(initial=0.0)), float(np.abs(g).max(initial=0.0)))
    for _ in range(max_iter):
        grad = h @ a - g
        free = ~(at_lo | at_hi)
        fr = np.flatnonzero(free)
        step = np.zeros(m)
        unbounded = False
        if len(fr) >= 2:
            z = _null_basis(y[fr])
            lam, vec = np.linalg.eigh(z.T @ h[np.ix_(fr, fr)] @ z)
            proj = vec.T @ (z.T @ grad[fr])
            flat = lam <= 1e-10 * max(float(lam.max(initial=0.0)), 1.0)
            if np.any(flat & (np.abs(proj) > eps)):
                step[fr] = z @ -(vec[:, flat] @ proj[flat])
                unbounded = True
            else:
                step[fr] = z @ -(vec[:, ~flat] @ (proj[~flat] / lam[~flat]))
        if not unbounded and np.abs(step).max(initial=0.0) <= 1e-13 * max(1.0, float(np.abs(a).max(initial=0.0))):
            # multipliers of the active bounds: grad + nu y >= 0 at 0, <= 0 at u
            if len(fr):
                nu = -float(np.mean(grad[fr] * y[fr]))
            else:
                lo_nu = np.where((at_lo & (y > 0)) | (at_hi & (y < 0)), -grad * y, -np.inf).max(initial=-np.inf)
                hi_nu = np.where((at_lo & (y < 0)) | (at_hi & (y > 0)), -grad * y, np.inf).min(initial=np.inf)
                nu = (lo_nu + hi_nu) / 2 if np.isfinite(lo_nu) and np.isfinite(hi_nu) else (
                    lo_nu if np.isfinite(lo_nu) else (hi_nu if np.isfinite(hi_nu) else 0.0))
            mu = grad + nu * y
            viol = np.where(at_lo, -mu, np.where(at_hi, mu, -np.inf))
            k = int(np.argmax(viol))
            if viol[k] <= eps:
                return a, True
            at_lo[k] = at_hi[k] = False  # release the bound with the wrong-signed multiplier
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            t_lo = np.where(free & (step < 0), -a / step, np.inf)
            t_hi = np.where(free & (step > 0), (u - a) / step, np.inf)
        t_block = np.minimum(t_lo, t_hi)
        k = int(np.argmin(t_block))
        t = t_block[k] if unbounded else min(1.0, t_block[k])
        if not np.isfinite(t):
            return a, False
        a = a + t * step
        if t == t_block[k]:
            if t_lo[k] <= t_hi[k]:
                a[k], at_lo[k] = 0.0, True
            else:
                a[k], at_hi[k] = u[k], True
        a = np.clip(a, 0.0, u)
    return a, False


def _polish_qp(x, y, upper, alpha, v, gmin, gmax, max_candidates=32):
    """Stage 2 of the polish for one problem: exact QP on the free points and the bounded
    points whose ``v`` lies inside the current ``[gmin, gmax]`` window, others fixed."""
    free = (alpha > 0) & (alpha < upper)
    window = (upper > 0) & (v >= gmin) & (v <= gmax)
    cand = np.flatnonzero(free | window)
    if not 2 <= len(cand) <= max_candidates:
        return alpha
    fixed = alpha.copy()
    fixed[cand] = 0.0
    w_fixed = (fixed * y) @ x
    xc, yc = x[cand], y[cand]
    h = (yc[:, None] * yc[None, :]) * (xc @ xc.T)
    g = 1.0 - yc * (xc @ w_fixed)
    a, ok = _box_qp(h, g, yc, -float((fixed * y).sum()), upper[cand], alpha[cand])
    if not ok:
        return alpha
    out = fixed
    out[cand] = a
    return out


def smo_linear(x, y, upper, *, tol: float = DEFAULT_TOL, max_iter: int | None = None, polish: bool = True,
               polish_every: int = 10, polish_gap: float = 0.1, alpha0=None) -> SMOResult:
    r"""Solve binary linear C-SVC problems from the dual by SMO, many at once.

    .. math::  \max_\alpha \sum_i \alpha_i - \tfrac12 \Big|\sum_i \alpha_i y_i x_i\Big|^2
               \quad\text{s.t.}\quad 0 \le \alpha_i \le C_i,\ \sum_i y_i \alpha_i = 0

    Parameters
    ----------
    x : numpy.ndarray
        (n_problems, n_points, n_features), or (n_points, n_features) for one
        problem. Problems of different sizes are padded.
    y : numpy.ndarray
        (n_problems, n_points) labels +1 / -1 (anything on padding).
    upper : numpy.ndarray
        (n_problems, n_points) box bound ``C_i`` of each point, 0 on padding
        (a point with bound 0 takes no part). ``C_i = C * m`` for a point that
        stands for ``m`` identical copies gives the same hyperplane as the copies.
    tol : float
        Stop when the KKT gap ``max_{I_up} v - min_{I_low} v < tol`` (libsvm's
        criterion and its ``eps``; libsvm's default is 1e-3). ``v = y - x . w``
        is in units of the decision value, whose margin is 1, so ``tol`` is
        relative to the margin whatever the units of ``x``.
    max_iter : int, optional
        Iteration limit per problem; default ``max(100000, 100 * n_points)``.
        Problems stopped there are returned with ``converged = False`` and a
        :class:`RuntimeWarning`.
    polish, polish_every, polish_gap : bool, int, float
        Every ``polish_every`` iterations, problems whose gap is below
        ``polish_gap`` try the exact solve on their free set (Notes).
    alpha0 : numpy.ndarray, optional
        Feasible starting point (box and ``y . alpha0 = 0``), shape of ``y``;
        default 0 (libsvm's start).

    Returns
    -------
    SMOResult

    Notes
    -----
    The iteration is libsvm's ``Solver::Solve`` without shrinking, started at
    ``alpha = 0`` (or ``alpha0``): working set by the second-order rule of
    Fan, Chen & Lin (2005) -- ``i = argmax_{I_up} v``, ``j = argmax_{I_low,
    v_j < v_i} (v_i - v_j)^2 / a_ij`` with ``a_ij = |x_i - x_j|^2`` (floored
    at ``TAU = 1e-12``; libsvm replaces only ``a_ij <= 0`` by TAU, and takes
    the last index on ties where this takes the first) -- and the analytic
    two-variable step clipped to the box. All problems iterate together as
    arrays; each picks its own pair, and a problem leaves the batch when it
    has converged. The gradient is kept as ``v = y - x . w`` and updated
    through ``w`` (linear kernel, O(n d) per iteration).

    SMO converges linearly near the optimum, and slowly when several free
    support vectors zig-zag or a variable creeps towards its bound. With
    ``polish=True``, once the gap is below ``polish_gap`` the run is finished
    exactly: (1) all such problems at once, the KKT system of the free
    variables with the bounded ones fixed (``y_i (x_i . w + b) = 1`` on the
    free set, ``y . alpha = 0``; pseudo-inverse, one retry after moving the
    worst variable that leaves the box to its bound); (2) for those that
    fail, one at a time, the box-constrained QP on the free points and the
    points whose ``v`` is inside the current gap, solved by a primal
    active-set method. A polished ``alpha`` is accepted only if it is
    feasible (box, ``y . alpha = 0``) and passes libsvm's stopping test
    ``gap < tol`` on the whole problem; otherwise SMO continues. So every
    returned ``alpha`` meets libsvm's criterion at ``tol`` (polished ones
    typically at 1e-13), or ``converged`` is False. ``w`` is unique at the
    optimum; ``b`` is libsvm's: the mean of ``v`` over free support vectors,
    else the midpoint of the range the bounded ones allow.

    R: ``e1071::svm(x, factor(y), kernel = "linear", cost = C, scale = FALSE,
    tolerance = tol, shrinking = FALSE)`` (libsvm); Python:
    ``sklearn.svm.SVC(kernel="linear", C=C, tol=tol, shrinking=False)``, whose
    ``coef_`` and ``intercept_`` equal ``w`` and ``b`` when ``y`` is -1/+1.
    """
    x, y, upper, _ = _as_batch(x, y, upper)
    if x.ndim != 3 or y.shape != x.shape[:2] or upper.shape != y.shape:
        raise ValueError(f"smo_linear: x must be (problems, points, features) with y and upper (problems, points); "
                         f"got x {x.shape}, y {y.shape}, upper {upper.shape}")
    if not (np.isfinite(x).all() and np.isfinite(upper).all() and (upper >= 0).all()):
        raise ValueError("smo_linear: x must be finite and upper finite and >= 0")
    n_prob, n_pts, _ = x.shape
    upper = np.where(np.abs(y) > 0, upper, 0.0)
    y = np.where(y > 0, 1.0, -1.0)
    if max_iter is None:
        max_iter = max(100_000, 100 * n_pts)
    if alpha0 is None:
        alpha = np.zeros((n_prob, n_pts))
    else:
        alpha = np.array(alpha0, dtype=float).reshape(n_prob, n_pts)  # a copy: the caller's array is left alone
        unbalanced = np.abs((alpha * y).sum(axis=1)) > 1e-9 * np.maximum(1.0, alpha.sum(axis=1))
        if ((alpha < 0) | (alpha > upper)).any() or unbalanced.any():
            raise ValueError("smo_linear: alpha0 must be feasible (0 <= alpha0 <= upper, y . alpha0 = 0)")
    iters = np.zeros(n_prob, dtype=int)
    polished = np.zeros(n_prob, dtype=bool)
    sq = np.einsum("pnd,pnd->pn", x, x)
    ypos = y > 0

    # alpha_i (i in I_up) moves by +y_i t towards c_up_i; alpha_j (j in I_low) by -y_j t towards c_low_j
    c_up = np.where(ypos, upper, 0.0)
    c_low = upper - c_up
    up0, low0 = _up_low(alpha, upper, ypos)
    pen_up = np.where(up0, 0.0, -np.inf)  # v + pen_up: v on I_up, -inf elsewhere (updated at i, j only)
    pen_low = np.where(low0, 0.0, np.inf)

    active = np.arange(n_prob)
    xa, ya, ua, sqa, pa, cu, cl, pu, pl = x, y, upper, sq, ypos, c_up, c_low, pen_up, pen_low
    al = alpha.copy()
    va = ya - np.einsum("pnd,pd->pn", x, np.einsum("pn,pnd->pd", alpha * y, x))  # v = y - x . w
    r = np.arange(n_prob)
    it = 0
    while True:
        vu = va + pu
        i = vu.argmax(axis=1)
        gmax = vu[r, i]
        vl = va + pl
        gap = gmax - vl.min(axis=1)
        done = ~(gap >= tol)  # also stops a problem with an empty I_up or I_low (gap -inf or nan)
        if it >= max_iter:
            done[:] = True
        if polish and it % polish_every == 0:
            cand = np.flatnonzero(~done & (gap < polish_gap))
            if len(cand):
                ok, new = _polish(xa[cand], ya[cand], ua[cand], pa[cand], al[cand], tol)
                if not ok.all():  # stage 2, one problem at a time: exact QP on the points still in play
                    lo_gap = gmax - gap
                    for k in np.flatnonzero(~ok):
                        p = cand[k]
                        new[k] = _polish_qp(xa[p], ya[p], ua[p], al[p], va[p], lo_gap[p], gmax[p])
                    recheck = np.flatnonzero(~ok)
                    ok[recheck] = _certify(xa[cand[recheck]], ya[cand[recheck]], ua[cand[recheck]],
                                           pa[cand[recheck]], new[recheck], tol)
                if ok.any():
                    hit = cand[ok]
                    al[hit] = new[ok]
                    done[hit] = True
                    polished[active[hit]] = True
        if done.any():
            alpha[active[done]] = al[done]
            iters[active[done]] = it
            keep = ~done
            active = active[keep]
            if not len(active):
                break
            xa, ya, ua, sqa, pa, cu, cl, pu, pl, al, va = (
                xa[keep], ya[keep], ua[keep], sqa[keep], pa[keep], cu[keep], cl[keep], pu[keep], pl[keep],
                al[keep], va[keep])
            i, gmax, vl = i[keep], gmax[keep], vl[keep]
            r = np.arange(len(active))
        it += 1
        xi = xa[r, i]
        # curvature a_ij = |x_i - x_j|^2, floored at TAU; second-order choice of j among I_low with v_j < v_i
        a = np.maximum(sqa - 2.0 * np.matmul(xa, xi[:, :, None])[:, :, 0] + sqa[r, i][:, None], TAU)
        bd = gmax[:, None] - vl  # -inf outside I_low
        j = (np.square(np.maximum(bd, 0.0)) / a).argmax(axis=1)
        yi, yj = ya[r, i], ya[r, j]
        ai, aj = al[r, i], al[r, j]
        ti, tj = cu[r, i], cl[r, j]
        room_i = ti - yi * ai
        room_j = yj * (aj - tj)
        t = np.minimum(bd[r, j] / a[r, j], np.minimum(room_i, room_j))
        ai_new = np.where(t >= room_i, ti, ai + yi * t)
        aj_new = np.where(t >= room_j, tj, aj - yj * t)
        al[r, i] = ai_new
        al[r, j] = aj_new
        ij = np.stack([i, j], axis=1)
        a_ij = np.stack([ai_new, aj_new], axis=1)
        u_ij = ua[r[:, None], ij]
        p_ij = pa[r[:, None], ij]
        lo_ij, hi_ij = a_ij > 0, a_ij < u_ij
        pu[r[:, None], ij] = np.where(np.where(p_ij, hi_ij, lo_ij), 0.0, -np.inf)
        pl[r[:, None], ij] = np.where(np.where(p_ij, lo_ij, hi_ij), 0.0, np.inf)
        dw = ((ai_new - ai) * yi)[:, None] * xi + ((aj_new - aj) * yj)[:, None] * xa[r, j]
        va -= np.matmul(xa, dw[:, :, None])[:, :, 0]

    gap_out, v, w = _gap_and_v(x, y, upper, ypos, alpha)
    converged = ~(gap_out >= tol)
    if not converged.all():
        warnings.warn(f"smo_linear: {int((~converged).sum())} of {n_prob} problem(s) stopped at the iteration "
                      f"limit {max_iter} with KKT gap up to {np.nanmax(gap_out[~converged]):.3g} "
                      f"(tolerance {tol:g})", RuntimeWarning, stacklevel=2)
    b = _intercept(alpha, v, upper, ypos)
    return SMOResult(alpha=alpha, w=w, b=b, gap=gap_out, n_iter=iters, polished=polished, converged=converged)


# --------------------------------------------------------------------------- one-vs-one models

@dataclass(frozen=True, eq=False)
class LinearOVO:
    """A fitted one-vs-one linear SVM: standardisation and one hyperplane per pair of classes.

    Attributes
    ----------
    mean, scale : numpy.ndarray
        Standardisation ``z = (x - mean) / scale`` of the training films.
    coef, intercept : numpy.ndarray
        (n_pairs, n_features) and (n_pairs,): decision ``z @ coef[k] + intercept[k]``,
        > 0 votes for ``pairs[k][0]``.
    pairs : tuple of tuple of int
        ``(a, b)`` with ``a < b``, in libsvm's order (1-2, 1-3, ..., 2-3, ...).
    labels : tuple of int
        Sorted classes.
    """

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    pairs: tuple[tuple[int, int], ...]
    labels: tuple[int, ...]

    def decision_function(self, x) -> np.ndarray:
        """(n, n_pairs) pairwise decision values of raw (unstandardised) rows ``x``."""
        z = (np.asarray(x, dtype=float) - self.mean) / self.scale
        return z @ self.coef.T + self.intercept

    def predict(self, x) -> np.ndarray:
        """Class by libsvm's one-vs-one vote (see :func:`vote`)."""
        return vote(self.decision_function(x), self.pairs, self.labels)


def vote(decision: np.ndarray, pairs, labels) -> np.ndarray:
    """libsvm's one-vs-one vote from (n, n_pairs) decision values.

    A decision > 0 votes for the first class of the pair, otherwise for the
    second; most votes wins, ties in votes go to the lower class. A decision
    within ``DECISION_TIE`` (1e-9, in units of the margin) of 0 counts as 0:
    on designed grids a film can lie exactly on a pairwise hyperplane, and
    its vote should not hang on rounding in the last digit (libsvm's ``> 0``
    in exact arithmetic).
    """
    labels = np.asarray(labels)
    pos = {int(c): k for k, c in enumerate(labels)}
    first = np.array([pos[int(a)] for a, _ in pairs], dtype=int)
    second = np.array([pos[int(b)] for _, b in pairs], dtype=int)
    decision = np.asarray(decision, dtype=float).reshape(-1, len(pairs))
    winner = np.where(decision > DECISION_TIE, first, second)  # (n, n_pairs) class positions
    n, k = len(decision), len(labels)
    votes = np.bincount((winner + k * np.arange(n)[:, None]).ravel(), minlength=n * k).reshape(n, k)
    return labels[votes.argmax(axis=1)]  # argmax takes the first (lowest) class on ties


def _warm_alpha(x, y, upper, w, b) -> np.ndarray:
    """A feasible starting point for :func:`smo_linear` from a guessed hyperplane ``(w, b)``.

    Points inside the guessed margin (``y (x . w + b) < 1``) start at their
    bound, the others at 0; then ``y . alpha = 0`` is restored by releasing
    points of the heavier class, nearest the margin first (the last one
    partly). Batched like :func:`smo_linear`.
    """
    p, n, _ = x.shape
    m = y * (np.einsum("pnd,pd->pn", x, w) + b[:, None])
    alpha = np.where((m < 1) & (upper > 0), upper, 0.0)
    excess = (alpha * y).sum(axis=1)
    side = np.sign(excess)[:, None]
    cand = (alpha > 0) & (y == side)
    order = np.argsort(np.where(cand, -m, np.inf), axis=1, kind="stable")
    a_sorted = np.take_along_axis(np.where(cand, alpha, 0.0), order, axis=1)
    before = np.cumsum(a_sorted, axis=1) - a_sorted  # weight released before each point
    need = np.abs(excess)[:, None]
    cut = np.clip(need - before, 0.0, a_sorted)  # how much of each point to release
    np.put_along_axis(alpha, order, np.take_along_axis(alpha, order, axis=1) - cut, axis=1)
    return np.clip(alpha, 0.0, upper)


def fit_ovo(x, y, train_sets, labels, *, c: float = 1.0, tol: float = DEFAULT_TOL,
            warm_start: bool = True) -> tuple[list[LinearOVO], SMOResult]:
    """Fit a one-vs-one linear SVM on each of several training sets, all binary problems in one batch.

    Parameters
    ----------
    x : numpy.ndarray
        (n, n_features) raw points (films) the training sets are drawn from.
    y : numpy.ndarray
        (n,) their classes.
    train_sets : sequence of (positions, weight)
        ``positions``: distinct row positions of ``x`` in the training set;
        ``weight``: how many times each enters it (the random-oversampling
        multiplicity, >= 1). The standardisation of a set is fitted on its
        distinct points, each counted once.
    labels : sequence of int
        All classes; every training set must hold at least one point of each.
    c : float
        Cost C of the C-SVC, per copy of a point.
    tol : float
        KKT-gap tolerance of :func:`smo_linear`.
    warm_start : bool
        Solve the last training set first (from ``alpha = 0``) and start the
        others from its hyperplanes (:func:`_warm_alpha`, after converting
        them to each set's standardisation). The optimum does not depend on
        the starting point; near it fewer SMO iterations are needed.

    Returns
    -------
    models : list of LinearOVO
        One per training set.
    solution : SMOResult
        The binary problems, training set by training set and pair by pair
        (identical points merged, see Notes).

    Notes
    -----
    Each pair (a, b), a < b, is a binary C-SVC on the points of classes a
    (y = +1) and b (y = -1), as libsvm does. Points with identical features
    and class (oversampled copies, films cast under the same conditions) are
    merged into one point whose box bound is C times their total weight: the
    dual depends on such copies only through the sum of their alphas, so the
    hyperplane (w, b) is the same as with the copies.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y)
    labels = tuple(int(v) for v in labels)
    pairs = tuple((labels[i], labels[j]) for i in range(len(labels)) for j in range(i + 1, len(labels)))
    if not (np.isfinite(c) and c > 0):
        raise ValueError(f"fit_ovo: c must be a finite number > 0; got {c!r}")
    used = np.unique(np.concatenate([np.asarray(pos, dtype=int) for pos, _ in train_sets]))
    # one id per distinct (features, class) among the films used
    rows, rep, cond = np.unique(np.column_stack([x[used], y[used]]), axis=0, return_index=True, return_inverse=True)
    cond = np.asarray(cond).ravel()
    rep = used[rep]
    cond_of = np.full(len(x), -1)
    cond_of[used] = cond
    n_cond = len(rows)
    cls_of = y[rep]
    probs, scalers = [], []
    for k, (pos, weight) in enumerate(train_sets):
        pos = np.asarray(pos, dtype=int)
        missing = [cls for cls in labels if not (y[pos] == cls).any()]
        if missing:
            raise ValueError(f"fit_ovo: training set {k} has no point of class(es) {missing}; every class is needed")
        mean, scale = standardize(x[pos])
        scalers.append((mean, scale))
        wsum = np.bincount(cond_of[pos], weights=np.asarray(weight, dtype=float), minlength=n_cond)
        for a, b in pairs:
            sel = np.flatnonzero((wsum > 0) & ((cls_of == a) | (cls_of == b)))
            probs.append(((x[rep[sel]] - mean) / scale, np.where(cls_of[sel] == a, 1.0, -1.0), c * wsum[sel]))
    n_max = max(len(p[1]) for p in probs)
    xs = np.zeros((len(probs), n_max, x.shape[1]))
    ys = np.zeros((len(probs), n_max))
    us = np.zeros((len(probs), n_max))
    for k, (z, yy, u) in enumerate(probs):
        xs[k, :len(yy)] = z
        ys[k, :len(yy)] = yy
        us[k, :len(yy)] = u
    n_pairs = len(pairs)
    n_sets = len(scalers)
    if warm_start and n_sets > 1:
        last = slice((n_sets - 1) * n_pairs, n_sets * n_pairs)
        first = slice(0, (n_sets - 1) * n_pairs)
        ref = smo_linear(xs[last], ys[last], us[last], tol=tol)
        mean_r, scale_r = scalers[-1]
        w_raw = ref.w / scale_r  # (n_pairs, d) in raw units
        b_raw = ref.b - w_raw @ mean_r
        w0 = np.concatenate([w_raw * sc for _, sc in scalers[:-1]])
        b0 = np.concatenate([b_raw + w_raw @ mu for mu, _ in scalers[:-1]])
        rest = smo_linear(xs[first], ys[first], us[first], tol=tol,
                          alpha0=_warm_alpha(xs[first], np.where(ys[first] > 0, 1.0, -1.0), us[first], w0, b0))
        sol = SMOResult(*(np.concatenate([getattr(rest, f), getattr(ref, f)])
                          for f in ("alpha", "w", "b", "gap", "n_iter", "polished", "converged")))
    else:
        sol = smo_linear(xs, ys, us, tol=tol)
    models = [LinearOVO(mean=mean, scale=scale, coef=sol.w[k * n_pairs:(k + 1) * n_pairs].copy(),
                        intercept=sol.b[k * n_pairs:(k + 1) * n_pairs].copy(), pairs=pairs, labels=labels)
              for k, (mean, scale) in enumerate(scalers)]
    return models, sol


def standardize(x) -> tuple[np.ndarray, np.ndarray]:
    """Column means and standard deviations (n denominator, as scikit-learn's ``StandardScaler``).

    A constant column gets scale 1 (so it standardises to 0).
    """
    x = np.asarray(x, dtype=float)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    return mean, np.where(np.ptp(x, axis=0) > 0, scale, 1.0)


# --------------------------------------------------------------------------- resampling and splits

def random_oversample(y, rng: np.random.Generator) -> np.ndarray:
    """Indices of a randomly oversampled copy of ``y``: every class grown to the majority count.

    Returns every index of ``y`` once, in order, followed for each smaller
    class (in sorted class order) by ``n_max - n_class`` indices of that class
    drawn uniformly with replacement (``rng.integers``). As imbalanced-learn's
    ``RandomOverSampler`` (with other random draws).
    """
    y = np.asarray(y)
    classes, counts = np.unique(y, return_counts=True)
    target = counts.max() if len(counts) else 0
    extra = []
    for cls, n_c in zip(classes, counts):
        if n_c < target:
            members = np.flatnonzero(y == cls)
            extra.append(members[rng.integers(0, n_c, size=target - n_c)])
    return np.concatenate([np.arange(len(y))] + extra)


def _apportion(counts: np.ndarray, total: int, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Largest-remainder (Hamilton) split of ``total`` over classes in proportion to ``counts``,
    each class kept within ``[lo, hi]``; ties go to the lower class."""
    quota = total * counts / counts.sum()
    k = np.clip(np.floor(quota).astype(int), lo, hi)
    claim = quota - k  # what each class is still owed (negative if raised to its minimum)
    while (diff := total - int(k.sum())) != 0:
        if diff > 0:
            if not (k < hi).any():
                break
            c = int(np.argmax(np.where(k < hi, claim, -np.inf)))
            k[c] += 1
            claim[c] -= 1
        else:
            if not (k > lo).any():
                break
            c = int(np.argmin(np.where(k > lo, claim, np.inf)))
            k[c] -= 1
            claim[c] += 1
    return k


def stratified_split(y, test_size: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Stratified hold-out split: ``(train, test)`` positions, each sorted.

    The test part has ``ceil(test_size * n)`` films, shared out over the
    classes in proportion to their sizes by largest remainders, with at least
    one film of each class in each part. Within each class (sorted order) the
    test films are the first of a random permutation (``rng.permutation``).
    """
    y = np.asarray(y)
    if not 0 < test_size < 1:
        raise ValueError(f"stratified_split: test_size must be between 0 and 1; got {test_size!r}")
    classes, counts = np.unique(y, return_counts=True)
    if (counts < 2).any():
        raise ValueError(f"stratified_split: every class needs at least 2 members; class "
                         f"{classes[counts.argmin()]} has {counts.min()}")
    n_test = _apportion(counts, int(np.ceil(test_size * len(y))), np.ones_like(counts), counts - 1)
    train, test = [], []
    for cls, k in zip(classes, n_test):
        members = rng.permutation(np.flatnonzero(y == cls))
        test.append(members[:k])
        train.append(members[k:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def stratified_subsample(y, size: int, rng: np.random.Generator, *, min_per_class: int = 1) -> np.ndarray:
    """Sorted positions of a stratified random subsample of ``size`` of ``y``.

    Class shares by largest remainders, each class at least
    ``min(min_per_class, its count)``; within a class a uniform draw without
    replacement (``rng.permutation``). Returns all positions if ``size >= len(y)``.
    """
    y = np.asarray(y)
    if size >= len(y):
        return np.arange(len(y))
    classes, counts = np.unique(y, return_counts=True)
    k = _apportion(counts, int(size), np.minimum(counts, min_per_class), counts)
    keep = [rng.permutation(np.flatnonzero(y == cls))[:n] for cls, n in zip(classes, k)]
    return np.sort(np.concatenate(keep))


def repeated_stratified_kfold(y, n_splits: int, n_repeats: int,
                              rng: np.random.Generator) -> list[tuple[np.ndarray, np.ndarray]]:
    """Repeated stratified K-fold: ``n_splits * n_repeats`` ``(train, held_out)`` position pairs.

    In each repeat the films of each class (sorted class order) are put in a
    random order (``rng.permutation``) and dealt round-robin into the K folds,
    the deal continuing from one class to the next: every film is held out
    exactly once per repeat, each fold gets ``floor`` or ``ceil`` of
    ``n_class / K`` films of every class, and fold sizes differ by at most one
    (scikit-learn's ``StratifiedKFold`` allocation, other random draws).
    """
    y = np.asarray(y)
    classes, counts = np.unique(y, return_counts=True)
    if n_splits < 2:
        raise ValueError(f"repeated_stratified_kfold: n_splits must be >= 2; got {n_splits}")
    if (counts < n_splits).any():
        raise ValueError(f"repeated_stratified_kfold: class {classes[counts.argmin()]} has {counts.min()} "
                         f"member(s); {n_splits}-fold stratification needs at least {n_splits}")
    members = [np.flatnonzero(y == cls) for cls in classes]
    folds = []
    fold_of = np.empty(len(y), dtype=int)
    for _ in range(n_repeats):
        start = 0
        for mem in members:
            fold_of[rng.permutation(mem)] = (start + np.arange(len(mem))) % n_splits
            start += len(mem)
        for f in range(n_splits):
            folds.append((np.flatnonzero(fold_of != f), np.flatnonzero(fold_of == f)))
    return folds


# --------------------------------------------------------------------------- metrics

def _label_positions(values: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Position of each value in ``labels``, -1 where it is not a label."""
    order = np.argsort(labels, kind="stable")
    sl = labels[order]
    at = np.clip(np.searchsorted(sl, values), 0, max(len(sl) - 1, 0))
    found = (sl[at] == values) if len(sl) else np.zeros(len(values), dtype=bool)
    return np.where(found, order[at] if len(sl) else -1, -1)


def confusion_matrix(y_true, y_pred, labels) -> np.ndarray:
    """Counts with rows = actual class, columns = predicted class, in ``labels`` order.

    Films whose actual or predicted class is not in ``labels`` are not counted.
    R: ``table(factor(actual, labels), factor(predicted, labels))``.
    """
    labels = np.asarray(labels)
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"confusion_matrix: y_true has shape {y_true.shape}, y_pred {y_pred.shape}; expected equal")
    k = len(labels)
    ti, pi = _label_positions(y_true, labels), _label_positions(y_pred, labels)
    keep = (ti >= 0) & (pi >= 0)
    return np.bincount(ti[keep] * k + pi[keep], minlength=k * k).reshape(k, k)


def precision_recall_f1(y_true, y_pred, labels) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per-class precision, recall, F1 and support (number of actual films), in ``labels`` order.

    precision = TP / predicted, recall = TP / actual, F1 = 2 TP / (predicted + actual),
    counting every film (also those whose other class is not in ``labels``); a
    ratio with a zero denominator is 0 (scikit-learn's ``zero_division=0``).
    """
    labels = np.asarray(labels)
    k = len(labels)
    tp = np.diag(confusion_matrix(y_true, y_pred, labels)).astype(float)
    ti, pi = _label_positions(np.asarray(y_true), labels), _label_positions(np.asarray(y_pred), labels)
    actual = np.bincount(ti[ti >= 0], minlength=k).astype(float)
    pred = np.bincount(pi[pi >= 0], minlength=k).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(pred > 0, tp / pred, 0.0)
        recall = np.where(actual > 0, tp / actual, 0.0)
        f1 = np.where(pred + actual > 0, 2 * tp / (pred + actual), 0.0)
    return precision, recall, f1, actual.astype(int)


def f1_macro_by_group(y_true, y_pred, groups, n_groups: int, labels) -> np.ndarray:
    """Macro F1 (as :func:`f1_macro`) of each group ``0 .. n_groups - 1`` of films, in one pass."""
    labels = np.asarray(labels)
    k = len(labels)
    groups = np.asarray(groups, dtype=int)
    ti, pi = _label_positions(np.asarray(y_true), labels), _label_positions(np.asarray(y_pred), labels)
    both = (ti >= 0) & (pi >= 0) & (ti == pi)
    tp = np.bincount(groups[both] * k + ti[both], minlength=n_groups * k).reshape(n_groups, k)
    actual = np.bincount(groups[ti >= 0] * k + ti[ti >= 0], minlength=n_groups * k).reshape(n_groups, k)
    pred = np.bincount(groups[pi >= 0] * k + pi[pi >= 0], minlength=n_groups * k).reshape(n_groups, k)
    with np.errstate(divide="ignore", invalid="ignore"):
        f1 = np.where(pred + actual > 0, 2 * tp / (pred + actual), 0.0)
    return f1.mean(axis=1)


def f1_macro(y_true, y_pred, labels) -> float:
    """Unweighted mean of the per-class F1 over ``labels`` (R: ``mean(f1)``)."""
    return float(np.mean(precision_recall_f1(y_true, y_pred, labels)[2]))
