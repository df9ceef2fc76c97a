# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Marketing campaigns (营销活动): a target (segment, tags), a channel, a
coupon to issue, a budget and a period; sending issues the coupons and
queues the messages to the customers who gave their marketing consent;
the results (reached, redeemed, bookings, revenue, ROI) are computed by SQL
aggregates over the attribution window."""
import datetime as dt
from decimal import Decimal

from sql.aggregate import Count, Sum

from beauty_pos.closing import line_amount

from trytond import backend
from trytond.i18n import gettext
from trytond.model import (
    Index, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction

from .exceptions import CampaignError, CampaignValidationError
from .rfm import SALE_DONE, SEGMENTS

CHANNELS = [
    (None, "Coupon Only"),
    ('sms', "SMS"),
    ('email', "Email"),
    ('wechat', "WeChat"),
    ]
STATES = [
    ('draft', "Draft"),
    ('sent', "Sent"),
    ('cancelled', "Cancelled"),
    ]
_DRAFT = {'readonly': Eval('state') != 'draft'}


class Campaign(Workflow, ModelSQL, ModelView):
    "Marketing campaign"
    __name__ = 'beauty.campaign'
    __string__ = "Campaign"
    name = fields.Char("Name", required=True, states=_DRAFT)
    company = fields.Many2One(
        'company.company', "Store", required=True, ondelete='CASCADE',
        states=_DRAFT)
    segment = fields.Selection(
        [(None, "All Segments")] + SEGMENTS, "Target Segment",
        states=_DRAFT,
        help="Only the customers of this segment (RFM) are targeted.")
    tags = fields.Many2Many(
        'beauty.campaign-party.category', 'campaign', 'category',
        "Target Tags", states=_DRAFT,
        help="Only the customers with one of these tags are targeted "
        "(empty: any).")
    channel = fields.Selection(
        CHANNELS, "Channel", states=_DRAFT,
        help="How the customers are told (the channel must be enabled in "
        "the appointment configuration).")
    message = fields.Text(
        "Message", size=500, states={
            'readonly': Eval('state') != 'draft',
            'required': Eval('channel') & (Eval('state') == 'draft'),
            },
        help="The text sent; {customer}, {coupon} and {expiry} are replaced.")
    coupon_template = fields.Many2One(
        'beauty.coupon.template', "Coupon", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))],
        states=_DRAFT, help="A coupon of this template is issued to each "
        "customer reached.")
    budget = Monetary(
        "Budget", currency='currency', digits='currency', required=True,
        states=_DRAFT, help="The cost of the campaign, for the ROI.")
    start_date = fields.Date("Start", required=True, states=_DRAFT)
    end_date = fields.Date("End", required=True, states=_DRAFT)
    state = fields.Selection(
        STATES, "State", required=True, readonly=True, sort=False)
    sent_date = fields.DateTime("Sent", readonly=True)
    recipients = fields.One2Many(
        'beauty.campaign.recipient', 'campaign', "Recipients",
        readonly=True)
    holiday = fields.Many2One(
        'beauty.marketing.holiday', "Holiday", readonly=True,
        ondelete='RESTRICT',
        help="The holiday promotion that launched the campaign.")
    holiday_date = fields.Date(
        "Holiday Date", readonly=True,
        states={
            'invisible': ~Eval('holiday'),
            })
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')
    reached = fields.Function(fields.Integer(
            "Reached", help="The customers who received a coupon or a "
            "message."), 'get_results')
    redeemed = fields.Function(fields.Integer(
            "Coupons Redeemed"), 'get_results')
    bookings = fields.Function(fields.Integer(
            "Bookings", help="The appointments booked by the customers "
            "reached within the attribution window."), 'get_results')
    revenue = fields.Function(Monetary(
            "Revenue", currency='currency', digits='currency',
            help="The sales to the customers reached within the attribution "
            "window."), 'get_results')
    roi = fields.Function(fields.Numeric(
            "ROI", digits=(16, 2),
            help="(Revenue - budget) / budget."), 'get_results')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('start_date', 'DESC'), ('id', 'DESC')]
        t = cls.__table__()
        # a holiday launches one campaign a year (NULLs are distinct)
        cls._sql_constraints += [
            ('holiday_uniq', Unique(t, t.holiday, t.holiday_date),
                'beauty_marketing.msg_holiday_launched'),
            ]
        cls._transitions |= {
            ('draft', 'sent'),
            ('draft', 'cancelled'),
            ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'send': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'cancelled',
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
    def default_budget():
        return Decimal(0)

    @staticmethod
    def default_start_date():
        return Pool().get('ir.date').today()

    @classmethod
    def copy(cls, campaigns, default=None):
        default = default.copy() if default else {}
        default.setdefault('holiday')
        default.setdefault('holiday_date')
        default.setdefault('sent_date')
        default.setdefault('recipients')
        default.setdefault('state', 'draft')
        return super().copy(campaigns, default=default)

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    @classmethod
    def validate_fields(cls, campaigns, field_names):
        super().validate_fields(campaigns, field_names)
        for campaign in campaigns:
            if (campaign.start_date and campaign.end_date
                    and campaign.end_date < campaign.start_date):
                raise CampaignValidationError(gettext(
                        'beauty_marketing.msg_campaign_period',
                        campaign=campaign.rec_name,
                        end=cls.__names__('end_date')['field'],
                        start=cls.__names__('start_date')['field']))
            if campaign.budget is not None and campaign.budget < 0:
                raise CampaignValidationError(gettext(
                        'beauty_marketing.msg_campaign_budget',
                        campaign=campaign.rec_name,
                        field=cls.__names__('budget')['field']))

    @classmethod
    def check_modification(cls, mode, campaigns, values=None,
            external=False):
        super().check_modification(
            mode, campaigns, values=values, external=external)
        if mode == 'delete':
            for campaign in campaigns:
                if campaign.state == 'sent':
                    raise CampaignError(gettext(
                            'beauty_marketing.msg_campaign_delete_sent',
                            campaign=campaign.rec_name))

    def target_domain(self):
        "The customers targeted: with marketing consent, always"
        domain = [
            ('marketing_consent', '=', True),
            ('active', '=', True),
            ]
        if self.segment:
            domain.append(('rfm_segment', '=', self.segment))
        if self.tags:
            domain.append(('categories', 'in', [t.id for t in self.tags]))
        return domain

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, campaigns):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, campaigns):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('sent')
    def send(cls, campaigns):
        pool = Pool()
        Party = pool.get('party.party')
        Coupon = pool.get('beauty.coupon')
        Notification = pool.get('beauty.notification')
        Recipient = pool.get('beauty.campaign.recipient')
        Date = pool.get('ir.date')
        Lang = pool.get('ir.lang')
        lang = Lang.get()
        today = Date.today()
        now = dt.datetime.now()
        notifications = []
        for campaign in campaigns:
            if not (campaign.start_date <= today <= campaign.end_date):
                raise CampaignError(gettext(
                        'beauty_marketing.msg_campaign_not_in_period',
                        campaign=campaign.rec_name,
                        start=lang.strftime(campaign.start_date),
                        end=lang.strftime(campaign.end_date)))
            if not campaign.channel and not campaign.coupon_template:
                raise CampaignError(gettext(
                        'beauty_marketing.msg_campaign_nothing',
                        campaign=campaign.rec_name))
            customers = Party.search(campaign.target_domain())
            coupons = {}
            if campaign.coupon_template and customers:
                for coupon in Coupon.issue(
                        campaign.coupon_template, customers, date=today,
                        origin=campaign):
                    coupons[coupon.customer.id] = coupon
            vlist, recipients = [], []
            for customer in customers:
                coupon = coupons.get(customer.id)
                notified = False
                if campaign.channel:
                    content = campaign.render(customer, coupon, lang)
                    for channel, address in Notification.addresses(
                            customer, 'customer'):
                        if channel != campaign.channel:
                            continue
                        vlist.append({
                                'company': campaign.company.id,
                                'channel': channel,
                                'recipient': address,
                                'party': customer.id,
                                'kind': 'other',
                                'audience': 'customer',
                                'subject': campaign.name,
                                'content': content,
                                'origin': str(campaign),
                                })
                        notified = True
                if coupon or notified:
                    recipients.append({
                            'campaign': campaign.id,
                            'customer': customer.id,
                            'coupon': coupon.id if coupon else None,
                            'notified': notified,
                            })
            notifications += Notification.create(vlist)
            Recipient.create(recipients)
        cls.write(list(campaigns), {'sent_date': now})
        Notification.send_later(notifications)

    def render(self, customer, coupon, lang):
        values = {
            'customer': customer.name,
            'coupon': coupon.code if coupon else '',
            'expiry': lang.strftime(coupon.expiry_date) if coupon else '',
            }
        text = self.message or ''
        for key, value in values.items():
            text = text.replace('{%s}' % key, value)
        return text

    @classmethod
    def get_results(cls, campaigns, names):
        pool = Pool()
        Recipient = pool.get('beauty.campaign.recipient')
        Coupon = pool.get('beauty.coupon')
        Appointment = pool.get('beauty.appointment')
        Sale = pool.get('sale.point.sale')
        Line = pool.get('sale.point.sale.line')
        Configuration = pool.get('beauty.marketing.configuration')
        window = dt.timedelta(days=Configuration(1).attribution_days)
        cursor = Transaction().connection.cursor()
        ids = [c.id for c in campaigns]
        reached = dict.fromkeys(ids, 0)
        redeemed = dict.fromkeys(ids, 0)
        bookings = dict.fromkeys(ids, 0)
        revenue = dict.fromkeys(ids, Decimal(0))
        recipient = Recipient.__table__()
        coupon = Coupon.__table__()
        appointment = Appointment.__table__()
        sale = Sale.__table__()
        line = Line.__table__()
        for sub_ids in grouped_slice(ids, backend.MAX_QUERY_PARAMS):
            sub_ids = list(sub_ids)
            cursor.execute(*recipient.join(coupon, 'LEFT',
                    condition=(recipient.coupon == coupon.id)
                    & (coupon.state == 'used')).select(
                    recipient.campaign, Count(recipient.id),
                    Count(coupon.id),
                    where=reduce_ids(recipient.campaign, sub_ids),
                    group_by=[recipient.campaign]))
            for campaign_id, count, used in cursor:
                reached[campaign_id] = count
                redeemed[campaign_id] = used
        # the window starts when each campaign was sent: one query per
        # campaign (a handful), each an aggregate
        for campaign in campaigns:
            if not campaign.sent_date:
                continue
            start = campaign.sent_date
            end = start + window
            customers = recipient.select(
                recipient.customer,
                where=recipient.campaign == campaign.id)
            cursor.execute(*appointment.select(
                    Count(appointment.id),
                    where=appointment.customer.in_(customers)
                    & (appointment.create_date >= start)
                    & (appointment.create_date < end)
                    & ~appointment.state.in_(['cancelled'])))
            bookings[campaign.id] = cursor.fetchone()[0] or 0
            cursor.execute(*line.join(sale,
                    condition=line.sale == sale.id).select(
                    Sum(line_amount(line)),
                    where=sale.customer.in_(customers)
                    & sale.state.in_(SALE_DONE)
                    & (sale.date >= start.date())
                    & (sale.date <= end.date())))
            amount = cursor.fetchone()[0] or 0
            if not isinstance(amount, Decimal):
                amount = Decimal(str(amount))
            revenue[campaign.id] = campaign.company.currency.round(amount)
        result = {}
        if 'reached' in names:
            result['reached'] = reached
        if 'redeemed' in names:
            result['redeemed'] = redeemed
        if 'bookings' in names:
            result['bookings'] = bookings
        if 'revenue' in names:
            result['revenue'] = revenue
        if 'roi' in names:
            result['roi'] = {
                c.id: ((revenue[c.id] - c.budget) / c.budget).quantize(
                    Decimal('0.01'))
                if c.budget and c.sent_date else None
                for c in campaigns}
        return result


class CampaignCategory(ModelSQL):
    "Campaign - tag"
    __name__ = 'beauty.campaign-party.category'
    campaign = fields.Many2One(
        'beauty.campaign', "Campaign", required=True, ondelete='CASCADE')
    category = fields.Many2One(
        'party.category', "Tag", required=True, ondelete='CASCADE')


class CampaignRecipient(ModelSQL, ModelView):
    "Campaign recipient"
    __name__ = 'beauty.campaign.recipient'
    campaign = fields.Many2One(
        'beauty.campaign', "Campaign", required=True, readonly=True,
        ondelete='CASCADE')
    customer = fields.Many2One(
        'party.party', "Customer", required=True, readonly=True,
        ondelete='CASCADE')
    coupon = fields.Many2One(
        'beauty.coupon', "Coupon", readonly=True, ondelete='SET NULL')
    coupon_state = fields.Function(fields.Selection(
            'get_coupon_states', "Coupon State"), 'get_coupon_state')
    notified = fields.Boolean("Message Queued", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.campaign, Index.Range()),
                    (t.customer, Index.Range())),
                })

    @classmethod
    def get_coupon_states(cls):
        pool = Pool()
        Coupon = pool.get('beauty.coupon')
        return [(None, '')] + Coupon.fields_get(
            ['state'])['state']['selection']

    def get_coupon_state(self, name):
        return self.coupon.state if self.coupon else None


class Coupon(metaclass=PoolMeta):
    __name__ = 'beauty.coupon'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['beauty.campaign']


class Notification(metaclass=PoolMeta):
    __name__ = 'beauty.notification'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['beauty.campaign']
