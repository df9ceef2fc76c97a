# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Models entered in the store's local date and time and stored as UTC
intervals (start, end) that other modules compare directly."""
import datetime as dt
from collections import defaultdict

from trytond.pool import Pool

from .tz import store_timezone, to_utc

# the fields from which start and end are computed
LOCAL_FIELDS = {'company', 'employee'}


class LocalIntervalMixin:
    """start and end (naive UTC) computed from local date/time fields.

    Subclasses define ``_local_fields`` (the names the interval depends on)
    and ``_local_interval(values, company)`` returning (start, end) or None
    from a dictionary of those values.
    """
    __slots__ = ()
    _local_fields = set()

    @classmethod
    def _complete_values(cls, vlist):
        "Fill company from employee and compute start/end (a few queries)"
        pool = Pool()
        Employee = pool.get('company.employee')
        Company = pool.get('company.company')
        employee_ids = {
            v['employee'] for v in vlist
            if v.get('employee') is not None and not v.get('company')}
        if employee_ids:
            employees = {e.id: e for e in Employee.browse(list(employee_ids))}
            for values in vlist:
                if values.get('employee') in employees and not values.get(
                        'company'):
                    values['company'] = employees[
                        values['employee']].company.id
        company_ids = {v['company'] for v in vlist if v.get('company')}
        companies = {c.id: c for c in Company.browse(list(company_ids))}
        for values in vlist:
            company = companies.get(values.get('company'))
            interval = cls._local_interval(
                values, store_timezone(company))
            if interval:
                values['start'], values['end'] = interval
        return vlist

    @classmethod
    def _local_interval(cls, values, timezone):
        raise NotImplementedError

    @classmethod
    def _expand_write(cls, args):
        """Expand the write actions so that every record written gets its
        recomputed start/end. Returns the new arguments and the list of
        (record, values) written with an interval field."""
        actions = iter(args)
        new_args, changed = [], []
        for records, values in zip(actions, actions):
            if not (set(values) & (cls._local_fields | LOCAL_FIELDS)):
                new_args.extend([records, values])
                continue
            groups = defaultdict(list)
            names = sorted(cls._local_fields | LOCAL_FIELDS)
            for record in records:
                key = []
                for name in names:
                    if name in values:
                        value = values[name]
                    else:
                        value = getattr(record, name)
                        if hasattr(value, 'id'):
                            value = value.id
                    key.append(value)
                groups[tuple(key)].append(record)
            for key, group in groups.items():
                full = dict(zip(names, key))
                cls._fill_write_values(full, values)
                cls._complete_values([full])
                new_values = values.copy()
                for name in cls._filled_fields(values) | {'start', 'end'}:
                    if name in full:
                        new_values[name] = full[name]
                new_args.extend([group, new_values])
                changed.extend((r, full) for r in group)
        return new_args, changed

    @classmethod
    def _fill_write_values(cls, full, values):
        "Complete the key values before computing the interval"
        pass

    @classmethod
    def _filled_fields(cls, values):
        "The fields _fill_write_values may set to be written too"
        return set()


def interval_overlaps(lower1, upper1, lower2, upper2):
    return lower1 < upper2 and lower2 < upper1


def as_datetime(value):
    "Datetimes come back as strings from SQLite"
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    return value


def as_date(value):
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


def as_time(value):
    if isinstance(value, str):
        return dt.time.fromisoformat(value)
    return value


def local_bounds(company, first_day, last_day):
    "The UTC interval of the store's days first_day to last_day included"
    timezone = store_timezone(company)
    return (to_utc(first_day, dt.time(), timezone),
        to_utc(last_day + dt.timedelta(days=1), dt.time(), timezone))


def time_text(value):
    if value is None:
        return ''
    return value.strftime('%H:%M')
