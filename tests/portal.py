"""Saved pages as government portals make them: navigation, breadcrumbs, share bars, related-
article lists and hot-news boxes (with numbers and years of their own) around the 正文."""
from __future__ import annotations

from html import escape

from .pdfs import paragraphs_and_tables

RELATED = ["关于印发《全省光伏发电装机容量到2025年达到3000万千瓦实施方案》的通知",
           "到2030年全市新能源汽车保有量达到50万辆——市政府新闻发布会",
           "我省非化石能源消费比重2025年将提高到25%", "2023年全省单位GDP能耗下降3.5%"]
# (opening, closing) of the article body: named as TRS portals name it, and one named nothing.
SHELLS = [
    ("<div class='main'><div class='article'><h1 class='title'>{title}</h1><div class='info'>来源：省发展改革委"
     " 【字体：大 中 小】</div><div id='zoom'>", "</div></div></div>"),
    ("<table width='1000'><tr><td class='bt_content'><div class='TRS_Editor'>", "</div></td></tr></table>"),
    ("<div class='wrap'><div class='con-left'><div class='pages-title'>{title}</div><div class='pages_content'>",
     "</div></div></div>"),
    ("<div class='container'><div class='col-md-9'><h2>{title}</h2><div class='view TRS_UEDITOR trs_paper_default'>",
     "</div></div></div>"),
    ("<div class='w1200'><div class='detail'><div class='detail-title'>{title}</div><div>", "</div></div></div>"),
]


def article_html(text: str) -> str:
    """Paragraphs of a text as <p>, its tab-separated lines as a <table>."""
    return "\n".join(
        "<table border='1'>" + "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>"
                                       for row in rows) + "</table>"
        if rows else f"<p style='text-indent:2em'>{escape(paragraph)}</p>"
        for paragraph, rows in paragraphs_and_tables(text))


def portal_page(text: str, title: str, shell: int) -> str:
    opening, closing = SHELLS[shell % len(SHELLS)]
    items = "".join(f"<li><a href='/art/{i}.html'>{t}</a><span>2024-0{i + 1}-12</span></li>"
                    for i, t in enumerate(RELATED))
    related = [f"<div class='xgwz'><h3>相关文章</h3><ul>{items}</ul></div>",
               f"<div class='related-list'><div class='tit'>相关阅读</div><ul>{items}</ul></div>",
               f"<div class='bottom-box'><ul class='list'>{items}</ul></div>"][shell % 3]
    crumbs = ("<div class='crumbs'>当前位置：<a>首页</a> &gt; <a>政策文件</a> &gt; 正文</div>" if shell % 2
              else "<div class='position'>您所在的位置：<a>首页</a> > <a>通知公告</a></div>")
    hot = "<div class='right-side'><div class='hot'>热点新闻</div><ul><li><a>到2025年我市建成充电桩1万个</a></li></ul></div>"
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>" + escape(title) + "_门户网站</title></head>"
            "<body><div class='top-nav'><a>首页</a><a>政务公开</a><a>政策文件</a><a>互动交流</a></div>" + crumbs
            + opening.format(title=escape(title)) + article_html(text) + closing
            + "<div class='share'>分享到：<a>微信</a><a>微博</a> 【打印本页】【关闭窗口】</div>" + related
            + (hot if shell % 3 == 0 else "") + "<div class='foot'>主办：省人民政府办公厅 网站标识码4100000001</div>"
            "</body></html>")
