# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Satisfaction surveys (满意度): after a visit (a done checkout) the
customer gets a link with a token; the public page (routes.py) lets her
rate each service and beautician from 1 to 5 and comment, once. The ratings
feed the beautician's satisfaction score."""
import datetime as dt
import re
import secrets
from decimal import Decimal

from sql import Null
from sql.aggregate import Avg, Count

from trytond import backend
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool, PoolMeta
from trytond.rpc import RPC
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction

from .exceptions import SurveyError
from .rfm import SALE_DONE

# What secrets.token_urlsafe gives: anything else is not a link of ours
# (and never reaches the database: PostgreSQL refuses a NUL in a text)
TOKEN = re.compile(r'[A-Za-z0-9_-]{1,100}')


def valid_token(token):
    return isinstance(token, str) and bool(TOKEN.fullmatch(token))


STATES = [
    ('pending', "Pending"),
    ('answered', "Answered"),
    ]


class Survey(ModelSQL, ModelView):
    "Satisfaction survey"
    __name__ = 'beauty.survey'
    __string__ = "Satisfaction Survey"
    _rec_name = 'token'
    sale = fields.Many2One(
        'sale.point.sale', "Visit", readonly=True,
        ondelete='CASCADE', help="The checkout of the visit surveyed.")
    appointment = fields.Many2One(
        'beauty.appointment', "Appointment", readonly=True,
        ondelete='CASCADE',
        help="The appointment surveyed (a visit without checkout).")
    customer = fields.Many2One(
        'party.party', "Customer", required=True, readonly=True,
        ondelete='CASCADE')
    company = fields.Many2One(
        'company.company', "Store", required=True, readonly=True,
        ondelete='CASCADE')
    token = fields.Char("Token", required=True, readonly=True, strip=False)
    state = fields.Selection(
        STATES, "State", required=True, readonly=True, sort=False)
    expiry_date = fields.Date("Valid Until", required=True, readonly=True)
    answered_date = fields.DateTime("Answered", readonly=True)
    comment = fields.Text("Comment", size=1000, readonly=True)
    lines = fields.One2Many(
        'beauty.survey.line', 'survey', "Ratings", readonly=True)
    rating = fields.Function(
        fields.Numeric("Average Rating", digits=(16, 1)), 'get_rating')
    url = fields.Function(fields.Char("Link"), 'get_url')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('id', 'DESC')]
        cls._sql_constraints += [
            ('token_unique', Unique(t, t.token),
                'beauty_marketing.msg_survey_token_unique'),
            ('sale_unique', Unique(t, t.sale),
                'beauty_marketing.msg_survey_sale_unique'),
            ('appointment_unique', Unique(t, t.appointment),
                'beauty_marketing.msg_survey_sale_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.customer, Index.Range())),
                })
        cls.__rpc__.update({
                'answer': RPC(readonly=False, check_access=False),
                })

    @staticmethod
    def default_state():
        return 'pending'

    def get_rating(self, name):
        ratings = [l.rating for l in self.lines if l.rating]
        if ratings:
            return (Decimal(sum(ratings)) / len(ratings)).quantize(
                Decimal('0.1'))

    def get_url(self, name):
        return '/%s/beauty/survey/%s' % (
            Transaction().database.name, self.token)

    @classmethod
    def create_for_sales(cls, sales):
        """One survey per visit (done sale with a customer, not a return
        nor already surveyed); return them"""
        pool = Pool()
        Date = pool.get('ir.date')
        Configuration = pool.get('beauty.marketing.configuration')
        config = Configuration(1)
        today = Date.today()
        done = {s.sale.id for s in cls.search([
                    ('sale', 'in', [s.id for s in sales])])}
        vlist = []
        for sale in sales:
            if (sale.id in done or not sale.customer
                    or sale.state not in SALE_DONE or sale.returned_sale):
                continue
            lines = []
            for line in sale.lines:
                if line.product and line.product.type == 'service':
                    employee = line.main_employee
                    lines.append({
                            'service': line.product.id,
                            'beautician': employee.id if employee else None,
                            })
            if not lines:
                continue
            vlist.append({
                    'sale': sale.id,
                    'customer': sale.customer.id,
                    'company': sale.company.id,
                    'token': secrets.token_urlsafe(24),
                    'expiry_date': today + dt.timedelta(
                        days=config.survey_days),
                    'lines': [('create', lines)],
                    })
        return cls.create(vlist)

    @classmethod
    def create_for_appointments(cls, appointments):
        """One survey per done appointment not already surveyed and whose
        customer has no done sale that day (the sale's survey covers it)"""
        pool = Pool()
        Date = pool.get('ir.date')
        Sale = pool.get('sale.point.sale')
        Configuration = pool.get('beauty.marketing.configuration')
        config = Configuration(1)
        today = Date.today()
        appointments = [a for a in appointments
            if a.state == 'done' and a.customer and a.lines]
        if not appointments:
            return []
        done = {s.appointment.id for s in cls.search([
                    ('appointment', 'in', [a.id for a in appointments])])}
        checked_out = {(s.customer.id, s.date) for s in Sale.search([
                    ('state', 'in', SALE_DONE),
                    ('customer', 'in', list({
                                a.customer.id for a in appointments})),
                    ('date', '>=', min(a.date for a in appointments)),
                    ('date', '<=', max(a.date for a in appointments)),
                    ])}
        vlist = []
        for appointment in appointments:
            if (appointment.id in done
                    or (appointment.customer.id, appointment.date)
                    in checked_out):
                continue
            vlist.append({
                    'appointment': appointment.id,
                    'customer': appointment.customer.id,
                    'company': appointment.company.id,
                    'token': secrets.token_urlsafe(24),
                    'expiry_date': today + dt.timedelta(
                        days=config.survey_days),
                    'lines': [('create', [{
                                    'service': l.service.id,
                                    'beautician': (
                                        l.beautician.id if l.beautician
                                        else None),
                                    } for l in appointment.lines])],
                    })
        return cls.create(vlist)

    @classmethod
    def cron_create(cls):
        "Survey the visits of today and yesterday (daily)"
        pool = Pool()
        Sale = pool.get('sale.point.sale')
        Appointment = pool.get('beauty.appointment')
        Date = pool.get('ir.date')
        today = Date.today()
        period = [
            ('date', '>=', today - dt.timedelta(days=1)),
            ('date', '<=', today),
            ]
        sales = Sale.search([
                ('state', 'in', SALE_DONE),
                ('customer', '!=', None),
                ('returned_sale', '=', None),
                ] + period)
        surveys = cls.create_for_sales(sales)
        appointments = Appointment.search([
                ('state', '=', 'done'),
                ('customer', '!=', None),
                ] + period)
        return surveys + cls.create_for_appointments(appointments)

    @classmethod
    def validate_fields(cls, surveys, field_names):
        super().validate_fields(surveys, field_names)
        for survey in surveys:
            if not survey.sale and not survey.appointment:
                raise SurveyError(gettext(
                        'beauty_marketing.msg_survey_no_visit',
                        sale=cls.__names__('sale')['field'],
                        appointment=cls.__names__('appointment')['field']))

    @classmethod
    def check_rating(cls, line, rating):
        pool = Pool()
        Line = pool.get('beauty.survey.line')
        if rating is None or isinstance(rating, bool) or not isinstance(
                rating, int) or not (1 <= rating <= 5):
            raise SurveyError(gettext(
                    'beauty_marketing.msg_survey_rating',
                    field=Line.__names__('rating')['field'],
                    service=line.service.rec_name if line else '',
                    value=rating))

    @classmethod
    def answer(cls, token, ratings, comment=None):
        """Record the answer of the survey of token: ratings maps each line
        id to 1..5. A survey is answered once (a guarded UPDATE)."""
        pool = Pool()
        Line = pool.get('beauty.survey.line')
        Date = pool.get('ir.date')
        surveys = cls.search([('token', '=', token)], limit=1) if (
            valid_token(token)) else []
        if not surveys:
            raise SurveyError(gettext('beauty_marketing.msg_survey_unknown'))
        survey, = surveys
        if survey.state != 'pending':
            raise SurveyError(gettext('beauty_marketing.msg_survey_used'))
        if survey.expiry_date < Date.today():
            raise SurveyError(gettext(
                    'beauty_marketing.msg_survey_expired',
                    date=survey.expiry_date))
        ratings = {int(k): v for k, v in (ratings or {}).items()}
        for line in survey.lines:
            cls.check_rating(line, ratings.get(line.id))
        if comment is not None:
            comment = str(comment).replace('\x00', '').strip()[:1000] or None
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.update(
                [table.state, table.answered_date, table.comment],
                ['answered', dt.datetime.now(), comment],
                where=(table.id == survey.id) & (table.state == 'pending')))
        if cursor.rowcount != 1:
            raise SurveyError(gettext('beauty_marketing.msg_survey_used'))
        for line in survey.lines:
            Line.write([line], {'rating': ratings[line.id]})
        return survey.id


