# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Review requests (复核申请): a price change, a manual balance adjustment of
a prepaid card or the deletion of a customer's record waits for a manager.

The models that are reviewed call ``Request.intercept_write`` (prices) or
``Request.check_deletion`` (deletions); the card adjustment wizard files a
request with ``Request.request_adjustment``. Approving applies the change at
that moment, with the ``APPLY`` context key, after checking that the record
is still as it was when the request was made. Requests are never deleted.
"""
import datetime as dt
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool
from trytond.pyson import Bool, Eval
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import (
    Button, StateAction, StateTransition, StateView, Wizard)

from .exceptions import (
    DeletionReviewError, PriceReviewWarning, ReviewError, StaleRequestError)

# The context key under which an approved request applies its change
APPLY = '_beauty_review_apply'

KINDS = [
    ('price', "Price Change"),
    ('balance', "Balance Adjustment"),
    ('deletion', "Deletion"),
    ]
STATES = [
    ('pending', "Pending"),
    ('approved', "Approved"),
    ('rejected', "Rejected"),
    ('cancelled', "Cancelled"),
    ]
PARTS = [
    (None, ""),
    ('principal', "Principal"),
    ('bonus', "Bonus"),
    ]
# The models whose records a request can concern
MODELS = [
    'product.template', 'product.product', 'beauty.package.template',
    'beauty.member.level', 'beauty.member.card', 'beauty.care.record',
    'beauty.consultation', 'beauty.care.plan', 'beauty.feedback',
    ]
DELETION_MODELS = [
    'beauty.care.record', 'beauty.consultation', 'beauty.care.plan',
    'beauty.feedback',
    ]


def _user_groups():
    pool = Pool()
    User = pool.get('res.user')
    return set(User.get_groups())


def is_reviewer():
    "Whether the user may decide requests (manager or salon administrator)"
    pool = Pool()
    ModelData = pool.get('ir.model.data')
    if not Transaction().user:
        return True
    return bool(_user_groups() & {
            ModelData.get_id('beauty_customer', 'group_manager'),
            ModelData.get_id('beauty_customer', 'group_salon_admin'),
            })


def is_exempt(external=None):
    """Whether the current change takes effect without review: root,
    server-side code (no access check), the application of an approved
    request and, if so configured, the administrators.
    external: whether the change comes from the user (the external argument
    of check_modification); None for the access check of the transaction"""
    pool = Pool()
    Configuration = pool.get('beauty.review.configuration')
    ModelData = pool.get('ir.model.data')
    transaction = Transaction()
    if external is None:
        external = transaction.check_access
    if not transaction.user or not external:
        return True
    if transaction.context.get(APPLY):
        return True
    with without_check_access():
        if Configuration(1).admin_exempt:
            admin = ModelData.get_id('res', 'group_admin')
            if admin in _user_groups():
                return True
    return False


def review_on(kind, external=None):
    "Whether a change of the kind by the current user waits for review"
    pool = Pool()
    Configuration = pool.get('beauty.review.configuration')
    if is_exempt(external):
        return False
    with without_check_access():
        return bool(getattr(Configuration(1), 'review_%s' % kind))


def _decimal(value):
    if value is None:
        return None
    return Decimal(str(value))


class Request(Workflow, ModelSQL, ModelView):
    "Review request (复核申请)"
    __name__ = 'beauty.review.request'
    __string__ = "Review Request"
    _rec_name = 'record_name'

    company = fields.Many2One(
        'company.company', "Store", required=True, readonly=True,
        ondelete='RESTRICT')
    kind = fields.Selection(KINDS, "Kind", required=True, readonly=True)
    record = fields.Reference(
        "Record", selection='get_models', readonly=True,
        help="The record the request is about (empty once deleted).")
    model = fields.Char("Model", required=True, readonly=True)
    model_string = fields.Function(fields.Char("Type"), 'get_model_string')
    record_name = fields.Char(
        "Record Name", readonly=True,
        help="The name of the record when the request was made.")
    party = fields.Many2One(
        'party.party', "Customer", readonly=True, ondelete='SET NULL',
        help="The customer the record belongs to.")
    field_name = fields.Char("Field Name", readonly=True)
    field = fields.Function(fields.Char(
            "Field",
            states={
                'invisible': Eval('kind') == 'deletion',
                }),
        'get_field')
    old_value = fields.Numeric(
        "Old Value", digits=(16, 4), readonly=True,
        states={
            'invisible': Eval('kind') == 'deletion',
            })
    new_value = fields.Numeric(
        "New Value", digits=(16, 4), readonly=True,
        states={
            'invisible': Eval('kind') == 'deletion',
            })
    part = fields.Selection(
        PARTS, "Part", readonly=True,
        states={
            'invisible': Eval('kind') != 'balance',
            })
    amount = Monetary(
        "Adjustment", currency='currency', digits='currency', readonly=True,
        states={
            'invisible': Eval('kind') != 'balance',
            },
        help="Positive credits the card, negative debits it.")
    change = fields.Function(fields.Char("Change"), 'get_change')
    requester = fields.Many2One(
        'res.user', "Requested By", required=True, readonly=True,
        ondelete='RESTRICT')
    request_date = fields.DateTime("Requested On", required=True,
        readonly=True)
    reason = fields.Text(
        "Reason", size=1000,
        states={
            'readonly': Eval('state') != 'pending',
            'required': Eval('kind').in_(['balance', 'deletion']),
            },
        help="Why the change is asked for.")
    state = fields.Selection(
        STATES, "State", required=True, readonly=True, sort=False)
    reviewer = fields.Many2One(
        'res.user', "Reviewed By", readonly=True, ondelete='RESTRICT')
    review_date = fields.DateTime("Reviewed On", readonly=True)
    review_comment = fields.Text(
        "Review Comment", size=1000,
        states={
            'readonly': Eval('state') != 'pending',
            },
        help="Required to reject a request.")
    card_line = fields.Many2One(
        'beauty.member.card.line', "Ledger Line", readonly=True,
        ondelete='RESTRICT',
        states={
            'invisible': ~Bool(Eval('card_line')),
            },
        help="The adjustment written to the card's ledger on approval.")
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('request_date', 'DESC'), ('id', 'DESC')]
        cls._sql_indexes.update({
                Index(t, (t.company, Index.Range()),
                    (t.state, Index.Equality(cardinality='low'))),
                Index(t, (t.record, Index.Equality())),
                Index(t, (t.party, Index.Range())),
                })
        cls._transitions |= {
            ('pending', 'approved'),
            ('pending', 'rejected'),
            ('pending', 'cancelled'),
            }
        cls._buttons.update({
                'approve': {
                    'invisible': Eval('state') != 'pending',
                    'depends': ['state'],
                    },
                'reject': {
                    'invisible': Eval('state') != 'pending',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') != 'pending',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'pending'

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @classmethod
    def default_requester(cls):
        return Transaction().user

    @classmethod
    def default_request_date(cls):
        return _now()

    @classmethod
    def get_models(cls):
        pool = Pool()
        Model = pool.get('ir.model')
        return [(None, '')] + [(m, Model.get_name(m)) for m in MODELS]

    def get_model_string(self, name):
        pool = Pool()
        Model = pool.get('ir.model')
        return Model.get_name(self.model) if self.model else None

    def get_field(self, name):
        pool = Pool()
        if not self.model or not self.field_name:
            return None
        Model = pool.get(self.model)
        return Model.fields_get([self.field_name])[self.field_name]['string']

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    @classmethod
    def _value_kind(cls, model, field_name):
        "money, rate or number: how a value of the field is shown"
        Model = Pool().get(model)
        return getattr(Model, '_review_price_fields', {}).get(
            field_name, 'money')

    def format_value(self, value):
        pool = Pool()
        Lang = pool.get('ir.lang')
        if value is None:
            return gettext('beauty_review.msg_value_empty')
        lang = Lang.get()
        kind = 'money'
        if self.kind == 'price' and self.model and self.field_name:
            kind = self._value_kind(self.model, self.field_name)
        if kind == 'rate':
            return '%s%%' % lang.format('%.2f', value * 100)
        if kind == 'number':
            return lang.format('%.4f', value).rstrip('0').rstrip(
                lang.decimal_point)
        if self.currency:
            return lang.currency(value, self.currency, grouping=True)
        return lang.format('%.2f', value)

    def get_change(self, name):
        if self.kind == 'deletion':
            return gettext('beauty_review.msg_change_deletion',
                record=self.record_name or '')
        change = '%s → %s' % (
            self.format_value(self.old_value),
            self.format_value(self.new_value))
        if self.kind == 'balance' and self.amount is not None:
            sign = '+' if self.amount > 0 else '-'
            change += ' (%s%s)' % (sign, self.format_value(abs(self.amount)))
        return change

    def get_rec_name(self, name):
        kind = dict(self.__class__.fields_get(['kind'])['kind']['selection'])
        return '%s %s' % (kind.get(self.kind, ''), self.record_name or '')

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('record_name',) + tuple(clause[1:])]

    @classmethod
    def check_modification(cls, mode, requests, values=None, external=False):
        super().check_modification(
            mode, requests, values=values, external=external)
        if mode == 'delete' and Transaction().user:
            raise ReviewError(gettext('beauty_review.msg_request_no_delete'))
        if mode == 'write' and external:
            user = Transaction().user
            for request in requests:
                if request.state != 'pending':
                    raise ReviewError(gettext(
                            'beauty_review.msg_request_decided',
                            request=request.rec_name))
            if values.keys() - {'reason', 'review_comment'}:
                raise ReviewError(gettext(
                        'beauty_review.msg_request_readonly'))
            if 'reason' in values:
                for request in requests:
                    if request.requester.id != user:
                        raise ReviewError(gettext(
                                'beauty_review.msg_request_reason_own',
                                request=request.rec_name))
            if 'review_comment' in values and not is_reviewer():
                raise ReviewError(gettext(
                        'beauty_review.msg_request_comment_reviewer'))

    # --- filing requests -------------------------------------------------

    @classmethod
    def _base_values(cls, kind, record, company, reason=None):
        party = None
        for name in ['customer', 'party']:
            if name in record._fields:
                value = getattr(record, name)
                if value and getattr(value, '__name__', '') == 'party.party':
                    party = value.id
                    break
        return {
            'kind': kind,
            'record': str(record),
            'model': record.__name__,
            'record_name': (record.rec_name or '')[:200],
            'party': party,
            'company': int(company),
            'requester': Transaction().user,
            'request_date': _now(),
            'reason': reason,
            'state': 'pending',
            }

    @classmethod
    def intercept_write(cls, Model, args):
        """The write arguments without the reviewed price fields; a request
        is filed for each field of each record whose value would change
        (values may become empty: the write still checks the rights)"""
        pool = Pool()
        ModelAccess = pool.get('ir.model.access')
        if not review_on('price'):
            return args
        names = Model._review_price_fields
        # The rights are checked before anything is filed
        ModelAccess.check(Model.__name__, 'write')
        vlist, result, changed = [], [], []
        actions = iter(args)
        for records, values in zip(actions, actions):
            reviewed = [n for n in names if n in values]
            if reviewed:
                current = Model.browse([r.id for r in records])
                companies = [r._review_company() for r in current]
                if None in companies:
                    # a value without store (no company in the context)
                    reviewed = []
            if reviewed:
                for record, company in zip(current, companies):
                    for name in reviewed:
                        old = _decimal(getattr(record, name))
                        new = _decimal(values[name])
                        if old == new:
                            continue
                        request = cls._base_values('price', record, company)
                        request.update({
                                'field_name': name,
                                'old_value': old,
                                'new_value': new,
                                })
                        vlist.append(request)
                        changed.append(record)
                values = {k: v for k, v in values.items()
                    if k not in reviewed}
            # written even without values: the rights and the rules of the
            # records are checked as for any write
            result.extend((records, values))
        if vlist:
            cls._warn_price(changed, vlist)
            with without_check_access():
                cls.create(vlist)
        return result

    @classmethod
    def _warn_price(cls, records, vlist):
        pool = Pool()
        Warning = pool.get('res.user.warning')
        key = Warning.format('beauty_review.price.%s' % '.'.join(
                '%s=%s' % (v['field_name'], v['new_value']) for v in vlist),
            records)
        if Warning.check(key):
            raise PriceReviewWarning(key, gettext(
                    'beauty_review.msg_price_review_warning',
                    records=', '.join(sorted({
                                v['record_name'] for v in vlist}))))

    @classmethod
    def request_adjustment(cls, card, part, amount, reason):
        "File the manual adjustment of the card's part by amount"
        pool = Pool()
        Card = pool.get('beauty.member.card')
        if not amount:
            raise ReviewError(gettext(
                    'beauty_review.msg_adjust_zero', card=card.rec_name))
        if not (reason or '').strip():
            raise ReviewError(gettext('beauty_review.msg_reason_required'))
        card = Card(card.id)
        name = '%s_balance' % part
        old = getattr(card, name) or Decimal(0)
        values = cls._base_values('balance', card, card.company, reason)
        values.update({
                'field_name': name,
                'part': part,
                'amount': amount,
                'old_value': old,
                'new_value': old + amount,
                })
        with without_check_access():
            request, = cls.create([values])
        return request

    @classmethod
    def request_deletions(cls, records, reason):
        "File the deletion of the records"
        if not (reason or '').strip():
            raise ReviewError(gettext('beauty_review.msg_reason_required'))
        vlist = []
        for record in records:
            if record.__name__ not in DELETION_MODELS:
                raise ReviewError(gettext(
                        'beauty_review.msg_deletion_model',
                        record=record.rec_name))
            vlist.append(cls._base_values(
                    'deletion', record, record.company, reason))
        with without_check_access():
            return cls.create(vlist)

    @classmethod
    def check_deletion(cls, records):
        "Refuse the direct deletion of the records by a reviewed user"
        if records and review_on('deletion', external=True):
            raise DeletionReviewError(gettext(
                    'beauty_review.msg_deletion_use_request',
                    record=records[0].rec_name,
                    model=records[0].__names__()['model']))

    # --- deciding ---------------------------------------------------------

    @classmethod
    def _check_not_own(cls, requests):
        user = Transaction().user
        if not user:
            return
        for request in requests:
            if request.requester.id == user:
                raise ReviewError(gettext(
                        'beauty_review.msg_approve_own',
                        request=request.rec_name))

    def _target(self):
        "The record concerned if it still exists, otherwise an error"
        pool = Pool()
        if self.record is not None and self.record.id is not None:
            Model = pool.get(self.record.__name__)
            with Transaction().set_context(active_test=False):
                if Model.search([('id', '=', self.record.id)]):
                    return Model(self.record.id)
        raise StaleRequestError(gettext(
                'beauty_review.msg_stale_deleted',
                request=self.rec_name, record=self.record_name or ''))

    def _apply_price(self):
        pool = Pool()
        record = self._target()
        Model = pool.get(record.__name__)
        name = self.field_name
        with Transaction().set_context(
                company=self.company.id, **{APPLY: True}):
            record = Model(record.id)
            current = _decimal(getattr(record, name))
            if current != self.old_value:
                raise StaleRequestError(gettext(
                        'beauty_review.msg_stale_value',
                        request=self.rec_name,
                        record=record.rec_name,
                        field=self.field,
                        old=self.format_value(self.old_value),
                        current=self.format_value(current)))
            Model.write([record], {name: self.new_value})

    def _apply_balance(self):
        pool = Pool()
        Card = pool.get('beauty.member.card')
        card = self._target()
        with Transaction().set_context(
                company=self.company.id, **{APPLY: True}):
            line = Card.adjust_balance(
                Card(card.id), self.part, self.amount, self.reason)
        self.card_line = line

    def _apply_deletion(self):
        pool = Pool()
        record = self._target()
        Model = pool.get(record.__name__)
        with Transaction().set_context(
                company=self.company.id, **{APPLY: True}):
            Model.delete([Model(record.id)])
        self.record = None

    @classmethod
    @ModelView.button
    @Workflow.transition('approved')
    def approve(cls, requests):
        cls._check_not_own(requests)
        cls.lock(requests)
        for request in requests:
            getattr(request, '_apply_%s' % request.kind)()
            request.reviewer = Transaction().user or None
            request.review_date = _now()
        cls.save(requests)

    @classmethod
    @ModelView.button
    @Workflow.transition('rejected')
    def reject(cls, requests):
        cls._check_not_own(requests)
        for request in requests:
            if not (request.review_comment or '').strip():
                raise ReviewError(gettext(
                        'beauty_review.msg_reject_comment',
                        request=request.rec_name))
        cls.write(requests, {
                'reviewer': Transaction().user or None,
                'review_date': _now(),
                })

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, requests):
        user = Transaction().user
        if user and not is_reviewer():
            for request in requests:
                if request.requester.id != user:
                    raise ReviewError(gettext(
                            'beauty_review.msg_cancel_own',
                            request=request.rec_name))
        cls.write(requests, {
                'reviewer': user or None,
                'review_date': _now(),
                })


def _now():
    return dt.datetime.now()


class RequestDeletionStart(ModelView):
    "Request deletion"
    __name__ = 'beauty.review.deletion.start'
    __string__ = "Request Deletion"
    records = fields.Text("Records", readonly=True)
    reason = fields.Text(
        "Reason", required=True, size=1000,
        help="Why the records should be deleted: the manager reads it "
        "before approving.")


class RequestDeletion(Wizard):
    "Request the deletion of a customer's records (申请删除)"
    __name__ = 'beauty.review.deletion'
    start = StateView(
        'beauty.review.deletion.start',
        'beauty_review.deletion_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Request Deletion", 'request', 'tryton-ok', default=True),
            ])
    request = StateTransition()
    open_ = StateAction('beauty_review.act_request_form')

    def default_start(self, fields):
        return {
            'records': '\n'.join(r.rec_name for r in self.records),
            }

    def transition_request(self):
        pool = Pool()
        Request = pool.get('beauty.review.request')
        self._requests = Request.request_deletions(
            self.records, self.start.reason)
        return 'open_'

    def do_open_(self, action):
        action['domain'] = [('id', 'in', [r.id for r in self._requests])]
        action['name'] = gettext('beauty_review.msg_deletion_requested')
        return action, {}
