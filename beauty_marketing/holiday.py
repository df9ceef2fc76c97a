# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Holiday promotions (节日营销): a calendar of holidays (三八妇女节, 母亲节,
七夕, 双十一, 春节...), each with the template of its campaign (target,
channel, message, coupon, budget); N days before the holiday a daily cron
creates the campaign and sends it (campaign.Campaign.send: marketing
consent applies), once per holiday and year.

A holiday on the same day every year (3-8, 11-11) repeats by itself; the
date of a lunar or moving holiday (春节, 七夕, 母亲节) is set each year."""
import datetime as dt
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import DeactivableMixin, ModelSQL, ModelView, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool
from trytond.pyson import Bool, Eval
from trytond.transaction import Transaction

from .campaign import CHANNELS
from .exceptions import HolidayValidationError
from .rfm import SEGMENTS


def _on(day, year):
    "The day in the year (29 February: the 28th in other years)"
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


class Holiday(DeactivableMixin, ModelSQL, ModelView):
    "Holiday promotion"
    __name__ = 'beauty.marketing.holiday'
    __string__ = "Holiday Promotion"
    name = fields.Char("Holiday", required=True)
    company = fields.Many2One(
        'company.company', "Store", required=True, ondelete='CASCADE')
    date = fields.Date(
        "Date", required=True,
        help="The day of the holiday; for a lunar or moving holiday, "
        "this year's date.")
    yearly = fields.Boolean(
        "Same Day Every Year",
        help="Repeats on the same day every year (三八 3-8, 双十一 11-11); "
        "leave unticked for a lunar or moving holiday and set its date "
        "each year.")
    days_before = fields.Integer(
        "Launch Days Before", required=True,
        help="The campaign is created and sent this many days before the "
        "holiday.")
    days_after = fields.Integer(
        "Runs Days After", required=True,
        help="The campaign ends this many days after the holiday.")
    segment = fields.Selection(
        [(None, "All Segments")] + SEGMENTS, "Target Segment")
    tags = fields.Many2Many(
        'beauty.marketing.holiday-party.category', 'holiday', 'category',
        "Target Tags",
        help="Only the customers with one of these tags are targeted "
        "(empty: any).")
    channel = fields.Selection(CHANNELS, "Channel")
    message = fields.Text(
        "Message", size=500,
        states={
            'required': Bool(Eval('channel')),
            },
        help="The text sent; {customer}, {coupon} and {expiry} are replaced.")
    coupon_template = fields.Many2One(
        'beauty.coupon.template', "Coupon", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])
    budget = Monetary(
        "Budget", currency='currency', digits='currency', required=True)
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')
    next_date = fields.Function(
        fields.Date("Next Date"), 'get_next_date')
    campaigns = fields.One2Many(
        'beauty.campaign', 'holiday', "Campaigns", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_yearly():
        return False

    @staticmethod
    def default_days_before():
        return 7

    @staticmethod
    def default_days_after():
        return 0

    @staticmethod
    def default_budget():
        return Decimal(0)

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    def occurrence(self, date):
        "The day of the holiday on or after date, None if passed"
        if self.yearly:
            day = _on(self.date, date.year)
            if day < date:
                day = _on(self.date, date.year + 1)
            return day
        return self.date if self.date >= date else None

    def get_next_date(self, name):
        pool = Pool()
        Date = pool.get('ir.date')
        return self.occurrence(Date.today())

    @classmethod
    def validate_fields(cls, holidays, field_names):
        super().validate_fields(holidays, field_names)
        for holiday in holidays:
            for name in ['days_before', 'days_after', 'budget']:
                value = getattr(holiday, name)
                if value is not None and value < 0:
                    raise HolidayValidationError(gettext(
                            'beauty_marketing.msg_holiday_negative',
                            holiday=holiday.rec_name,
                            field=cls.__names__(name)['field']))
            if not holiday.channel and not holiday.coupon_template:
                raise HolidayValidationError(gettext(
                        'beauty_marketing.msg_holiday_nothing',
                        holiday=holiday.rec_name,
                        channel=cls.__names__('channel')['field'],
                        coupon=cls.__names__('coupon_template')['field']))

    def campaign_values(self, date, day):
        "The values of the campaign of the holiday on day, launched on date"
        return {
            'name': '%s %s' % (self.name, day.year),
            'company': self.company.id,
            'segment': self.segment,
            'tags': [('add', [t.id for t in self.tags])],
            'channel': self.channel,
            'message': self.message,
            'coupon_template': (
                self.coupon_template.id if self.coupon_template else None),
            'budget': self.budget,
            'start_date': date,
            'end_date': day + dt.timedelta(days=self.days_after),
            'holiday': self.id,
            'holiday_date': day,
            }

    @classmethod
    def launch(cls):
        """Create and send the campaign of each holiday (of the store in
        the context, if any) due today: from its launch day to the
        holiday, once per holiday and day; return the campaigns."""
        pool = Pool()
        Date = pool.get('ir.date')
        Campaign = pool.get('beauty.campaign')
        today = Date.today()
        domain = []
        company = Transaction().context.get('company')
        if company is not None:
            domain.append(('company', '=', company))
        to_launch = {}
        for holiday in cls.search(domain):
            day = holiday.occurrence(today)
            if day is None:
                continue
            if day - dt.timedelta(days=holiday.days_before) <= today:
                to_launch[(holiday.id, day)] = holiday
        if not to_launch:
            return []
        done = {(c.holiday.id, c.holiday_date) for c in Campaign.search([
                    ('holiday', 'in', [k[0] for k in to_launch]),
                    ])}
        vlist = [h.campaign_values(today, day)
            for (_, day), h in to_launch.items()
            if (h.id, day) not in done]
        if not vlist:
            return []
        campaigns = Campaign.create(vlist)
        Campaign.send(campaigns)
        return campaigns

    @classmethod
    def cron_launch(cls):
        "Daily: launch the holiday campaigns due"
        cls.launch()


class HolidayCategory(ModelSQL):
    "Holiday - tag"
    __name__ = 'beauty.marketing.holiday-party.category'
    holiday = fields.Many2One(
        'beauty.marketing.holiday', "Holiday", required=True,
        ondelete='CASCADE')
    category = fields.Many2One(
        'party.category', "Tag", required=True, ondelete='CASCADE')
