# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Staff: the salon's fields on company.employee and their certificates.

The availability API used by beauty_appointment lives here:
``Employee.search_available`` and ``Employee.working_intervals``.
"""
import datetime as dt
import operator as op
from collections import defaultdict

from sql import Literal, Null
from sql.aggregate import Max
from sql.conditionals import Case
from sql.operators import Exists

from trytond import backend
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction, without_check_access

from .exceptions import CertificateValidationError
from .tz import local_date, store_timezone

POSITIONS = [
    (None, ""),
    ('beautician', "Beautician"),
    ('consultant', "Beauty Consultant"),
    ('frontdesk', "Front Desk"),
    ('manager', "Salon Manager"),
    ('accountant', "Accountant"),
    ]
SKILL_LEVELS = [
    (None, ""),
    ('junior', "Junior"),
    ('intermediate', "Intermediate"),
    ('senior', "Senior"),
    ('expert', "Expert"),
    ]
# The skill levels from the lowest to the highest
LEVEL_ORDER = ['junior', 'intermediate', 'senior', 'expert']
CERTIFICATE_STATUSES = [
    (None, ""),
    ('valid', "Valid"),
    ('expiring', "Expiring Soon"),
    ('expired', "Expired"),
    ]
# A certificate expiring within this many days is flagged
EXPIRY_WARNING_DAYS = 30


def level_rank(level):
    """The rank of a skill level: 0 for none, 1 (junior) to 4 (expert).

    Skill levels are compared through their rank:
    ``level_rank(employee.skill_level) >= level_rank(service_level)``.
    """
    if not level:
        return 0
    return LEVEL_ORDER.index(level) + 1


def levels_at_least(level):
    "The skill levels equal to or above level (all levels when empty)"
    if not level:
        return list(LEVEL_ORDER)
    if level not in LEVEL_ORDER:
        raise ValueError("Unknown skill level: %r" % (level,))
    return LEVEL_ORDER[LEVEL_ORDER.index(level):]


_COMPARE = {
    '=': op.eq,
    '!=': op.ne,
    '<': op.lt,
    '<=': op.le,
    '>': op.gt,
    '>=': op.ge,
    'in': lambda a, b: a in (b or []),
    'not in': lambda a, b: a not in (b or []),
    }


def _int(value):
    if value is None:
        return None
    return int(value)


class Employee(metaclass=PoolMeta):
    __name__ = 'company.employee'

    position = fields.Selection(
        POSITIONS, "Position",
        help="The employee's job in the store.")
    skill_level = fields.Selection(
        SKILL_LEVELS, "Skill Level", sort=False,
        help="From junior to expert: a service may require a minimum level.")
    skill_rank = fields.Function(
        fields.Integer(
            "Skill Rank",
            help="The skill level as a number: 1 junior to 4 expert."),
        'get_skill_rank', searcher='search_skill_rank')
    skills = fields.Many2Many(
        'company.employee-product.category', 'employee', 'category',
        "Skills",
        help="The service categories the employee may perform.")
    hire_date = fields.Function(
        fields.Date("Hire Date", help="When the employee joined the store."),
        'get_hire_date', setter='set_hire_date', searcher='search_hire_date')
    certificates = fields.One2Many(
        'beauty.employee.certificate', 'employee', "Certificates")
    certificate_status = fields.Function(
        fields.Selection(
            CERTIFICATE_STATUSES, "Certificates",
            help="The worst status of the employee's certificates: expired, "
            "expiring within %s days or valid." % EXPIRY_WARNING_DAYS),
        'get_certificate_status', searcher='search_certificate_status')
    roster_patterns = fields.One2Many(
        'beauty.roster.pattern', 'employee', "Weekly Pattern",
        help="The shifts the employee works each weekday; "
        "a weekday without shift is a rest day.")
    rosters = fields.One2Many(
        'beauty.roster', 'employee', "Rosters", readonly=True)
    leaves = fields.One2Many(
        'beauty.leave', 'employee', "Leave", readonly=True)
    available = fields.Function(
        fields.Boolean(
            "Available",
            help="Works the whole interval given in the context "
            "(available_start, available_end, available_category, "
            "available_level)."),
        'get_available', searcher='search_available_field')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.company, Index.Range()),
                    (t.position, Index.Equality())),
                })
        cls.start_date.string = "Hire Date"
        cls.end_date.string = "Leaving Date"

    # Skill level

    def get_skill_rank(self, name):
        return level_rank(self.skill_level)

    @classmethod
    def search_skill_rank(cls, name, clause):
        _, operator, value = clause[:3]
        if value is None:
            if operator in {'=', '!='}:
                return [('skill_level', operator, None)]
            return []
        compare = _COMPARE.get(operator)
        if compare is None:
            return [('id', '=', -1)]
        levels = [
            level for level in LEVEL_ORDER
            if compare(level_rank(level), value)]
        return [('skill_level', 'in', levels)]

    @classmethod
    def order_skill_rank(cls, tables):
        table, _ = tables[None]
        return [Case(*((table.skill_level == level, level_rank(level))
                    for level in LEVEL_ORDER), else_=0)]

    # Hire date: the start date of company.employee

    def get_hire_date(self, name):
        return self.start_date

    @classmethod
    def set_hire_date(cls, employees, name, value):
        cls.write(employees, {'start_date': value})

    @classmethod
    def search_hire_date(cls, name, clause):
        return [('start_date',) + tuple(clause[1:])]

    # Certificates

    @classmethod
    def get_certificate_status(cls, employees, name):
        pool = Pool()
        Certificate = pool.get('beauty.employee.certificate')
        certificate = Certificate.__table__()
        cursor = Transaction().connection.cursor()
        today = Pool().get('ir.date').today()
        soon = today + dt.timedelta(days=EXPIRY_WARNING_DAYS)
        result = dict.fromkeys(map(int, employees))
        status = Case(
            (certificate.expiry_date == Null, 1),
            (certificate.expiry_date < today, 3),
            (certificate.expiry_date <= soon, 2),
            else_=1)
        names = {1: 'valid', 2: 'expiring', 3: 'expired'}
        for sub in grouped_slice(list(result), backend.MAX_QUERY_PARAMS):
            cursor.execute(*certificate.select(
                    certificate.employee, Max(status),
                    where=reduce_ids(certificate.employee, sub),
                    group_by=certificate.employee))
            for employee, value in cursor:
                result[employee] = names[value]
        return result

    @classmethod
    def search_certificate_status(cls, name, clause):
        pool = Pool()
        Certificate = pool.get('beauty.employee.certificate')
        _, operator, value = clause[:3]
        if operator in {'in', 'not in'}:
            values = list(value or [])
        else:
            values = [value]
        holders = Certificate.__table__()
        query = Certificate.search(
            [('status', 'in', [v for v in values if v])], query=True,
            order=[])
        certificate = Certificate.__table__()
        certificate_employees = certificate.select(
            certificate.employee, where=certificate.id.in_(query))
        domain = [('id', 'in', certificate_employees)]
        if None in values:
            domain = ['OR', domain,
                ('id', 'not in', holders.select(holders.employee))]
        if operator in {'!=', 'not in'}:
            domain = ['NOT', domain]
        return domain

    # Availability (the API of the appointment module)

    @classmethod
    def search_available(
            cls, company, start, end, category=None, level=None):
        """Return the employees of the store who work all of [start, end).

        company:  the store (company.company record or id).
        start, end: naive UTC datetimes (as Tryton stores DateTime), with
                  start < end.
        category: a product.category (record or id), the service category;
                  when given, only employees having this category or one of
                  its parents among their skills.
        level:    a skill level ('junior', 'intermediate', 'senior',
                  'expert'); when given, only employees of that level or
                  above.

        An employee is available when she is active on the interval's local
        dates (hire date to leaving date), her rosters cover the whole
        interval without a gap (adjacent shifts count as one) and no approved
        leave overlaps it. Existing appointments are not considered: that is
        the appointment module's part.

        The whole selection runs as one SQL query. The result is a list of
        company.employee records ordered by id; record rules are not applied
        (the caller decides what the user may see).
        """
        if not start or not end or start >= end:
            return []
        query = cls._available_query(
            start, end, company=company, category=category, level=level)
        cursor = Transaction().connection.cursor()
        cursor.execute(*query)
        return cls.browse([r for r, in cursor])

    @classmethod
    def _available_query(
            cls, start, end, company=None, category=None, level=None):
        "The SQL query selecting the ids of the available employees"
        pool = Pool()
        Company = pool.get('company.company')
        Roster = pool.get('beauty.roster')
        Leave = pool.get('beauty.leave')
        Skill = pool.get('company.employee-product.category')
        Category = pool.get('product.category')
        employee = cls.__table__()
        roster = Roster.__table__()
        gap_end = Roster.__table__()
        following = Roster.__table__()
        leave = Leave.__table__()
        skill = Skill.__table__()

        company_id = _int(company)
        timezone = store_timezone(
            Company(company_id) if company_id is not None else None)
        first_day = local_date(start, timezone)
        last_day = local_date(end - dt.timedelta(microseconds=1), timezone)

        where = Literal(True)
        if company_id is not None:
            where &= employee.company == company_id
        where &= ((employee.start_date == Null)
            | (employee.start_date <= first_day))
        where &= ((employee.end_date == Null)
            | (employee.end_date >= last_day))
        # A shift covers the start
        where &= Exists(roster.select(roster.id,
                where=(roster.employee == employee.id)
                & (roster.start <= start) & (roster.end > start)))
        # and no shift ends inside the interval without another one
        # continuing it
        where &= ~Exists(gap_end.select(gap_end.id,
                where=(gap_end.employee == employee.id)
                & (gap_end.end > start) & (gap_end.end < end)
                & ~Exists(following.select(following.id,
                        where=(following.employee == employee.id)
                        & (following.start <= gap_end.end)
                        & (following.end > gap_end.end)))))
        where &= ~Exists(leave.select(leave.id,
                where=(leave.employee == employee.id)
                & (leave.state == 'approved')
                & (leave.start < end) & (leave.end > start)))
        category_id = _int(category)
        if category_id is not None:
            with without_check_access():
                categories = Category.search([
                        ('parent', 'parent_of', [category_id]),
                        ], order=[], query=True)
            where &= Exists(skill.select(skill.id,
                    where=(skill.employee == employee.id)
                    & skill.category.in_(categories)))
        if level:
            where &= employee.skill_level.in_(levels_at_least(level))
        return employee.select(
            employee.id, where=where, order_by=[employee.id.asc])

    @classmethod
    def get_available(cls, employees, name):
        "Whether each employee works the interval of the context (1 query)"
        context = Transaction().context
        start = context.get('available_start')
        end = context.get('available_end')
        result = dict.fromkeys(map(int, employees))
        if not start or not end:
            return result
        available = set()
        if start < end:
            cursor = Transaction().connection.cursor()
            cursor.execute(*cls._available_query(
                    start, end,
                    company=context.get('available_company'),
                    category=context.get('available_category'),
                    level=context.get('available_level')))
            available = {i for i, in cursor}
        return {i: i in available for i in result}

    @classmethod
    def search_available_field(cls, name, clause):
        """Searcher of the "available" field.

        The interval and the filters come from the context:
        available_start, available_end (UTC datetimes), available_category
        (id) and available_level; the store is the employee's company (add
        ('company', '=', ...) to the domain). E.g. on an appointment::

            beautician = fields.Many2One('company.employee', ...,
                domain=[('company', '=', Eval('company', -1)),
                    If(Bool(Eval('start')) & Bool(Eval('end')),
                        ('available', '=', True), ())],
                context={'available_start': Eval('start'),
                    'available_end': Eval('end')},
                depends={'start', 'end'})
        """
        context = Transaction().context
        start = context.get('available_start')
        end = context.get('available_end')
        _, operator, value = clause[:3]
        if not start or not end:
            return []
        if start >= end:
            query = [-1]
        else:
            query = cls._available_query(
                start, end,
                company=context.get('available_company'),
                category=context.get('available_category'),
                level=context.get('available_level'))
        positive = (operator == '=') == bool(value)
        return [('id', 'in' if positive else 'not in', query)]

    @classmethod
    def working_intervals(cls, employees, start, end):
        """Return {employee id: [(start, end), ...]} of the worked time.

        employees: company.employee records or ids.
        start, end: naive UTC datetimes bounding the search.

        The intervals are the employee's rosters clipped to [start, end),
        with adjacent shifts merged and approved leave cut out, sorted, as
        naive UTC datetimes. Every requested employee is a key (an empty list
        when she does not work). Two queries whatever the number of
        employees: one for the rosters, one for the leave.
        """
        pool = Pool()
        Roster = pool.get('beauty.roster')
        Leave = pool.get('beauty.leave')
        roster = Roster.__table__()
        leave = Leave.__table__()
        cursor = Transaction().connection.cursor()
        ids = [int(e) for e in employees]
        result = {i: [] for i in ids}
        if not ids or not start or not end or start >= end:
            return result
        worked = defaultdict(list)
        absent = defaultdict(list)
        for sub in grouped_slice(ids, backend.MAX_QUERY_PARAMS):
            sub = list(sub)
            cursor.execute(*roster.select(
                    roster.employee, roster.start, roster.end,
                    where=reduce_ids(roster.employee, sub)
                    & (roster.start < end) & (roster.end > start),
                    order_by=[roster.employee, roster.start]))
            for employee, lower, upper in cursor:
                worked[employee].append(
                    (max(_datetime(lower), start), min(_datetime(upper), end)))
            cursor.execute(*leave.select(
                    leave.employee, leave.start, leave.end,
                    where=reduce_ids(leave.employee, sub)
                    & (leave.state == 'approved')
                    & (leave.start < end) & (leave.end > start),
                    order_by=[leave.employee, leave.start]))
            for employee, lower, upper in cursor:
                absent[employee].append((_datetime(lower), _datetime(upper)))
        for employee in ids:
            result[employee] = subtract_intervals(
                merge_intervals(worked.get(employee, [])),
                merge_intervals(absent.get(employee, [])))
        return result

    @classmethod
    def copy(cls, employees, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('rosters', None)
        default.setdefault('leaves', None)
        default.setdefault('certificates', None)
        return super().copy(employees, default=default)


def _datetime(value):
    "Datetimes come back as strings from SQLite"
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    return value


def merge_intervals(intervals):
    "Sort intervals and merge the overlapping or adjacent ones"
    merged = []
    for lower, upper in sorted(intervals):
        if lower >= upper:
            continue
        if merged and lower <= merged[-1][1]:
            if upper > merged[-1][1]:
                merged[-1] = (merged[-1][0], upper)
        else:
            merged.append((lower, upper))
    return merged


def subtract_intervals(intervals, removed):
    "The parts of the sorted, merged intervals not in removed (same form)"
    result = []
    for lower, upper in intervals:
        pieces = [(lower, upper)]
        for r_lower, r_upper in removed:
            if r_upper <= lower or r_lower >= upper:
                continue
            next_pieces = []
            for p_lower, p_upper in pieces:
                if r_upper <= p_lower or r_lower >= p_upper:
                    next_pieces.append((p_lower, p_upper))
                    continue
                if r_lower > p_lower:
                    next_pieces.append((p_lower, r_lower))
                if r_upper < p_upper:
                    next_pieces.append((r_upper, p_upper))
            pieces = next_pieces
        result.extend(pieces)
    return result


class EmployeeSkill(ModelSQL):
    "The service categories an employee may perform"
    __name__ = 'company.employee-product.category'
    __string__ = "Employee Skill"
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='CASCADE')
    category = fields.Many2One(
        'product.category', "Category", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('employee')
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.employee, Index.Range()),
                    (t.category, Index.Range())),
                Index(t, (t.category, Index.Range())),
                })


class Certificate(ModelSQL, ModelView):
    "A professional certificate of an employee (资格证书)"
    __name__ = 'beauty.employee.certificate'
    __string__ = "Certificate"
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='CASCADE')
    company = fields.Function(
        fields.Many2One('company.company', "Store"),
        'on_change_with_company', searcher='search_company')
    name = fields.Char(
        "Name", required=True, size=100,
        help="E.g. 美容师职业资格证书 (beautician qualification).")
    number = fields.Char("Number", size=60)
    issuer = fields.Char("Issued By", size=100)
    issue_date = fields.Date("Issue Date")
    expiry_date = fields.Date(
        "Expiry Date",
        help="Leave empty when the certificate does not expire.")
    status = fields.Function(
        fields.Selection(CERTIFICATE_STATUSES, "Status"),
        'get_status', searcher='search_status')
    scan = fields.Binary(
        "Scan", file_id='scan_id', filename='scan_name',
        help="A photo or PDF of the certificate.")
    scan_id = fields.Char("Scan ID", readonly=True)
    scan_name = fields.Char("Scan Name", size=200)
    notes = fields.Text("Notes", size=1000)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('expiry_date', 'ASC NULLS LAST'), ('id', 'ASC')]
        cls._sql_indexes.update({
                Index(t, (t.employee, Index.Range())),
                Index(t, (t.expiry_date, Index.Range())),
                })

    @fields.depends('employee', '_parent_employee.company')
    def on_change_with_company(self, name=None):
        if self.employee and self.employee.company:
            return self.employee.company.id

    @classmethod
    def search_company(cls, name, clause):
        return [('employee.company',) + tuple(clause[1:])]

    @classmethod
    def get_status(cls, certificates, name):
        today = Pool().get('ir.date').today()
        result = {}
        for certificate in certificates:
            result[certificate.id] = certificate_status(
                certificate.expiry_date, today)
        return result

    @classmethod
    def search_status(cls, name, clause):
        today = Pool().get('ir.date').today()
        soon = today + dt.timedelta(days=EXPIRY_WARNING_DAYS)
        _, operator, value = clause[:3]
        if operator in {'in', 'not in'}:
            values = list(value or [])
        else:
            values = [value]
        domains = {
            'valid': ['OR',
                ('expiry_date', '=', None),
                ('expiry_date', '>', soon)],
            'expiring': [
                ('expiry_date', '>=', today),
                ('expiry_date', '<=', soon)],
            'expired': [('expiry_date', '<', today)],
            }
        domain = ['OR'] + [domains[v] for v in values if v in domains]
        if len(domain) == 1:
            domain = [('id', '=', -1)]
        if operator in {'!=', 'not in'}:
            return ['NOT', domain]
        return domain

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual',
                If(Eval('status') == 'expired', 'danger',
                    If(Eval('status') == 'expiring', 'warning', ''))),
            ]

    def get_rec_name(self, name):
        if self.number:
            return '%s (%s)' % (self.name, self.number)
        return self.name

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, value = clause[:3]
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('name',) + tuple(clause[1:]),
            ('number',) + tuple(clause[1:]),
            ]

    @classmethod
    def validate_fields(cls, certificates, field_names):
        super().validate_fields(certificates, field_names)
        if field_names and not (
                field_names & {'issue_date', 'expiry_date'}):
            return
        for certificate in certificates:
            if (certificate.issue_date and certificate.expiry_date
                    and certificate.expiry_date < certificate.issue_date):
                raise CertificateValidationError(gettext(
                        'beauty_hr.msg_certificate_expiry_before_issue',
                        certificate=certificate.name,
                        employee=certificate.employee.rec_name,
                        issue_date=certificate.issue_date,
                        expiry_date=certificate.expiry_date))


def certificate_status(expiry_date, today):
    "valid, expiring (within EXPIRY_WARNING_DAYS days) or expired"
    if expiry_date is None:
        return 'valid'
    if expiry_date < today:
        return 'expired'
    if expiry_date <= today + dt.timedelta(days=EXPIRY_WARNING_DAYS):
        return 'expiring'
    return 'valid'
