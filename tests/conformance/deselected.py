"""Tests of scikit-learn's own files that do not run on sknn, each with its reason.

Accepted reasons only: the test reads a scikit-learn-private attribute or
method (``PRIVATE``), it depends on scikit-learn's exact random stream
(``STREAM``), or it matches the class's literal name in a message (``NAME``).
Keys are ``<module>::<test id>`` as pytest names them.
"""

PRIVATE = "reads a scikit-learn-private attribute or method"
STREAM = "depends on scikit-learn's exact random stream"
NAME = "matches scikit-learn's class name in a message"

ACCEPTED_REASONS = {PRIVATE, STREAM, NAME}

DESELECTED = {
    # test_mlp.py: 55 of 59 run and pass.
    "test_sklearn_mlp::test_gradient": PRIVATE,  # MLPClassifier._loss_grad_lbfgs
    "test_sklearn_mlp::test_learning_rate_warmstart": PRIVATE,  # ._optimizer.learning_rate
    "test_sklearn_mlp::test_adaptive_learning_rate": PRIVATE,  # ._optimizer.learning_rate
    # Asserts R^2 > 0.65 for one seed (random_state=1): measured over
    # random_state=0..11 on the test's data, scikit-learn scores 0.685 +- 0.027
    # (below 0.65 for seeds 2 and 9) and sknn 0.663 +- 0.041; sknn draws its
    # initial weights from torch's generator, not NumPy's. The part about sknn,
    # fit == 100 partial_fit calls, passes (checked in tests/test_mlp.py).
    "test_sklearn_mlp::test_partial_fit_regression": STREAM,
    # test_rbm.py: 16 of 24 run and pass. tests/test_rbm.py covers what each checks
    # through the public API.
    "test_sklearn_rbm::test_transform": PRIVATE,  # _mean_hiddens
    "test_sklearn_rbm::test_sample_hiddens": PRIVATE,  # _mean_hiddens, _sample_hiddens
    # components_ equal to BernoulliRBM's values after 42 epochs from its stream
    "test_sklearn_rbm::test_fit_gibbs[csc_matrix]": STREAM,
    "test_sklearn_rbm::test_fit_gibbs[csc_array]": STREAM,
    # "[BernoulliRBM] Iteration 1, ..." (sknn prints the same with [RBMTransformer])
    "test_sklearn_rbm::test_sparse_and_verbose[csc_matrix]": NAME,
    "test_sklearn_rbm::test_sparse_and_verbose[csc_array]": NAME,
    # "bernoullirbm0", ... (sknn's are "rbmtransformer0", ..., the same rule)
    "test_sklearn_rbm::test_feature_names_out[fit]": NAME,
    "test_sklearn_rbm::test_feature_names_out[partial_fit]": NAME,
}
