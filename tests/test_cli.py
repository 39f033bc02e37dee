"""The command line: `list` and `solve` (the verification commands are tested with the harness)."""
import subprocess
import sys

import numpy as np
import pytest

import solvers
from mdptheory.cli import main
from mdptheory.envs import garnet
from mdptheory.io import load_npz, save_npz


@pytest.fixture
def saved_garnet(tmp_path):
    path = tmp_path / "garnet.npz"
    save_npz(garnet(60, 4, 5, rng=0, gamma=0.95, sparse=True), path)
    return path


@pytest.mark.parametrize("method", ["auto", "vi", "gs", "pi", "mpi", "lp"])
def test_solve_prints_value_policy_and_certificate(saved_garnet, capsys, method):
    assert main(["solve", str(saved_garnet), "--method", method, "--tol", "1e-9"]) == 0
    out = capsys.readouterr().out
    mdp = load_npz(saved_garnet)
    ref = solvers.policy_iteration(mdp)
    value = float(out.split("value at mu0:")[1].split()[0])
    assert value == pytest.approx(float(mdp.mu0 @ ref.V), abs=1e-7)
    assert "certificate: status=converged" in out and "error_bound=" in out


def test_solve_episodic_and_gamma_override(tmp_path, capsys):
    path = tmp_path / "ep.npz"
    ep = garnet(8, 2, 3, rng=1, H=4)
    save_npz(ep, path)
    assert main(["solve", str(path)]) == 0
    value = float(capsys.readouterr().out.split("value at mu0:")[1].split()[0])
    assert value == pytest.approx(float(ep.mu0 @ solvers.backward_induction(ep, backend="numpy").V[0]))
    nogamma = tmp_path / "nogamma.npz"
    np.savez(nogamma, P=np.full((2, 1, 2), 0.5), R=np.ones((2, 1)))
    assert main(["solve", str(nogamma)]) == 1
    assert "--gamma" in capsys.readouterr().err
    assert main(["solve", str(nogamma), "--gamma", "0.5"]) == 0
    assert "value at mu0: 2" in capsys.readouterr().out  # 1 / (1 - 0.5)


def test_solve_errors_are_one_line(tmp_path, capsys):
    assert main(["solve", str(tmp_path / "missing.npz")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("mdptheory: error: no such file") and err.count("\n") == 1
    bad = tmp_path / "bad.npz"
    np.savez(bad, P=np.full((2, 1, 2), 0.4), R=np.zeros((2, 1)), gamma=0.9)
    assert main(["solve", str(bad)]) == 1
    assert "P[0, 0, :] sums to 0.8" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["solve", str(bad), "--method", "nope"])
    assert exc.value.code == 2


def test_list_and_console_script():
    out = subprocess.run([sys.executable, "-m", "mdptheory.cli", "list"], capture_output=True, text=True, check=True).stdout
    assert "gridworld" in out and "value_iteration" in out


# ------------------------------------------------------------------ issue 11, item 7
@pytest.mark.parametrize("method", ["pi", "lp"])
def test_solve_pi_and_lp_honour_tol(saved_garnet, capsys, method):
    """`--tol` was not passed to PI/LP: a tol float64 cannot certify was reported `converged`, exit 0."""
    assert main(["solve", str(saved_garnet), "--method", method, "--tol", "1e-15"]) == 3
    captured = capsys.readouterr()
    assert "certificate: status=inaccurate converged=False" in captured.out
    assert captured.err.startswith("mdptheory: not certified: ") and "but --tol is 1e-15" in captured.err
    assert "loosen --tol" in captured.err and captured.err.count("\n") == 1   # one line, no warning traceback
    assert main(["solve", str(saved_garnet), "--method", method, "--tol", "1e-5"]) == 0
    bound = float(capsys.readouterr().out.split("error_bound=")[1].split()[0])
    assert bound <= 1e-5


@pytest.mark.parametrize("method", ["vi", "gs", "mpi", "auto"])
def test_solve_that_does_not_converge_exits_non_zero_with_the_reason(saved_garnet, capsys, method):
    assert main(["solve", str(saved_garnet), "--method", method, "--max-iter", "1", "--tol", "1e-12"]) == 3
    captured = capsys.readouterr()
    assert "status=max_iter" in captured.out
    assert "stopped at max_iter" in captured.err and "raise --max-iter" in captured.err


def test_solve_auto_uses_the_requested_backend(saved_garnet, capsys):
    assert main(["solve", str(saved_garnet), "--backend", "numpy"]) == 0
    assert "(backend numpy)" in capsys.readouterr().out


def test_debug_is_accepted_after_the_sub_command(tmp_path, capsys):
    missing = str(tmp_path / "missing.npz")
    for argv in (["solve", missing, "--debug"], ["--debug", "solve", missing]):
        with pytest.raises(FileNotFoundError):           # the traceback, not the one-line error
            main(argv)
    assert main(["solve", missing]) == 1
    assert main(["list", "--debug"]) == 0


def test_solve_rejects_a_csr_file_with_an_index_out_of_range(tmp_path, capsys):
    """Item 2: the Numba kernel read outside V (values ~ -3e271) and the CLI exited 0."""
    mdp = garnet(6, 2, 3, rng=0, gamma=0.9, sparse=True)
    indices = mdp.P.indices.copy()
    indices[4] = 6
    path = tmp_path / "bad.npz"
    np.savez(path, P_data=mdp.P.data, P_indices=indices, P_indptr=mdp.P.indptr, R=mdp.R, gamma=0.9)
    assert main(["solve", str(path)]) == 1
    assert f"{path}: P_indices[4] = 6 (in row 1 (state 0, action 1)) is outside 0..5" in capsys.readouterr().err


def test_solve_method_bi_on_a_discounted_model_is_a_clear_error(saved_garnet, capsys):
    """It raised KeyError('bi'), printed as `mdptheory: error: 'bi'`."""
    assert main(["solve", str(saved_garnet), "--method", "bi"]) == 1
    assert "--method bi is for episodic models" in capsys.readouterr().err
