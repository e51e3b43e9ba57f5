"""Loaders for the real data sets in ``shared/data`` (see its README), shared by tests and benchmarks.

The folder is found from ``SKEDU_DATA_HOME`` or, failing that, as ``../shared/data`` or
``shared/data`` next to the repository. Nothing is downloaded.
"""

import gzip
import lzma
import os
from pathlib import Path

import numpy as np

_REPO = Path(__file__).resolve().parent.parent


def data_home():
    """Folder of the shared data sets, or None when it is not present."""
    candidates = []
    if os.environ.get("SKEDU_DATA_HOME"):
        candidates.append(Path(os.environ["SKEDU_DATA_HOME"]))
    candidates += [_REPO.parent / "shared" / "data", _REPO / "shared" / "data"]
    for folder in candidates:
        if (folder / "README.md").exists():
            return folder
    return None


def _path(name):
    home = data_home()
    if home is None or not (home / name).exists():
        raise FileNotFoundError(f"shared data file {name!r} not found (set SKEDU_DATA_HOME)")
    return home / name


def available(name):
    """True when the shared data file ``name`` is present."""
    home = data_home()
    return home is not None and (home / name).exists()


def load_transactions(name):
    """A FIMI ``.dat.xz`` file (space-separated ints) or groceries (comma-separated names).

    Returns
    -------
    transactions : list of list
        One list of items per line; ints for FIMI files, str for groceries.
    """
    separator = "," if name.startswith("groceries") else None
    with lzma.open(_path(name), "rt") as handle:
        lines = handle.read().splitlines()
    if separator is None:
        return [[int(item) for item in line.split()] for line in lines if line.strip()]
    return [line.split(separator) for line in lines if line.strip()]


def _read_csv_columns(name):
    with lzma.open(_path(name), "rt") as handle:
        lines = [line.rstrip("\n") for line in handle if line.strip()]
    header = [field.strip() for field in lines[0].split(",")]
    rows = [[field.strip() for field in line.split(",")] for line in lines[1:]]
    return header, rows


def load_adult(part="data"):
    """UCI adult: numeric columns as float, categoricals one-hot, ``?`` as NaN in every column.

    Parameters
    ----------
    part : {"data", "test"}

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), float64
    y : ndarray of shape (n_samples,), int (1 for income > 50K)
    """
    header, rows = _read_csv_columns(f"adult.{part}.xz")
    train_header, train_rows = _read_csv_columns("adult.data.xz")  # categories from the train part
    columns = list(zip(*rows))
    train_columns = list(zip(*train_rows))
    features = []
    for index, column in enumerate(columns[:-1]):
        try:
            features.append(np.array([np.nan if v == "?" else float(v) for v in column])[:, None])
        except ValueError:
            categories = sorted(set(train_columns[index]) - {"?"})
            values = np.array(column)
            onehot = (values[:, None] == np.array(categories)[None, :]).astype(np.float64)
            onehot[values == "?"] = np.nan
            features.append(onehot)
    y = np.array([label.rstrip(".") == ">50K" for label in columns[-1]], dtype=np.int64)
    return np.hstack(features), y


def load_adult_columns(part="data"):
    """UCI adult as the file has it, for one-hot pipelines.

    Parameters
    ----------
    part : {"data", "test"}

    Returns
    -------
    X : ndarray of shape (n_samples, 14), object
        Numeric columns as float, categorical ones as str (``?`` is a category).
    y : ndarray of shape (n_samples,), int (1 for income > 50K)
    categorical : list of int
        The categorical columns.
    """
    _, rows = _read_csv_columns(f"adult.{part}.xz")
    columns = list(zip(*rows))
    X = np.empty((len(rows), len(columns) - 1), dtype=object)
    categorical = []
    for index, column in enumerate(columns[:-1]):
        try:
            X[:, index] = [float(v) for v in column]
        except ValueError:
            X[:, index] = column
            categorical.append(index)
    y = np.array([label.rstrip(".") == ">50K" for label in columns[-1]], dtype=np.int64)
    return X, y, categorical


def load_skin_nonskin():
    """UCI skin segmentation: X (B, G, R) float64, y in {1, 2}."""
    _, rows = _read_csv_columns("skin_nonskin.csv.xz")
    data = np.array(rows, dtype=np.float64)
    return data[:, :3], data[:, 3].astype(np.int64)


def load_cal_housing():
    """California housing (raw StatLib columns): X float64 (8 columns), y median house value."""
    _, rows = _read_csv_columns("cal_housing.data.xz")
    data = np.array(rows, dtype=np.float64)
    return data[:, :-1], data[:, -1]


def load_letter():
    """UCI letter recognition: X (16 integer features) float64, y letters as str."""
    _, rows = _read_csv_columns("letter-recognition.data.xz")
    y = np.array([row[0] for row in rows])
    X = np.array([row[1:] for row in rows], dtype=np.float64)
    return X, y


def load_libsvm(name, n_features=None):
    """A LIBSVM text file (``a9a.xz``, ``a9a.t.xz``, ``w8a.xz``) as CSR float64 and int labels."""
    from scipy import sparse

    indptr, indices, values, labels = [0], [], [], []
    with lzma.open(_path(name), "rt") as handle:
        for line in handle:
            fields = line.split()
            if not fields:
                continue
            labels.append(int(float(fields[0])))
            for field in fields[1:]:
                index, value = field.split(":")
                indices.append(int(index) - 1)
                values.append(float(value))
            indptr.append(len(indices))
    width = max(indices) + 1 if n_features is None else n_features
    X = sparse.csr_matrix(
        (np.array(values), np.array(indices, dtype=np.int32), np.array(indptr, dtype=np.int64)),
        shape=(len(labels), width),
    )
    X.eliminate_zeros()
    return X, np.array(labels, dtype=np.int64)


def load_idx(folder, part="train"):
    """MNIST-style IDX images/labels: X uint8 (n, 784), y uint8."""
    prefix = "t10k" if part == "test" else "train"
    with gzip.open(_path(f"{folder}/{prefix}-images-idx3-ubyte.gz"), "rb") as handle:
        images = np.frombuffer(handle.read(), np.uint8, offset=16)
    with gzip.open(_path(f"{folder}/{prefix}-labels-idx1-ubyte.gz"), "rb") as handle:
        labels = np.frombuffer(handle.read(), np.uint8, offset=8)
    return images.reshape(len(labels), -1), labels


def require_data(name):
    """Skip the calling test when the shared data file ``name`` is absent."""
    import pytest

    if not available(name):
        pytest.skip(f"shared data file {name} not found (set SKEDU_DATA_HOME)")
