# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Referral rewards (推荐有礼): when a customer recommended by another
(her "Referred By", beauty_customer) first pays, both get the reward of the
configuration (a coupon and/or points), exactly once.

"First pays": the checkout of her first done sale with a positive total
(not a return). The reward is granted when that sale is processed; a later
sale never grants it again, even if the first one is returned (the reward
stays) and the purchase redone; a unique key on the new customer guards it
against two checkouts at once. So the referrer must be recorded before her
first checkout. No message is sent: the rewards show on both customers'
forms and the coupons at the checkout."""
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import without_check_access

from .rfm import SALE_DONE


class ReferralReward(ModelSQL, ModelView):
    "Referral reward"
    __name__ = 'beauty.referral.reward'
    __string__ = "Referral Reward"
    referred = fields.Many2One(
        'party.party', "New Customer", required=True, readonly=True,
        ondelete='RESTRICT',
        help="The customer who was recommended.")
    referrer = fields.Many2One(
        'party.party', "Referred By", required=True, readonly=True,
        ondelete='RESTRICT',
        help="The customer who recommended her.")
    company = fields.Many2One(
        'company.company', "Store", required=True, readonly=True,
        ondelete='CASCADE')
    sale = fields.Many2One(
        'sale.point.sale', "First Sale", readonly=True, ondelete='SET NULL')
    date = fields.Date("Date", required=True, readonly=True)
    referrer_coupon = fields.Many2One(
        'beauty.coupon', "Referrer's Coupon", readonly=True,
        ondelete='SET NULL')
    referrer_points = fields.Integer("Referrer's Points", readonly=True)
    referred_coupon = fields.Many2One(
        'beauty.coupon', "New Customer's Coupon", readonly=True,
        ondelete='SET NULL')
    referred_points = fields.Integer(
        "New Customer's Points", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._sql_constraints += [
            ('referred_uniq', Unique(t, t.referred),
                'beauty_marketing.msg_referral_once'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.referrer, Index.Range())),
                })

    def get_rec_name(self, name):
        return '%s → %s' % (self.referrer.rec_name, self.referred.rec_name)

    @classmethod
    def _first_paid(cls, sale):
        "Whether the sale is the first paid sale of its customer"
        pool = Pool()
        Sale = pool.get('sale.point.sale')
        if (sale.state not in SALE_DONE or sale.returned_sale
                or not sale.customer or not (sale.total > 0)):
            return False
        earlier = Sale.search([
                ('customer', '=', sale.customer.id),
                ('state', 'in', SALE_DONE),
                ('returned_sale', '=', None),
                ('id', '!=', sale.id),
                ('date', '<=', sale.date),
                ])
        return not any(
            s.total > 0 and (s.date, s.id) < (sale.date, sale.id)
            for s in earlier)

    @classmethod
    def grant(cls, sales):
        """Reward the referrer and the customer of each sale that is the
        customer's first paid one, if she has a referrer and no reward yet;
        return the rewards"""
        pool = Pool()
        Coupon = pool.get('beauty.coupon')
        Points = pool.get('beauty.points.line')
        Configuration = pool.get('beauty.marketing.configuration')
        config = Configuration(1)
        if not (config.referrer_coupon or config.referred_coupon
                or config.referrer_points or config.referred_points):
            return []
        candidates = {}
        for sale in sales:
            customer = sale.customer
            if (not customer or not customer.referrer
                    or customer.referrer == customer
                    or customer.id in candidates):
                continue
            if cls._first_paid(sale):
                candidates[customer.id] = sale
        if not candidates:
            return []
        done = {r.referred.id for r in cls.search([
                    ('referred', 'in', list(candidates)),
                    ])}
        sales = [s for c, s in candidates.items() if c not in done]
        if not sales:
            return []
        rewards = cls.create([{
                    'referred': s.customer.id,
                    'referrer': s.customer.referrer.id,
                    'company': s.company.id,
                    'sale': s.id,
                    'date': s.date,
                    'referrer_points': config.referrer_points or 0,
                    'referred_points': config.referred_points or 0,
                    } for s in sales])
        to_write = []
        for side in ['referrer', 'referred']:
            template = getattr(config, '%s_coupon' % side)
            if not template:
                continue
            for reward in rewards:
                coupon, = Coupon.issue(
                    template, [getattr(reward, side)], date=reward.date,
                    origin=reward)
                to_write.extend(([reward], {'%s_coupon' % side: coupon.id}))
        if to_write:
            cls.write(*to_write)
        entries = []
        for reward in rewards:
            for side in ['referrer', 'referred']:
                points = getattr(reward, '%s_points' % side)
                if points:
                    entries.append({
                            'customer': getattr(reward, side).id,
                            'company': reward.company.id,
                            'date': reward.date,
                            'type': 'referral',
                            'points': points,
                            'description': reward.rec_name,
                            })
        Points.post(entries)
        return rewards


class Sale(metaclass=PoolMeta):
    __name__ = 'sale.point.sale'

    @classmethod
    def _tender_locks(cls, sales):
        "Lock the referrers too: they may get points"
        pool = Pool()
        Party = pool.get('party.party')
        locks = super()._tender_locks(sales)
        referrers = {s.customer.referrer.id for s in sales
            if s.customer and s.customer.referrer and not s.returned_sale}
        if referrers:
            locks.append((Party, sorted(referrers)))
        return locks

    @classmethod
    def do(cls, sales):
        pool = Pool()
        Reward = pool.get('beauty.referral.reward')
        super().do(sales)
        sales = cls.browse([s.id for s in sales])
        with without_check_access():
            Reward.grant(sales)


class PointsLine(metaclass=PoolMeta):
    __name__ = 'beauty.points.line'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.type.selection.append(('referral', "Referral Reward"))


class Coupon(metaclass=PoolMeta):
    __name__ = 'beauty.coupon'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['beauty.referral.reward']


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'
    referral_rewards = fields.One2Many(
        'beauty.referral.reward', 'referrer', "Rewards for Referrals",
        readonly=True,
        help="The rewards she got for recommending new customers.")
    referred_rewards = fields.One2Many(
        'beauty.referral.reward', 'referred', "Welcome Reward",
        readonly=True,
        help="The reward she got as a recommended customer.")

    @classmethod
    def copy(cls, parties, default=None):
        default = default.copy() if default else {}
        default.setdefault('referral_rewards')
        default.setdefault('referred_rewards')
        return super().copy(parties, default=default)
