"""sknn's Adam and SGD (sknn._optimizers) against torch.optim's fused ones.

They run the same fused kernels, so their updates should agree exactly on one
machine; the comparisons allow float32 rounding all the same (the kernels' CPU
code is vectorised differently on different CPUs).
"""

import copy

import numpy as np
import pytest
import torch

from sknn import _optimizers

TOL = {torch.float32: dict(rtol=1e-5, atol=1e-6), torch.float64: dict(rtol=1e-12, atol=1e-12)}

SETTINGS = [
    ("adam", {}),
    ("adam", {"betas": (0.8, 0.99), "eps": 1e-6}),
    ("sgd", {"momentum": 0}),
    ("sgd", {"momentum": 0.9}),
    ("sgd", {"momentum": 0.9, "nesterov": True}),
]


def _classes(kind):
    if kind == "adam":
        return torch.optim.Adam, _optimizers.Adam
    return torch.optim.SGD, _optimizers.SGD


def _net(dtype, seed=0):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(5, 7), torch.nn.Tanh(), torch.nn.Linear(7, 3)).to(
        dtype
    )


def _groups(net, weight_decay):
    # As the engine builds them: weight matrices (L2-decayed) and the rest.
    params = list(net.parameters())
    return [
        {"params": [p for p in params if p.ndim >= 2], "weight_decay": weight_decay},
        {"params": [p for p in params if p.ndim < 2], "weight_decay": 0.0},
    ]


def _train(net, opt, steps, dtype, seed=1, skip=()):
    """``steps`` steps on random batches; ``skip``: parameter indices given no gradient."""
    gen = torch.Generator().manual_seed(seed)
    for _ in range(steps):
        X = torch.randn(16, 5, generator=gen, dtype=dtype)
        y = torch.randint(0, 3, (16,), generator=gen)
        opt.zero_grad()
        torch.nn.functional.cross_entropy(net(X), y).backward()
        for i, p in enumerate(net.parameters()):
            if i in skip:
                p.grad = None
        opt.step()


def _assert_same(net_a, net_b, dtype):
    for a, b in zip(net_a.parameters(), net_b.parameters()):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), **TOL[dtype])


def _assert_same_state(state_a, state_b, dtype):
    assert state_a["param_groups"] == state_b["param_groups"]
    assert state_a["state"].keys() == state_b["state"].keys()
    for key, values in state_a["state"].items():
        assert values.keys() == state_b["state"][key].keys()
        for name, value in values.items():
            other = state_b["state"][key][name]
            np.testing.assert_allclose(value.numpy(), other.numpy(), **TOL[dtype])
            assert value.dtype == other.dtype


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("weight_decay", [0.0, 0.05])
@pytest.mark.parametrize("kind, kwargs", SETTINGS)
def test_updates_and_state_equal_torch_fused(kind, kwargs, weight_decay, dtype):
    torch_cls, sknn_cls = _classes(kind)
    net_t, net_s = _net(dtype), _net(dtype)
    opt_t = torch_cls(_groups(net_t, weight_decay), lr=0.05, fused=True, **kwargs)
    opt_s = sknn_cls(_groups(net_s, weight_decay), lr=0.05, **kwargs)
    _train(net_t, opt_t, 6, dtype)
    _train(net_s, opt_s, 6, dtype)
    _assert_same(net_t, net_s, dtype)
    _assert_same_state(opt_t.state_dict(), opt_s.state_dict(), dtype)
    # The learning rate and weight decay are read from the groups at every step
    # (the engine sets them between steps).
    for opt in (opt_t, opt_s):
        for group in opt.param_groups:
            group["lr"] = 0.01
        opt.param_groups[0]["weight_decay"] = 2 * weight_decay
    _train(net_t, opt_t, 3, dtype, seed=2)
    _train(net_s, opt_s, 3, dtype, seed=2)
    _assert_same(net_t, net_s, dtype)


@pytest.mark.parametrize("kind, kwargs", SETTINGS)
def test_state_dicts_interchange_with_torch(kind, kwargs):
    # A state saved by torch's optimizer (as in models and checkpoints saved before
    # sknn had its own) loads into sknn's and training continues identically, and
    # the other way round.
    torch_cls, sknn_cls = _classes(kind)
    dtype = torch.float32
    net = _net(dtype)
    opt = torch_cls(_groups(net, 0.01), lr=0.05, fused=True, **kwargs)
    _train(net, opt, 4, dtype)
    saved_params, saved_state = net.state_dict(), opt.state_dict()

    nets, opts = [], []
    for cls in (torch_cls, sknn_cls, torch_cls):
        n = _net(dtype, seed=5)
        n.load_state_dict(saved_params)
        o = cls(_groups(n, 0.01), lr=0.05, **({"fused": True} if cls is torch_cls else {}))
        nets.append(n)
        opts.append(o)
    # (Copies: both optimizers keep the loaded tensors when they need no cast.)
    opts[0].load_state_dict(copy.deepcopy(saved_state))
    opts[1].load_state_dict(copy.deepcopy(saved_state))
    opts[2].load_state_dict(copy.deepcopy(opts[1].state_dict()))  # sknn's, read by torch
    for n, o in zip(nets, opts):
        _train(n, o, 3, dtype, seed=3)
    _assert_same(nets[0], nets[1], dtype)
    _assert_same(nets[0], nets[2], dtype)
    _assert_same_state(opts[0].state_dict(), opts[1].state_dict(), dtype)


