# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Store time: DateTime fields are naive UTC (as Tryton stores them); a
store works in its company's timezone (Asia/Shanghai when none is set)."""
import datetime as dt

from trytond.tools import timezone as tz

DEFAULT_TIMEZONE = 'Asia/Shanghai'


def store_timezone(company):
    "The tzinfo of the store (company record or None)"
    name = getattr(company, 'timezone', None) or DEFAULT_TIMEZONE
    return tz.ZoneInfo(name)


def to_utc(date, time, timezone):
    "The naive UTC datetime of a local date and time of the store"
    local = dt.datetime.combine(date, time).replace(tzinfo=timezone)
    return local.astimezone(tz.UTC).replace(tzinfo=None)


def to_local(value, timezone):
    "The naive local datetime of the store for a naive UTC datetime"
    return value.replace(tzinfo=tz.UTC).astimezone(timezone).replace(
        tzinfo=None)


def local_date(value, timezone):
    "The store's date at a naive UTC datetime"
    return to_local(value, timezone).date()
