# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""A customer's records are deleted through an approved request (申请删除)."""
from trytond.pool import Pool, PoolMeta


class ReviewedDeletionMixin:
    "Deleted directly by exempt users and approved requests only"
    __slots__ = ()

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        pool = Pool()
        Request = pool.get('beauty.review.request')
        super().check_modification(
            mode, records, values=values, external=external)
        if mode == 'delete' and external:
            Request.check_deletion(records)


class CareRecord(ReviewedDeletionMixin, metaclass=PoolMeta):
    __name__ = 'beauty.care.record'


class Consultation(ReviewedDeletionMixin, metaclass=PoolMeta):
    __name__ = 'beauty.consultation'


class CarePlan(ReviewedDeletionMixin, metaclass=PoolMeta):
    __name__ = 'beauty.care.plan'


class Feedback(ReviewedDeletionMixin, metaclass=PoolMeta):
    __name__ = 'beauty.feedback'


class PartyErase(metaclass=PoolMeta):
    __name__ = 'party.erase'

    def to_erase(self, party_id):
        pool = Pool()
        Request = pool.get('beauty.review.request')
        to_erase = super().to_erase(party_id)
        to_erase.append(
            (Request, [('party', '=', party_id)], False,
                ['record_name', 'reason', 'review_comment'],
                [None, None, None]))
        return to_erase
