# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Follow-up tasks (回访) for the front desk: a call 1, 3 and 7 days after a
visit; birthday care: N days before a customer's birthday a greeting
and a coupon (with her marketing consent only) and a task to call her;
care-cycle reminders (护理周期): when a service's cycle has passed since a
customer's last one and she has not booked the next, a message and a task
to call her, once per cycle.

Care-cycle reminders are service messages, not marketing: like the
appointment reminders of beauty_appointment they go without her marketing
consent, through the channels the appointment configuration enables for
customers and only to the addresses she gave (Notification.addresses);
no coupon is attached, and an archived customer gets nothing."""
import datetime as dt

from sql import Literal, Null, Union
from sql.aggregate import Max
from sql.functions import Extract

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, Workflow, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .rfm import SALE_DONE, days_between

VISIT_DAYS = [1, 3, 7]
KINDS = [
    ('visit_1', "Day 1 After Visit"),
    ('visit_3', "Day 3 After Visit"),
    ('visit_7', "Day 7 After Visit"),
    ('birthday', "Birthday"),
    ('care_cycle', "Care Cycle"),
    ]
# An appointment in these states, from today on, is the next care booked
BOOKED_STATES = ['requested', 'booked', 'confirmed', 'arrived', 'in_service']
STATES = [
    ('open', "To Do"),
    ('done', "Done"),
    ('cancelled', "Cancelled"),
    ]


class FollowUp(Workflow, ModelSQL, ModelView):
    "Follow-up task"
    __name__ = 'beauty.marketing.followup'
    __string__ = "Follow-up"
    customer = fields.Many2One(
        'party.party', "Customer", required=True, readonly=True,
        ondelete='CASCADE')
    mobile = fields.Function(fields.Char("Mobile"), 'get_mobile')
    company = fields.Many2One(
        'company.company', "Store", required=True, readonly=True,
        ondelete='CASCADE')
    kind = fields.Selection(KINDS, "Kind", required=True, readonly=True)
    sale = fields.Many2One(
        'sale.point.sale', "Visit", readonly=True, ondelete='CASCADE')
    coupon = fields.Many2One(
        'beauty.coupon', "Coupon", readonly=True, ondelete='SET NULL')
    service = fields.Many2One(
        'product.product', "Service", readonly=True, ondelete='CASCADE',
        states={
            'invisible': Eval('kind') != 'care_cycle',
            },
        help="The service whose care cycle has passed.")
    care_date = fields.Date(
        "Last Care", readonly=True,
        states={
            'invisible': Eval('kind') != 'care_cycle',
            },
        help="The day she last had the service: one reminder per cycle.")
    due_date = fields.Date("Due", required=True, readonly=True)
    state = fields.Selection(
        STATES, "State", required=True, readonly=True, sort=False)
    notes = fields.Text(
        "Notes", size=1000,
        states={'readonly': Eval('state') != 'open'},
        help="What the customer said.")
    done_date = fields.Date("Done On", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('due_date', 'ASC'), ('id', 'ASC')]
        cls._sql_indexes.update({
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    (t.due_date, Index.Range()),
                    where=t.state == 'open'),
                Index(t, (t.sale, Index.Range()), where=t.sale != Null),
                Index(t, (t.customer, Index.Range())),
                Index(t, (t.service, Index.Range()),
                    where=t.service != Null),
                })
        # one reminder per customer, service and last care (NULLs of the
        # other kinds are distinct)
        cls._sql_constraints += [
            ('care_cycle_uniq', Unique(t, t.customer, t.service, t.care_date),
                'beauty_marketing.msg_care_cycle_once'),
            ]
        cls._transitions |= {
            ('open', 'done'),
            ('open', 'cancelled'),
            }
        cls._buttons.update({
                'do': {
                    'invisible': Eval('state') != 'open',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') != 'open',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'open'

    def get_mobile(self, name):
        return self.customer.mobile

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def do(cls, followups):
        pool = Pool()
        Date = pool.get('ir.date')
        cls.write(list(followups), {'done_date': Date.today()})

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, followups):
        pass

    @classmethod
    def create_for_sales(cls, sales):
        "Tasks 1, 3 and 7 days after each visit not yet followed"
        existing = {f.sale.id for f in cls.search([
                    ('sale', 'in', [s.id for s in sales])])}
        vlist = []
        for sale in sales:
            if (sale.id in existing or not sale.customer
                    or sale.state not in SALE_DONE or sale.returned_sale):
                continue
            for days in VISIT_DAYS:
                vlist.append({
                        'customer': sale.customer.id,
                        'company': sale.company.id,
                        'kind': 'visit_%d' % days,
                        'sale': sale.id,
                        'due_date': sale.date + dt.timedelta(days=days),
                        })
        return cls.create(vlist)

    @classmethod
    def birthday_care(cls, date=None):
        """Greet (and give a coupon to) the customers whose birthday is in
        the configured number of days, with their marketing consent; a task
        to call each. Once a year per customer."""
        pool = Pool()
        Date = pool.get('ir.date')
        Party = pool.get('party.party')
        Coupon = pool.get('beauty.coupon')
        Notification = pool.get('beauty.notification')
        Configuration = pool.get('beauty.marketing.configuration')
        config = Configuration(1)
        if date is None:
            date = Date.today()
        day = date + dt.timedelta(days=config.birthday_days)
        party = Party.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*party.select(party.id,
                where=(Extract('MONTH', party.birthday) == day.month)
                & (Extract('DAY', party.birthday) == day.day)
                & (party.marketing_consent == True)  # noqa: E712
                & (party.active == True)))  # noqa: E712
        customers = Party.browse([i for i, in cursor])
        done = {f.customer.id for f in cls.search([
                    ('kind', '=', 'birthday'),
                    ('customer', 'in', [c.id for c in customers]),
                    ('due_date', '=', day),
                    ])}
        customers = [c for c in customers if c.id not in done]
        if not customers:
            return []
        template = config.birthday_coupon
        company = (template.company.id if template
            else Transaction().context.get('company'))
        if company is None:
            return []
        coupons = {}
        if template:
            for coupon in Coupon.issue(template, customers, date=date):
                coupons[coupon.customer.id] = coupon
        followups = cls.create([{
                    'customer': c.id,
                    'company': company,
                    'kind': 'birthday',
                    'due_date': day,
                    'coupon': (
                        coupons[c.id].id if c.id in coupons else None),
                    } for c in customers])
        vlist = []
        for followup in followups:
            customer = followup.customer
            coupon = followup.coupon
            text = (config.birthday_message or '').replace(
                '{customer}', customer.name).replace(
                '{coupon}', coupon.code if coupon else '')
            if not text:
                continue
            for channel, address in Notification.addresses(
                    customer, 'customer'):
                vlist.append({
                        'company': company,
                        'channel': channel,
                        'recipient': address,
                        'party': customer.id,
                        'kind': 'other',
                        'audience': 'customer',
                        'content': text,
                        'origin': str(followup),
                        })
        Notification.send_later(Notification.create(vlist))
        return followups

    @classmethod
    def care_cycle_due(cls, date):
        """[(customer, service, company, last care date, cycle days)] of the
        services whose care cycle has passed on date since the customer's
        last one (care record, done appointment or done sale), by at most
        the configured window, with no appointment for it from date on and
        no reminder yet for that last care; one SQL query."""
        pool = Pool()
        Sale = pool.get('sale.point.sale')
        SaleLine = pool.get('sale.point.sale.line')
        Appointment = pool.get('beauty.appointment')
        AppointmentLine = pool.get('beauty.appointment.line')
        CareRecord = pool.get('beauty.care.record')
        CareService = pool.get('beauty.care.record-product.product')
        Product = pool.get('product.product')
        Template = pool.get('product.template')
        Party = pool.get('party.party')
        Configuration = pool.get('beauty.marketing.configuration')
        window = Configuration(1).care_cycle_window

        def cares():
            "(customer, product, company, date) of every care given"
            sale = Sale.__table__()
            sale_line = SaleLine.__table__()
            appointment = Appointment.__table__()
            appointment_line = AppointmentLine.__table__()
            record = CareRecord.__table__()
            record_service = CareService.__table__()
            return Union(
                record_service.join(record,
                    condition=record_service.record == record.id).select(
                    record.customer.as_('customer'),
                    record_service.product.as_('product'),
                    record.company.as_('company'),
                    record.date.as_('date')),
                appointment_line.join(appointment,
                    condition=appointment_line.appointment == appointment.id
                    ).select(
                    appointment.customer.as_('customer'),
                    appointment_line.service.as_('product'),
                    appointment.company.as_('company'),
                    appointment.date.as_('date'),
                    where=(appointment.state == 'done')
                    & (appointment_line.state != 'cancelled')),
                sale_line.join(sale,
                    condition=sale_line.sale == sale.id).select(
                    sale.customer.as_('customer'),
                    sale_line.product.as_('product'),
                    sale.company.as_('company'),
                    sale.date.as_('date'),
                    where=sale.state.in_(SALE_DONE)
                    & (sale.customer != Null)
                    & (sale.returned_sale == Null)
                    & (sale_line.quantity > 0)),
                all_=True)

        care = cares()
        last = care.select(
            care.customer.as_('customer'), care.product.as_('product'),
            Max(care.date).as_('date'),
            where=care.date <= date,
            group_by=[care.customer, care.product])
        product = Product.__table__()
        template = Template.__table__()
        party = Party.__table__()
        appointment = Appointment.__table__()
        appointment_line = AppointmentLine.__table__()
        followup = cls.__table__()
        booked = appointment_line.join(appointment,
            condition=appointment_line.appointment == appointment.id).select(
            appointment.customer.as_('customer'),
            appointment_line.service.as_('product'),
            where=appointment.state.in_(BOOKED_STATES)
            & (appointment.date >= date),
            group_by=[appointment.customer, appointment_line.service])
        since = days_between(date, last.date)
        due = (last
            .join(product, condition=product.id == last.product)
            .join(template, condition=template.id == product.template)
            .join(party, condition=party.id == last.customer)
            .join(booked, 'LEFT',
                condition=(booked.customer == last.customer)
                & (booked.product == last.product))
            .join(followup, 'LEFT',
                condition=(followup.kind == 'care_cycle')
                & (followup.customer == last.customer)
                & (followup.service == last.product)
                & (followup.care_date == last.date))
            .select(
                last.customer.as_('customer'),
                last.product.as_('product'),
                last.date.as_('date'),
                template.care_cycle_days.as_('cycle'),
                where=(template.care_cycle_days > 0)
                & (since >= template.care_cycle_days)
                & (since <= template.care_cycle_days + Literal(window))
                & (party.active == Literal(True))
                & (booked.customer == Null)
                & (followup.id == Null)))
        # the store of the last care (the highest id if several that day)
        again = cares()
        query = due.join(again,
            condition=(again.customer == due.customer)
            & (again.product == due.product)
            & (again.date == due.date)).select(
            due.customer, due.product, Max(again.company), due.date,
            due.cycle,
            group_by=[due.customer, due.product, due.date, due.cycle],
            order_by=[due.customer, due.product])
        cursor = Transaction().connection.cursor()
        cursor.execute(*query)
        return [(c, p, s, _date(d), n) for c, p, s, d, n in cursor]

    @classmethod
    def care_cycle_reminders(cls, date=None):
        """A task to call and a message (if the configuration has one) to
        each customer whose care cycle of a service has passed (see
        care_cycle_due): once per cycle, the cycle starting at her last
        care of the service. Service messages: no marketing consent needed
        (see the module's docstring). With a store in the context, only the
        customers whose last care was there."""
        pool = Pool()
        Date = pool.get('ir.date')
        Party = pool.get('party.party')
        Product = pool.get('product.product')
        Notification = pool.get('beauty.notification')
        Configuration = pool.get('beauty.marketing.configuration')
        Lang = pool.get('ir.lang')
        config = Configuration(1)
        if date is None:
            date = Date.today()
        company = Transaction().context.get('company')
        rows = [r for r in cls.care_cycle_due(date)
            if company is None or r[2] == company]
        if not rows:
            return []
        followups = cls.create([{
                    'customer': customer,
                    'company': store,
                    'kind': 'care_cycle',
                    'service': product,
                    'care_date': last,
                    'due_date': date,
                    } for customer, product, store, last, _ in rows])
        lang = Lang.get()
        message = config.care_cycle_message or ''
        vlist = []
        for followup in followups if message else []:
            customer = Party(followup.customer.id)
            service = Product(followup.service.id)
            text = message
            for key, value in {
                    'customer': customer.name,
                    'service': service.rec_name,
                    'date': lang.strftime(followup.care_date),
                    'days': str((date - followup.care_date).days),
                    }.items():
                text = text.replace('{%s}' % key, value)
            for channel, address in Notification.addresses(
                    customer, 'customer'):
                vlist.append({
                        'company': followup.company.id,
                        'channel': channel,
                        'recipient': address,
                        'party': customer.id,
                        'kind': 'reminder',
                        'audience': 'customer',
                        'subject': gettext(
                            'beauty_marketing.msg_care_cycle_subject',
                            service=service.rec_name),
                        'content': text,
                        'origin': str(followup),
                        })
        Notification.send_later(Notification.create(vlist))
        return followups

    @classmethod
    def cron_care_cycle(cls):
        "Daily: the care-cycle reminders"
        cls.care_cycle_reminders()

    @classmethod
    def cron_create(cls):
        "Daily: follow-up tasks of the last two days' visits, birthdays"
        pool = Pool()
        Sale = pool.get('sale.point.sale')
        Date = pool.get('ir.date')
        today = Date.today()
        sales = Sale.search([
                ('state', 'in', SALE_DONE),
                ('customer', '!=', None),
                ('returned_sale', '=', None),
                ('date', '>=', today - dt.timedelta(days=1)),
                ('date', '<=', today),
                ])
        cls.create_for_sales(sales)
        cls.birthday_care(today)


def _date(value):
    "A date of a raw query (SQLite gives a string)"
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


class Coupon(metaclass=PoolMeta):
    __name__ = 'beauty.coupon'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['beauty.marketing.followup']


class Notification(metaclass=PoolMeta):
    __name__ = 'beauty.notification'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['beauty.marketing.followup']
