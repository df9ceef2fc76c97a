# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""beauty_pos under review: package prices, member levels and the manual
adjustment of a prepaid card."""
from trytond.pool import Pool, PoolMeta
from trytond.wizard import StateAction

from .product import ReviewedPriceMixin
from .review import review_on


class PackageTemplate(ReviewedPriceMixin, metaclass=PoolMeta):
    __name__ = 'beauty.package.template'
    _review_price_fields = {
        'price': 'money',
        }

    def _review_company(self):
        return self.company.id if self.company else None


class MemberLevel(ReviewedPriceMixin, metaclass=PoolMeta):
    __name__ = 'beauty.member.level'
    _review_price_fields = {
        'discount': 'rate',
        'upgrade_threshold': 'money',
        }


class CardAdjust(metaclass=PoolMeta):
    __name__ = 'beauty.member.card.adjust'
    review_request = StateAction('beauty_review.act_request_form')

    def transition_adjust(self):
        pool = Pool()
        Request = pool.get('beauty.review.request')
        if not review_on('balance', external=True):
            return super().transition_adjust()
        self._review_requests = [Request.request_adjustment(
                self.record, self.start.part, self.start.amount,
                self.start.reason)]
        return 'review_request'

    def transition_review_request(self):
        return 'end'

    def do_review_request(self, action):
        action['domain'] = [
            ('id', 'in', [r.id for r in self._review_requests])]
        return action, {}
