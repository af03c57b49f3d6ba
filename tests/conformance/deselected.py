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

DESELECTED = {}
