# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
from trytond.pool import PoolMeta


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.extend([
                ('beauty.customer.rfm|cron_refresh',
                    "Refresh Customer RFM Scores"),
                ('beauty.survey|cron_create',
                    "Create Satisfaction Surveys"),
                ('beauty.marketing.followup|cron_create',
                    "Create Follow-up Tasks and Birthday Care"),
                ('beauty.marketing.followup|cron_care_cycle',
                    "Send Care-cycle Reminders"),
                ('beauty.marketing.holiday|cron_launch',
                    "Launch Holiday Promotions"),
                ])
