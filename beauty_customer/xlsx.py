# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"Excel (.xlsx) writing shared by the suite's exports"
import datetime as dt
from decimal import Decimal
from io import BytesIO

import xlsxwriter


def write_xlsx(sheets):
    """Return the bytes of a workbook.

    sheets: list of (title, headers, rows); rows are lists of plain values.
    """
    output = BytesIO()
    workbook = xlsxwriter.Workbook(output, {
            'in_memory': True,
            'strings_to_formulas': False,
            'strings_to_urls': False,
            })
    bold = workbook.add_format({'bold': True, 'bg_color': '#F2E6EE'})
    date_format = workbook.add_format({'num_format': 'yyyy-mm-dd'})
    datetime_format = workbook.add_format({'num_format': 'yyyy-mm-dd hh:mm'})
    money_format = workbook.add_format({'num_format': '#,##0.00'})
    for title, headers, rows in sheets:
        # Sheet names are limited to 31 characters without []:*?/\
        name = ''.join(c for c in title if c not in '[]:*?/\\')[:31]
        sheet = workbook.add_worksheet(name or None)
        widths = [max(8, len(str(h)) * 2 + 2) for h in headers]
        for col, header in enumerate(headers):
            sheet.write(0, col, header, bold)
        for row_index, row in enumerate(rows, 1):
            for col, value in enumerate(row):
                if isinstance(value, dt.datetime):
                    sheet.write_datetime(
                        row_index, col, value, datetime_format)
                elif isinstance(value, dt.date):
                    sheet.write_datetime(
                        row_index, col,
                        dt.datetime.combine(value, dt.time()), date_format)
                elif isinstance(value, Decimal):
                    sheet.write_number(
                        row_index, col, float(value), money_format)
                elif isinstance(value, bool):
                    sheet.write_boolean(row_index, col, value)
                elif isinstance(value, (int, float)):
                    sheet.write_number(row_index, col, value)
                elif value is None:
                    sheet.write_blank(row_index, col, None)
                else:
                    value = str(value)
                    sheet.write_string(row_index, col, value)
                    if col < len(widths):
                        widths[col] = min(60, max(
                                widths[col], len(value) * 2 + 2))
        for col, width in enumerate(widths):
            sheet.set_column(col, col, width)
        if headers:
            sheet.freeze_panes(1, 0)
            sheet.autofilter(0, 0, max(len(rows), 1), len(headers) - 1)
    workbook.close()
    return output.getvalue()
