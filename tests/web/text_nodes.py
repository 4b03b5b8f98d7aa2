"""The visible words of a page: its text nodes with a letter in them, outside ``<script>``,
``<style>`` and anything marked ``translate="no"`` (names, versions, ids: data, not UI)."""

from __future__ import annotations

from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
HIDDEN = {"script", "style", "title", "head"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, bool]] = []  # (tag, keeps its words untranslated)
        self.nodes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        data = dict(attrs).get("translate") == "no" or tag in HIDDEN
        self.stack.append((tag, data))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if not text or any(keep for _, keep in self.stack):
            return
        if any(ch.isalpha() for ch in text):
            self.nodes.append(text)


def visible_words(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.nodes
