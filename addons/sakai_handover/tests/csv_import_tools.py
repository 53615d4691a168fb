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


def handover_sample(name):
    "The bytes of demo/handover/<name>, a sample list the imports accept"
    import os
    path = os.path.join(os.path.dirname(__file__), '..', '..', '..',
        'demo', 'handover', name)
    with open(path, 'rb') as fp:
        return fp.read()
