# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Appraisals (绩效考核) of the employees per month or quarter.

The "Measure" button stores the figures of the period, measured from the
real data with a few aggregate queries per period, whatever the number of
employees:

* appointments: the done appointments with a service by the employee;
* services: the service lines of done checkouts (returns excluded) the
  employee performed (has a share of);
* cash and consumption performance (现金业绩, 实耗业绩): the sums of her
  ``beauty.commission`` performances of the period, clawbacks included,
  exactly as the commission statement of beauty_pos adds them;
* satisfaction: the average rating (1 to 5) of the answered satisfaction
  survey lines naming her, for the visits (checkout or appointment date) of
  the period, as beauty_marketing's score;
* rebooking rate: of the customers she served in the period (done
  appointments and checkouts), the share who came back or booked again
  (a done checkout, or an appointment neither cancelled nor missed) within
  the configured number of days after their first visit with her in the
  period;
* complaints: the customer feedback of type complaint naming her, received
  in the period, not cancelled.

The manager adds scores and a comment; the total score combines them (see
``Appraisal.compute_total``). Confirming locks the appraisal."""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from sql import Literal, Null
from sql.aggregate import Avg, Count, Min, Sum
from sql.conditionals import Case, Coalesce

from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.model.fields import SQL_OPERATORS
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, PYSONEncoder
from trytond.tools import grouped_slice
from trytond.transaction import Transaction
from trytond.wizard import Button, StateAction, StateView, Wizard

from .exceptions import AppraisalError, AppraisalValidationError

PERIOD_TYPES = [
    ('month', "Month"),
    ('quarter', "Quarter"),
    ]
PERIOD_MONTHS = {'month': 1, 'quarter': 3}
STATES = [
    ('draft', "Draft"),
    ('measured', "Measured"),
    ('confirmed', "Confirmed"),
    ]
SALE_DONE = ['done', 'posted']
# The appointments that count as a booking for the rebooking rate
REBOOKING_EXCLUDED = ['cancelled', 'no_show']
MEASURES = [
    'appointments', 'services', 'cash_performance',
    'consumption_performance', 'satisfaction', 'satisfaction_count',
    'customers', 'rebooked', 'rebooking_rate', 'complaints']
MANAGER_SCORES = ['skill_score', 'attitude_score', 'teamwork_score']
ZERO = Decimal(0)
HUNDRED = Decimal(100)


def period_end(start, period_type):
    "The last day of the period of period_type starting on start"
    if not start or period_type not in PERIOD_MONTHS:
        return None
    return (start + relativedelta(months=PERIOD_MONTHS[period_type])
        - dt.timedelta(days=1))


def _in(column, ids):
    return SQL_OPERATORS['in'](column, ids)


def _in_max():
    "The ids per query of a batch"
    return 1000


def _date(value):
    "Dates come back as strings from SQLite aggregates"
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _decimal(value):
    if value is None:
        return ZERO
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value))


class Appraisal(Workflow, ModelSQL, ModelView):
    "Staff appraisal"
    __name__ = 'beauty.appraisal'
    __string__ = "Appraisal"
    _states = {'readonly': Eval('state') != 'draft'}
    _scores = {'readonly': Eval('state') == 'confirmed'}
    company = fields.Many2One(
        'company.company', "Store", required=True, ondelete='RESTRICT',
        states=_states)
    employee = fields.Many2One(
        'company.employee', "Employee", required=True, ondelete='RESTRICT',
        states=_states,
        domain=[('company', '=', Eval('company', -1))])
    period_type = fields.Selection(
        PERIOD_TYPES, "Period Type", required=True, sort=False,
        states=_states)
    start_date = fields.Date(
        "Start Date", required=True, states=_states)
    end_date = fields.Date(
        "End Date", required=True, states=_states,
        help="Set from the start date and the period type.")
    state = fields.Selection(
        STATES, "State", required=True, readonly=True, sort=False)
    measured_date = fields.DateTime("Measured At", readonly=True)

    appointments = fields.Integer(
        "Appointments Done", readonly=True,
        help="The done appointments of the period with a service by the "
        "employee.")
    services = fields.Integer(
        "Services Performed", readonly=True,
        help="The service lines of the done checkouts of the period "
        "(returns excluded) the employee performed.")
    cash_performance = Monetary(
        "Cash Performance", currency='currency', digits='currency',
        readonly=True,
        help="现金业绩: the employee's cash performance of the period, "
        "clawbacks included, as in the commission statement.")
    consumption_performance = Monetary(
        "Consumption Performance", currency='currency', digits='currency',
        readonly=True,
        help="实耗业绩: the employee's consumption performance of the "
        "period, clawbacks included, as in the commission statement.")
    satisfaction = fields.Numeric(
        "Satisfaction", digits=(16, 2), readonly=True,
        help="The average rating (1 to 5) of the satisfaction surveys of "
        "the employee's services in the period (empty: no rating).")
    satisfaction_count = fields.Integer("Ratings", readonly=True)
    customers = fields.Integer(
        "Customers Served", readonly=True,
        help="The customers the employee served in the period (done "
        "appointments and checkouts).")
    rebooked = fields.Integer(
        "Customers Rebooked", readonly=True,
        help="Of the customers served, those who came back or booked again "
        "(a done checkout, or an appointment neither cancelled nor missed) "
        "within the rebooking window (configuration) after their first "
        "visit with the employee in the period. Measured before the window "
        "ends, the figure may still grow.")
    rebooking_rate = fields.Numeric(
        "Rebooking Rate", digits=(16, 4), readonly=True,
        help="Customers rebooked / customers served.")
    complaints = fields.Integer(
        "Complaints", readonly=True,
        help="The customer feedback of type complaint naming the employee "
        "received in the period (cancelled ones excluded).")

    skill_score = fields.Integer(
        "Professional Skills", states=_scores,
        help="The manager's score, from 0 to 100.")
    attitude_score = fields.Integer(
        "Service Attitude", states=_scores,
        help="The manager's score, from 0 to 100.")
    teamwork_score = fields.Integer(
        "Teamwork", states=_scores,
        help="The manager's score, from 0 to 100.")
    comment = fields.Text("Comment", size=4000, states=_scores)
    total_score = fields.Numeric(
        "Total Score", digits=(16, 2), readonly=True,
        help="The weighted average of the scores available (weights in "
        "the configuration): performance (consumption performance / "
        "target x 100, at most 100), satisfaction (average rating x 20), "
        "rebooking (rate x 100) and the average of the manager's scores; "
        "minus the points per complaint; kept between 0 and 100. A score "
        "without data (no target, no rating, no customer, no manager "
        "score) is left out of the average.")
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')
    del _states, _scores

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [
            ('start_date', 'DESC'), ('employee', 'ASC'), ('id', 'DESC')]
        cls._sql_constraints += [
            ('employee_period_unique',
                Unique(t, t.employee, t.start_date, t.end_date),
                'beauty_training.msg_appraisal_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.employee, Index.Range()),
                    (t.start_date, Index.Range())),
                Index(t, (t.company, Index.Range()),
                    (t.start_date, Index.Range())),
                })
        cls._transitions |= {
            ('draft', 'measured'),
            ('measured', 'measured'),
            ('measured', 'draft'),
            ('measured', 'confirmed'),
            }
        cls._buttons.update({
                'measure': {
                    'invisible': Eval('state') == 'confirmed',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'measured',
                    'depends': ['state'],
                    },
                'confirm': {
                    'invisible': Eval('state') != 'measured',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_state():
        return 'draft'

    @staticmethod
    def default_period_type():
        return 'month'

    @classmethod
    def default_start_date(cls):
        "The first day of last month"
        today = Pool().get('ir.date').today()
        return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)

    @classmethod
    def default_end_date(cls):
        return period_end(cls.default_start_date(), 'month')

    @fields.depends('start_date', 'period_type')
    def on_change_with_end_date(self):
        return period_end(self.start_date, self.period_type)

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    @fields.depends(methods=['compute_total'], *(
            MEASURES + MANAGER_SCORES
            + ['period_type', 'start_date', 'end_date', 'state']))
    def on_change_with_total_score(self):
        if self.state == 'confirmed':
            return self.total_score
        return self.compute_total()

    def get_rec_name(self, name):
        return '%s %s~%s' % (
            self.employee.rec_name if self.employee else '',
            self.start_date or '', self.end_date or '')

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('employee.rec_name',) + tuple(clause[1:])]

    @property
    def months(self):
        if self.start_date and self.end_date:
            delta = relativedelta(
                self.end_date + dt.timedelta(days=1), self.start_date)
            months = delta.years * 12 + delta.months
            if months >= 1:
                return months
        return PERIOD_MONTHS.get(self.period_type, 1)

    def compute_total(self, config=None):
        """The total score:

            sum(weight_i * score_i) / sum(weight_i)
              - complaints * points per complaint, kept in [0, 100]

        over the scores i available: performance = min(100, consumption
        performance / (monthly target * months) * 100) when a target is
        set; satisfaction = average rating * 20 when rated; rebooking =
        rate * 100 when customers were served; manager = the average of the
        manager's scores given."""
        pool = Pool()
        Configuration = pool.get('beauty.training.configuration')
        if config is None:
            config = Configuration(1)
        parts = []
        if config.performance_target and (
                self.consumption_performance is not None):
            target = config.performance_target * self.months
            parts.append((config.weight_performance, min(HUNDRED,
                        self.consumption_performance / target * HUNDRED)))
        if self.satisfaction_count and self.satisfaction is not None:
            parts.append((
                    config.weight_satisfaction, self.satisfaction * 20))
        if self.customers and self.rebooking_rate is not None:
            parts.append((
                    config.weight_rebooking, self.rebooking_rate * HUNDRED))
        given = [getattr(self, n) for n in MANAGER_SCORES
            if getattr(self, n) is not None]
        if given:
            parts.append((config.weight_manager,
                    Decimal(sum(given)) / len(given)))
        weights = sum(w or 0 for w, _ in parts)
        if not weights:
            return None
        total = sum(Decimal(w or 0) * s for w, s in parts) / weights
        total -= (self.complaints or 0) * (config.complaint_penalty or ZERO)
        total = max(ZERO, min(HUNDRED, total))
        return total.quantize(Decimal('0.01'))

    @classmethod
    def validate_fields(cls, appraisals, field_names):
        super().validate_fields(appraisals, field_names)
        for appraisal in appraisals:
            if (appraisal.start_date and appraisal.end_date
                    and appraisal.end_date < appraisal.start_date):
                raise AppraisalValidationError(gettext(
                        'beauty_training.msg_appraisal_period',
                        appraisal=appraisal.employee.rec_name,
                        start=cls.__names__('start_date')['field'],
                        end=cls.__names__('end_date')['field'],
                        start_date=appraisal.start_date,
                        end_date=appraisal.end_date))
            for name in MANAGER_SCORES:
                value = getattr(appraisal, name)
                if value is not None and not (0 <= value <= 100):
                    raise AppraisalValidationError(gettext(
                            'beauty_training.msg_score_range',
                            field=cls.__names__(name)['field'],
                            record=appraisal.employee.rec_name,
                            value=value))

    @classmethod
    def check_modification(
            cls, mode, appraisals, values=None, external=False):
        super().check_modification(
            mode, appraisals, values=values, external=external)
        if mode in {'write', 'delete'}:
            for appraisal in appraisals:
                if appraisal.state == 'confirmed':
                    raise AppraisalError(gettext(
                            'beauty_training.msg_appraisal_confirmed',
                            appraisal=appraisal.rec_name))

    @classmethod
    def create(cls, vlist):
        appraisals = super().create(vlist)
        cls._set_total(appraisals)
        return appraisals

    @classmethod
    def write(cls, *args):
        super().write(*args)
        names = set()
        for values in args[1::2]:
            names.update(values)
        if names & set(MANAGER_SCORES + MEASURES + [
                    'start_date', 'end_date', 'period_type']):
            ids = [r.id for r in sum(args[::2], [])]
            cls._set_total(cls.browse(ids))

    @classmethod
    def _set_total(cls, appraisals):
        pool = Pool()
        Configuration = pool.get('beauty.training.configuration')
        config = Configuration(1)
        to_write = []
        for appraisal in appraisals:
            if appraisal.state == 'confirmed':
                continue
            total = appraisal.compute_total(config)
            if total != appraisal.total_score:
                to_write.extend(([appraisal], {'total_score': total}))
        if to_write:
            super().write(*to_write)

    @classmethod
    def copy(cls, appraisals, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('state', 'draft')
        default.setdefault('measured_date', None)
        default.setdefault('total_score', None)
        for name in MEASURES:
            default.setdefault(name, None)
        return super().copy(appraisals, default=default)

    @classmethod
    def create_for_period(cls, company, period_type, start, end):
        """Create the missing appraisals of the employees of the store working
        during the period; return the new ones"""
        pool = Pool()
        Employee = pool.get('company.employee')
        employees = Employee.search([
                ('company', '=', company.id),
                ['OR', ('start_date', '=', None), ('start_date', '<=', end)],
                ['OR', ('end_date', '=', None), ('end_date', '>=', start)],
                ], order=[('id', 'ASC')])
        existing = {a.employee.id for a in cls.search([
                    ('employee', 'in', [e.id for e in employees]),
                    ('start_date', '=', start),
                    ('end_date', '=', end),
                    ])}
        return cls.create([{
                    'company': company.id,
                    'employee': e.id,
                    'period_type': period_type,
                    'start_date': start,
                    'end_date': end,
                    } for e in employees if e.id not in existing])

    @classmethod
    @ModelView.button
    @Workflow.transition('measured')
    def measure(cls, appraisals):
        "Store the measured figures of the period of each appraisal"
        figures = cls.measure_figures(appraisals)
        now = dt.datetime.now()
        to_write = []
        for appraisal in appraisals:
            values = figures[appraisal.id]
            values['measured_date'] = now
            to_write.extend(([appraisal], values))
        if to_write:
            cls.write(*to_write)

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, appraisals):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('confirmed')
    def confirm(cls, appraisals):
        cls._set_total(appraisals)

    @classmethod
    def measure_figures(cls, appraisals):
        """{appraisal id: {field: value}} of the figures of the period

        One set of aggregate queries per distinct (store, period), grouped
        by employee."""
        periods = defaultdict(list)
        for appraisal in appraisals:
            periods[(appraisal.company, appraisal.start_date,
                    appraisal.end_date)].append(appraisal)
        result = {}
        for (company, start, end), records in periods.items():
            employees = list({a.employee.id for a in records})
            figures = cls._measure_period(company, start, end, employees)
            for appraisal in records:
                result[appraisal.id] = dict(figures[appraisal.employee.id])
        return result

    @classmethod
    def _measure_period(cls, company, start, end, employee_ids):
        pool = Pool()
        Configuration = pool.get('beauty.training.configuration')
        config = Configuration(1)
        currency = company.currency
        figures = {e: {
                'appointments': 0, 'services': 0,
                'cash_performance': currency.round(ZERO),
                'consumption_performance': currency.round(ZERO),
                'satisfaction': None, 'satisfaction_count': 0,
                'customers': 0, 'rebooked': 0, 'rebooking_rate': None,
                'complaints': 0,
                } for e in employee_ids}
        cursor = Transaction().connection.cursor()
        for sub_ids in grouped_slice(employee_ids, _in_max()):
            sub_ids = list(sub_ids)
            for query, handle in [
                    (cls._performance_query, _performance),
                    (cls._appointments_query, _count('appointments')),
                    (cls._services_query, _count('services')),
                    (cls._satisfaction_query, _satisfaction),
                    (cls._complaints_query, _count('complaints')),
                    ]:
                cursor.execute(*query(company, start, end, sub_ids))
                for row in cursor:
                    handle(figures[row[0]], row, currency)
            first_visits = defaultdict(dict)
            cursor.execute(*cls._served_query(company, start, end, sub_ids))
            for employee, customer, date in cursor:
                first_visits[employee][customer] = _date(date)
            customers = {c for v in first_visits.values() for c in v}
            returns = cls._later_visits(
                company, start, end + dt.timedelta(
                    days=config.rebooking_days), customers)
            window = dt.timedelta(days=config.rebooking_days)
            for employee, firsts in first_visits.items():
                rebooked = 0
                for customer, first in firsts.items():
                    if any(first < d <= first + window
                            for d in returns.get(customer, ())):
                        rebooked += 1
                values = figures[employee]
                values['customers'] = len(firsts)
                values['rebooked'] = rebooked
                if firsts:
                    values['rebooking_rate'] = (
                        Decimal(rebooked) / len(firsts)).quantize(
                        Decimal('0.0001'))
        return figures

    @classmethod
    def _performance_query(cls, company, start, end, employee_ids):
        "The beauty_pos commission statement's sums, over the period"
        pool = Pool()
        Commission = pool.get('beauty.commission')
        commission = Commission.__table__()
        zero = Literal(0)
        return commission.select(
            commission.employee,
            Sum(Case((commission.kind == 'cash', commission.performance),
                    else_=zero)),
            Sum(Case((commission.kind == 'consumption',
                        commission.performance), else_=zero)),
            where=_in(commission.employee, employee_ids)
            & (commission.company == company.id)
            & (commission.date >= start) & (commission.date <= end),
            group_by=[commission.employee])

    @classmethod
    def _appointments_query(cls, company, start, end, employee_ids):
        pool = Pool()
        Appointment = pool.get('beauty.appointment')
        Line = pool.get('beauty.appointment.line')
        appointment = Appointment.__table__()
        line = Line.__table__()
        return line.join(appointment,
            condition=line.appointment == appointment.id).select(
            line.beautician,
            Count(appointment.id, distinct=True),
            where=_in(line.beautician, employee_ids)
            & (appointment.company == company.id)
            & (appointment.state == 'done')
            & (appointment.date >= start) & (appointment.date <= end),
            group_by=[line.beautician])

    @classmethod
    def _services_query(cls, company, start, end, employee_ids):
        pool = Pool()
        Sale = pool.get('sale.point.sale')
        Line = pool.get('sale.point.sale.line')
        Share = pool.get('sale.point.sale.line.employee')
        Product = pool.get('product.product')
        Template = pool.get('product.template')
        sale = Sale.__table__()
        line = Line.__table__()
        share = Share.__table__()
        product = Product.__table__()
        template = Template.__table__()
        return (share
            .join(line, condition=share.line == line.id)
            .join(sale, condition=line.sale == sale.id)
            .join(product, condition=line.product == product.id)
            .join(template, condition=product.template == template.id)
            .select(
                share.employee,
                Count(line.id, distinct=True),
                where=_in(share.employee, employee_ids)
                & (sale.company == company.id)
                & sale.state.in_(SALE_DONE)
                & (sale.returned_sale == Null)
                & (template.type == 'service')
                & (sale.date >= start) & (sale.date <= end),
                group_by=[share.employee]))

    @classmethod
    def _satisfaction_query(cls, company, start, end, employee_ids):
        "beauty_marketing's average rating, for the visits of the period"
        pool = Pool()
        Survey = pool.get('beauty.survey')
        SurveyLine = pool.get('beauty.survey.line')
        Sale = pool.get('sale.point.sale')
        Appointment = pool.get('beauty.appointment')
        survey = Survey.__table__()
        line = SurveyLine.__table__()
        sale = Sale.__table__()
        appointment = Appointment.__table__()
        visit_date = Coalesce(sale.date, appointment.date)
        return (line
            .join(survey, condition=line.survey == survey.id)
            .join(sale, 'LEFT', condition=survey.sale == sale.id)
            .join(appointment, 'LEFT',
                condition=survey.appointment == appointment.id)
            .select(
                line.beautician,
                Avg(line.rating), Count(line.rating),
                where=_in(line.beautician, employee_ids)
                & (line.rating != Null)
                & (survey.company == company.id)
                & (visit_date >= start) & (visit_date <= end),
                group_by=[line.beautician]))

    @classmethod
    def _complaints_query(cls, company, start, end, employee_ids):
        pool = Pool()
        Feedback = pool.get('beauty.feedback')
        feedback = Feedback.__table__()
        return feedback.select(
            feedback.employee,
            Count(feedback.id),
            where=_in(feedback.employee, employee_ids)
            & (feedback.company == company.id)
            & (feedback.kind == 'complaint')
            & (feedback.state != 'cancelled')
            & (feedback.date >= dt.datetime.combine(start, dt.time()))
            & (feedback.date < dt.datetime.combine(
                    end + dt.timedelta(days=1), dt.time())),
            group_by=[feedback.employee])

    @classmethod
    def _served_query(cls, company, start, end, employee_ids):
        "(employee, customer, first date) of the customers served"
        pool = Pool()
        Appointment = pool.get('beauty.appointment')
        AppointmentLine = pool.get('beauty.appointment.line')
        Sale = pool.get('sale.point.sale')
        Line = pool.get('sale.point.sale.line')
        Share = pool.get('sale.point.sale.line.employee')
        appointment = Appointment.__table__()
        a_line = AppointmentLine.__table__()
        sale = Sale.__table__()
        line = Line.__table__()
        share = Share.__table__()
        by_appointment = a_line.join(appointment,
            condition=a_line.appointment == appointment.id).select(
            a_line.beautician.as_('employee'),
            appointment.customer.as_('customer'),
            appointment.date.as_('date'),
            where=_in(a_line.beautician, employee_ids)
            & (appointment.company == company.id)
            & (appointment.state == 'done')
            & (appointment.date >= start) & (appointment.date <= end))
        by_sale = (share
            .join(line, condition=share.line == line.id)
            .join(sale, condition=line.sale == sale.id)
            .select(
                share.employee.as_('employee'),
                sale.customer.as_('customer'),
                sale.date.as_('date'),
                where=_in(share.employee, employee_ids)
                & (sale.company == company.id)
                & sale.state.in_(SALE_DONE)
                & (sale.returned_sale == Null)
                & (sale.customer != Null)
                & (sale.date >= start) & (sale.date <= end)))
        served = by_appointment | by_sale
        return served.select(
            served.employee, served.customer, Min(served.date),
            group_by=[served.employee, served.customer])

    @classmethod
    def _later_visits(cls, company, start, end, customers):
        """{customer: {dates}} of the visits and bookings at the store from
        start to end: done checkouts (not returns) and appointments neither
        cancelled nor missed"""
        pool = Pool()
        Appointment = pool.get('beauty.appointment')
        Sale = pool.get('sale.point.sale')
        result = defaultdict(set)
        if not customers:
            return result
        cursor = Transaction().connection.cursor()
        for sub_ids in grouped_slice(list(customers), _in_max()):
            sub_ids = list(sub_ids)
            appointment = Appointment.__table__()
            sale = Sale.__table__()
            query = appointment.select(
                appointment.customer, appointment.date,
                where=_in(appointment.customer, sub_ids)
                & (appointment.company == company.id)
                & ~appointment.state.in_(REBOOKING_EXCLUDED)
                & (appointment.date > start) & (appointment.date <= end)
                ) | sale.select(
                sale.customer, sale.date,
                where=_in(sale.customer, sub_ids)
                & (sale.company == company.id)
                & sale.state.in_(SALE_DONE)
                & (sale.returned_sale == Null)
                & (sale.date > start) & (sale.date <= end))
            cursor.execute(*query)
            for customer, date in cursor:
                result[customer].add(_date(date))
        return result