class SurveyLine(ModelSQL, ModelView):
    "Satisfaction survey rating"
    __name__ = 'beauty.survey.line'
    survey = fields.Many2One(
        'beauty.survey', "Survey", required=True, ondelete='CASCADE')
    service = fields.Many2One(
        'product.product', "Service", required=True, readonly=True,
        ondelete='RESTRICT')
    beautician = fields.Many2One(
        'company.employee', "Beautician", readonly=True,
        ondelete='SET NULL')
    rating = fields.Integer(
        "Rating", readonly=True, help="From 1 (poor) to 5 (excellent).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.beautician, Index.Range()),
                    where=t.rating != Null),
                })

    @classmethod
    def validate_fields(cls, lines, field_names):
        pool = Pool()
        Survey = pool.get('beauty.survey')
        super().validate_fields(lines, field_names)
        if field_names is None or 'rating' in field_names:
            for line in lines:
                if line.rating is not None:
                    Survey.check_rating(line, line.rating)


class Employee(metaclass=PoolMeta):
    __name__ = 'company.employee'
    satisfaction = fields.Function(fields.Numeric(
            "Satisfaction", digits=(16, 2),
            help="The average rating (1 to 5) of the surveys of her "
            "services."), 'get_satisfaction')
    satisfaction_count = fields.Function(fields.Integer(
            "Ratings"), 'get_satisfaction')

    @classmethod
    def get_satisfaction(cls, employees, names):
        pool = Pool()
        Line = pool.get('beauty.survey.line')
        line = Line.__table__()
        cursor = Transaction().connection.cursor()
        ids = [e.id for e in employees]
        score = dict.fromkeys(ids)
        count = dict.fromkeys(ids, 0)
        for sub_ids in grouped_slice(ids, backend.MAX_QUERY_PARAMS):
            cursor.execute(*line.select(
                    line.beautician, Avg(line.rating), Count(line.rating),
                    where=reduce_ids(line.beautician, sub_ids)
                    & (line.rating != Null),
                    group_by=[line.beautician]))
            for employee_id, average, number in cursor:
                score[employee_id] = Decimal(str(average)).quantize(
                    Decimal('0.01'))
                count[employee_id] = number
        result = {}
        if 'satisfaction' in names:
            result['satisfaction'] = score
        if 'satisfaction_count' in names:
            result['satisfaction_count'] = count
        return result
class OnlineAttempt(metaclass=PoolMeta):
    "The unknown survey links an address tried count like booking attempts"
    __name__ = 'beauty.appointment.online.attempt'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.kind.selection.append(
            ('survey_miss', "Unknown Survey Link from an Address"))


from . import routes  # noqa: E402,F401
