# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
from trytond.pool import Pool, PoolMeta


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.extend([
                ('beauty.package|cron_expire', "Expire Treatment Packages"),
                ('beauty.coupon|cron_expire', "Expire Coupons"),
                ])


class Rule(metaclass=PoolMeta):
    __name__ = 'ir.rule'

    @classmethod
    def _get_context(cls, model_name):
        """Eval('employees'): the employees the user acts as (a beautician
        sees her own commission only). beauty_hr provides the same key."""
        pool = Pool()
        User = pool.get('res.user')
        context = super()._get_context(model_name)
        context.setdefault('employees', User.get_employees())
        return context

    @classmethod
    def _get_cache_key(cls, model_names):
        pool = Pool()
        User = pool.get('res.user')
        key = super()._get_cache_key(model_names)
        return (*key, User.get_employees())
