"""Figure 1a of Wang, Blanchet & Glynn (2024, arXiv:2310.08833): error against the samples per pair ``n``, log-log,
for Algorithm 4.1 and for the Jin & Sidford (2021) reduction, with fitted slopes and 95% bootstrap bands.

The paper (as its reviewers describe it: the full text was not available) reports slopes of about -0.5 and
-0.33 on "the hard instance of Wang et al. (2023)" without error bars. Ours: the two-state escape family
(:func:`mdptheory.envs.two_state_escape`, ``p = 0.05``, ``t_minorize = 10``; the paper's instance table was not
available, see the env's docstring for why this family), ``n`` set directly with each method's accuracy from its
own sample-size form (``K = 4500``), and the error ``|alpha_hat - alpha_bar|`` of the estimated optimal average
reward (see :mod:`experiments.avgreward_rate` for why not the policy error, which is 0 here). Bands: percentile
bootstrap of the mean over seeds (each seed averages 50 replications). Dashed: the rates the paper states,
``n^-1/2`` (Algorithm 4.1) and ``n^-1/3`` (the reduction), with their constants fitted to the means (the
theorems fix only the exponents).
"""
from __future__ import annotations

from matplotlib.figure import Figure

from . import runs
from ._avgreward_common import band, theory

FIGURE = "avgreward-fig1a"
EXPERIMENT = "avgreward-rate"
CLAIMS = ["amdp-rate-estimator", "amdp-rate-reduction"]


def draw(results):
    fig = Figure(figsize=(6.5, 4.2))
    ax = fig.add_subplot()
    real = runs(results)
    for method, color, label, slope, rate in (("wbg", "C0", "Algorithm 4.1 (n ~ t/ε²)", -0.5, "n^-1/2"),
                                              ("js", "C3", "Jin-Sidford (n ~ t/ε³)", -1 / 3, "n^-1/3")):
        d = real[real["method"] == method]
        if len(d):
            band(ax, d["n"], d["err"], color, label)
            theory(ax, d["n"], d["err"], slope, color, f"theory {rate} (constant fitted to the means)")
    ax.set_xlabel("samples per state-action pair n")
    ax.set_ylabel("|α̂ − ᾱ|")
    ax.set_title("Regenerates Wang, Blanchet & Glynn (2024) Figure 1a: error vs n (two-state escape, t_minorize = 10)",
                 fontsize=9)
    ax.legend(fontsize=8)
    return fig