def test_parameter_without_gradient_keeps_its_step_count():
    # Each parameter counts only the steps that updated it.
    dtype = torch.float32
    net_t, net_s = _net(dtype), _net(dtype)
    opt_t = torch.optim.Adam(_groups(net_t, 0.01), lr=0.05, fused=True)
    opt_s = _optimizers.Adam(_groups(net_s, 0.01), lr=0.05)
    for net, opt in ((net_t, opt_t), (net_s, opt_s)):
        _train(net, opt, 2, dtype)
        _train(net, opt, 2, dtype, seed=4, skip={0, 3})
        _train(net, opt, 2, dtype, seed=5)
    _assert_same(net_t, net_s, dtype)
    _assert_same_state(opt_t.state_dict(), opt_s.state_dict(), dtype)
    steps = [float(s["step"]) for s in opt_s.state_dict()["state"].values()]
    assert sorted(steps) == [4.0, 4.0, 6.0, 6.0]


def test_old_step_counts_as_numbers_load():
    # torch < 1.12 stored Adam's step as a number.
    dtype = torch.float32
    net = _net(dtype)
    opt = torch.optim.Adam(_groups(net, 0.0), lr=0.05, fused=True)
    _train(net, opt, 3, dtype)
    state = opt.state_dict()
    for values in state["state"].values():
        values["step"] = int(values["step"])
    mine = _optimizers.Adam(_groups(net, 0.0), lr=0.05)
    mine.load_state_dict(state)
    steps = [s["step"] for s in mine.state.values()]
    assert all(isinstance(s, torch.Tensor) and s.dtype == torch.float32 for s in steps)
    assert [float(s) for s in steps] == [3.0] * 4
    opt.load_state_dict(state)
    _train(net, mine, 1, dtype)
    assert [float(s["step"]) for s in mine.state.values()] == [4.0] * 4


def test_grad_scaler_skips_steps_as_torch_does():
    # GradScaler hands the scale and its inf check to the kernel: a step with an
    # infinite gradient changes nothing and is not counted.
    dtype = torch.float32
    nets = [_net(dtype), _net(dtype)]
    opts = [
        torch.optim.Adam(_groups(nets[0], 0.01), lr=0.05, fused=True),
        _optimizers.Adam(_groups(nets[1], 0.01), lr=0.05),
    ]
    X = torch.randn(16, 5, generator=torch.Generator().manual_seed(0))
    y = torch.arange(16) % 3
    for net, opt in zip(nets, opts):
        scaler = torch.amp.GradScaler("cpu", init_scale=1024.0)
        for i in range(4):
            opt.zero_grad()
            scaler.scale(torch.nn.functional.cross_entropy(net(X), y)).backward()
            if i == 2:
                net[0].weight.grad[0, 0] = float("inf")
            scaler.step(opt)
            scaler.update()
    _assert_same(nets[0], nets[1], dtype)
    _assert_same_state(opts[0].state_dict(), opts[1].state_dict(), dtype)
    assert all(float(s["step"]) == 3.0 for s in opts[1].state.values())


def test_small_groups_run_on_one_thread_and_restore_the_count(monkeypatch):
    old = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        calls = []
        original = torch.set_num_threads
        monkeypatch.setattr(torch, "set_num_threads", lambda n: calls.append(n) or original(n))
        net = _net(torch.float32)
        opt = _optimizers.Adam(_groups(net, 0.0), lr=0.05)
        _train(net, opt, 1, torch.float32)
        assert calls == [1, 2, 1, 2]  # each (small) group's kernel, on one thread
        assert torch.get_num_threads() == 2

        calls.clear()
        big = torch.nn.Linear(200, 200)  # 40,200 elements: above SERIAL_NUMEL
        opt = _optimizers.SGD(big.parameters(), lr=0.1)
        big(torch.ones(2, 200)).sum().backward()
        opt.step()
        assert calls == []
    finally:
        torch.set_num_threads(old)


def test_zero_grad_and_errors():
    net = _net(torch.float32)
    opt = _optimizers.SGD(net.parameters(), lr=0.1, momentum=0.9)
    _train(net, opt, 1, torch.float32)
    opt.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.any() for p in net.parameters())
    opt.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [net[0].weight]})
    with pytest.raises(RuntimeError, match="floating-point"):
        _optimizers.Adam([torch.zeros(3, dtype=torch.int64)])
    with pytest.raises(ValueError, match="different number of parameter groups"):
        opt.load_state_dict({"state": {}, "param_groups": []})


def test_group_added_during_training_counts_its_own_steps():
    # Adam's step counters are views into one tensor; a group added later gets its
    # own counts, as with torch's Adam.
    nets = [(torch.nn.Linear(3, 2), torch.nn.Linear(2, 1)) for _ in range(2)]
    nets[1][0].load_state_dict(nets[0][0].state_dict())
    nets[1][1].load_state_dict(nets[0][1].state_dict())
    opts = [
        _optimizers.Adam(nets[0][0].parameters(), lr=0.1),
        torch.optim.Adam(nets[1][0].parameters(), lr=0.1, fused=True),
    ]
    X = torch.randn(5, 3, generator=torch.Generator().manual_seed(0))
    for i in range(4):
        for (first, second), opt in zip(nets, opts):
            if i == 2:
                opt.add_param_group({"params": list(second.parameters())})
            opt.zero_grad()
            second(first(X)).sum().backward()
            opt.step()
    steps = [[float(s["step"]) for s in opt.state.values()] for opt in opts]
    assert steps[0] == steps[1] == [4.0, 4.0, 2.0, 2.0]
    for a, b in zip(nets[0], nets[1]):
        _assert_same(a, b, torch.float32)
