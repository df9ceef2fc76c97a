# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Leave (请假): requested by the employee, approved by the manager."""
import datetime as dt

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import LeaveError, LeaveValidationError
from .interval import LocalIntervalMixin, time_text
from .tz import to_utc

LEAVE_TYPES = [
    ('annual', "Annual Leave"),
    ('sick', "Sick Leave"),
    ('personal', "Personal Leave"),
    ('compensatory', "Compensatory Leave"),
    ('marriage', "Marriage Leave"),
    ('maternity', "Maternity Leave"),
    ('other', "Other"),
    ]
STATES = [
    ('draft', "Draft"),
    ('requested', "Requested"),
    ('approved', "Approved"),
    ('refused', "Refused"),
    ('cancelled', "Cancelled"),
    ]
_READONLY = {'readonly': Eval('state') != 'draft'}


class Leave(LocalIntervalMixin, Workflow, ModelSQL, ModelView):
    """Leave of an employee from a day (and time) to a day (and time).

    Without times the leave covers whole days. start and end are the same
    interval in UTC; only approved leave removes working time.
    """
    __name__ = 'beauty.leave'
    __string__ = "Leave"
    _local_fields = {'from_date', 'from_time', 'to_date', 'to_time'}
    company = fields.Many2One(
        'company.company', "Store", required=True, ondelete='CASCADE',
        states=_READONLY)
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='CASCADE',
        domain=[('company', '=', Eval('company', -1))],
        states=_READONLY)
    type = fields.Selection(
        LEAVE_TYPES, "Type", required=True, states=_READONLY)
    from_date = fields.Date("From Date", required=True, states=_READONLY)
    from_time = fields.Time(
        "From Time", format='%H:%M', states=_READONLY,
        help="Leave empty to start at the beginning of the day.")
    to_date = fields.Date("To Date", required=True, states=_READONLY)
    to_time = fields.Time(
        "To Time", format='%H:%M', states=_READONLY,
        help="Leave empty to end at the end of the day.")
    start = fields.DateTime("Start", readonly=True)
    end = fields.DateTime("End", readonly=True)
    days = fields.Function(
        fields.Integer("Days", help="Calendar days touched by the leave."),
        'on_change_with_days')
    reason = fields.Text("Reason", size=1000, states=_READONLY)
    state = fields.Selection(STATES, "State", readonly=True, required=True)
    approved_by = fields.Many2One(
        'res.user', "Approved By", readonly=True, ondelete='SET NULL')
    approved_date = fields.DateTime("Approved At", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('from_date', 'DESC'), ('id', 'DESC')]
        cls._sql_indexes.update({
                Index(t, (t.employee, Index.Range()),
                    (t.start, Index.Range())),
                Index(t, (t.company, Index.Range()),
                    (t.from_date, Index.Range())),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state == 'requested'),
                })
        cls._transitions |= {
            ('draft', 'requested'),
            ('requested', 'approved'),
            ('requested', 'refused'),
            ('requested', 'cancelled'),
            ('approved', 'cancelled'),
            ('draft', 'cancelled'),
            ('refused', 'draft'),
            ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'request': {
                    'invisible': Eval('state') != 'draft',
                    'icon': 'tryton-forward',
                    'depends': ['state'],
                    },
                'approve': {
                    'invisible': Eval('state') != 'requested',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'refuse': {
                    'invisible': Eval('state') != 'requested',
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(
                        ['draft', 'requested', 'approved']),
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': ~Eval('state').in_(['refused', 'cancelled']),
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_employee():
        return Transaction().context.get('employee')

    @staticmethod
    def default_state():
        return 'draft'

    @staticmethod
    def default_type():
        return 'annual'

    @staticmethod
    def default_from_date():
        return Pool().get('ir.date').today()

    @fields.depends('from_date', 'to_date')
    def on_change_from_date(self):
        if self.from_date and (
                not self.to_date or self.to_date < self.from_date):
            self.to_date = self.from_date

    @fields.depends('from_date', 'to_date')
    def on_change_with_days(self, name=None):
        if self.from_date and self.to_date and (
                self.to_date >= self.from_date):
            return (self.to_date - self.from_date).days + 1

    def get_rec_name(self, name):
        lower = str(self.from_date)
        if self.from_time:
            lower += ' ' + time_text(self.from_time)
        upper = str(self.to_date)
        if self.to_time:
            upper += ' ' + time_text(self.to_time)
        type_ = dict(self.fields_get(['type'])['type']['selection']).get(
            self.type, '')
        return '%s %s %s~%s' % (
            self.employee.rec_name, type_, lower, upper)

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('employee.rec_name',) + tuple(clause[1:])]

    @classmethod
    def _local_interval(cls, values, timezone):
        from_date = values.get('from_date')
        to_date = values.get('to_date')
        if from_date is None or to_date is None:
            return None
        start = to_utc(from_date, values.get('from_time') or dt.time(),
            timezone)
        if values.get('to_time') is not None:
            end = to_utc(to_date, values['to_time'], timezone)
        else:
            end = to_utc(to_date + dt.timedelta(days=1), dt.time(), timezone)
        return start, end

    @classmethod
    def create(cls, vlist):
        pool = Pool()
        ModelAccess = pool.get('ir.model.access')
        ModelAccess.check(cls.__name__, 'create')
        vlist = cls._complete_values([v.copy() for v in vlist])
        return super().create(vlist)

    @classmethod
    def write(cls, *args):
        pool = Pool()
        ModelAccess = pool.get('ir.model.access')
        ModelAccess.check(cls.__name__, 'write')
        args, _ = cls._expand_write(args)
        super().write(*args)

    @classmethod
    def validate_fields(cls, leaves, field_names):
        super().validate_fields(leaves, field_names)
        for leave in leaves:
            if leave.start and leave.end and leave.end <= leave.start:
                raise LeaveValidationError(gettext(
                        'beauty_hr.msg_leave_end_before_start',
                        employee=leave.employee.rec_name,
                        start=' '.join(filter(None, [
                                    str(leave.from_date),
                                    time_text(leave.from_time)])),
                        end=' '.join(filter(None, [
                                    str(leave.to_date),
                                    time_text(leave.to_time)]))))
            if leave.employee.company != leave.company:
                raise LeaveValidationError(gettext(
                        'beauty_hr.msg_leave_employee_company',
                        employee=leave.employee.rec_name,
                        store=leave.employee.company.rec_name))

    @classmethod
    def check_modification(cls, mode, leaves, values=None, external=False):
        super().check_modification(
            mode, leaves, values=values, external=external)
        if mode == 'delete':
            for leave in leaves:
                if leave.state not in {'draft', 'cancelled'}:
                    raise LeaveError(gettext(
                            'beauty_hr.msg_leave_delete',
                            leave=leave.rec_name))
        elif mode == 'write' and values and external:
            changed = set(values) - {'state', 'approved_by', 'approved_date'}
            if changed:
                for leave in leaves:
                    if leave.state != 'draft':
                        raise LeaveError(gettext(
                                'beauty_hr.msg_leave_modify',
                                leave=leave.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('requested')
    def request(cls, leaves):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('approved')
    def approve(cls, leaves):
        pool = Pool()
        User = pool.get('res.user')
        transaction = Transaction()
        user = transaction.user
        if user == 0:
            user = transaction.context.get('user')
        cls.write(leaves, {
                'approved_by': User(user).id if user else None,
                'approved_date': dt.datetime.now(),
                })

    @classmethod
    @ModelView.button
    @Workflow.transition('refused')
    def refuse(cls, leaves):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, leaves):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, leaves):
        cls.write(leaves, {'approved_by': None, 'approved_date': None})

    @classmethod
    def copy(cls, leaves, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('state', 'draft')
        default.setdefault('approved_by', None)
        default.setdefault('approved_date', None)
        return super().copy(leaves, default=default)
