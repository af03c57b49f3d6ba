"""Fold results on disk, so that an interrupted comparison resumes where it stopped.

Each finished (data set, model, repeat, fold) is appended to a JSON-lines file as one
line, flushed and synced before the next fit starts. A line carries a key: a hash of
everything its score depends on (the data, the subsample, the seed, the folds, the
metric, the epochs, the device, the sknn version, the model and the fold), so a run
started again with the same options finds the folds already done and skips them,
and a run with other options in the same file refits. A line cut short by a kill is
ignored.
"""

import hashlib
import json
import os
import pathlib

__all__ = ["FoldStore", "task_key"]


def task_key(**fields):
    """A short, stable hash of ``fields`` (JSON-serialisable values)."""
    text = json.dumps(fields, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


class FoldStore:
    """The fold results of one file: ``{key: record}``, appended to as folds finish.

    Parameters
    ----------
    path : str or path-like or None
        The JSON-lines file; None keeps nothing (every fold is fitted).
    resume : bool, default=True
        Read the records already in the file; False starts the file afresh.
    """

    def __init__(self, path, *, resume=True):
        self.path = None if path is None else pathlib.Path(path)
        self.records = {}
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if resume and self.path.is_file():
            with open(self.path, encoding="utf-8") as f:
                for line in f:
                    try:
                        record = json.loads(line)
                    except json.JSONDecodeError:  # the last line of a killed run
                        continue
                    if isinstance(record, dict) and "key" in record:
                        self.records[record["key"]] = record
        elif not resume and self.path.is_file():
            self.path.unlink()

    def get(self, key):
        """The stored record of ``key``, or None."""
        return self.records.get(key)

    def add(self, record):
        """Keep ``record`` (a dict with a ``key``) and append it to the file at once."""
        self.records[record["key"]] = record
        if self.path is None:
            return
        line = json.dumps(record, sort_keys=True) + "\n"
        with open(self.path, "a", encoding="utf-8") as f:
            if f.tell() > 0 and not self._ends_with_newline():
                f.write("\n")  # after a line cut short by a kill
            f.write(line)
            f.flush()
            os.fsync(f.fileno())

    def _ends_with_newline(self):
        with open(self.path, "rb") as f:
            f.seek(-1, os.SEEK_END)
            return f.read(1) == b"\n"
