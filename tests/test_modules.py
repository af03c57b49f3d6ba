"""Torch-only tests of sknn.modules: shapes, gradients, and no scikit-learn imports."""

import ast
import pathlib

import pytest
import torch

import sknn.modules as modules
from sknn.modules import ACTIVATIONS, LOSSES, MLPModule, SampleLoss, get_activation


def test_modules_do_not_import_sklearn_or_numpy():
    root = pathlib.Path(modules.__file__).parent
    for path in root.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                assert not name.startswith(("sklearn", "numpy", "skorch")), (path, name)


@pytest.mark.parametrize("hidden", [[], [7], [7, 5, 3]])
@pytest.mark.parametrize("batch_norm", [False, True])
def test_mlp_module_shapes_and_gradients(hidden, batch_norm):
    m = MLPModule(6, hidden, 4, activation="tanh", dropout=0.1, batch_norm=batch_norm)
    x = torch.randn(10, 6)
    out = m(x)
    assert out.shape == (10, 4)
    out.square().sum().backward()
    for name, p in m.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name
    n_params = sum(p.numel() for p in m.parameters())
    sizes = [6, *hidden, 4]
    expected = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
    expected += 2 * sum(hidden) if batch_norm else 0
    assert n_params == expected
    assert len(m.linears) == len(hidden) + 1
    assert m.hidden(x, 1).shape == (10, hidden[0] if hidden else 6)


def test_unknown_activation_lists_choices():
    with pytest.raises(ValueError, match="expected one of .*relu"):
        get_activation("swishy")
    with pytest.raises(ValueError, match="weight_init"):
        MLPModule(3, [2], 1, weight_init="nope")
    assert set(ACTIVATIONS) >= {"identity", "logistic", "tanh", "relu", "gelu"}


def test_sample_loss_weighting():
    raw = torch.randn(8, 3)
    y = torch.randint(0, 3, (8,))
    loss = SampleLoss("cross_entropy")
    w = torch.tensor([1.0, 2, 0, 1, 1, 3, 1, 1])
    rep = torch.repeat_interleave(torch.arange(8), w.long())
    torch.testing.assert_close(loss(raw, y, w), loss(raw[rep], y[rep]))
    with pytest.raises(ValueError, match="Unknown loss"):
        SampleLoss("hinge2")
    assert {"cross_entropy", "binary_log_loss", "squared_error", "poisson"} <= set(LOSSES)


def test_poisson_loss_is_half_deviance():
    y = torch.tensor([[0.0], [1.0], [3.0]])
    mu = torch.tensor([[0.5], [1.0], [2.0]])
    expected = (torch.xlogy(y, y / mu) - y + mu).mean()
    torch.testing.assert_close(SampleLoss("poisson")(mu.log(), y), expected)
