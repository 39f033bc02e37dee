"""Helpers shared by the planning figures (config labels)."""
from __future__ import annotations


def label(row, keys=("S", "A", "gamma")) -> str:
    """Short config label such as ``S=10 A=3 γ=0.9``."""
    return " ".join(f"{'γ' if k == 'gamma' else k}={row[k]:g}" for k in keys)
