"""Helpers shared by the planning figures (row selection and config labels)."""
from __future__ import annotations


def real_rows(df, variant: str):
    """Rows of the real (non-control) variant, or all rows when the experiment has no variant column."""
    return df[df["variant"] == variant] if "variant" in df.columns else df


def label(row, keys=("S", "A", "gamma")) -> str:
    """Short config label such as ``S=10 A=3 γ=0.9``."""
    return " ".join(f"{'γ' if k == 'gamma' else k}={row[k]:g}" for k in keys)
