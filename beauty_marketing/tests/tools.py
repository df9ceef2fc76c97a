# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"Set-up shared by the scenarios of beauty_marketing (through proteus)"
import datetime as dt
from decimal import Decimal

from proteus import Model


def sell(salon, customer, days_ago, items, config=None):
    """A done sale to the customer days_ago days ago of items [(product,
    quantity)], paid cash; returns it"""
    Sale = Model.get('sale.point.sale', config=config)
    sale = Sale(point=salon.point, customer=customer)
    sale.date = dt.date.today() - dt.timedelta(days=days_ago)
    for product, quantity in items:
        line = sale.lines.new()
        line.product = product
        line.quantity = quantity
        line.employees.new(employee=salon.beautician)
    payment = sale.payments.new(method=salon.methods['cash'])
    payment.amount = sale.total
    sale.click('process')
    assert sale.state == 'done', sale.state
    return sale


def refresh_rfm(config=None):
    "Run the RFM cron once"
    Cron = Model.get('ir.cron', config=config)
    cron, = Cron.find([
            ('method', '=', 'beauty.customer.rfm|cron_refresh')])
    cron.click('run_once')


def set_thresholds(config=None, **values):
    "Small thresholds for hand-computed data sets"
    Configuration = Model.get('beauty.marketing.configuration', config=config)
    configuration = Configuration(1)
    defaults = dict(
        recency_5=10, recency_4=30, recency_3=60, recency_2=120,
        frequency_2=2, frequency_3=3, frequency_4=4, frequency_5=6,
        monetary_2=Decimal(300), monetary_3=Decimal(600),
        monetary_4=Decimal(1000), monetary_5=Decimal(2000),
        new_days=20, sleeping_days=90, lost_days=180,
        high_value_amount=Decimal(1000),
        churn_factor=Decimal('1.5'), churn_min_visits=3, churn_days=60)
    defaults.update(values)
    for name, value in defaults.items():
        setattr(configuration, name, value)
    configuration.save()
    return configuration
