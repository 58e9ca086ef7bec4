"""Hypothesis strategies shared by the tests of the decoders."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st


def json_values(text_size: int) -> st.SearchStrategy[Any]:
    """Any JSON value: scalars, and lists and objects of them, nested, with texts up to `text_size`."""
    return st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=text_size),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
        max_leaves=20,
    )
