# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""The front desk's free-slot search (查空档): choose the services, see the
next free slots, book one (or put the customer on the waitlist)."""
import datetime as dt
import json

from beauty_hr.tz import store_timezone, to_local, to_utc

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction
from trytond.wizard import (
    Button, StateAction, StateTransition, StateView, Wizard)

from .appointment import CHANNELS
from .exceptions import SlotSearchError

MAX_DAYS = 31


class SlotSearchStart(ModelView):
    "Free-slot search"
    __name__ = 'beauty.appointment.slot_search.start'
    __string__ = "Free-Slot Search"
    company = fields.Many2One('company.company', "Store", required=True)
    customer = fields.Many2One(
        'party.party', "Customer",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="Her preferred beautician is offered first.")
    no_show_count = fields.Integer("No-shows", readonly=True)
    services = fields.Many2Many(
        'product.product', None, None, "Services", required=True,
        domain=[
            ('type', '=', 'service'),
            ('service_duration', '!=', None),
            ],
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="The services, done one after the other in this order.")
    beautician = fields.Many2One(
        'company.employee', "Beautician",
        domain=[('company', '=', Eval('company', -1))],
        help="Leave empty for any beautician able to do the services.")
    date = fields.Date("From", required=True)
    days = fields.Integer(
        "Days", required=True,
        domain=[('days', '>=', 1), ('days', '<=', MAX_DAYS)])

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_date():
        return Pool().get('ir.date').today()

    @staticmethod
    def default_days():
        return 7

    @fields.depends('customer')
    def on_change_customer(self):
        pool = Pool()
        Party = pool.get('party.party')
        if self.customer and self.customer.id is not None and (
                self.customer.id >= 0):
            self.no_show_count = Party.no_show_counts(
                [self.customer.id]).get(self.customer.id, 0)
        else:
            self.no_show_count = None


class SlotSearchSlot(ModelView):
    "A free slot"
    __name__ = 'beauty.appointment.slot_search.slot'
    __string__ = "Free Slot"
    selected = fields.Boolean("Book")
    start = fields.DateTime("Start", readonly=True)
    end = fields.DateTime("End", readonly=True)
    day = fields.Char("Day", readonly=True)
    time = fields.Char("Time", readonly=True)
    beautician = fields.Many2One(
        'company.employee', "Beautician", readonly=True)
    rooms = fields.Char("Rooms", readonly=True)
    placement = fields.Char("Placement", readonly=True)


class SlotSearchResult(ModelView):
    "Free slots"
    __name__ = 'beauty.appointment.slot_search.result'
    __string__ = "Free Slots"
    company = fields.Many2One(
        'company.company', "Store", readonly=True)
    customer = fields.Many2One(
        'party.party', "Customer",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="Needed to book or to put on the waitlist.")
    no_show_count = fields.Integer("No-shows", readonly=True)
    channel = fields.Selection(CHANNELS, "Channel", required=True)
    notes = fields.Text("Notes", size=2000)
    slots = fields.One2Many(
        'beauty.appointment.slot_search.slot', None, "Free Slots",
        help="Tick the slot to book.")
    found = fields.Integer("Found", readonly=True)

    @fields.depends('customer')
    def on_change_customer(self):
        pool = Pool()
        Party = pool.get('party.party')
        if self.customer and self.customer.id is not None and (
                self.customer.id >= 0):
            self.no_show_count = Party.no_show_counts(
                [self.customer.id]).get(self.customer.id, 0)
        else:
            self.no_show_count = None


class SlotSearch(Wizard):
    "Find a free slot and book it"
    __name__ = 'beauty.appointment.slot_search'
    __string__ = "Find a Free Slot"
    start = StateView(
        'beauty.appointment.slot_search.start',
        'beauty_appointment.slot_search_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Search", 'result', 'tryton-search', default=True),
            ])
    result = StateView(
        'beauty.appointment.slot_search.result',
        'beauty_appointment.slot_search_result_view_form', [
            Button("Back", 'start', 'tryton-back'),
            Button("Add to Waitlist", 'waitlist', 'tryton-list-add'),
            Button("Book", 'book', 'tryton-ok', default=True),
            ])
    book = StateTransition()
    waitlist = StateTransition()
    open_ = StateAction('beauty_appointment.act_appointment_open')
    open_waitlist = StateAction('beauty_appointment.act_waitlist_form')

    def default_start(self, fields):
        context = Transaction().context
        values = {}
        if self.start.company:
            # back from the result: keep what was chosen
            values.update({
                    'company': self.start.company.id,
                    'customer': (self.start.customer.id
                        if self.start.customer else None),
                    'services': [s.id for s in self.start.services],
                    'beautician': (self.start.beautician.id
                        if self.start.beautician else None),
                    'date': self.start.date,
                    'days': self.start.days,
                    })
        # opened from a customer: she is the one to book
        if (not values.get('customer')
                and context.get('active_model') == 'party.party'
                and context.get('active_id')):
            values['customer'] = context['active_id']
        return values

    def _window(self):
        company = self.start.company
        timezone = store_timezone(company)
        start = to_utc(self.start.date, dt.time(), timezone)
        days = self.start.days or 7
        if not (1 <= days <= MAX_DAYS):
            raise SlotSearchError(gettext(
                    'beauty_appointment.msg_slot_days', maximum=MAX_DAYS))
        end = to_utc(
            self.start.date + dt.timedelta(days=days), dt.time(), timezone)
        now = dt.datetime.now()
        if end <= now:
            raise SlotSearchError(gettext(
                    'beauty_appointment.msg_slot_window_past',
                    date=self.start.date))
        return start, end

    def default_result(self, fields):
        pool = Pool()
        Appointment = pool.get('beauty.appointment')
        Party = pool.get('party.party')
        start, end = self._window()
        company = self.start.company
        slots = Appointment.free_slots(
            company, self.start.services,
            beautician=self.start.beautician, start=start, end=end,
            limit=60, per_start=None if self.start.beautician else 3,
            customer=self.start.customer)
        timezone = store_timezone(company)
        # the rooms' names in one read
        Room = pool.get('beauty.room')
        room_names = {r.id: r.rec_name for r in Room.browse(list({
                        p.room for s in slots for p in s.lines if p.room}))}
        rows = []
        for slot in slots:
            local_start = to_local(slot.start, timezone)
            local_end = to_local(slot.end, timezone)
            rooms = []
            for placed in slot.lines:
                if placed.room:
                    rooms.append(placed.room)
            rows.append({
                    'selected': False,
                    'start': slot.start,
                    'end': slot.end,
                    'day': local_start.strftime('%Y-%m-%d'),
                    'time': '%s-%s' % (local_start.strftime('%H:%M'),
                        local_end.strftime('%H:%M')),
                    'beautician': slot.beautician,
                    'rooms': ', '.join(room_names[r] for r in rooms),
                    'placement': json.dumps(
                        [[p.service, p.room] for p in slot.lines]),
                    })
        customer = self.start.customer
        return {
            'company': company.id,
            'customer': customer.id if customer else None,
            'no_show_count': (Party.no_show_counts([customer.id]).get(
                    customer.id, 0) if customer else None),
            'channel': 'phone',
            'slots': rows,
            'found': len(rows),
            }

    def transition_book(self):
        pool = Pool()
        Appointment = pool.get('beauty.appointment')
        selected = [s for s in self.result.slots if s.selected]
        if len(selected) != 1:
            raise SlotSearchError(gettext(
                    'beauty_appointment.msg_slot_choose_one'))
        if not self.result.customer:
            raise SlotSearchError(gettext(
                    'beauty_appointment.msg_slot_customer_required'))
        slot, = selected
        lines = []
        for service, room in json.loads(slot.placement):
            lines.append({
                    'service': service,
                    'beautician': slot.beautician.id,
                    'room': room,
                    })
        appointment, = Appointment.create([{
                    'company': self.start.company.id,
                    'customer': self.result.customer.id,
                    'start': slot.start,
                    'channel': self.result.channel,
                    'notes': self.result.notes,
                    'lines': [('create', lines)],
                    }])
        Appointment.book([appointment])
        self.result.found = appointment.id
        return 'open_'

    def do_open_(self, action):
        return action, {'res_id': [self.result.found]}

    def transition_waitlist(self):
        pool = Pool()
        Waitlist = pool.get('beauty.appointment.waitlist')
        if not self.result.customer:
            raise SlotSearchError(gettext(
                    'beauty_appointment.msg_slot_customer_required'))
        date_to = self.start.date + dt.timedelta(
            days=(self.start.days or 7) - 1)
        Waitlist.create([{
                    'company': self.start.company.id,
                    'customer': self.result.customer.id,
                    'service': service.id,
                    'beautician': (self.start.beautician.id
                        if self.start.beautician else None),
                    'date_from': self.start.date,
                    'date_to': date_to,
                    'notes': self.result.notes,
                    } for service in self.start.services])
        return 'open_waitlist'

    def do_open_waitlist(self, action):
        return action, {}
