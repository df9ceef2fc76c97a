# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
import datetime as dt

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import FeedbackError

KINDS = [
    ('complaint', "Complaint"),
    ('suggestion', "Suggestion"),
    ('praise', "Praise"),
    ]
CHANNELS = [
    ('store', "In store"),
    ('phone', "Phone"),
    ('wechat', "WeChat"),
    ('online', "Online review"),
    ('survey', "Survey"),
    ]
SATISFACTION = [
    (None, ""),
    ('1', "Very dissatisfied"),
    ('2', "Dissatisfied"),
    ('3', "Neutral"),
    ('4', "Satisfied"),
    ('5', "Very satisfied"),
    ]
STATES = [
    ('open', "Open"),
    ('in_progress', "In Progress"),
    ('resolved', "Resolved"),
    ('cancelled', "Cancelled"),
    ]


class Feedback(Workflow, ModelSQL, ModelView):
    "Customer feedback or complaint (意见/投诉)"
    __name__ = 'beauty.feedback'
    _rec_name = 'subject'
    _states = {'readonly': Eval('state').in_(['resolved', 'cancelled'])}
    company = fields.Many2One(
        'company.company', "Store", required=True, ondelete='RESTRICT',
        states=_states)
    customer = fields.Many2One(
        'party.party', "Customer", required=True, ondelete='CASCADE',
        states=_states)
    date = fields.DateTime("Received", required=True, states=_states)
    kind = fields.Selection(KINDS, "Type", required=True, states=_states)
    channel = fields.Selection(CHANNELS, "Channel", states=_states)
    subject = fields.Char("Subject", required=True, size=100, states=_states)
    description = fields.Text("Description", size=4000, states=_states)
    employee = fields.Many2One(
        'company.employee', "Staff Concerned", ondelete='RESTRICT',
        states=_states,
        help="The employee the feedback is about, if any.")
    handler = fields.Many2One(
        'res.user', "Handler", ondelete='RESTRICT', states=_states)
    resolution = fields.Text(
        "Resolution", size=4000,
        states={
            'readonly': Eval('state').in_(['resolved', 'cancelled']),
            'required': Eval('state') == 'resolved',
            })
    satisfaction = fields.Selection(
        SATISFACTION, "Customer Satisfaction",
        help="How satisfied the customer is with the resolution.")
    resolved_date = fields.DateTime("Resolved", readonly=True)
    state = fields.Selection(STATES, "State", readonly=True, required=True)
    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._sql_indexes.update({
                Index(t, (t.customer, Index.Range())),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state.in_(['open', 'in_progress'])),
                })
        cls._transitions |= {
            ('open', 'in_progress'),
            ('open', 'resolved'),
            ('in_progress', 'resolved'),
            ('open', 'cancelled'),
            ('in_progress', 'cancelled'),
            ('resolved', 'in_progress'),
            }
        cls._buttons.update({
                'start': {
                    'invisible': Eval('state') != 'open',
                    'depends': ['state'],
                    },
                'resolve': {
                    'invisible': ~Eval('state').in_(['open', 'in_progress']),
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(['open', 'in_progress']),
                    'depends': ['state'],
                    },
                'reopen': {
                    'invisible': Eval('state') != 'resolved',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_date():
        return dt.datetime.now()

    @staticmethod
    def default_kind():
        return 'complaint'

    @staticmethod
    def default_channel():
        return 'store'

    @staticmethod
    def default_state():
        return 'open'

    @staticmethod
    def default_handler():
        return Transaction().user or None

    @classmethod
    @ModelView.button
    @Workflow.transition('in_progress')
    def start(cls, feedbacks):
        user = Transaction().user
        cls.write(
            [f for f in feedbacks if not f.handler], {'handler': user})

    @classmethod
    @ModelView.button
    @Workflow.transition('resolved')
    def resolve(cls, feedbacks):
        for feedback in feedbacks:
            if not (feedback.resolution or '').strip():
                raise FeedbackError(gettext(
                        'beauty_customer.msg_feedback_resolution_required',
                        feedback=feedback.rec_name))
        cls.write(feedbacks, {'resolved_date': dt.datetime.now()})

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, feedbacks):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('in_progress')
    def reopen(cls, feedbacks):
        cls.write(feedbacks, {'resolved_date': None})

    @classmethod
    def check_modification(cls, mode, feedbacks, values=None, external=False):
        super().check_modification(
            mode, feedbacks, values=values, external=external)
        if mode == 'delete':
            for feedback in feedbacks:
                if feedback.state != 'open':
                    raise FeedbackError(gettext(
                            'beauty_customer.msg_feedback_delete_open',
                            feedback=feedback.rec_name))
