"""Hard wraps: the line breaks a PDF's layout put inside a sentence, to be joined.

A text is hard-wrapped when many of its lines are "full", about as wide as the width most of
its lines come close to; a line break is a wrap when the line before it is full, does
not end a sentence, and the line after it opens no heading or list item. The rules, with
examples, are normalize.toml's [wrap]; this module holds no Chinese.
"""
from __future__ import annotations

import bisect

import regex

from targets.core.schema import Pattern, Strict

_WIDE = regex.compile(r"[^\x00-\u02ff]")  # a CJK character or full-width sign: two columns
# No page is this many characters wide: a longer line (a paragraph a line, a 100 MB file on one
# line) is not measured, only known not to be a layout's line.
LAYOUT_LINE_MAX = 300


class Wrap(Strict):
    """normalize.toml [wrap]: when a line break is a wrap of the layout."""
    keep_after: Pattern  # a line that matches ends its paragraph: its break stays
    keep_before: Pattern  # a line that matches opens a heading or list item: the break before it stays
    short_by: float  # a full line is at least (1 - short_by) of the text's width
    min_width: int  # columns (a Chinese character is two) the full lines of a layout have at least
    min_lines: int  # fewer full lines than this: the text is not hard-wrapped
    min_share: float  # nor when fewer than this share of its lines are full


def width(line: str) -> int:
    """Columns a line takes, a Chinese character two.

    >>> width("到2025年，")
    10
    """
    return len(line) + sum(1 for _ in _WIDE.finditer(line))


def wrap_breaks(text: str, wrap: Wrap, rx) -> set[int]:
    """Offsets of the line breaks of `text` that are wraps (each the first "\\n" of its break).

    `rx` compiles a rule pattern (RuleSet.rx). A blank line between the two lines (a page
    break) does not stop a wrap; a table row (two tabs) is never joined.
    """
    lines = text.split("\n")
    widths = [0 if "\t" in line else width(line.rstrip()) if len(line) <= LAYOUT_LINE_MAX
              else 2 * LAYOUT_LINE_MAX + 1 for line in lines]
    full = _full_width(widths, wrap)
    if full is None:
        return set()
    keep_after, keep_before = rx(wrap.keep_after), rx(wrap.keep_before)
    out, pos = set(), 0
    starts = []
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    for i, line in enumerate(lines[:-1]):
        if not full * (1 - wrap.short_by) <= widths[i] <= full or "\t" in line:
            continue
        after = next((k for k in range(i + 1, min(i + 3, len(lines))) if lines[k].strip()), None)
        if after is None or "\t" in lines[after]:
            continue
        if keep_after.search(line.rstrip()) or keep_before.match(lines[after].lstrip()):
            continue
        out.add(starts[i] + len(line))
    return out


def _full_width(widths: list[int], wrap: Wrap) -> int | None:
    """The width of the text's full lines, or None if it is not hard-wrapped.

    The width is the one that the most lines come close to, within `short_by` below it.
    """
    ws = sorted(w for w in widths if w)
    best, near = None, 0
    for w in sorted(set(ws), reverse=True):
        if w > 2 * LAYOUT_LINE_MAX:  # a line too long to measure: no layout has it
            continue
        if w < wrap.min_width:
            break
        n = bisect.bisect_right(ws, w) - bisect.bisect_left(ws, w * (1 - wrap.short_by))
        if n > near:
            best, near = w, n
    if best is None or near < wrap.min_lines or near < wrap.min_share * len(ws):
        return None
    return best
