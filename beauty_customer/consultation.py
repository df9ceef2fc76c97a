# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
import datetime as dt

from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, fields, sequence_ordered)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

AREAS = [
    ('face', "Face"),
    ('eyes', "Eyes"),
    ('body', "Body"),
    ('hair', "Hair and scalp"),
    ('hands_feet', "Hands and feet"),
    ('other', "Other"),
    ]
ANSWER_TYPES = [
    ('text', "Text"),
    ('choice', "Choice"),
    ('yes_no', "Yes / No"),
    ('scale', "Scale 1-10"),
    ]


class ConsultationTemplate(DeactivableMixin, ModelSQL, ModelView):
    "A consultation form (问诊表) for one area"
    __name__ = 'beauty.consultation.template'
    name = fields.Char("Name", required=True, translate=True, size=80)
    area = fields.Selection(AREAS, "Area", required=True)
    questions = fields.One2Many(
        'beauty.consultation.template.question', 'template', "Questions")
    notes = fields.Text("Notes", size=1000)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('area', 'ASC'))
        cls._order.insert(1, ('name', 'ASC'))

    @staticmethod
    def default_area():
        return 'face'


class ConsultationTemplateQuestion(sequence_ordered(), ModelSQL, ModelView):
    "A question of a consultation form"
    __name__ = 'beauty.consultation.template.question'
    template = fields.Many2One(
        'beauty.consultation.template', "Template", required=True,
        ondelete='CASCADE')
    question = fields.Char("Question", required=True, translate=True,
        size=200)
    answer_type = fields.Selection(ANSWER_TYPES, "Answer Type", required=True)
    options = fields.Char(
        "Options", size=300, translate=True,
        states={
            'invisible': Eval('answer_type') != 'choice',
            'required': Eval('answer_type') == 'choice',
            },
        help="The possible answers, separated by /.")

    @staticmethod
    def default_answer_type():
        return 'text'


class Consultation(ModelSQL, ModelView):
    "A filled consultation form"
    __name__ = 'beauty.consultation'
    _rec_name = 'number'
    number = fields.Char("Number", readonly=True)
    company = fields.Many2One(
        'company.company', "Store", required=True, ondelete='RESTRICT')
    customer = fields.Many2One(
        'party.party', "Customer", required=True, ondelete='CASCADE')
    template = fields.Many2One(
        'beauty.consultation.template', "Form", required=True,
        ondelete='RESTRICT')
    area = fields.Function(fields.Selection(AREAS, "Area"), 'get_area')
    date = fields.Date("Date", required=True)
    consultant = fields.Many2One(
        'company.employee', "Consultant", ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])
    answers = fields.One2Many(
        'beauty.consultation.answer', 'consultation', "Answers")
    diagnosis = fields.Text("Diagnosis", size=2000)
    recommendation = fields.Text(
        "Recommendation", size=2000,
        help="The services and home care recommended to the customer.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._sql_indexes.update({
                Index(t, (t.customer, Index.Range()),
                    (t.date, Index.Range(order='DESC'))),
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_date():
        return Pool().get('ir.date').today()

    @staticmethod
    def default_consultant():
        return Transaction().context.get('employee')

    def get_area(self, name):
        return self.template.area if self.template else None

    @fields.depends('template', 'answers')
    def on_change_template(self):
        pool = Pool()
        Answer = pool.get('beauty.consultation.answer')
        if not self.template:
            return
        answered = {a.question for a in (self.answers or []) if a.answer}
        answers = [a for a in (self.answers or []) if a.answer]
        for question in self.template.questions:
            if question.question in answered:
                continue
            answers.append(Answer(
                    question=question.question,
                    answer_type=question.answer_type,
                    options=question.options))
        self.answers = answers

    @classmethod
    def create(cls, vlist):
        pool = Pool()
        Sequence = pool.get('ir.sequence')
        ModelData = pool.get('ir.model.data')
        missing = [i for i, v in enumerate(vlist) if not v.get('number')]
        if len(missing) > 1:
            sequence = Sequence(ModelData.get_id(
                    'beauty_customer', 'sequence_consultation'))
            vlist = [v.copy() for v in vlist]
            for i, number in zip(missing, sequence.get_many(len(missing))):
                vlist[i]['number'] = number
        return super().create(vlist)

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Sequence = pool.get('ir.sequence')
        ModelData = pool.get('ir.model.data')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('number'):
            values['number'] = Sequence(ModelData.get_id(
                    'beauty_customer', 'sequence_consultation')).get()
        return values

    @classmethod
    def copy(cls, records, default=None):
        default = default.copy() if default else {}
        default.setdefault('number', None)
        default.setdefault('date', dt.date.today())
        return super().copy(records, default=default)


class ConsultationAnswer(sequence_ordered(), ModelSQL, ModelView):
    "An answer on a consultation form"
    __name__ = 'beauty.consultation.answer'
    consultation = fields.Many2One(
        'beauty.consultation', "Consultation", required=True,
        ondelete='CASCADE')
    question = fields.Char("Question", required=True, size=200)
    answer_type = fields.Selection(
        ANSWER_TYPES, "Answer Type", readonly=True)
    options = fields.Char("Options", readonly=True)
    answer = fields.Char("Answer", size=500)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(Index(t, (t.consultation, Index.Range())))

    @staticmethod
    def default_answer_type():
        return 'text'
