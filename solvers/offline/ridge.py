"""One ridge/Gram helper shared by every offline learner: ``Lambda = Phi^T Phi + gamma I``.

Factor once (Cholesky), then solve: ``Lambda^{-1}`` is never formed per query. This is the
main reason the official R2PVI code is slow (it calls ``np.linalg.inv(Lambda_h)`` inside every
``Q`` evaluation, spec section 2.7 item 11).
"""
from __future__ import annotations

import numpy as np
import scipy.linalg as sla

__all__ = ["Gram"]


class Gram:
    """Ridge Gram matrix ``Lambda = Phi^T W Phi + ridge * I`` of one stage, Cholesky-factored.

    Parameters
    ----------
    Phi : ndarray (n, d)
        Regressors (one row per sample ``phi(s^tau_h, a^tau_h)``).
    ridge : float
        Ridge ``gamma > 0`` (R2PVI's gamma, DRPVI/PEVI's lambda).
    weights : ndarray (n,), optional
        Sample weights ``W`` (variance-weighted variants); default 1.

    Notes
    -----
    Cost: ``O(n d^2 + d^3)`` to build, ``O(n d + d^2)`` per regression target.
    """

    def __init__(self, Phi: np.ndarray, ridge: float, weights: np.ndarray | None = None) -> None:
        if not np.isfinite(ridge) or ridge <= 0:
            raise ValueError(f"ridge must be a finite float > 0, got {ridge}; use e.g. ridge=1.0")
        self.Phi = np.ascontiguousarray(Phi, dtype=np.float64)
        if self.Phi.ndim != 2:
            raise ValueError(f"Phi must have shape (n, d), got {self.Phi.shape}")
        self.weights = None if weights is None else np.asarray(weights, dtype=np.float64)
        n, d = self.Phi.shape
        self.d = d
        self.ridge = float(ridge)
        WPhi = self.Phi if self.weights is None else self.Phi * self.weights[:, None]
        self.matrix = WPhi.T @ self.Phi
        self.matrix[np.diag_indices(d)] += self.ridge
        self._chol = sla.cho_factor(self.matrix, lower=True, check_finite=False)
        self._WPhi = WPhi
        self._inv: np.ndarray | None = None

    def grouped(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Distinct targets ``v`` (m,) ascending and ``G[j] = sum_{n: y_n = v_j} w_n phi_n`` (m, d).

        ``Phi^T W f(y) = G^T f(v)`` for every function ``f``: the 1-D dual searches then cost ``O(m d)``
        per evaluation instead of ``O(n d)``; with finitely many next states ``m <= S`` (20 on the option
        lattice, 5 on the simulated linear MDP). Summation order changes (~1e-16 relative).
        """
        order = np.argsort(y, kind="stable")
        ys = y[order]
        starts = np.flatnonzero(np.concatenate([[True], ys[1:] != ys[:-1]]))
        return ys[starts], np.add.reduceat(self._WPhi[order], starts, axis=0)

    def solve(self, b: np.ndarray) -> np.ndarray:
        """``Lambda^{-1} b`` for ``b`` of shape (d,) or (d, m)."""
        return sla.cho_solve(self._chol, b, check_finite=False)

    def regress(self, y: np.ndarray) -> np.ndarray:
        """Ridge coefficients ``Lambda^{-1} Phi^T W y``: y (n,) -> (d,), y (n, m) -> (d, m)."""
        return self.solve(self._WPhi.T @ y)

    def hat(self) -> np.ndarray:
        """``M = W Phi Lambda^{-1}`` of shape (n, d): column i gives ``e_i^T Lambda^{-1} Phi^T W y = M[:, i] . y``."""
        return self.solve(self._WPhi.T).T

    def inverse(self) -> np.ndarray:
        """``Lambda^{-1}`` (d, d), computed once from the Cholesky factor (LAPACK ``potri``).

        ``potri`` rather than a triangular solve against the identity: a multi-right-hand-side ``trsm`` in
        the bundled OpenBLAS wakes its thread pool even for d = 3 and took ~20 ms per call on a loaded
        2-core machine (``potri``: ~1 us).
        """
        if self._inv is None:
            inv, info = sla.lapack.dpotri(self._chol[0], lower=1)
            if info != 0:  # pragma: no cover - Lambda is positive definite by construction (ridge > 0)
                raise np.linalg.LinAlgError(f"potri failed with info={info}")
            self._inv = np.tril(inv) + np.tril(inv, -1).T
        return self._inv

    def inv_diag(self) -> np.ndarray:
        """Diagonal of ``Lambda^{-1}`` (d,) (from ``potri``'s triangle when the full inverse is not needed)."""
        if self._inv is not None:
            return np.diag(self._inv)
        inv, info = sla.lapack.dpotri(self._chol[0], lower=1)
        if info != 0:  # pragma: no cover - Lambda is positive definite by construction (ridge > 0)
            raise np.linalg.LinAlgError(f"potri failed with info={info}")
        return np.diag(inv).copy()

    def mahalanobis(self, phi: np.ndarray) -> np.ndarray:
        """``sqrt(phi^T Lambda^{-1} phi)`` for ``phi`` of shape (..., d)."""
        flat = phi.reshape(-1, self.d)
        return np.sqrt(np.maximum(np.einsum("nd,de,ne->n", flat, self.inverse(), flat), 0.0)).reshape(phi.shape[:-1])

    def diagonal_norms(self, phi: np.ndarray) -> np.ndarray:
        """``phi_i sqrt([Lambda^{-1}]_ii)`` for ``phi`` (..., d): the terms ``||phi_i 1_i||_{Lambda^{-1}}``."""
        return np.abs(phi) * np.sqrt(self.inv_diag())
