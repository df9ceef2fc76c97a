# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"The set-up of a store's checkout also creates the 团购券 payment method"
from beauty_pos.setup import _find, local_name

from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

ACCOUNT_CODE = '1.1.8'
ACCOUNT_NAME = "团购平台待结算 (Group-buy Platform Clearing)"
METHOD_NAME = "团购券 (Group-buy Voucher)"


def setup_groupbuy(company):
    """The clearing account of the platforms and the payment method of kind
    团购券 of the store (once); return the method"""
    pool = Pool()
    Account = pool.get('account.account')
    Method = pool.get('sale.point.payment.method')
    with Transaction().set_context(company=company.id):
        methods = Method.search([
                ('company', '=', company.id),
                ('kind', '=', 'groupbuy'),
                ], limit=1)
        if methods:
            return methods[0]
        account = _find(company, ACCOUNT_CODE)
        if account is None:
            cash = _find(company, '1.1.1')
            if cash is None:
                # the checkout of the store is not set up
                return None
            account = Account(
                company=company, code=ACCOUNT_CODE,
                name=local_name(ACCOUNT_NAME),
                parent=_find(company, '1.1.0') or cash.parent,
                type=cash.type, reconcile=False, party_required=False)
            account.save()
        method = Method(
            company=company, name=local_name(METHOD_NAME), kind='groupbuy',
            cash=False,
            account=account)
        method.save()
        return method


class Setup(metaclass=PoolMeta):
    __name__ = 'beauty.pos.setup'

    def transition_setup(self):
        state = super().transition_setup()
        setup_groupbuy(self.start.company)
        return state
