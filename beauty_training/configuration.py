# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Training and appraisal settings: the certificate numbers, the rebooking
window and the weights of the appraisal's total score."""
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import ModelSingleton, ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Id

from .exceptions import ConfigurationError

WEIGHTS = [
    'weight_performance', 'weight_satisfaction', 'weight_rebooking',
    'weight_manager']


def _weight(string, help):
    return fields.Integer(string, required=True, help=help)


class Configuration(ModelSingleton, ModelSQL, ModelView):
    "Training and appraisal configuration"
    __name__ = 'beauty.training.configuration'
    __string__ = "Training and Appraisal Configuration"
    certificate_sequence = fields.Many2One(
        'ir.sequence', "Certificate Sequence", required=True,
        domain=[
            ('sequence_type', '=',
                Id('beauty_training', 'sequence_type_certificate')),
            ],
        help="Numbers the certificates issued by the training sessions.")
    rebooking_days = fields.Integer(
        "Rebooking Window (Days)", required=True,
        help="A customer served by the employee in the period counts as "
        "rebooked when she comes back or books again (a checkout or an "
        "appointment not cancelled) within this many days after her first "
        "visit with the employee in the period.")
    performance_target = fields.Numeric(
        "Monthly Consumption Target", digits=(16, 2),
        help="The consumption performance (实耗业绩) expected of an employee "
        "in a month (three times for a quarter); it scores 100. "
        "Empty: the performance is not scored.")
    weight_performance = _weight("Weight of Performance",
        "The weight of the performance score: consumption performance / "
        "target x 100, at most 100.")
    weight_satisfaction = _weight("Weight of Satisfaction",
        "The weight of the satisfaction score: average survey rating "
        "(1 to 5) x 20.")
    weight_rebooking = _weight("Weight of Rebooking",
        "The weight of the rebooking score: rebooking rate x 100.")
    weight_manager = _weight("Weight of Manager Scores",
        "The weight of the average of the manager's scores (professional "
        "skills, service attitude, teamwork).")
    complaint_penalty = fields.Numeric(
        "Points per Complaint", digits=(16, 2), required=True,
        help="Deducted from the total score for each complaint naming the "
        "employee in the period.")

    @classmethod
    def default_certificate_sequence(cls):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id(
                'beauty_training', 'sequence_certificate')
        except KeyError:
            return None

    @classmethod
    def default_rebooking_days(cls):
        return 30

    @classmethod
    def default_weight_performance(cls):
        return 20

    @classmethod
    def default_weight_satisfaction(cls):
        return 20

    @classmethod
    def default_weight_rebooking(cls):
        return 10

    @classmethod
    def default_weight_manager(cls):
        return 50

    @classmethod
    def default_complaint_penalty(cls):
        return Decimal(5)

    @classmethod
    def validate_fields(cls, records, field_names):
        super().validate_fields(records, field_names)
        for record in records:
            for name in WEIGHTS + ['complaint_penalty']:
                value = getattr(record, name)
                if value is not None and value < 0:
                    raise ConfigurationError(gettext(
                            'beauty_training.msg_configuration_negative',
                            field=cls.__names__(name)['field']))
            if record.rebooking_days is not None and (
                    record.rebooking_days < 1):
                raise ConfigurationError(gettext(
                        'beauty_training.msg_configuration_positive',
                        field=cls.__names__('rebooking_days')['field']))
            if record.performance_target is not None and (
                    record.performance_target <= 0):
                raise ConfigurationError(gettext(
                        'beauty_training.msg_configuration_positive',
                        field=cls.__names__('performance_target')['field']))
            if not sum(getattr(record, n) or 0 for n in WEIGHTS):
                raise ConfigurationError(gettext(
                        'beauty_training.msg_configuration_weights'))
