"""Read a saved .html page: the article's text (not navigation), each table row a tab-joined line.

lxml parses (in C, linear in the page); two walks over the tree, each visiting every element
once with an explicit stack (no recursion, no re-scanning of siblings), find the article and
write its text. A page nested deeper than libxml2 reads fails with one line rather than losing
the text below that depth.
"""
from __future__ import annotations

import codecs
import re
from pathlib import Path

import lxml.html
from lxml import etree

from targets.core.decode import decode_bytes, input_error

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_BOILERPLATE_TAGS = {"script", "style", "noscript", "template", "nav", "header", "footer", "aside",
                     "head", "title", "select", "option"}
_BOILERPLATE_ATTR = re.compile(r"nav|menu|footer|header|breadcrumb", re.IGNORECASE)
_MAIN_ATTR = re.compile(r"content|article|zoom|trs_editor", re.IGNORECASE)  # zoom, TRS_Editor: gov sites
_BLOCK_TAGS = {
    "address", "article", "blockquote", "caption", "center", "dd", "div", "dl", "dt", "figcaption",
    "figure", "form", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "main", "ol", "p", "pre",
    "section", "table", "tbody", "tfoot", "thead", "ul",
}
_LIST_TAGS = {"ul", "ol", "dl"}
_LINKS = 0.5  # a list or box with this share of its text in links is navigation or "related articles"
_SPACE = re.compile(r"\s+")


def html_text(path: Path, data: bytes, forced: str | None) -> str:
    """The article text of a saved page's bytes."""
    html, _ = decode_bytes(path, data, forced, None if forced else _meta_charset(data))
    # Bytes with the encoding named: lxml refuses a str that carries an XML encoding declaration.
    parser = lxml.html.HTMLParser(encoding="utf-8", huge_tree=True, remove_comments=True, remove_pis=True)
    try:
        root = lxml.html.document_fromstring(html.encode("utf-8", "surrogatepass"), parser=parser)
    except (etree.ParserError, ValueError):  # "Document is empty": nothing but whitespace
        return ""
    if any("depth" in entry.message.lower() for entry in parser.error_log):
        raise input_error(path, "its elements nest deeper than an HTML parser reads; not a saved page")
    main, lists = _main_element(root)
    return _render(main, lists)


def _meta_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:8192])
    if not match:
        return None
    label = match.group(1).decode("ascii").lower()
    # Browsers read these labels as GBK and Big5-HKSCS, supersets of what they name.
    label = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "big5": "big5hkscs"}.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _is_boilerplate(element) -> bool:
    tag = element.tag
    if tag in _BOILERPLATE_TAGS:
        return True
    names = f"{element.get('id') or ''} {element.get('class') or ''}"
    return tag not in ("html", "body") and bool(_BOILERPLATE_ATTR.search(names))


def _elements(root):
    """Every element under `root` in document order, boilerplate subtrees left out."""
    stack = [root]
    while stack:
        element = stack.pop()
        if isinstance(element.tag, str) and not _is_boilerplate(element):
            yield element
            stack.extend(reversed(element))


def _main_element(root) -> tuple:
    """(the article, the link lists inside it): a named article element, else the paragraphs' parent.

    Named: of the article/main elements and content-named ones, the one with the most text;
    candidates nest (a "content" div around id="zoom") and the one with the most text is the
    whole article with its title rather than a fragment of it. Unnamed: the element whose own
    paragraphs (children without blocks inside, links left out) hold the most text. Either way
    a list or box whose text is mostly links (related articles, a menu) is left out.
    """
    order = list(_elements(root))
    size, links, flow, blocky = {}, {}, {}, {}
    for element in reversed(order):  # children before parents: each measure is summed once
        children = [c for c in element if c in size]  # boilerplate children have no measures
        tails = _stripped(element.text) + sum(_stripped(c.tail) for c in element)
        # A boilerplate child has no size of its own, but the text after it (its tail) counts.
        size[element] = tails + sum(size[c] for c in children)
        links[element] = size[element] if element.tag == "a" else sum(links[c] for c in children)
        blocky[element] = any(c.tag in _BLOCK_TAGS or blocky[c] for c in children)
        flow[element] = tails + sum(size[c] - links[c] for c in children if not blocky[c]
                                    and c.tag not in _LIST_TAGS)
    lists = {e for e in order if e.tag in _LIST_TAGS | {"div"} and size[e] and links[e] >= _LINKS * size[e]}
    named = [e for e in order if e.tag in ("article", "main") or (
        e.tag not in ("html", "body") and _MAIN_ATTR.search(f"{e.get('id') or ''} {e.get('class') or ''}"))]
    best = max(named, key=lambda e: size[e], default=None)  # the first, outermost, on a tie
    if best is None or not size[best]:
        best = max(order, key=lambda e: flow[e], default=None)
    if best is None or not size.get(best):
        body = root.find("body")
        best = body if body is not None else root
    return best, lists


def _stripped(text: str | None) -> int:
    return len(text.strip()) if text else 0


def _render(root, skip: set) -> str:
    """Text of `root`: block elements on their own lines, each table row one tab-joined line.

    Elements in `skip` (link lists) and boilerplate are left out.
    """
    out: list[str] = []
    stack: list = [root]  # elements to write, and strings already written as they go out
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        if not isinstance(item.tag, str) or item in skip or _is_boilerplate(item):
            continue
        if item.tag == "br":
            out.append("\n")
        elif item.tag == "tr":
            cells = [" ".join(_render(cell, skip).split()) for cell in item if cell.tag in ("td", "th")]
            out.append("\n" + "\t".join(cells) + "\n")
        else:
            block = item.tag in _BLOCK_TAGS
            out.append("\n" if block else "")
            out.append(_SPACE.sub(" ", item.text or ""))
            later = []
            for child in item:
                later += [child, _SPACE.sub(" ", child.tail or "")]
            later.append("\n" if block else "")
            stack.extend(reversed(later))
    lines = "".join(out).split("\n")
    return "\n".join(line.strip(" ") for line in lines if line.strip())
