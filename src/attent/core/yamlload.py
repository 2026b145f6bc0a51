"""YAML parsed with a bound on nesting and without NUL characters, the YAML half of `core.edge`.

PyYAML composes a document recursively, so 100,000 nested collections (`[[[[…`, or `- - - -…`
on one line, well within the body limit) end in RecursionError; and YAML's escapes (`"\\0"`,
`"\\x00"`) put a NUL into a string that no byte scan of the body sees. The loader counts the depth
while it composes, before going one level deeper, and looks at every scalar (keys too). An alias
counts as deep as the node it names, so aliases cannot stack shallow pieces into a deep tree.
"""

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from attent.core.edge import MAX_DEPTH


class Refused(yaml.MarkedYAMLError):
    """A document refused before it was built; `code` and `detail` say why, `problem_mark` where."""

    code = "invalid_yaml"
    detail = "The YAML document cannot be used."


class TooDeep(Refused):
    """Collections nested deeper than MAX_DEPTH."""

    code = "too_deep"
    detail = f"The YAML document is nested more than {MAX_DEPTH} levels deep."


class NulCharacter(Refused):
    """A string with a NUL character (U+0000) in it."""

    code = "nul_character"
    detail = "Text may not contain NUL characters (U+0000); remove them and send again."


class BoundedLoader(yaml.SafeLoader):
    """yaml.SafeLoader that refuses deep nesting and NUL characters while composing."""

    def __init__(self, stream: str | bytes) -> None:
        super().__init__(stream)
        self.depth = 0
        self.heights: dict[int, int] = {}  # id(node) -> levels of collections in it (0: a scalar)

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        """Compose as PyYAML does, counting levels on the way down and heights on the way up."""
        event = self.peek_event()  # type: ignore[no-untyped-call]
        mark = event.start_mark
        if isinstance(event, yaml.AliasEvent):
            node = super().compose_node(parent, index)
            height = self.heights.get(id(node))  # None: the alias names a node it is inside of
            if height is None or self.depth + height > MAX_DEPTH:
                raise TooDeep(None, None, TooDeep.detail, mark)
            return node
        collection = isinstance(event, yaml.CollectionStartEvent)
        if collection:
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise TooDeep(None, None, TooDeep.detail, mark)
        try:
            node = super().compose_node(parent, index)
        finally:
            self.depth -= collection
        if node is not None:
            self.heights[id(node)] = self._height(node)
        return node

    def _height(self, node: Node) -> int:
        if isinstance(node, ScalarNode):
            if "\x00" in node.value:
                raise NulCharacter(None, None, NulCharacter.detail, node.start_mark)
            return 0
        if isinstance(node, SequenceNode):
            return 1 + max((self.heights[id(item)] for item in node.value), default=0)
        if isinstance(node, MappingNode):
            return 1 + max((max(self.heights[id(k)], self.heights[id(v)]) for k, v in node.value), default=0)
        return 0


def safe_load(text: str | bytes) -> Any:
    """`yaml.safe_load`, bounded: raises TooDeep or NulCharacter (both yaml.YAMLError) when refused."""
    loader = BoundedLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()
