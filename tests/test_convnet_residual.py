"""Residual blocks in ConvNetClassifier and ConvNetRegressor (``residual=True``):
the ResNet for time series of Wang, Yan & Oates (2017)."""

import math
import pathlib
import pickle
import warnings

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import parametrize_with_checks
from torch import nn

from sknn import ConvNetClassifier, ConvNetRegressor
from sknn.modules import ConvNetModule, ResidualBlock

#: The published ResNet's architecture (dl-4-tsc's classifiers/resnet.py).
RESNET = dict(
    channels=(64, 128, 128),
    kernel_size=(8, 5, 3),
    pooling=None,
    global_pooling="avg",
    batch_norm=True,
    residual=True,
)

#: A small residual network on univariate series, fast to fit.
SMALL = dict(
    conv_dim=1,
    embedding_dim=None,
    residual=True,
    channels=(8, 8),
    kernel_size=(5, 3),
    pooling=None,
    hidden_layer_sizes=(),
    batch_norm=True,
    learning_rate_init=0.01,
    random_state=0,
    device="cpu",
)


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fn(*args, **kwargs)


def make_motifs(n, length=48, seed=0):
    """Noisy series holding a bump or a step at a random place; the shape is the
    class, the place carries no information."""
    rng = np.random.RandomState(seed)
    y = rng.randint(0, 2, n)
    X = 0.3 * rng.normal(size=(n, length))
    shapes = [1.5 * np.hanning(8), np.r_[np.ones(4), -np.ones(4)]]
    for i, start in enumerate(rng.randint(0, length - 8, n)):
        X[i, start : start + 8] += shapes[y[i]]
    return X, y


# ------------------------------------------------------- common checks, residual
# One residual configuration through scikit-learn's checks, on univariate series
# as in tests/test_convnet.py (same mini-batches and the same expected failures).
# Without batch norm: with it, a fit on one sample is refused by design (batch norm
# needs two), which check_fit2d_1sample does not accept; the batch-norm blocks are
# tested below.
_CHECKED = dict(
    SMALL, channels=(4,), kernel_size=(3, 3), max_iter=15, batch_size=8, batch_norm=False
)
_MINIBATCH = (
    "mini-batch training: a row of weight k is one row of one batch, while its k "
    "repeats fall into several batches, so the fits differ (measured for this "
    "configuration: predict_proba differs by up to 0.31 relative, 0.09 absolute, on "
    "the check's data; as in tests/test_convnet.py's checks on sequences)."
)


@parametrize_with_checks(
    [ConvNetClassifier(**_CHECKED)],
    expected_failed_checks=lambda est: {
        "check_sample_weight_equivalence_on_dense_data": _MINIBATCH,
        "check_sample_weight_equivalence_on_sparse_data": _MINIBATCH,
    },
)
def test_sklearn_checks_residual(estimator, check):
    check(estimator)


# -------------------------------------------------------------------- module
def test_resnet_module_structure_and_shapes():
    m = ConvNetModule(
        (1, None), RESNET["channels"], 3, **{k: v for k, v in RESNET.items() if k != "channels"}
    )
    blocks = [seq[0] for seq in m.convs]
    assert all(isinstance(b, ResidualBlock) for b in blocks)
    assert all(len(seq) == 1 for seq in m.convs)  # pooling=None: no pooling layer
    for block, width in zip(blocks, (64, 128, 128)):
        convs = [c for c in block.body if isinstance(c, nn.Conv1d)]
        assert [c.kernel_size for c in convs] == [(8,), (5,), (3,)]
        assert all(c.out_channels == width for c in convs)
        assert sum(isinstance(c, nn.BatchNorm1d) for c in block.body) == 3
        assert sum(isinstance(c, nn.ReLU) for c in block.body) == 2
        assert isinstance(block.body[-1], nn.BatchNorm1d)  # no ReLU before the sum
        assert isinstance(block.activation, nn.ReLU)
    # the shortcut: 1x1 conv + BN where the width changes (1->64, 64->128), BN alone
    # where it does not (128->128), as in dl-4-tsc
    for block in blocks[:2]:
        conv, bn = block.shortcut
        assert isinstance(conv, nn.Conv1d) and conv.kernel_size == (1,)
        assert isinstance(bn, nn.BatchNorm1d)
    assert isinstance(blocks[2].shortcut, nn.BatchNorm1d)
    # 9 convolutions on the main path and 2 shortcut convolutions
    assert len(m.conv_layers) == 11
    assert m.conv_layers[0] is blocks[0].body[1]  # the first layer's filters first
    assert m.n_features_out == 128 and m.output.in_features == 128
    for length in (1, 9, 40):  # "same" padding: any length, output (n, classes)
        x = torch.randn(4, 1, length)
        h = x
        for seq in m.convs:
            h = seq(h)
        assert h.shape == (4, 128, length)
        assert m(x).shape == (4, 3)
        assert m.features(x).shape == (4, 128)


