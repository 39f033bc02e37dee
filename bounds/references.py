"""Full references of the papers and books the bounds cite, looked up from a bound's ``source``.

A bound's ``source`` names the paper and the theorem in a few words (``"Tiapkin et al. (2022), Theorem 1"``);
:func:`reference_for` turns its leading citation into the full reference (authors, title, venue, arXiv id)
for ``mdptheory list`` and the report, so that a reader can find the statement without the team's notes.
"""
from __future__ import annotations

__all__ = ["REFERENCES", "reference_for"]

#: Citation key as it starts a bound's ``source`` -> full reference.
REFERENCES: dict[str, str] = {
    "Tiapkin et al. (2022)": "D. Tiapkin, D. Belomestny, D. Calandriello, E. Moulines, R. Munos, A. Naumov, "
                             "M. Rowland, M. Valko, P. Ménard. Optimistic Posterior Sampling for Reinforcement "
                             "Learning with Few Samples and Tight Guarantees. NeurIPS 2022. arXiv:2209.14414",
    "Tang, Liu & Xu": "C. Tang, Z. Liu, P. Xu. Robust Offline Reinforcement Learning with Linearly Structured "
                      "f-Divergence Regularization. ICML 2025 (PMLR 267). arXiv:2411.18612",
    "Liu & Xu (NeurIPS 2024)": "Z. Liu, P. Xu. Minimax Optimal and Computationally Efficient Algorithms for "
                               "Distributionally Robust Offline Reinforcement Learning. NeurIPS 2024. arXiv:2403.09621",
    "Liu & Xu (2024)": "Z. Liu, P. Xu. Minimax Optimal and Computationally Efficient Algorithms for "
                       "Distributionally Robust Offline Reinforcement Learning. NeurIPS 2024. arXiv:2403.09621",
    "Liu & Xu (AISTATS 2024)": "Z. Liu, P. Xu. Distributionally Robust Off-Dynamics Reinforcement Learning: Provable "
                               "Efficiency with Linear Function Approximation. AISTATS 2024. arXiv:2402.15399",
    "Ma et al. (2022)": "X. Ma, Z. Liang, J. Blanchet, M. Liu, L. Xia, J. Zhang, Q. Zhao, Z. Zhou. "
                        "Distributionally Robust Offline Reinforcement Learning with Linear Function "
                        "Approximation. arXiv:2209.06620",
    "Jin, Yang & Wang (2021)": "Y. Jin, Z. Yang, Z. Wang. Is Pessimism Provably Efficient for Offline RL? "
                               "ICML 2021. arXiv:2012.15085",
    "Gu et al. (2025)": "J. Gu, Y. He, Z. Liu, P. Xu. Policy Regularized Distributionally Robust Markov Decision "
                        "Processes with Linear Function Approximation. arXiv:2510.14246",
    "Azar, Osband & Munos (2017)": "M. G. Azar, I. Osband, R. Munos. Minimax Regret Bounds for Reinforcement "
                                   "Learning. ICML 2017. arXiv:1703.05449",
    "Azar, Osband, Munos (2017)": "M. G. Azar, I. Osband, R. Munos. Minimax Regret Bounds for Reinforcement "
                                  "Learning. ICML 2017. arXiv:1703.05449",
    "Azar et al. (2017)": "M. G. Azar, I. Osband, R. Munos. Minimax Regret Bounds for Reinforcement Learning. "
                          "ICML 2017. arXiv:1703.05449",
    "Domingues et al. (2021)": "O. D. Domingues, P. Ménard, E. Kaufmann, M. Valko. Episodic Reinforcement "
                               "Learning in Finite MDPs: Minimax Lower Bounds Revisited. ALT 2021. arXiv:2010.03531",
    "Domingues, Ménard, Kaufmann, Valko (ALT 2021)": "O. D. Domingues, P. Ménard, E. Kaufmann, M. Valko. Episodic "
                                                     "Reinforcement Learning in Finite MDPs: Minimax Lower Bounds "
                                                     "Revisited. ALT 2021. arXiv:2010.03531",
    "Osband, Van Roy & Wen (2016)": "I. Osband, B. Van Roy, Z. Wen. Generalization and Exploration via Randomized "
                                    "Value Functions. ICML 2016. arXiv:1402.0635",
    "Russo (2019)": "D. Russo. Worst-Case Regret Bounds for Exploration via Randomized Value Functions. NeurIPS 2019. "
                    "arXiv:1906.02870",
    "Osband et al. (2013)": "I. Osband, D. Russo, B. Van Roy. (More) Efficient Reinforcement Learning via "
                            "Posterior Sampling. NeurIPS 2013. arXiv:1306.0940",
    "Jonsson et al. (2020)": "A. Jonsson, E. Kaufmann, P. Ménard, O. Darwiche Domingues, E. Leurent, M. Valko. "
                             "Planning in Markov Decision Processes with Gap-Dependent Sample Complexity. "
                             "NeurIPS 2020. arXiv:2006.05879",
    "Kearns, Mansour & Ng (2002)": "M. Kearns, Y. Mansour, A. Y. Ng. A Sparse Sampling Algorithm for Near-Optimal "
                                   "Planning in Large Markov Decision Processes. Machine Learning 49, 2002",
    "Gabillon, Ghavamzadeh & Lazaric (2012)": "V. Gabillon, M. Ghavamzadeh, A. Lazaric. Best Arm Identification: A "
                                              "Unified Approach to Fixed Budget and Fixed Confidence. NeurIPS 2012",
    "Ménard et al. (2021)": "P. Ménard, O. Darwiche Domingues, A. Jonsson, E. Kaufmann, E. Leurent, M. Valko. "
                            "Fast Active Learning for Pure Exploration in Reinforcement Learning. ICML 2021. "
                            "arXiv:2007.13442",
    "Kaufmann et al. (2021)": "E. Kaufmann, P. Ménard, O. Darwiche Domingues, A. Jonsson, E. Leurent, M. Valko. "
                              "Adaptive Reward-Free Exploration. ALT 2021. arXiv:2006.06294",
    "Jin et al. (2020)": "C. Jin, A. Krishnamurthy, M. Simchowitz, T. Yu. Reward-Free Exploration for "
                         "Reinforcement Learning. ICML 2020. arXiv:2002.02794",
    "Tarbouriech et al. (2021)": "J. Tarbouriech, M. Pirotta, M. Valko, A. Lazaric. A Provably Efficient Sample "
                                 "Collection Strategy for Reinforcement Learning. NeurIPS 2021. arXiv:2007.06437",
    "Weissman et al. (2003)": "T. Weissman, E. Ordentlich, G. Seroussi, S. Verdú, M. J. Weinberger. Inequalities for "
                              "the L1 Deviation of the Empirical Distribution. HP Labs Technical Report HPL-2003-97, "
                              "2003",
    "Maurer & Pontil (2009)": "A. Maurer, M. Pontil. Empirical Bernstein Bounds and Sample Variance Penalization. "
                              "COLT 2009. arXiv:0907.3740",
    "Cohen et al. (2020)": "A. Cohen, H. Kaplan, Y. Mansour, A. Rosenberg. Near-optimal Regret Bounds for Stochastic "
                           "Shortest Path. ICML 2020. arXiv:2002.09869",
    "Li, Ju & Shroff (2024)": "Y. Li, P. Ju, N. Shroff. Achieving Sample and Computational Efficient "
                              "Reinforcement Learning by Action Space Reduction via Grouping. ICLR 2024. "
                              "arXiv:2306.12981",
    "Wang, Blanchet & Glynn (2024)": "S. Wang, J. Blanchet, P. Glynn. Optimal Sample Complexity for Average Reward "
                                     "Markov Decision Processes. ICLR 2024. arXiv:2310.08833",
    "Zhou, Wang & Du (2023)": "R. Zhou, R. Wang, S. S. Du. Horizon-Free and Variance-Dependent Reinforcement "
                              "Learning for Latent Markov Decision Processes. ICML 2023. arXiv:2210.11604",
    "Zhou, Wang & Du (ICLR 2023 submission)": "R. Zhou, R. Wang, S. S. Du. Horizon-Free Reinforcement Learning for "
                                               "Latent Markov Decision Processes. ICLR 2023 submission, OpenReview "
                                               "g9VAye0eIKO (the earlier version of arXiv:2210.11604)",
    "Kwon et al. (2021)": "J. Kwon, Y. Efroni, C. Caramanis, S. Mannor. RL for Latent MDPs: Regret Guarantees and "
                          "a Lower Bound. NeurIPS 2021. arXiv:2102.04939",
    "Jin & Sidford (2021)": "Y. Jin, A. Sidford. Towards Tight Bounds on the Sample Complexity of Average-reward "
                            "MDPs. ICML 2021. arXiv:2106.07046",
    "Wang, Blanchet & Glynn (2023)": "S. Wang, J. Blanchet, P. Glynn. Optimal Sample Complexity of Reinforcement "
                                     "Learning for Mixing Discounted Markov Decision Processes. arXiv:2302.07477",
    "Jaksch, Ortner & Auer (2010)": "T. Jaksch, R. Ortner, P. Auer. Near-optimal Regret Bounds for Reinforcement "
                                    "Learning. JMLR 11, 2010",
    "Puterman (1994)": "M. L. Puterman. Markov Decision Processes: Discrete Stochastic Dynamic Programming. "
                       "Wiley, 1994",
    "Scherrer (2013/2016)": "B. Scherrer. Improved and Generalized Upper Bounds on the Complexity of Policy "
                            "Iteration. Mathematics of Operations Research 41(3), 2016. arXiv:1306.0386",
    "Howard (1960)": "R. A. Howard. Dynamic Programming and Markov Processes. MIT Press, 1960",
    "Singh & Yee (1994)": "S. P. Singh, R. C. Yee. An Upper Bound on the Loss from Approximate Optimal-Value "
                          "Functions. Machine Learning 16(3), 1994",
    "Kakade & Langford (2002)": "S. Kakade, J. Langford. Approximately Optimal Approximate Reinforcement "
                                "Learning. ICML 2002",
    "Kearns & Singh (2002)": "M. Kearns, S. Singh. Near-Optimal Reinforcement Learning in Polynomial Time. "
                             "Machine Learning 49, 2002",
    "Iyengar (2005)": "G. N. Iyengar. Robust Dynamic Programming. Mathematics of Operations Research 30(2), 2005",
    "Williams & Baird (1993)": "R. J. Williams, L. C. Baird. Tight Performance Bounds on Greedy Policies Based on "
                               "Imperfect Value Functions. Northeastern University NU-CCS-93-14, 1993",
}


def reference_for(source: str) -> str | None:
    """The full reference of the first citation key that ``source`` starts with (longest key first)."""
    for key in sorted(REFERENCES, key=len, reverse=True):
        if source.startswith(key):
            return REFERENCES[key]
    return None