def _performance(values, row, currency):
    _, cash, consumption = row
    values['cash_performance'] = currency.round(_decimal(cash))
    values['consumption_performance'] = currency.round(_decimal(consumption))


def _count(name):
    def handle(values, row, currency):
        values[name] = row[1] or 0
    return handle


def _satisfaction(values, row, currency):
    _, average, number = row
    if number:
        values['satisfaction'] = _decimal(average).quantize(Decimal('0.01'))
        values['satisfaction_count'] = number


class Employee(metaclass=PoolMeta):
    __name__ = 'company.employee'
    appraisals = fields.One2Many(
        'beauty.appraisal', 'employee', "Appraisals", readonly=True)
    training_attendances = fields.One2Many(
        'beauty.training.attendance', 'employee', "Trainings",
        readonly=True)

    @classmethod
    def copy(cls, employees, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('appraisals', None)
        default.setdefault('training_attendances', None)
        return super().copy(employees, default=default)


class AppraisalCreateStart(ModelView):
    "Create appraisals"
    __name__ = 'beauty.appraisal.create.start'
    __string__ = "Create Appraisals"
    company = fields.Many2One('company.company', "Store", required=True)
    period_type = fields.Selection(
        PERIOD_TYPES, "Period Type", required=True, sort=False)
    start_date = fields.Date("Start Date", required=True)
    end_date = fields.Date("End Date", required=True)
    measure = fields.Boolean(
        "Measure", help="Measure the figures of the new appraisals at once.")

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_period_type():
        return 'month'

    @classmethod
    def default_start_date(cls):
        return Pool().get('beauty.appraisal').default_start_date()

    @classmethod
    def default_end_date(cls):
        return Pool().get('beauty.appraisal').default_end_date()

    @staticmethod
    def default_measure():
        return True

    @fields.depends('start_date', 'period_type')
    def on_change_with_end_date(self):
        return period_end(self.start_date, self.period_type)


class AppraisalCreate(Wizard):
    "Create the appraisals of the staff of a store for a period"
    __name__ = 'beauty.appraisal.create'
    start = StateView(
        'beauty.appraisal.create.start',
        'beauty_training.appraisal_create_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Create", 'create_', 'tryton-ok', default=True),
            ])
    create_ = StateAction('beauty_training.act_appraisal_form')

    def do_create_(self, action):
        pool = Pool()
        Appraisal = pool.get('beauty.appraisal')
        form = self.start
        if form.end_date < form.start_date:
            raise AppraisalValidationError(gettext(
                    'beauty_training.msg_appraisal_period',
                    appraisal=form.company.rec_name,
                    start=Appraisal.__names__('start_date')['field'],
                    end=Appraisal.__names__('end_date')['field'],
                    start_date=form.start_date,
                    end_date=form.end_date))
        appraisals = Appraisal.create_for_period(
            form.company, form.period_type, form.start_date, form.end_date)
        if form.measure and appraisals:
            Appraisal.measure(appraisals)
        action['pyson_domain'] = PYSONEncoder().encode([
                ('company', '=', form.company.id),
                ('start_date', '=', form.start_date),
                ('end_date', '=', form.end_date),
                ])
        return action, {}