def test_residual_without_batch_norm_and_on_images():
    m = ConvNetModule(
        (2, None), (4, 4), 3, kernel_size=(3,), pooling=None, global_pooling="avg", residual=True
    )
    assert not any(isinstance(x, nn.modules.batchnorm._BatchNorm) for x in m.modules())
    first, second = (seq[0] for seq in m.convs)
    assert isinstance(first.shortcut, nn.Sequential) and len(first.shortcut) == 1
    assert isinstance(second.shortcut, nn.Identity)
    assert len(m.conv_layers) == 3  # one conv per block (kernel_size=(3,)) + 1 shortcut
    # images: an int kernel is two convolutions, pooling follows each block
    m = ConvNetModule((3, 8, 8), (4, 6), 5, kernel_size=3, residual=True, batch_norm=True)
    for seq in m.convs:
        assert isinstance(seq[0], ResidualBlock) and isinstance(seq[1], nn.MaxPool2d)
        assert sum(isinstance(c, nn.Conv2d) for c in seq[0].body) == 2
    assert m.features(torch.zeros(2, 3, 8, 8)).shape == (2, 6 * 2 * 2)  # 8 -> 4 -> 2
    assert m(torch.zeros(2, 3, 8, 8)).shape == (2, 5)


class _ReferenceResNet(nn.Module):
    """Two residual blocks (4 -> 6 -> 6 channels) written out from torch.nn layers
    as dl-4-tsc's Keras code reads: conv-BN-ReLU, conv-BN-ReLU, conv-BN; shortcut
    1x1 conv-BN (widths differ) or BN (widths equal); ReLU of the sum; global
    average pooling; linear output."""

    def __init__(self):
        super().__init__()
        kernels = (8, 5, 3)

        def body(c_in, c_out):
            convs = [
                nn.Conv1d(c_in if i == 0 else c_out, c_out, k, padding="same")
                for i, k in enumerate(kernels)
            ]
            return nn.ModuleList(convs), nn.ModuleList(nn.BatchNorm1d(c_out) for _ in kernels)

        self.convs1, self.bns1 = body(4, 6)
        self.short1 = nn.Conv1d(4, 6, 1)
        self.short1_bn = nn.BatchNorm1d(6)
        self.convs2, self.bns2 = body(6, 6)
        self.short2_bn = nn.BatchNorm1d(6)
        self.out = nn.Linear(6, 3)

    @staticmethod
    def _body(x, convs, bns):
        for i, (conv, bn) in enumerate(zip(convs, bns)):
            x = bn(conv(x))
            if i < len(convs) - 1:
                x = torch.relu(x)
        return x

    def forward(self, x):
        h = torch.relu(self._body(x, self.convs1, self.bns1) + self.short1_bn(self.short1(x)))
        h = torch.relu(self._body(h, self.convs2, self.bns2) + self.short2_bn(h))
        return self.out(h.mean(-1))

    def in_module_order(self):
        """Parameterised layers in the order ConvNetModule registers them."""
        layers = []
        for convs, bns in ((self.convs1, self.bns1), (self.convs2, self.bns2)):
            for conv, bn in zip(convs, bns):
                layers += [conv, bn]
            layers += [self.short1, self.short1_bn] if convs is self.convs1 else [self.short2_bn]
        return [*layers, self.out]


# torch warns that padding="same" with an even kernel copies the input
@pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")
@pytest.mark.parametrize("training", [False, True])
def test_residual_forward_equals_a_hand_written_reference(training):
    torch.manual_seed(0)
    m = ConvNetModule(
        (4, None),
        (6, 6),
        3,
        kernel_size=(8, 5, 3),
        pooling=None,
        global_pooling="avg",
        batch_norm=True,
        residual=True,
    ).double()
    ref = _ReferenceResNet().double()
    ours = [x for x in m.modules() if isinstance(x, (nn.Conv1d, nn.BatchNorm1d, nn.Linear))]
    theirs = ref.in_module_order()
    assert [type(x) for x in ours] == [type(x) for x in theirs]
    with torch.no_grad():
        for a in ours:  # non-trivial batch-norm parameters and running statistics
            if isinstance(a, nn.BatchNorm1d):
                a.weight.uniform_(0.5, 1.5)
                a.bias.uniform_(-0.5, 0.5)
                a.running_mean.uniform_(-0.5, 0.5)
                a.running_var.uniform_(0.5, 2.0)
    for a, b in zip(ours, theirs):
        b.load_state_dict(a.state_dict())
    m.train(training)
    ref.train(training)
    x = torch.randn(5, 4, 21, dtype=torch.float64)
    np.testing.assert_allclose(
        m(x).detach().numpy(), ref(x).detach().numpy(), rtol=1e-9, atol=1e-12
    )


