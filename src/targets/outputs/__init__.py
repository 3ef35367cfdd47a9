"""What a run writes: CSV, Excel workbooks, the staged and published output folder."""
