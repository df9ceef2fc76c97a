# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Audit log (变更记录): who changed what, when, from which value to which.

A model records its changes by inheriting ``AuditMixin``: every write of an
audited field and every deletion adds ``beauty.audit`` rows (one per changed
field) with the user, the time, the old and the new value as text, and the
customer the record belongs to. The manager reads them in the global list
(Salon > Change History) and from a customer (Relate > Change History).

Other modules audit their models the same way, e.g. beauty_pos::

    from trytond.modules.beauty_customer.audit import AuditMixin

    class MemberCard(AuditMixin, ModelSQL, ModelView):
        __name__ = 'beauty.member.card'
        _audit_fields = ['balance', 'level', 'state']

        @classmethod
        def _audit_party(cls, records):
            return {r.id: r.customer.id for r in records}

Creations are not logged (``create_uid``/``create_date`` of the record say
who created it). Erasing a customer blanks the values and record names of
her audit rows and logs the erasure itself.
"""
import datetime as dt
import json
from decimal import Decimal

from sql import Null

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool, PoolMeta
from trytond.tools import grouped_slice
from trytond.transaction import Transaction, without_check_access

VALUE_MAX = 1000
# Columns of every model that say nothing about the customer's archive
_TECHNICAL = {
    'id', 'create_uid', 'create_date', 'write_uid', 'write_date',
    'rec_name', 'pinyin', 'pinyin_search', 'mobile_digits', 'code_alnum',
    'code_digit', 'messages', 'attachments', 'notes',
    }


class AuditMixin:
    "Log the changes of the audited fields in beauty.audit"
    __slots__ = ()
    # The audited fields: None for every stored field of the model
    _audit_fields = None

    @classmethod
    def _audit_field_names(cls):
        names = set()
        for name, field in cls._fields.items():
            if cls._audit_fields is not None:
                if name in cls._audit_fields:
                    names.add(name)
                continue
            if name in _TECHNICAL or name.startswith('_'):
                continue
            if isinstance(field, fields.MultiValue):
                names.add(name)
            elif isinstance(field, fields.Function):
                continue
            elif field._type == 'one2many':
                continue
            else:
                names.add(name)
        return names

    @classmethod
    def _audit_party(cls, records):
        "{record id: customer id} of the records (for the customer's history)"
        if cls.__name__ == 'party.party':
            return {r.id: r.id for r in records}
        if 'customer' in cls._fields:
            return {r.id: r.customer.id if r.customer else None
                for r in records}
        if 'party' in cls._fields:
            return {r.id: r.party.id if r.party else None for r in records}
        return {}

    @classmethod
    def on_write(cls, records, values):
        callbacks = super().on_write(records, values)
        names = sorted(cls._audit_field_names() & set(values))
        if not names or not records:
            return callbacks
        ids = [r.id for r in records]
        before = cls._audit_values(ids, names)

        def log():
            pool = Pool()
            Audit = pool.get('beauty.audit')
            after = cls._audit_values(ids, names)
            records = cls.browse(ids)
            parties = cls._audit_party(records)
            names_ = {r.id: r.rec_name for r in records}
            vlist = []
            for id_ in ids:
                for name in names:
                    old = before.get(id_, {}).get(name)
                    new = after.get(id_, {}).get(name)
                    if old == new:
                        continue
                    vlist.append(Audit._log_values(
                            cls.__name__, id_, names_.get(id_),
                            parties.get(id_), 'write', name, old, new))
            if vlist:
                with without_check_access():
                    Audit.create(vlist)
        callbacks.append(log)
        return callbacks

    @classmethod
    def on_delete(cls, records):
        pool = Pool()
        Audit = pool.get('beauty.audit')
        callbacks = super().on_delete(records)
        if records:
            parties = cls._audit_party(records)
            with without_check_access():
                Audit.create([Audit._log_values(
                            cls.__name__, r.id, r.rec_name,
                            parties.get(r.id), 'delete') for r in records])
        return callbacks

    @classmethod
    def _audit_values(cls, ids, names):
        "{id: {name: text}} of the fields as the staff reads them"
        definitions = cls.fields_get(names)
        read_names = list(names)
        for name in names:
            if definitions[name]['type'] in {'many2one', 'reference'}:
                read_names.append(name + '.rec_name')
        result = {}
        with Transaction().set_context(_check_access=False):
            rows = []
            for sub_ids in grouped_slice(ids, 1000):
                rows.extend(cls.read(list(sub_ids), read_names))
        x2many = {}
        for name in names:
            if definitions[name]['type'] in {'many2many', 'one2many'}:
                Target = Pool().get(definitions[name]['relation'])
                target_ids = {i for row in rows for i in (row[name] or [])}
                x2many[name] = {r['id']: r['rec_name'] for r in Target.read(
                        list(target_ids), ['rec_name'])}
        for row in rows:
            values = {}
            for name in names:
                values[name] = _text(
                    row, name, definitions[name], x2many.get(name))
            result[row['id']] = values
        return result


def _text(row, name, definition, targets=None):
    value = row.get(name)
    type_ = definition['type']
    if value is None or value == []:
        return None
    if type_ in {'many2one', 'reference'}:
        related = row.get(name + '.') or {}
        return related.get('rec_name') or str(value)
    if type_ in {'many2many', 'one2many'}:
        return '、'.join(sorted(str(targets.get(i, i)) for i in value))
    if type_ in {'selection', 'multiselection'}:
        selection = dict(definition.get('selection') or [])
        if isinstance(value, (list, tuple)):
            return '、'.join(str(selection.get(v, v)) for v in value)
        return str(selection.get(value, value))
    if type_ == 'boolean':
        return gettext('beauty_customer.msg_audit_yes' if value
            else 'beauty_customer.msg_audit_no')
    if type_ == 'binary':
        return gettext('beauty_customer.msg_audit_file', size=len(value))
    if type_ == 'dict':
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat(sep=' ') if isinstance(
            value, dt.datetime) else value.isoformat()
    if isinstance(value, Decimal):
        return str(value.normalize()) if value == value.to_integral() \
            else str(value)
    text = str(value)
    if len(text) > VALUE_MAX:
        text = text[:VALUE_MAX] + '…'
    return text


class Audit(ModelSQL, ModelView):
    "Change history"
    __name__ = 'beauty.audit'
    date = fields.Timestamp("Date", readonly=True)
    user = fields.Many2One(
        'res.user', "Changed By", readonly=True, ondelete='SET NULL')
    action = fields.Selection([
            ('write', "Modified"),
            ('delete', "Deleted"),
            ('erase', "Personal Data Erased"),
            ], "Action", readonly=True)
    resource = fields.Reference(
        "Record", selection='get_models', readonly=True)
    record_name = fields.Char("Record Name", readonly=True)
    party = fields.Many2One(
        'party.party', "Customer", readonly=True, ondelete='SET NULL',
        context={'active_test': False})
    field_name = fields.Char("Field Name", readonly=True)
    field = fields.Function(fields.Char("Field"), 'get_field')
    old_value = fields.Text("Old Value", readonly=True)
    new_value = fields.Text("New Value", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._sql_indexes.update({
                Index(t, (t.party, Index.Range()),
                    (t.date, Index.Range(order='DESC')),
                    where=t.party != Null),
                Index(t, (t.resource, Index.Equality())),
                Index(t, (t.date, Index.Range(order='DESC'))),
                })

    @classmethod
    def get_models(cls):
        pool = Pool()
        Model = pool.get('ir.model')
        return [(None, '')] + Model.get_name_items(AuditMixin)

    @classmethod
    def get_field(cls, records, name):
        "The label of the changed field, in the reader's language"
        pool = Pool()
        labels = {}
        result = {}
        for record in records:
            if not record.field_name or not record.resource:
                result[record.id] = None
                continue
            model = str(record.resource).split(',')[0]
            if model not in labels:
                try:
                    Model = pool.get(model)
                except KeyError:
                    labels[model] = {}
                else:
                    labels[model] = {
                        k: v['string'] for k, v in Model.fields_get(
                            level=0).items()}
            result[record.id] = labels[model].get(
                record.field_name, record.field_name)
        return result

    @classmethod
    def _log_values(cls, model, record_id, record_name, party, action,
            field_name=None, old=None, new=None):
        return {
            'date': dt.datetime.now(),
            'user': Transaction().user,
            'action': action,
            'resource': '%s,%s' % (model, record_id),
            'record_name': (record_name or '')[:VALUE_MAX] or None,
            'party': party,
            'field_name': field_name,
            'old_value': old,
            'new_value': new,
            }

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        if external:
            # The log is written by the server only
            raise AccessError(gettext('beauty_customer.msg_audit_readonly'))


class Party(AuditMixin, metaclass=PoolMeta):
    __name__ = 'party.party'


class CareRecord(AuditMixin, metaclass=PoolMeta):
    __name__ = 'beauty.care.record'


class Consultation(AuditMixin, metaclass=PoolMeta):
    __name__ = 'beauty.consultation'


class CarePlan(AuditMixin, metaclass=PoolMeta):
    __name__ = 'beauty.care.plan'


class Feedback(AuditMixin, metaclass=PoolMeta):
    __name__ = 'beauty.feedback'


class Template(AuditMixin, metaclass=PoolMeta):
    __name__ = 'product.template'
    _audit_fields = ['name', 'list_price', 'cost_price', 'active', 'type']


class Product(AuditMixin, metaclass=PoolMeta):
    __name__ = 'product.product'
    _audit_fields = ['code', 'list_price', 'cost_price', 'active']


class PartyErase(metaclass=PoolMeta):
    __name__ = 'party.erase'

    def transition_erase(self):
        pool = Pool()
        Audit = pool.get('beauty.audit')
        party = self.ask.party
        state = super().transition_erase()
        # Who erased her, and when (without anything about her)
        with without_check_access():
            Audit.create([Audit._log_values(
                        'party.party', party.id, None, party.id, 'erase')])
        return state

    def to_erase(self, party_id):
        pool = Pool()
        Audit = pool.get('beauty.audit')
        to_erase = super().to_erase(party_id)
        to_erase.append(
            (Audit, [('party', '=', party_id)], False,
                ['record_name', 'old_value', 'new_value'],
                [None, None, None]))
        return to_erase
