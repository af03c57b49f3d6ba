"""The package's shape, as docs/architecture.rst describes it.

Each rule here is one the code was renovated to follow (issue 12); a change that
breaks one fails here instead of slowly undoing the layout.
"""

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "sknn"
SOURCES = sorted(PACKAGE.rglob("*.py"))

#: The estimator files: one family each, never importing one another.
ESTIMATOR_FILES = {
    "_autoencoder",
    "_convnet",
    "_mlp",
    "_perceptron",
    "_rbm",
    "_rnn",
    "_text",
}


def _tree(path):
    return ast.parse(path.read_text(), filename=str(path))


def _relative_imports(path):
    """Module names ``path`` imports from within sknn (``from .x import`` and
    ``from sknn.x import``), as dotted names relative to the package."""
    names = set()
    package = path.relative_to(PACKAGE).parent.parts
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(package[: len(package) - (node.level - 1)])
                names.add(".".join(base + ([node.module] if node.module else [])))
            elif node.module and node.module.startswith("sknn."):
                names.add(node.module[len("sknn.") :])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("sknn."):
                    names.add(alias.name[len("sknn.") :])
    return names


def test_skorch_is_used_in_the_engine_module_only():
    users = sorted(p.name for p in SOURCES if "skorch" in p.read_text())
    assert users == ["_engine.py"]


@pytest.mark.parametrize("name", sorted(ESTIMATOR_FILES))
def test_estimator_files_never_import_each_other(name):
    imported = {m.split(".")[0] for m in _relative_imports(PACKAGE / f"{name}.py")}
    assert not (imported & ESTIMATOR_FILES) - {name}


def test_modules_import_neither_sklearn_nor_the_estimators():
    for path in sorted((PACKAGE / "modules").glob("*.py")):
        text = path.read_text()
        assert "sklearn" not in text, path.name
        assert not _relative_imports(path) - {f"modules.{p.stem}" for p in SOURCES}, path.name


def test_base_is_small():
    assert len((PACKAGE / "_base.py").read_text().splitlines()) < 500


def _is_constructor(node):
    """A scikit-learn constructor: ``__init__`` that only stores its parameters
    (its length is that of its signature, which the conventions fix)."""
    if node.name != "__init__":
        return False
    for stmt in node.body:
        stores = isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Name)
        if not (stores or isinstance(stmt, ast.Expr)):
            return False
    return True


def _length_without_docstring(node):
    length = node.end_lineno - node.lineno + 1
    first = node.body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
        length -= first.end_lineno - first.lineno + 1
    return length


def test_no_function_over_60_lines():
    long = []
    for path in SOURCES:
        for node in ast.walk(_tree(path)):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            if _is_constructor(node):
                continue
            length = _length_without_docstring(node)
            if length > 60:
                long.append(f"{path.relative_to(PACKAGE)}:{node.name} ({length} lines)")
    assert not long


def _only_raises_not_implemented(node):
    def is_docstring(stmt):
        return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)

    body = [s for s in node.body if not is_docstring(s)]
    if len(body) != 1 or not isinstance(body[0], ast.Raise):
        return False
    exc = body[0].exc
    target = exc.func if isinstance(exc, ast.Call) else exc
    return isinstance(target, ast.Name) and target.id == "NotImplementedError"


def test_no_method_only_raises_not_implemented():
    found = []
    for path in SOURCES:
        for node in ast.walk(_tree(path)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if _only_raises_not_implemented(node):
                    found.append(f"{path.relative_to(PACKAGE)}:{node.name}")
    assert not found


def test_fitted_estimators_keep_no_training_run_state():
    """The training loop returns a record; nothing of the run is parked on the
    estimator (no ``_run``, ``_good_state``, ``_best_state``, ``_checkpoint``)."""
    import numpy as np

    from sknn import MLPClassifier

    X = np.random.RandomState(0).rand(40, 3)
    y = np.arange(40) % 2
    clf = MLPClassifier((4,), max_iter=3, early_stopping=True, device="cpu").fit(X, y)
    parked = {"_run", "_good_state", "_best_state", "_checkpoint", "_pretrain_layers"}
    assert not parked & set(vars(clf))
