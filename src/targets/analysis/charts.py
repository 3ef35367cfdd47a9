"""Native Excel charts (openpyxl): bars with reference lines drawn across them."""
from __future__ import annotations

from openpyxl.chart import BarChart, LineChart, Reference, Series
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.series import SeriesLabel
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.utils import get_column_letter, quote_sheetname

# Bar i and line i are one year: a line is the darker shade of its bars' colour.
BAR_COLOURS = ("4F81BD", "C0504D", "9BBB59", "8064A2")
LINE_COLOURS = ("1F3864", "7B2C2A", "4F6228", "3F3151")

Span = tuple[int, int, int]  # column, first row, last row


def _series(ws, span: Span, header_row: int, categories: Span) -> Series:
    col, first, last = span
    sheet = quote_sheetname(ws.title)
    series = Series(Reference(ws, min_col=col, min_row=first, max_row=last))
    series.tx = SeriesLabel(strRef=StrRef(f"{sheet}!${get_column_letter(col)}${header_row}"))
    # Categories are text: a string reference, or Excel labels them 1, 2, 3.
    c_col, c_first, c_last = categories
    letter = get_column_letter(c_col)
    series.cat = AxDataSource(strRef=StrRef(f"{sheet}!${letter}${c_first}:${letter}${c_last}"))
    return series


def bar_chart(ws, title: str, y_title: str, categories: Span, bars: list[Span], lines: list[tuple[Span, int]],
              header_row: int, stacked: bool = False, marker: str = "dash",
              right_axis: str = "", from_zero: bool = True) -> BarChart:
    """Clustered (or stacked) bars, one series per column of `bars`, and one line per column of
    `lines` (a span, and the bar series whose colour it takes) on the same axes; each series
    is named by its column's cell in `header_row`.
    A line's `marker` shows where it has a value (one value alone is a marker, not a line).
    With `right_axis` (its title) the lines get an axis of their own on the right: a national
    total beside provincial bars would flatten them."""
    chart = BarChart()
    chart.type, chart.grouping = "col", "stacked" if stacked else "clustered"
    if stacked:
        chart.overlap = 100
    chart.title = title
    chart.y_axis.title = y_title or None
    chart.x_axis.delete = chart.y_axis.delete = False  # openpyxl 3.1 hides axes unless told
    if from_zero:  # a bar starts at zero, or 14 looks twice 13.5
        chart.y_axis.scaling.min = 0
    for i, span in enumerate(bars):
        series = _series(ws, span, header_row, categories)
        series.graphicalProperties.solidFill = BAR_COLOURS[i % len(BAR_COLOURS)]
        series.graphicalProperties.line.solidFill = BAR_COLOURS[i % len(BAR_COLOURS)]
        chart.series.append(series)
    if lines:
        line = LineChart()
        for span, i in lines:
            series = _series(ws, span, header_row, categories)
            colour = LINE_COLOURS[i % len(LINE_COLOURS)]
            series.graphicalProperties.line.solidFill = colour
            series.graphicalProperties.line.width = 28575  # 2.25 pt
            series.graphicalProperties.line.dashStyle = "dash"
            series.marker.symbol = marker
            series.marker.graphicalProperties = GraphicalProperties(solidFill=colour)
            series.marker.graphicalProperties.line.solidFill = colour
            series.marker.size = 9
            series.smooth = False
            line.series.append(series)
        if right_axis:
            line.y_axis.axId, line.y_axis.crosses, line.y_axis.delete = 200, "max", False
            line.y_axis.title = right_axis
            line.y_axis.majorGridlines = None
            line.y_axis.scaling.min = 0
        chart += line
    chart.legend.position = "b"
    return chart
