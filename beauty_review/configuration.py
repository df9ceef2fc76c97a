# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Which changes wait for a manager's approval (数据复核设置)."""
from trytond.model import ModelSingleton, ModelSQL, ModelView, fields


class Configuration(ModelSingleton, ModelSQL, ModelView):
    "Data review configuration"
    __name__ = 'beauty.review.configuration'
    __string__ = "Data Review Configuration"

    review_price = fields.Boolean(
        "Review Price Changes",
        help="A change of the price of a service, product or package, or of "
        "the discount or threshold of a member level, waits for a manager's "
        "approval; the old value stays in force until then.")
    review_balance = fields.Boolean(
        "Review Balance Adjustments",
        help="A manual adjustment of a prepaid card's balance waits for "
        "the approval of another manager.")
    review_deletion = fields.Boolean(
        "Review Deletions",
        help="Care records, consultations, care plans and feedback of a "
        "customer are deleted only through an approved deletion request.")
    admin_exempt = fields.Boolean(
        "Administrators Exempt",
        help="Changes made by a salon administrator take effect at once.")

    @classmethod
    def default_review_price(cls):
        return True

    @classmethod
    def default_review_balance(cls):
        return True

    @classmethod
    def default_review_deletion(cls):
        return True

    @classmethod
    def default_admin_exempt(cls):
        return True
