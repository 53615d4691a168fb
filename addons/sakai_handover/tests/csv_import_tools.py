# This file is part of the Sakai LINE employment-support suite.
# The COPYRIGHT file at the top level of this repository contains
# the full copyright notices and license terms.
"""Test helpers of the CSV import of the previous operator's lists."""


def csv_bytes(rows, encoding='utf-8-sig'):
    "The rows (lists of cells) as a CSV file in encoding"
    import csv
    import io
    output = io.StringIO(newline='')
    csv.writer(output, lineterminator='\r\n').writerows(rows)
    return output.getvalue().encode(encoding)
