# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
from trytond.pool import Pool, PoolMeta


class Rule(metaclass=PoolMeta):
    __name__ = 'ir.rule'

    @classmethod
    def _get_context(cls, model_name):
        """Record rules of every model may use Eval('employees'): the ids of
        the employees the user currently acts as (e.g. a beautician's own
        rosters, the customers she serves)."""
        pool = Pool()
        User = pool.get('res.user')
        context = super()._get_context(model_name)
        context['employees'] = User.get_employees()
        return context

    @classmethod
    def _get_cache_key(cls, model_names):
        pool = Pool()
        User = pool.get('res.user')
        key = super()._get_cache_key(model_names)
        return (*key, User.get_employees())
