# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
from trytond.pool import Pool, PoolMeta


class Erase(metaclass=PoolMeta):
    __name__ = 'party.erase'

    def to_erase(self, party_id):
        "Her words: the comments of her surveys, the notes of her follow-ups"
        pool = Pool()
        Survey = pool.get('beauty.survey')
        FollowUp = pool.get('beauty.marketing.followup')
        to_erase = super().to_erase(party_id)
        to_erase.extend([
                (Survey, [('customer', '=', party_id)], True,
                    ['comment'], [None]),
                (FollowUp, [('customer', '=', party_id)], True,
                    ['notes'], [None]),
                ])
        return to_erase
