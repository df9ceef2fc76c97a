# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
import datetime as dt
import json
from decimal import Decimal

from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.report import Report
from trytond.transaction import Transaction

from .mobile import national_digits
from .party import _mask_mobiles
from .xlsx import write_xlsx

LIST_FIELDS = [
    'code', 'name', 'gender', 'birthday', 'age', 'mobile', 'source',
    'categories', 'skin_type', 'store', 'last_visit', 'visit_count',
    'marketing_consent',
    ]


def _labels(Model, names):
    "Translated labels and selection texts of the fields"
    definitions = Model.fields_get(names)
    return definitions


def _value(record, name, definition):
    value = getattr(record, name)
    type_ = definition['type']
    if value is None:
        return None
    if type_ == 'boolean':
        return bool(value)
    if type_ == 'selection':
        return dict(definition['selection']).get(value, value)
    if type_ == 'many2one':
        return value.rec_name
    if type_ in {'many2many', 'one2many'}:
        return '、'.join(v.rec_name for v in value)
    if type_ == 'binary':
        return None
    return value


class CustomerListExport(Report):
    "Customer list as .xlsx"
    __name__ = 'beauty.customer.export'

    @classmethod
    def _execute(cls, records, header, data, action):
        pool = Pool()
        Party = pool.get('party.party')
        definitions = _labels(Party, LIST_FIELDS)
        masked = _mask_mobiles()
        headers = [definitions[n]['string'] for n in LIST_FIELDS]
        rows = []
        for party in records:
            row = []
            for name in LIST_FIELDS:
                if name == 'mobile':
                    row.append(party.mobile_masked if masked
                        else national_digits(party.mobile))
                else:
                    row.append(_value(party, name, definitions[name]))
            rows.append(row)
        title = gettext('beauty_customer.msg_export_sheet_customers')
        return 'xlsx', write_xlsx([(title, headers, rows)])


def personal_data(party):
    """All that the archive holds about one customer, as
    {section title: [ {label: value} ]} with translated labels."""
    pool = Pool()
    Party = pool.get('party.party')
    Identifier = pool.get('party.identifier')
    ContactMechanism = pool.get('party.contact_mechanism')
    Address = pool.get('party.address')
    Consultation = pool.get('beauty.consultation')
    CareRecord = pool.get('beauty.care.record')
    CarePlan = pool.get('beauty.care.plan')
    Feedback = pool.get('beauty.feedback')

    def dump(Model, records, exclude=()):
        definitions = {
            k: v for k, v in Model.fields_get().items()
            if k not in exclude and not k.startswith('_')
            and v['type'] not in {'binary', 'one2many'}
            and k not in {'create_uid', 'write_uid', 'rec_name', 'id'}}
        result = []
        for record in records:
            item = {}
            for name in sorted(definitions):
                value = _value(record, name, definitions[name])
                if name == 'mobile':
                    value = national_digits(value)
                item[definitions[name]['string']] = value
            result.append(item)
        return result

    exclude_party = {'code_alnum', 'code_digit', 'full_name', 'distance',
        'mobile_masked', 'mobile_digits', 'pinyin', 'pinyin_search',
        'phone', 'fax', 'website', 'email'}
    exclude_party.update(
        n for n in Party._fields if n.startswith('pinyin'))
    consultations = Consultation.search([('customer', '=', party.id)])
    with Transaction().set_context(active_test=False):
        identifiers = Identifier.search([('party', '=', party.id)])
        mechanisms = ContactMechanism.search([('party', '=', party.id)])
        addresses = Address.search([('party', '=', party.id)])
    sections = {
        gettext('beauty_customer.msg_section_profile'): dump(
            Party, [party], exclude_party),
        gettext('beauty_customer.msg_section_identifiers'): dump(
            Identifier, identifiers, {'party', 'code_compact'}),
        gettext('beauty_customer.msg_section_contact_mechanisms'): dump(
            ContactMechanism, mechanisms,
            {'party', 'email', 'url', 'sip', 'skype', 'other_value',
                'website', 'phone', 'mobile', 'fax'}),
        gettext('beauty_customer.msg_section_addresses'): dump(
            Address, addresses, {'party', 'full_address'}),
        gettext('beauty_customer.msg_section_consultations'): dump(
            Consultation, consultations),
        gettext('beauty_customer.msg_section_answers'): [
            {gettext('beauty_customer.msg_column_consultation'):
                c.number,
                gettext('beauty_customer.msg_column_question'): a.question,
                gettext('beauty_customer.msg_column_answer'): a.answer}
            for c in consultations
            for a in c.answers],
        gettext('beauty_customer.msg_section_care_records'): dump(
            CareRecord, CareRecord.search([('customer', '=', party.id)]),
            {'previous_record'}),
        gettext('beauty_customer.msg_section_care_plans'): dump(
            CarePlan, CarePlan.search([('customer', '=', party.id)])),
        gettext('beauty_customer.msg_section_feedback'): dump(
            Feedback, Feedback.search([('customer', '=', party.id)])),
        }
    return {k: v for k, v in sections.items()
        if v or k not in {
            gettext('beauty_customer.msg_section_identifiers')}}


def _json_default(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


class PersonalDataExport(Report):
    "One customer's data (PIPL request) as .xlsx"
    __name__ = 'beauty.customer.personal_data'

    @classmethod
    def _execute(cls, records, header, data, action):
        sheets = []
        for party in records:
            for title, items in personal_data(party).items():
                headers = []
                for item in items:
                    for key in item:
                        if key not in headers:
                            headers.append(key)
                rows = [[item.get(h) for h in headers] for item in items]
                sheets.append((title, headers, rows))
        return 'xlsx', write_xlsx(sheets)


class PersonalDataExportJSON(Report):
    "One customer's data (PIPL request) as JSON"
    __name__ = 'beauty.customer.personal_data_json'

    @classmethod
    def _execute(cls, records, header, data, action):
        content = {
            party.code or str(party.id): personal_data(party)
            for party in records}
        return 'json', json.dumps(
            content, ensure_ascii=False, indent=2,
            default=_json_default).encode('utf-8')


def _tree_fields(Model):
    "The fields of the model's default list view, in the order shown"
    from lxml import etree
    view = Model.fields_view_get(view_type='tree')
    tree = etree.fromstring(view['arch'])
    names = []
    for node in tree.iter('field'):
        name = node.get('name')
        if (name in view['fields'] and name not in names
                and node.get('tree_invisible') not in {'1', 'True'}):
            names.append(name)
    return names


class ListExport(Report):
    """Any list as .xlsx: the columns of the model's list view, with their
    translated titles and selection texts.

    One report for every list: a module adds an ``ir.action.report`` with
    ``report_name`` ``beauty.list.xlsx`` and its model, and the Print menu of
    that list gets an Excel export of the selected rows. The records are read
    in the context of the call, so a report computed for a period (a context
    model) exports the figures shown."""
    __name__ = 'beauty.list.xlsx'

    @classmethod
    def _execute(cls, records, header, data, action):
        pool = Pool()
        Model = pool.get(data['model'])
        names = _tree_fields(Model)
        definitions = Model.fields_get(names)
        headers = [definitions[n]['string'] for n in names]
        rows = [[_value(r, n, definitions[n]) for n in names]
            for r in records]
        title = Model.__names__()['model']
        return 'xlsx', write_xlsx([(title, headers, rows)])
