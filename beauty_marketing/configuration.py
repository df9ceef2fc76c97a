# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Marketing settings: the RFM score thresholds, the segments and the churn
warning."""
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import ModelSingleton, ModelSQL, ModelView, fields

from .exceptions import ConfigurationError


def _int(string, help=''):
    return fields.Integer(string, required=True, help=help)


class Configuration(ModelSingleton, ModelSQL, ModelView):
    "Marketing configuration"
    __name__ = 'beauty.marketing.configuration'

    # Recency: days since the last visit; at most r5 days gives R=5 ...
    recency_5 = _int("R=5 Within Days",
        help="A last visit at most this many days ago scores R=5.")
    recency_4 = _int("R=4 Within Days")
    recency_3 = _int("R=3 Within Days")
    recency_2 = _int("R=2 Within Days",
        help="Beyond this the recency score is 1.")
    # Frequency: number of visits; at least f5 visits gives F=5 ...
    frequency_5 = _int("F=5 From Visits",
        help="At least this many visits score F=5.")
    frequency_4 = _int("F=4 From Visits")
    frequency_3 = _int("F=3 From Visits")
    frequency_2 = _int("F=2 From Visits",
        help="Fewer visits score F=1.")
    # Monetary: total spent
    monetary_5 = fields.Numeric("M=5 From Amount", digits=(16, 2),
        required=True, help="Spending at least this amount scores M=5.")
    monetary_4 = fields.Numeric("M=4 From Amount", digits=(16, 2),
        required=True)
    monetary_3 = fields.Numeric("M=3 From Amount", digits=(16, 2),
        required=True)
    monetary_2 = fields.Numeric("M=2 From Amount", digits=(16, 2),
        required=True, help="Spending less scores M=1.")
    # Segments
    new_days = _int("New Within Days",
        help="A customer whose first visit is this recent is new.")
    sleeping_days = _int("Sleeping After Days",
        help="A customer not seen for more days is sleeping (沉睡).")
    lost_days = _int("Lost After Days",
        help="A customer not seen for more days is lost.")
    high_value_amount = fields.Numeric(
        "High Value From Amount", digits=(16, 2), required=True,
        help="An active customer who spent at least this amount is of "
        "high value.")
    # Churn warning
    churn_factor = fields.Numeric(
        "Overdue Factor", digits=(16, 2), required=True,
        help="A customer is overdue when the days since her last visit "
        "exceed her usual interval times this factor.")
    churn_min_visits = _int("Visits for Own Cadence",
        help="With fewer visits the fixed number of days applies.")
    churn_days = _int("Overdue After Days",
        help="The fixed overdue delay of customers with few visits.")
    attribution_days = _int("Attribution Window",
        help="The days after a campaign is sent during which the bookings "
        "and sales of the customers reached are attributed to it.")
    survey_days = _int("Survey Valid Days",
        help="The days a satisfaction survey link can be answered.")
    birthday_days = _int("Birthday Care Days Before",
        help="The greeting and coupon go out this many days before the "
        "birthday.")
    birthday_coupon = fields.Many2One(
        'beauty.coupon.template', "Birthday Coupon", ondelete='SET NULL',
        help="Issued to each customer (with marketing consent) before her "
        "birthday.")
    birthday_message = fields.Text(
        "Birthday Message", size=500,
        help="{customer} and {coupon} are replaced.")
    care_cycle_window = _int("Care Reminder Window",
        help="A care-cycle reminder is sent from the day a service's cycle "
        "has passed since her last one until this many days later; later "
        "than that she is left to the churn warning.")
    care_cycle_message = fields.Text(
        "Care Reminder Message", size=500,
        help="Sent when a service's care cycle has passed (empty: only a "
        "task for the front desk); {customer}, {service}, {date} (her last "
        "one) and {days} are replaced.")
    referrer_coupon = fields.Many2One(
        'beauty.coupon.template', "Referrer's Coupon", ondelete='SET NULL',
        help="Issued to the customer who recommended a new customer, when "
        "the new customer first pays.")
    referrer_points = fields.Integer(
        "Referrer's Points",
        help="Points given to the customer who recommended a new customer, "
        "when the new customer first pays.")
    referred_coupon = fields.Many2One(
        'beauty.coupon.template', "New Customer's Coupon",
        ondelete='SET NULL',
        help="Issued to a recommended customer when she first pays.")
    referred_points = fields.Integer(
        "New Customer's Points",
        help="Points given to a recommended customer when she first pays.")

    @classmethod
    def default_recency_5(cls):
        return 30

    @classmethod
    def default_recency_4(cls):
        return 60

    @classmethod
    def default_recency_3(cls):
        return 90

    @classmethod
    def default_recency_2(cls):
        return 180

    @classmethod
    def default_frequency_5(cls):
        return 20

    @classmethod
    def default_frequency_4(cls):
        return 10

    @classmethod
    def default_frequency_3(cls):
        return 5

    @classmethod
    def default_frequency_2(cls):
        return 2

    @classmethod
    def default_monetary_5(cls):
        return Decimal(10000)

    @classmethod
    def default_monetary_4(cls):
        return Decimal(5000)

    @classmethod
    def default_monetary_3(cls):
        return Decimal(2000)

    @classmethod
    def default_monetary_2(cls):
        return Decimal(500)

    @classmethod
    def default_new_days(cls):
        return 30

    @classmethod
    def default_sleeping_days(cls):
        return 90

    @classmethod
    def default_lost_days(cls):
        return 180

    @classmethod
    def default_high_value_amount(cls):
        return Decimal(5000)

    @classmethod
    def default_churn_factor(cls):
        return Decimal('1.5')

    @classmethod
    def default_churn_min_visits(cls):
        return 3

    @classmethod
    def default_churn_days(cls):
        return 60

    @classmethod
    def default_attribution_days(cls):
        return 30

    @classmethod
    def default_survey_days(cls):
        return 7

    @classmethod
    def default_birthday_days(cls):
        return 3

    @classmethod
    def default_birthday_message(cls):
        return ("{customer}您好，生日将至，祝您生日快乐！"
            "送您生日券 {coupon}，期待您的光临。")

    @classmethod
    def default_care_cycle_window(cls):
        return 30

    @classmethod
    def default_care_cycle_message(cls):
        return ("{customer}您好，您上次做{service}是{date}，已经{days}天了，"
            "按护理周期该做下一次护理啦，欢迎预约。")

    @classmethod
    def default_referrer_points(cls):
        return 0

    @classmethod
    def default_referred_points(cls):
        return 0

    @classmethod
    def validate_fields(cls, configurations, field_names):
        super().validate_fields(configurations, field_names)
        for config in configurations:
            config.check_thresholds()

    def _increasing(self, names):
        values = [getattr(self, n) for n in names]
        if any(v is None for v in values):
            return
        for (low_name, low), (high_name, high) in zip(
                zip(names, values), zip(names[1:], values[1:])):
            if not low < high:
                raise ConfigurationError(gettext(
                        'beauty_marketing.msg_threshold_order',
                        low=self.__names__(low_name)['field'],
                        high=self.__names__(high_name)['field']))

    def check_thresholds(self):
        for name in [
                'recency_5', 'frequency_2', 'monetary_2', 'new_days',
                'sleeping_days', 'churn_days', 'churn_min_visits',
                'attribution_days', 'survey_days']:
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ConfigurationError(gettext(
                        'beauty_marketing.msg_threshold_positive',
                        field=self.__names__(name)['field']))
        for name in [
                'birthday_days', 'care_cycle_window', 'referrer_points',
                'referred_points']:
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ConfigurationError(gettext(
                        'beauty_marketing.msg_threshold_not_negative',
                        field=self.__names__(name)['field']))
        if self.churn_factor is not None and self.churn_factor < 1:
            raise ConfigurationError(gettext(
                    'beauty_marketing.msg_churn_factor',
                    field=self.__names__('churn_factor')['field']))
        if self.high_value_amount is not None and self.high_value_amount < 0:
            raise ConfigurationError(gettext(
                    'beauty_marketing.msg_threshold_positive',
                    field=self.__names__('high_value_amount')['field']))
        self._increasing(
            ['recency_5', 'recency_4', 'recency_3', 'recency_2'])
        self._increasing(
            ['frequency_2', 'frequency_3', 'frequency_4', 'frequency_5'])
        self._increasing(
            ['monetary_2', 'monetary_3', 'monetary_4', 'monetary_5'])
        self._increasing(['new_days', 'sleeping_days', 'lost_days'])