@pytest.mark.parametrize("weight_init", ["glorot_uniform", "he_normal"])
def test_every_convolution_follows_weight_init(weight_init):
    """All convolutions, the shortcut's 1x1 included, are drawn by the named scheme
    (std of the weights within 5 %; He's biases are zero, Glorot's are drawn)."""
    gen = torch.Generator().manual_seed(0)
    m = ConvNetModule(
        (64, None),
        (128, 128),
        2,
        kernel_size=(3,),
        pooling=None,
        global_pooling="avg",
        residual=True,
        weight_init=weight_init,
        generator=gen,
    )
    assert len(m.conv_layers) == 3  # 64->128 conv, its 1x1 shortcut, 128->128 conv
    for conv in m.conv_layers:
        out_ch, in_ch, k = conv.weight.shape
        fan_in, fan_out = in_ch * k, out_ch * k
        if weight_init == "he_normal":
            std = math.sqrt(2.0 / fan_in)
        else:
            std = math.sqrt(2.0 / (fan_in + fan_out))  # bound sqrt(6 / (in + out)) / sqrt(3)
        assert abs(conv.weight.std().item() / std - 1) < 0.05, (conv, weight_init)
        assert (conv.bias.abs().max().item() == 0.0) == (weight_init == "he_normal")


# ------------------------------------------------------------------ estimator
def test_residual_classifier_fits_predicts_and_round_trips():
    X, y = make_motifs(240)
    clf = _quiet(ConvNetClassifier(max_iter=30, **SMALL).fit, X[:160], y[:160])
    blocks = [seq[0] for seq in clf.module_.convs]
    assert all(isinstance(b, ResidualBlock) for b in blocks)
    assert isinstance(blocks[0].shortcut, nn.Sequential) and isinstance(
        blocks[1].shortcut, nn.BatchNorm1d
    )
    assert clf.score(X[160:], y[160:]) > 0.8  # chance: about 0.5
    again = pickle.loads(pickle.dumps(clf))
    assert again.residual is True
    np.testing.assert_array_equal(again.predict_proba(X[160:]), clf.predict_proba(X[160:]))
    np.testing.assert_array_equal(again.predict(X[160:]), clf.predict(X[160:]))


def test_residual_regressor_and_images():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 30))
    y = X[:, 10:15].sum(axis=1)
    reg = _quiet(
        ConvNetRegressor(global_pooling=None, max_iter=60, **{**SMALL, "batch_norm": False}).fit,
        X,
        y,
    )
    assert reg.score(X, y) > 0.8
    assert isinstance(reg.module_.convs[0][0], ResidualBlock)
    images = rng.rand(60, 8, 8)
    clf = _quiet(
        ConvNetClassifier(
            residual=True,
            channels=(4,),
            hidden_layer_sizes=(8,),
            max_iter=2,
            random_state=0,
            device="cpu",
        ).fit,
        images,
        np.arange(60) % 3,
    )
    block = clf.module_.convs[0][0]
    assert [c.kernel_size for c in block.body if isinstance(c, nn.Conv2d)] == [(3, 3)] * 2
    assert clf.predict(images).shape == (60,)


def test_kernel_size_lists_the_convolutions_of_every_block():
    X, y = make_motifs(40)
    for kernel_size, expected in (((7, 5, 3), [7, 5, 3]), ((5,), [5]), (5, [5, 5])):
        clf = _quiet(
            ConvNetClassifier(max_iter=1, **{**SMALL, "kernel_size": kernel_size}).fit, X, y
        )
        for seq in clf.module_.convs:
            body = seq[0].body
            assert [c.kernel_size[0] for c in body if isinstance(c, nn.Conv1d)] == expected


def test_get_params_clone_and_set_params():
    clf = ConvNetClassifier(residual=True)
    assert clf.get_params()["residual"] is True
    assert ConvNetRegressor().get_params()["residual"] is False
    assert clone(clf).residual is True
    X, y = make_motifs(40)
    plain = _quiet(ConvNetClassifier(max_iter=1, **{**SMALL, "residual": False}).fit, X, y)
    assert not any(isinstance(x, ResidualBlock) for x in plain.module_.modules())
    _quiet(plain.set_params(residual=True).fit, X, y)
    assert isinstance(plain.module_.convs[0][0], ResidualBlock)
    with pytest.raises(InvalidParameterError, match="residual"):
        ConvNetClassifier(residual="yes").fit(X, y)


def test_residual_on_token_ids_is_refused():
    ids = np.random.RandomState(0).randint(1, 20, size=(40, 6))
    with pytest.raises(ValueError, match="text network .* does not take residual"):
        ConvNetClassifier(residual=True, max_iter=1).fit(ids, np.arange(40) % 2)


def test_models_saved_before_residual_blocks_load_without_them():
    folder = pathlib.Path(__file__).parent / "data" / "pickles"
    paths = sorted(folder.glob("ConvNet*-sknn0.1.0.pkl"))
    assert paths
    for path in paths:
        est = pickle.loads(path.read_bytes())
        assert est.get_params()["residual"] is False
        assert not any(isinstance(x, ResidualBlock) for x in est.module_.modules())
