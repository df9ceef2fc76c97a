# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""The waitlist (候补): customers waiting for a service on some days; when a
booked slot frees up they are told in the order they asked."""
import datetime as dt

from beauty_hr.tz import store_timezone, to_local

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool
from trytond.pyson import Bool, Eval
from trytond.transaction import Transaction, without_check_access

from .exceptions import WaitlistError
from .notification import render

STATES = [
    ('waiting', "Waiting"),
    ('notified', "Notified"),
    ('booked', "Booked"),
    ('cancelled', "Cancelled"),
    ]


class Waitlist(Workflow, ModelSQL, ModelView):
    """A customer waiting for a service (候补).

    When an appointment for the service is cancelled, the waiting customers
    whose days cover it are told, first come first served: the first at
    once, the next ones a configured delay later, each only if the slot is
    still free by then."""
    __name__ = 'beauty.appointment.waitlist'
    __string__ = "Waitlist Entry"

    company = fields.Many2One(
        'company.company', "Store", required=True, ondelete='CASCADE',
        states={
            'readonly': Eval('state') != 'waiting',
            })
    customer = fields.Many2One(
        'party.party', "Customer", required=True, ondelete='CASCADE',
        states={
            'readonly': Eval('state') != 'waiting',
            },
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    service = fields.Many2One(
        'product.product', "Service", required=True, ondelete='CASCADE',
        domain=[
            ('type', '=', 'service'),
            ('service_duration', '!=', None),
            ],
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        states={
            'readonly': Eval('state') != 'waiting',
            })
    beautician = fields.Many2One(
        'company.employee', "Beautician", ondelete='SET NULL',
        domain=[('company', '=', Eval('company', -1))],
        states={
            'readonly': Eval('state') != 'waiting',
            },
        help="Only her slots, or leave empty for any beautician.")
    date_from = fields.Date(
        "From", required=True,
        states={
            'readonly': Eval('state') != 'waiting',
            })
    date_to = fields.Date(
        "To",
        domain=[
            ('date_to', '>=', Eval('date_from', None)),
            ],
        states={
            'readonly': Eval('state') != 'waiting',
            },
        help="Leave empty for no limit.")
    notes = fields.Text("Notes", size=1000)
    state = fields.Selection(
        STATES, "State", readonly=True, required=True, sort=False)
    offered_start = fields.DateTime(
        "Offered Start", readonly=True,
        states={
            'invisible': ~Bool(Eval('offered_start')),
            })
    offered_end = fields.DateTime(
        "Offered End", readonly=True,
        states={
            'invisible': ~Bool(Eval('offered_start')),
            })
    offered_busy_end = fields.DateTime("Offered Free At", readonly=True)
    offered_beautician = fields.Many2One(
        'company.employee', "Offered Beautician", readonly=True,
        ondelete='SET NULL',
        states={
            'invisible': ~Bool(Eval('offered_start')),
            })
    offered_at = fields.DateTime("Told At", readonly=True)
    appointment = fields.Many2One(
        'beauty.appointment', "Appointment", readonly=True,
        ondelete='SET NULL')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('id', 'ASC')]
        cls._sql_indexes.add(
            Index(t, (t.company, Index.Range()), (t.service, Index.Range()),
                where=t.state == 'waiting'))
        cls._transitions |= {
            ('waiting', 'notified'),
            ('notified', 'waiting'),
            ('waiting', 'booked'),
            ('notified', 'booked'),
            ('waiting', 'cancelled'),
            ('notified', 'cancelled'),
            ('cancelled', 'waiting'),
            }
        cls._buttons.update({
                'book': {
                    'invisible': Eval('state') != 'notified',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(['waiting', 'notified']),
                    'depends': ['state'],
                    },
                'wait': {
                    'invisible': Eval('state') != 'cancelled',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_state():
        return 'waiting'

    @staticmethod
    def default_date_from():
        return Pool().get('ir.date').today()

    def get_rec_name(self, name):
        return '%s %s' % (self.customer.rec_name, self.service.rec_name)

    @classmethod
    def validate_fields(cls, entries, field_names):
        super().validate_fields(entries, field_names)
        for entry in entries:
            if entry.date_to and entry.date_to < entry.date_from:
                raise WaitlistError(gettext(
                        'beauty_appointment.msg_waitlist_dates',
                        customer=entry.customer.rec_name,
                        date_from=entry.date_from, date_to=entry.date_to))

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, entries):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('waiting')
    def wait(cls, entries):
        cls._clear_offer(entries)

    @classmethod
    def _clear_offer(cls, entries):
        cls.write(list(entries), {
                'offered_start': None, 'offered_end': None,
                'offered_busy_end': None, 'offered_beautician': None,
                'offered_at': None,
                })

    @classmethod
    @ModelView.button
    @Workflow.transition('booked')
    def book(cls, entries):
        "Book the offered slot for the customer"
        pool = Pool()
        Appointment = pool.get('beauty.appointment')
        vlist = []
        for entry in entries:
            if not entry.offer_still_open():
                raise WaitlistError(gettext(
                        'beauty_appointment.msg_waitlist_offer_gone',
                        entry=entry.rec_name))
            vlist.append({
                    'company': entry.company.id,
                    'customer': entry.customer.id,
                    'start': entry.offered_start,
                    'channel': 'phone',
                    'notes': entry.notes,
                    'lines': [('create', [{
                                    'service': entry.service.id,
                                    'beautician': (
                                        entry.offered_beautician.id
                                        if entry.offered_beautician
                                        else None),
                                    }])],
                    })
        appointments = Appointment.create(vlist)
        Appointment.book(appointments)
        for entry, appointment in zip(entries, appointments):
            entry.appointment = appointment
        cls.save(entries)

    def offer_still_open(self):
        "Whether the slot offered is still free and to come"
        pool = Pool()
        Line = pool.get('beauty.appointment.line')
        if self.state != 'notified' or not self.offered_start:
            return False
        if self.offered_start <= dt.datetime.now():
            return False
        if self.offered_beautician:
            busy = Line._busy_employees(
                [self.offered_beautician.id], self.offered_start,
                self.offered_busy_end or self.offered_end)
            if busy:
                return False
        return True

    def offer_lapsed(self):
        "The slot was taken before the message left: wait for the next one"
        if self.state == 'notified' and not self.offer_still_open():
            self.__class__.write([self], {'state': 'waiting'})
            self._clear_offer([self])

    @classmethod
    def slots_freed(cls, appointments):
        """Tell the waiting customers about the slots of the cancelled
        appointments, in order (one search for all of them)."""
        pool = Pool()
        Configuration = pool.get('beauty.appointment.configuration')
        Notification = pool.get('beauty.notification')
        config = Configuration(1)
        if not config.waitlist_count:
            return []
        freed = []
        domain = ['OR']
        for appointment in appointments:
            timezone = store_timezone(appointment.company)
            for line in appointment.sorted_lines:
                if not line.start:
                    continue
                date = to_local(line.start, timezone).date()
                freed.append((appointment, line, date))
                domain.append([
                        ('company', '=', appointment.company.id),
                        ('service', '=', line.service.id),
                        ('date_from', '<=', date),
                        ['OR',
                            ('date_to', '=', None),
                            ('date_to', '>=', date)],
                        ])
        if not freed:
            return []
        entries = cls.search([('state', '=', 'waiting'), domain],
            order=[('id', 'ASC')])
        now = dt.datetime.now()
        delay = dt.timedelta(minutes=config.waitlist_delay or 0)
        subject, body = config.get_template('waitlist')
        used = set()
        vlist, args = [], []
        for appointment, line, date in freed:
            matching = [e for e in entries
                if e.id not in used
                and e.company == appointment.company
                and e.service == line.service
                and e.date_from <= date
                and (not e.date_to or e.date_to >= date)
                and (not e.beautician or e.beautician == line.beautician)]
            for rank, entry in enumerate(matching[:config.waitlist_count]):
                used.add(entry.id)
                values = Notification.appointment_values(appointment, [line])
                values['customer'] = entry.customer.rec_name
                values['number'] = ''
                for channel, address in Notification.addresses(
                        entry.customer, 'customer'):
                    vlist.append({
                            'company': entry.company.id,
                            'waitlist': entry.id,
                            'kind': 'waitlist',
                            'audience': 'customer',
                            'channel': channel,
                            'recipient': address,
                            'party': entry.customer.id,
                            'subject': render(subject, values),
                            'content': render(body, values),
                            'scheduled': now + rank * delay,
                            'origin': str(entry),
                            })
                args.extend([[entry], {
                            'state': 'notified',
                            'offered_start': line.start,
                            'offered_end': line.end,
                            'offered_busy_end': line.busy_end,
                            'offered_beautician': (
                                line.beautician.id if line.beautician
                                else None),
                            'offered_at': now,
                            }])
        if args:
            cls.write(*args)
        with without_check_access():
            notifications = Notification.create(vlist)
        Notification.send_later(notifications)
        return notifications
