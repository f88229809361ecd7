"""The JSON nesting limit that every reader of outside JSON applies (issue 14)."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlwa.jsonlimits import MAX_JSON_DEPTH, JSONTooDeep, check_depth, loads


def nested(depth: int) -> str:
    """`depth` arrays inside each other."""
    return "[" * depth + "]" * depth


def test_a_document_at_the_limit_loads():
    assert loads(nested(MAX_JSON_DEPTH)) == json.loads(nested(MAX_JSON_DEPTH))


def test_a_document_one_past_the_limit_is_refused_with_its_path():
    with pytest.raises(JSONTooDeep) as refused:
        loads(nested(MAX_JSON_DEPTH + 1))
    assert refused.value.path == "$" + "[0]" * MAX_JSON_DEPTH
    assert "64" in str(refused.value)


def test_a_thousand_levels_are_refused_not_a_recursion_error():
    with pytest.raises(JSONTooDeep):
        loads(nested(1000))
    with pytest.raises(JSONTooDeep):
        loads('{"a":' * 1000 + "1" + "}" * 1000)


def test_the_path_names_keys_and_indexes_where_the_limit_is_passed():
    text = '{"pillars": [1, {"name": "[[[[", "odd key": [[[[]]]]}]}'
    # object 1, "pillars" 2, object 3, "odd key" 4, then arrays 5, 6 and 7: the sixth is too deep
    with pytest.raises(JSONTooDeep) as refused:
        check_depth(text, max_depth=5)
    assert refused.value.path == '$.pillars[1]["odd key"][0][0]'


def test_brackets_and_escaped_quotes_inside_strings_do_not_count():
    text = json.dumps({"a": "[[[[[[" * 50 + '\\"[[[', "b": ["{" * 100]})
    check_depth(text, max_depth=2)
    assert loads(text, max_depth=2) == json.loads(text)


def test_bytes_with_a_byte_order_mark_load_like_json_does():
    data = "\ufeff".encode() + b'{"a": [1]}'
    assert loads(data) == {"a": [1]}


def _depth(value) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='ab[]{}"\\,:'),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3)
    ),
    max_leaves=30,
)


@given(value=json_values, limit=st.integers(min_value=1, max_value=6))
def test_refused_exactly_when_deeper_than_the_limit(value, limit):
    text = json.dumps(value)
    if _depth(value) > limit:
        with pytest.raises(JSONTooDeep):
            check_depth(text, max_depth=limit)
    else:
        check_depth(text, max_depth=limit)
