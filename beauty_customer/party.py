# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
import contextvars
import datetime as dt
import hashlib
import re

from sql import Column, Expression, Null, Select, Union, Values
from sql.aggregate import Count, Max
from sql.conditionals import Coalesce

from trytond import backend
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, Unique, convert_from, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, Id
from trytond.tools import (
    escape_wildcard, grouped_slice, lstrip_wildcard, reduce_ids,
    rstrip_wildcard, strip_wildcard, unescape_wildcard)
from trytond.transaction import Transaction

from .exceptions import (
    CustomerValidationError, DuplicateMobileError, MobileValidationError,
    SimilarNameWarning)
from .mobile import mask_mobile, national_digits, normalize_mobile
from .pinyin import PinyinMixin
from .privacy import delete_files_on_commit

GENDERS = [
    (None, ""),
    ('female', "Female"),
    ('male', "Male"),
    ]
AGE_BRACKETS = [
    (None, ""),
    ('under_20', "Under 20"),
    ('20_29', "20-29"),
    ('30_39', "30-39"),
    ('40_49', "40-49"),
    ('50_59', "50-59"),
    ('60_plus', "60 and over"),
    ]
# bracket: (min age, max age) inclusive
_AGE_RANGES = {
    'under_20': (0, 19),
    '20_29': (20, 29),
    '30_39': (30, 39),
    '40_49': (40, 49),
    '50_59': (50, 59),
    '60_plus': (60, 200),
    }
SKIN_TYPES = [
    (None, ""),
    ('dry', "Dry"),
    ('oily', "Oily"),
    ('combination', "Combination"),
    ('normal', "Normal"),
    ('sensitive', "Sensitive"),
    ]
SENSITIVITIES = [
    (None, ""),
    ('low', "Low"),
    ('medium', "Medium"),
    ('high', "High"),
    ]
PRESSURES = [
    (None, ""),
    ('light', "Light"),
    ('medium', "Medium"),
    ('firm', "Firm"),
    ]
VISIT_TIMES = [
    (None, ""),
    ('weekday_morning', "Weekday morning"),
    ('weekday_afternoon', "Weekday afternoon"),
    ('weekday_evening', "Weekday evening"),
    ('weekend', "Weekend"),
    ]
PRICE_RANGES = [
    (None, ""),
    ('economy', "Economy (under 300)"),
    ('standard', "Standard (300-800)"),
    ('premium', "Premium (800-2000)"),
    ('luxury', "Luxury (over 2000)"),
    ]
CONSENT_CHANNELS = [
    (None, ""),
    ('paper', "Paper form"),
    ('wechat', "WeChat"),
    ('sms', "SMS"),
    ('online', "Online booking"),
    ('verbal', "Verbally at the desk"),
    ]
NAME_MAX = 50
# A search box matching fewer parties filters on their ids (_search_text)
SEARCH_IDS_MAX = 10000
# Loaded on demand, not by every search (see Party.__setup__)
_LAZY_FIELDS = [
    'code_alnum', 'code_digit', 'referrer', 'occupation', 'hobbies',
    'family_notes', 'wechat', 'preferred_visit_time', 'price_range',
    'customer_notes', 'marketing_consent_date', 'marketing_consent_channel',
    'skin_sensitivity', 'treatment_history', 'products_used', 'allergies',
    'health_notes', 'massage_pressure', 'preferred_oils',
    ]
# What a front desk types to find a mobile: digits, maybe spaced or dashed
_PHONE_QUERY = re.compile(r'\+?[\d\s\-().]+')


def age_on(birthday, today):
    if not birthday:
        return None
    return today.year - birthday.year - (
        (today.month, today.day) < (birthday.month, birthday.day))


def age_bracket(age):
    if age is None:
        return None
    for key, (low, high) in _AGE_RANGES.items():
        if low <= age <= high:
            return key


def _mask_mobiles():
    "Whether the current user may only see masked mobiles"
    pool = Pool()
    ModelData = pool.get('ir.model.data')
    User = pool.get('res.user')
    transaction = Transaction()
    if transaction.user == 0 or transaction.context.get('_beauty_unmasked'):
        return False
    groups = set(User.get_groups())
    beautician = ModelData.get_id('beauty_customer', 'group_beautician')
    if beautician not in groups:
        return False
    full = {ModelData.get_id('beauty_customer', x) for x in [
            'group_manager', 'group_frontdesk', 'group_salon_admin',
            'group_mobile_full']}
    return not (groups & full)


def mobile_digits(e164):
    "The digits of a mobile as a salon reads them: 13812345678"
    return re.sub(r'\D', '', national_digits(e164)) or None


def _query_digits(text):
    "The mobile digits a query stands for, or None if it is no number"
    if not _PHONE_QUERY.fullmatch(text):
        return None
    digits = re.sub(r'\D', '', text)
    stripped = text.strip()
    if stripped.startswith('+86'):
        digits = digits[2:]
    elif stripped.startswith('0086'):
        digits = digits[4:]
    elif len(digits) == 13 and digits.startswith('861'):
        digits = digits[2:]
    return digits


def read_selection_texts(Model, read, ids, fields_names):
    """read(ids, fields_names) with the texts of fixed selections (gender,
    state...) computed once per call: Tryton computes them record by record,
    through fields_get"""
    static = {}
    for name in fields_names:
        base, _, suffix = name.partition(':')
        field = Model._fields.get(base)
        if (suffix == 'string' and isinstance(field, fields.Selection)
                and not isinstance(field.selection, str)):
            static[name] = base
    if not static:
        return read(ids, fields_names)
    asked = [n for n in fields_names if n not in static]
    extra = [b for b in set(static.values()) if b not in asked]
    result = read(ids, asked + extra)
    definitions = Model.fields_get(list(set(static.values())))
    for name, base in static.items():
        selection = dict(definitions[base]['selection'])
        for values in result:
            values[name] = fields.Selection.get_selection_string(
                selection, values[base])
    for values in result:
        for base in extra:
            del values[base]
    return result


# The values of the record a read of one record (a form) fetched in one
# query for its getters: (model name, id, {key: value}) or None (see
# ReadOneMixin)
_READ_ONE = contextvars.ContextVar('beauty_read_one', default=None)


class _ArrayOf(Expression):
    "ARRAY(subquery): the rows of a query, in its order, as one value"
    __slots__ = ('query',)

    def __init__(self, query):
        super().__init__()
        self.query = query

    def __str__(self):
        return 'ARRAY(%s)' % self.query

    @property
    def params(self):
        return self.query.params


def read_one_value(model, ids, key):
    """(True, value) if the read of one record running fetched key for
    ids, else (False, None)"""
    current = _READ_ONE.get()
    if (current is not None and len(ids) == 1
            and current[0] == model.__name__ and current[1] == ids[0]
            and key in current[2]):
        return True, current[2][key]
    return False, None


class ReadOneMixin:
    """Open a form with one query for the values of its sub-lists and
    computed fields, instead of one query (or two) each.

    read() of one record on PostgreSQL gathers the SQL expressions that
    _read_one_columns gives for the fields asked (the one-to-many searches
    as Tryton does them, with their access rules and order; the relation
    rows of the many-to-many; aggregates of computed fields), runs them as
    the columns of one SELECT, and the fields' getters take their value
    from it. The values are the same: the same searches, in the same
    transaction."""
    __slots__ = ()

    @classmethod
    def _read_one_columns(cls, id_, names):
        "{key: SQL expression} for the value of the fields names of id_"
        pool = Pool()
        ModelFieldAccess = pool.get('ir.model.field.access')
        columns = {}
        for name in names:
            field = cls._fields.get(name)
            if getattr(field, 'datetime_field', None):
                # read gets it in the context of each row
                continue
            if isinstance(field, One2ManyRows):
                Target = field.get_target()
                if Target._fields[field.field]._type == 'reference':
                    continue
                # what One2Many.get checks, searches and reads
                query = Target.search(
                    field.get_clause([id_]), order=field.get_order(),
                    query=True)
                ModelFieldAccess.check(
                    Target.__name__, ['id', field.field], 'read')
                columns[('one2many', name)] = _ArrayOf(query)
            elif (isinstance(field, Many2ManyRows)
                    and field.relation_rows(cls)):
                relation, origin, target = field.relation_rows(cls)
                columns[('many2many', name)] = _ArrayOf(relation.select(
                        target, where=(origin == id_) & (target != Null)))
        return columns

    @classmethod
    def _read_one(cls, ids, fields_names):
        "The values to fetch at once for read(ids, fields_names), or None"
        if backend.name != 'postgresql' or len(ids) != 1:
            return None
        id_ = int(ids[0])
        if id_ < 0:
            return None
        names = {n for n in fields_names if n in cls._fields}
        if len(names) < 2:
            return None
        pool = Pool()
        ModelAccess = pool.get('ir.model.access')
        ModelFieldAccess = pool.get('ir.model.field.access')
        # the checks read() starts with, before the sub-lists are searched
        ModelAccess.check(cls.__name__, 'read')
        ModelFieldAccess.check(cls.__name__, fields_names, 'read')
        columns = cls._read_one_columns(id_, names)
        if len(columns) < 2:
            return None
        keys = list(columns)
        cursor = Transaction().connection.cursor()
        cursor.execute(*Select([columns[k] for k in keys]))
        row = cursor.fetchone()
        values = {}
        for key, value in zip(keys, row):
            if key[0] in {'one2many', 'many2many'}:
                value = tuple(value or ())
            values[key] = value
        return (cls.__name__, id_, values)

    @classmethod
    def read(cls, ids, fields_names):
        token = _READ_ONE.set(cls._read_one(ids, fields_names))
        try:
            return super().read(ids, fields_names)
        finally:
            _READ_ONE.reset(token)


class One2ManyRows(fields.One2Many):
    """A one-to-many whose value a read of one record may have fetched with
    the others (ReadOneMixin)"""

    def get_order(self):
        "The order of One2Many.get"
        Target = self.get_target()
        field = Target._fields[self.field]
        if field.sortable(Target):
            if field._type == 'reference':
                order = [(self.field, None)]
            else:
                order = [(self.field + '.id', None)]
        else:
            order = []
        if self.order:
            order += self.order
        elif Target._order:
            order += [
                (oexpr, otype) for oexpr, otype in Target._order
                if not oexpr.startswith(f'{self.field}.')]
        return order

    def get_clause(self, ids):
        "The domain of One2Many.get"
        clause = [(self.field, 'in', ids)]
        if self.filter:
            clause.append(self.filter)
        return clause

    def get(self, ids, model, name, values=None):
        found, value = read_one_value(model, ids, ('one2many', name))
        if found:
            return {ids[0]: value}
        return super().get(ids, model, name, values=values)


class Many2ManyRows(fields.Many2Many):
    """A many-to-many read with one query of its relation table, the
    targets in their order: Tryton searches the relation records, then reads
    them (a customer list shows three such columns, ~4 ms each a page)"""

    def relation_rows(self, model):
        """(relation table, origin column, target column) if the value is
        read from the relation table, else None"""
        Relation = self.get_relation()
        if (self.filter or self.order is not None
                or Relation._fields[self.origin]._type == 'reference'):
            return None
        relation = Relation.__table__()
        return (relation, Column(relation, self.origin),
            Column(relation, self.target))

    def get(self, ids, model, name, values=None):
        rows = self.relation_rows(model)
        if not rows:
            return super().get(ids, model, name, values=values)
        Target = self.get_target()
        relation, origin, target = rows
        found, targets = read_one_value(model, ids, ('many2many', name))
        if found:
            pairs = [(ids[0], t) for t in targets]
        else:
            cursor = Transaction().connection.cursor()
            pairs = []
            for sub_ids in grouped_slice(ids, backend.MAX_QUERY_PARAMS):
                cursor.execute(*relation.select(origin, target,
                        where=reduce_ids(origin, sub_ids) & (target != Null)))
                pairs.extend(cursor)
        result = {i: [] for i in ids}
        if pairs:
            with Transaction().set_context(active_test=False):
                ordered = Target.search(
                    [('id', 'in', list({t for _, t in pairs}))])
            rank = {t.id: i for i, t in enumerate(ordered)}
            for origin_id, target_id in sorted(
                    pairs, key=lambda p: (rank.get(p[1], -1), p[0])):
                if target_id in rank:
                    result[origin_id].append(target_id)
        return {k: tuple(v) for k, v in result.items()}


class Party(ReadOneMixin, PinyinMixin, metaclass=PoolMeta):
    __name__ = 'party.party'

    gender = fields.Selection(GENDERS, "Gender")
    birthday = fields.Date(
        "Birthday",
        help="The customer's date of birth, used for age and birthday care.")
    age = fields.Function(fields.Integer("Age"), 'get_overview')
    age_bracket = fields.Function(
        fields.Selection(AGE_BRACKETS, "Age Bracket"),
        'get_overview', searcher='search_age_bracket')
    mobile_masked = fields.Function(
        fields.Char("Mobile (masked)"), 'get_mobile_masked')
    source = fields.Many2One(
        'beauty.customer.source', "Source", ondelete='RESTRICT',
        help="How the customer first came to the salon.")
    referrer = fields.Many2One(
        'party.party', "Referred By", ondelete='SET NULL',
        domain=[('id', '!=', Eval('id', -1))],
        help="The customer who recommended her.")
    store = fields.Many2One(
        'company.company', "Home Store", ondelete='RESTRICT',
        help="The store that keeps the customer's archive.")
    occupation = fields.Char("Occupation", size=60)
    hobbies = fields.Char("Hobbies", size=200)
    family_notes = fields.Text("Family Notes", size=1000)
    wechat = fields.Char("WeChat ID", size=40)
    preferred_beautician = fields.Many2One(
        'company.employee', "Preferred Beautician", ondelete='SET NULL')
    preferred_visit_time = fields.Selection(
        VISIT_TIMES, "Preferred Visit Time")
    price_range = fields.Selection(PRICE_RANGES, "Price Range")
    customer_notes = fields.Text("Notes", size=2000)

    marketing_consent = fields.Boolean(
        "Marketing Consent",
        help="The customer agreed to receive promotions and greetings.")
    marketing_consent_date = fields.Date(
        "Consent Date",
        states={
            'required': Eval('marketing_consent', False),
            'invisible': ~Eval('marketing_consent', False),
            })
    marketing_consent_channel = fields.Selection(
        CONSENT_CHANNELS, "Consent Channel",
        states={
            'required': Eval('marketing_consent', False),
            'invisible': ~Eval('marketing_consent', False),
            })

    # Skin profile
    skin_type = fields.Selection(SKIN_TYPES, "Skin Type")
    skin_concerns = fields.Many2Many(
        'party.party-beauty.skin.concern', 'party', 'concern',
        "Skin Concerns")
    skin_sensitivity = fields.Selection(SENSITIVITIES, "Skin Sensitivity")
    treatment_history = fields.Text(
        "Treatment History", size=2000,
        help="Treatments received before, here or elsewhere "
        "(e.g. photorejuvenation 2025-03).")
    products_used = fields.Text(
        "Products Used at Home", size=2000)

    # Body and health profile
    contraindications = fields.Many2Many(
        'party.party-beauty.contraindication', 'party', 'contraindication',
        "Contraindications",
        help="Conditions that rule out or restrict some services.")
    allergies = fields.Text("Allergies", size=1000)
    health_notes = fields.Text("Health Notes", size=2000)
    massage_pressure = fields.Selection(PRESSURES, "Massage Pressure")
    preferred_oils = fields.Char("Preferred Oils", size=200)

    consultations = fields.One2Many(
        'beauty.consultation', 'customer', "Consultations", readonly=True)
    care_records = fields.One2Many(
        'beauty.care.record', 'customer', "Care Records", readonly=True)
    care_plans = fields.One2Many(
        'beauty.care.plan', 'customer', "Care Plans", readonly=True)
    feedbacks = fields.One2Many(
        'beauty.feedback', 'customer', "Feedback", readonly=True)
    last_visit = fields.Function(
        fields.Date("Last Visit"), 'get_overview',
        searcher='search_last_visit')
    visit_count = fields.Function(
        fields.Integer("Visits"), 'get_overview')
    health_alert = fields.Function(
        fields.Char(
            "Health Alert",
            help="Contraindications and allergies to check before any "
            "service."),
        'get_overview')
    mobile_digits = fields.Char(
        "Mobile Digits", readonly=True, loading='lazy',
        help="The digits of the mobile, to find it by any part.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        for name in ['categories', 'skin_concerns', 'contraindications']:
            getattr(cls, name).__class__ = Many2ManyRows
        # party defines "mobile" as a Function field on the contact
        # mechanisms; a salon finds customers by mobile, so it is a stored,
        # indexed column here. A field is only replaced after Model.__setup__
        # has copied the inherited definitions.
        cls.mobile = fields.Char(
            "Mobile", size=20,
            help="Mainland mobile (11 digits, 1[3-9]...) or an international "
            "number starting with +; stored as E.164.")
        cls.mobile_digits.search_unaccented = False
        # A search loads the eager columns of every record it finds (up to
        # the 1000 of a list page) for its cache: long texts and columns
        # the lists do not show are loaded when read
        for name in _LAZY_FIELDS:
            getattr(cls, name).loading = 'lazy'
        t = cls.__table__()
        cls._sql_constraints += [
            ('mobile_uniq', Unique(t, t.mobile),
                'beauty_customer.msg_mobile_unique'),
            ]
        # The ORM compares COALESCE(column, '') for columns that are not
        # required, so that is what is indexed. Searching: see
        # search_rec_name; pinyin_search of PinyinMixin indexes the name,
        # its pinyin and initials.
        cls._sql_indexes.update({
                Index(t, (Coalesce(t.mobile_digits, ''),
                        Index.Similarity(cardinality='high'))),
                # duplicate checks: name/mobile 'in' [...]
                Index(t, (Coalesce(t.mobile, ''), Index.Equality())),
                Index(t, (Coalesce(t.name, ''), Index.Equality())),
                # the default order (see order_name)
                Index(t,
                    (t.pinyin, Index.Range()),
                    (t.name, Index.Range()),
                    (t.id, Index.Range())),
                Index(t, (t.birthday, Index.Range())),
                Index(t, (t.source, Index.Range())),
                })

    @classmethod
    def __post_setup__(cls):
        super().__post_setup__()
        # the sub-lists of the form (here and in the other modules)
        for field in cls._fields.values():
            if type(field) is fields.One2Many:
                field.__class__ = One2ManyRows

    @classmethod
    def _read_one_columns(cls, id_, names):
        pool = Pool()
        CareRecord = pool.get('beauty.care.record')
        columns = super()._read_one_columns(id_, names)
        if names & {'last_visit', 'visit_count'}:
            record = CareRecord.__table__()
            where = record.customer == id_
            columns[('overview', 'last_visit')] = record.select(
                Max(record.date), where=where)
            columns[('overview', 'visit_count')] = record.select(
                Count(record.id), where=where)
        return columns

    @classmethod
    def __register__(cls, module):
        transaction = Transaction()
        database = transaction.database
        if database.__class__.__module__.startswith(
                'trytond.backend.postgresql'):
            # Trigram search and exclusion constraints of the suite need
            # these extensions; both are trusted, a database owner may add
            # them.
            cursor = transaction.connection.cursor()
            for extension in ['pg_trgm', 'btree_gist']:
                if not database.has_extension(extension):
                    cursor.execute(
                        'CREATE EXTENSION IF NOT EXISTS "%s"' % extension)
                    # has_extension asks on another connection, which does
                    # not see this uncommitted transaction: record the
                    # answer, or exclusion constraints and trigram indexes
                    # are silently skipped on the first install
                    database._extensions[database.name][extension] = True
            database.__class__._has_proc.clear()
        table_h = cls.__table_handler__(module)
        fill_search = (
            table_h.table_exist(cls._table)
            and not table_h.column_exist('pinyin_search'))
        super().__register__(module)

        # Migration from 8.0.0: fill the search columns
        if fill_search:
            cls._fill_search_columns()

    @classmethod
    def _fill_search_columns(cls):
        "Compute pinyin and mobile digits of the existing parties, by batch"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(
                table.id, table.name, table.mobile,
                where=(table.name != Null) | (table.mobile != Null)))
        rows = cursor.fetchall()
        for sub_rows in grouped_slice(rows, 1000):
            values = []
            for id_, name, mobile in sub_rows:
                pinyin = cls.pinyin_values(name)
                values.append([id_, pinyin['pinyin'],
                        pinyin['pinyin_search'], mobile_digits(mobile)])
            values = Values(values)
            cursor.execute(*table.update(
                    [table.pinyin, table.pinyin_search, table.mobile_digits],
                    [Column(values, 'column2'), Column(values, 'column3'),
                        Column(values, 'column4')],
                    from_=[values],
                    where=table.id == Column(values, 'column1')))

    @classmethod
    def _code_sequence(cls, **pattern):
        pool = Pool()
        Configuration = pool.get('party.configuration')
        config = Configuration(1)
        if config.customer_sequence:
            return config.customer_sequence
        return super()._code_sequence(**pattern)

    @staticmethod
    def default_store():
        return Transaction().context.get('company')

    @staticmethod
    def default_marketing_consent():
        return False

    @fields.depends('marketing_consent', 'marketing_consent_date')
    def on_change_marketing_consent(self):
        if self.marketing_consent and not self.marketing_consent_date:
            self.marketing_consent_date = dt.date.today()

    @fields.depends('mobile')
    def on_change_mobile(self):
        normalized = normalize_mobile(self.mobile)
        if normalized:
            self.mobile = normalized

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if values.get('mobile'):
            normalized = normalize_mobile(values['mobile'])
            if normalized:
                values['mobile'] = normalized
        if 'mobile' in values:
            values['mobile_digits'] = mobile_digits(values['mobile'])
        if values.get('name'):
            values['name'] = values['name'].strip()
        return values

    @staticmethod
    def order_name(tables):
        "Names sort in pinyin order, as a Chinese salon files its archive"
        table, _ = tables[None]
        return [table.pinyin, table.name]

    @classmethod
    def search_age_bracket(cls, name, clause):
        _, operator, value = clause[:3]
        today = dt.date.today()
        if operator in {'in', 'not in'}:
            values = value or []
        else:
            values = [value]
        domain = ['OR']
        for bracket in values:
            if bracket not in _AGE_RANGES:
                domain.append(('birthday', '=', None))
                continue
            low, high = _AGE_RANGES[bracket]
            latest = _years_before(today, low)
            earliest = _years_before(today, high + 1) + dt.timedelta(days=1)
            domain.append([
                    ('birthday', '<=', latest),
                    ('birthday', '>=', earliest),
                    ])
        if operator in {'!=', 'not in'}:
            return ['NOT', domain]
        return domain

    def get_mobile_masked(self, name):
        return mask_mobile(self.mobile)

    @classmethod
    def get_rec_name(cls, parties, name):
        """The name, or the code in brackets, read in one query (company.py)
        or taken from the row being read"""
        from .company import party_names
        result = {}
        for party in parties:
            values = party._local_cache.get(party.id, {})
            if 'name' not in values or 'code' not in values:
                return party_names(cls, parties, party_column=None)
            result[party.id] = values['name'] or '[%s]' % (
                values['code'] or '')
        return result

    @classmethod
    def read(cls, ids, fields_names):
        return read_selection_texts(cls, cls._read_masked, ids, fields_names)

    @classmethod
    def _read_masked(cls, ids, fields_names):
        result = super().read(ids, fields_names)
        if {'mobile', 'mobile_digits'} & set(fields_names) and _mask_mobiles():
            for values in result:
                if 'mobile' in values:
                    values['mobile'] = mask_mobile(values.get('mobile'))
                if 'mobile_digits' in values:
                    values['mobile_digits'] = None
        return result

    @classmethod
    def get_overview(cls, parties, names):
        """Age and its bracket, the health alert, the last visit and the
        visit count: the computed columns of the customer list, in one call
        and three queries for a page. (One getter per field cost a call each,
        and reading birthday or allergies through the records loaded every
        column of the archive for the whole page.)"""
        pool = Pool()
        CareRecord = pool.get('beauty.care.record')
        Relation = pool.get('party.party-beauty.contraindication')
        Contraindication = pool.get('beauty.contraindication')
        party = cls.__table__()
        record = CareRecord.__table__()
        relation = Relation.__table__()
        cursor = Transaction().connection.cursor()
        ids = [p.id for p in parties]
        names = set(names)
        result = {n: dict.fromkeys(ids) for n in names}
        today = dt.date.today()

        def date(value):
            if isinstance(value, str):
                return dt.date.fromisoformat(value)
            return value

        def loaded(party):
            "birthday and allergies if read already (the form's row)"
            values = party._local_cache.get(party.id, {})
            if 'birthday' in values and 'allergies' in values:
                return party.id, values['birthday'], values['allergies']
        # the form's values fetched by read (ReadOneMixin)
        found, last = read_one_value(cls, ids, ('overview', 'last_visit'))
        if found:
            _, count = read_one_value(cls, ids, ('overview', 'visit_count'))
            visits = [(ids[0], last, count)] if count else []
        else:
            visits = None
        for sub_ids in grouped_slice(ids, backend.MAX_QUERY_PARAMS):
            sub_ids = list(sub_ids)
            if names & {'age', 'age_bracket', 'health_alert'}:
                in_slice = set(sub_ids)
                rows = [loaded(p) for p in parties if p.id in in_slice]
                if not all(rows):
                    cursor.execute(*party.select(
                            party.id, party.birthday, party.allergies,
                            where=reduce_ids(party.id, sub_ids)))
                    rows = cursor
                for id_, birthday, allergies in rows:
                    age = age_on(date(birthday), today)
                    if 'age' in names:
                        result['age'][id_] = age
                    if 'age_bracket' in names:
                        result['age_bracket'][id_] = age_bracket(age)
                    if 'health_alert' in names and allergies:
                        result['health_alert'][id_] = allergies.strip()
            if names & {'last_visit', 'visit_count'}:
                if 'visit_count' in names:
                    result['visit_count'].update(dict.fromkeys(sub_ids, 0))
                if visits is None:
                    cursor.execute(*record.select(
                            record.customer, Max(record.date),
                            Count(record.id),
                            where=reduce_ids(record.customer, sub_ids),
                            group_by=record.customer))
                    rows = cursor
                else:
                    rows = visits
                for customer, last, count in rows:
                    if 'last_visit' in names:
                        result['last_visit'][customer] = date(last)
                    if 'visit_count' in names:
                        result['visit_count'][customer] = count
        if 'health_alert' in names:
            # contraindications first, in their order, then the allergies
            allergies = result['health_alert']
            alerts = {i: [] for i in ids}
            found, conditions = read_one_value(
                cls, ids, ('many2many', 'contraindications'))
            if found:
                pairs = [(ids[0], c) for c in conditions]
            else:
                pairs = []
                for sub_ids in grouped_slice(
                        ids, backend.MAX_QUERY_PARAMS):
                    cursor.execute(*relation.select(
                            relation.party, relation.contraindication,
                            where=reduce_ids(relation.party, sub_ids)
                            & (relation.contraindication != Null)))
                    pairs.extend(cursor)
            if pairs:
                conditions = {c.id: c for c in Contraindication.browse(
                        list({c for _, c in pairs}))}

                def key(pair):
                    condition = conditions[pair[1]]
                    return (condition.sequence is not None,
                        condition.sequence or 0, condition.name or '')
                for party_id, condition in sorted(pairs, key=key):
                    alerts[party_id].append(conditions[condition].name)
            for id_ in ids:
                if allergies[id_]:
                    alerts[id_].append(gettext(
                            'beauty_customer.msg_allergy_alert',
                            allergies=allergies[id_]))
                result['health_alert'][id_] = '；'.join(alerts[id_]) or None
        return result

    @classmethod
    def search_last_visit(cls, name, clause):
        pool = Pool()
        CareRecord = pool.get('beauty.care.record')
        record = CareRecord.__table__()
        _, operator, value = clause[:3]
        if value is None:
            visited = record.select(record.customer)
            if operator == '=':
                return [('id', 'not in', visited)]
            return [('id', 'in', visited)]
        Operator = fields.SQL_OPERATORS[operator]
        query = record.select(
            record.customer,
            group_by=record.customer,
            having=Operator(Max(record.date), value))
        return [('id', 'in', query)]

    @classmethod
    def search_rec_name(cls, name, clause):
        """The search box: '%text%' finds the customers whose name, pinyin
        or initials, mobile digits or code contain text, through indexed
        columns only (see _search_text)."""
        _, operator, operand, *extra = clause
        if (operator in {'like', 'ilike', 'not like', 'not ilike'}
                and isinstance(operand, str)
                and len(operand) > 1
                and operand.startswith('%')
                and rstrip_wildcard(operand) != operand):
            text = strip_wildcard(operand)
            if '%' not in text.replace('\\%', '') and (
                    '_' not in text.replace('\\_', '')):
                domain = cls._search_text(
                    unescape_wildcard(text), operator, operand)
                if domain:
                    return domain
        domain = super().search_rec_name(name, clause)
        if isinstance(operand, str):
            if operator.endswith('like'):
                digits = _query_digits(strip_wildcard(operand))
                if digits and len(digits) >= 3:
                    domain.append((
                            'mobile_digits', operator,
                            '%' + digits + '%', *extra))
            elif operator in {'=', '!='} and normalize_mobile(operand):
                domain.append((
                        'mobile', operator, normalize_mobile(operand),
                        *extra))
        return domain

    @classmethod
    def _search_text(cls, text, operator, operand):
        """The domain of the parties containing text (see _search_domain);
        None when text is too short for an index (Tryton's search is used).

        The matches are looked up first, in one query, and the search
        filters on their ids, whose number PostgreSQL then knows exactly.
        With the LIKE clauses instead it may estimate 1% of the table for
        0.1% and walk the index of the list's order filtering every row
        (seconds at 1M parties). Beyond SEARCH_IDS_MAX matches that walk is
        right: the clauses are returned.
        """
        domain = cls._search_domain(text)
        if domain is None:
            return None
        negative = operator.startswith('not ')
        cursor = Transaction().connection.cursor()
        query = cls._search_query(domain)
        others = cls._search_other_query(operand) if text.isascii() else None
        if others:
            query = Union(query, others)
        cursor.execute(*query.select(query.id, limit=SEARCH_IDS_MAX + 1))
        ids = [id_ for id_, in cursor]
        if len(ids) <= SEARCH_IDS_MAX:
            return [('id', 'not in' if negative else 'in', ids)]
        if others:
            cursor.execute(*others)
            if other_ids := [id_ for id_, in cursor]:
                domain.append(('id', 'in', other_ids))
        if negative:
            return [('id', 'not in', cls._search_query(domain))]
        return domain

    @classmethod
    def _search_domain(cls, text):
        """The clauses matching text, case-insensitively, in the name, its
        pinyin or initials (2+ characters), the mobile (3+ digits), the code
        (3+ characters; digits alone: the number ending the code or, as
        Tryton does, its beginning); None if text is too short.

        Each clause hits an index of party.party (a trigram index serves
        LIKE '%...%'): they are OR-ed on the table itself, so the database
        combines the indexes (BitmapOr).
        """
        text = text.strip()
        domain = ['OR']
        if keys := cls.pinyin_domain(text):
            domain.append(keys)
        digits = _query_digits(text)
        if digits and len(digits) >= 3:
            domain.append(('mobile_digits', 'like', '%' + digits + '%'))
            if digits == text:
                domain.append(('code', 'ilike', '%' + digits))
                domain.append(('code', 'ilike', digits + '%'))
        elif len(text) >= 3 and text.isascii():
            domain.append(
                ('code', 'ilike', '%' + escape_wildcard(text) + '%'))
        if len(domain) == 1:
            return None
        return domain

    @classmethod
    def _search_other_query(cls, operand):
        """SELECT the parties whose identifiers or contact mechanisms match
        operand, as Tryton's search box does (for text in Latin letters or
        digits; in a salon these tables are small)"""
        pool = Pool()
        Identifier = pool.get('party.identifier')
        ContactMechanism = pool.get('party.contact_mechanism')
        code_value = lstrip_wildcard(operand)
        tables, where = Identifier.search_domain([
                'OR',
                ('code', 'ilike', code_value),
                ('code_compact', 'ilike', code_value),
                ], active_test=False)
        identifier, _ = tables[None]
        query = convert_from(None, tables).select(
            identifier.party.as_('id'), where=where)
        tables, where = ContactMechanism.search_domain(
            [('rec_name', 'ilike', operand)], active_test=True)
        mechanism, _ = tables[None]
        return Union(query, convert_from(None, tables).select(
                mechanism.party.as_('id'), where=where))

    @classmethod
    def _search_query(cls, domain):
        "SELECT id of the parties matching a domain of their own columns"
        tables, where = cls.search_domain(domain, active_test=False)
        table, _ = tables[None]
        return convert_from(None, tables).select(
            table.id.as_('id'), where=where)

    @classmethod
    def validate_fields(cls, parties, field_names):
        super().validate_fields(parties, field_names)
        cls.check_customer_fields(parties, field_names)

    @classmethod
    def check_customer_fields(cls, parties, field_names=None):
        today = dt.date.today()
        for party in parties:
            if field_names is None or 'name' in field_names:
                if not (party.name or '').strip():
                    raise CustomerValidationError(gettext(
                            'beauty_customer.msg_customer_name_required',
                            code=party.code or ''))
                if len(party.name) > NAME_MAX:
                    raise CustomerValidationError(gettext(
                            'beauty_customer.msg_customer_name_long',
                            name=party.name[:NAME_MAX] + '…',
                            maximum=NAME_MAX))
            if field_names is None or 'birthday' in field_names:
                if party.birthday and party.birthday > today:
                    raise CustomerValidationError(gettext(
                            'beauty_customer.msg_birthday_future',
                            customer=party.rec_name,
                            birthday=party.birthday))
                if party.birthday and party.birthday.year < 1900:
                    raise CustomerValidationError(gettext(
                            'beauty_customer.msg_birthday_too_old',
                            customer=party.rec_name,
                            birthday=party.birthday))
            if field_names is None or 'mobile' in field_names:
                if party.mobile and normalize_mobile(party.mobile) != (
                        party.mobile):
                    raise MobileValidationError(gettext(
                            'beauty_customer.msg_mobile_invalid',
                            customer=party.rec_name,
                            mobile=party.mobile))
        if field_names is None or 'name' in field_names:
            cls.check_similar_names(parties)

    @classmethod
    def create(cls, vlist):
        cls.check_mobiles_free([
                (None, v.get('mobile'), v.get('name')) for v in vlist])
        # Number the new customers with one sequence update, not one each
        missing = [i for i, v in enumerate(vlist) if not v.get('code')]
        if len(missing) > 1 and (sequence := cls._code_sequence()):
            vlist = [v.copy() for v in vlist]
            for i, code in zip(missing, sequence.get_many(len(missing))):
                vlist[i]['code'] = code
        return super().create(vlist)

    @classmethod
    def write(cls, *args):
        actions = iter(args)
        items = []
        for parties, values in zip(actions, actions):
            if values.get('mobile'):
                items.extend(
                    (p, values['mobile'], values.get('name', p.name))
                    for p in parties)
        cls.check_mobiles_free(items)
        super().write(*args)

    @classmethod
    def check_mobiles_free(cls, items):
        """Refuse mobiles that another customer has, naming her.

        items are (party or None, mobile, name) about to be saved; checked
        before the SQL unique constraint, which cannot say who has it."""
        mobiles = {}
        for party, mobile, name in items:
            mobile = normalize_mobile(mobile) or mobile
            if not mobile:
                continue
            if mobile in mobiles:
                other, other_name = mobiles[mobile]
                raise DuplicateMobileError(gettext(
                        'beauty_customer.msg_mobile_duplicate',
                        mobile=national_digits(mobile),
                        customer=name or '',
                        other=(other.code if other else None)
                        or other_name or ''))
            mobiles[mobile] = (party, name)
        if not mobiles:
            return
        ids = [p.id for p, _ in mobiles.values() if p]
        with Transaction().set_context(active_test=False):
            for sub in grouped_slice(list(mobiles), 1000):
                others = cls.search([
                        ('mobile', 'in', list(sub)),
                        ('id', 'not in', ids),
                        ], limit=1)
                for other in others:
                    _, name = mobiles[other.mobile]
                    raise DuplicateMobileError(gettext(
                            'beauty_customer.msg_mobile_duplicate',
                            mobile=national_digits(other.mobile),
                            customer=name or '',
                            other=other.code or other.name or ''))

    @classmethod
    def check_similar_names(cls, parties):
        pool = Pool()
        Warning = pool.get('res.user.warning')
        transaction = Transaction()
        # root and skipped warnings are never asked: do not search for them
        if not transaction.user or transaction.context.get('_skip_warnings'):
            return
        names = {}
        for party in parties:
            if party.name:
                names.setdefault(party.name.strip(), []).append(party)
        if not names:
            return
        for sub in grouped_slice(
                list(names), backend.MAX_QUERY_PARAMS):
            sub = list(sub)
            others = cls.search([
                    ('name', 'in', list(sub)),
                    ('id', 'not in', [p.id for p in parties]),
                    ], limit=len(sub) * 3)
            for other in others:
                party = names[other.name][0]
                # Keyed on what is saved and on the namesake, not on the
                # new record's id: PostgreSQL gives a new id each attempt,
                # so a skipped warning would be asked again forever
                saved = hashlib.md5(('%s|%s' % (
                            party.name, party.mobile or '')).encode(
                        'utf-8')).hexdigest()[:16]
                key = Warning.format('similar_name.' + saved, [other])
                if Warning.check(key):
                    raise SimilarNameWarning(key, gettext(
                            'beauty_customer.msg_similar_name',
                            name=party.name,
                            other=other.code or '',
                            mobile=mask_mobile(other.mobile) or '-'))

    @classmethod
    def copy(cls, parties, default=None):
        default = default.copy() if default else {}
        default.setdefault('mobile', None)
        default.setdefault('mobile_digits', None)
        default.setdefault('consultations', None)
        default.setdefault('care_records', None)
        default.setdefault('care_plans', None)
        default.setdefault('feedbacks', None)
        return super().copy(parties, default=default)


def _years_before(date, years):
    try:
        return date.replace(year=date.year - years)
    except ValueError:  # 29 February
        return date.replace(year=date.year - years, day=28)


class PartySkinConcern(ModelSQL):
    __name__ = 'party.party-beauty.skin.concern'
    party = fields.Many2One(
        'party.party', "Customer", required=True, ondelete='CASCADE')
    concern = fields.Many2One(
        'beauty.skin.concern', "Concern", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.party, Index.Range())),
                Index(t, (t.concern, Index.Range())),
                })


class PartyContraindication(ModelSQL):
    __name__ = 'party.party-beauty.contraindication'
    party = fields.Many2One(
        'party.party', "Customer", required=True, ondelete='CASCADE')
    contraindication = fields.Many2One(
        'beauty.contraindication', "Contraindication", required=True,
        ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.party, Index.Range())),
                Index(t, (t.contraindication, Index.Range())),
                })


class Configuration(metaclass=PoolMeta):
    __name__ = 'party.configuration'
    customer_sequence = fields.Many2One(
        'ir.sequence', "Customer Code Sequence",
        domain=[
            ('sequence_type', '=', Id('party', 'sequence_type_party')),
            ],
        help="Used to number new customers (e.g. C000123).")

    @classmethod
    def default_customer_sequence(cls):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id('beauty_customer', 'sequence_customer')
        except KeyError:
            return None


class Erase(metaclass=PoolMeta):
    __name__ = 'party.erase'

    def transition_erase(self):
        pool = Pool()
        Party = pool.get('party.party')
        CareRecord = pool.get('beauty.care.record')
        parties = replacing = [self.ask.party]
        with Transaction().set_context(active_test=False):
            while replacing:
                replacing = Party.search([
                        ('replaced_by', 'in', list(map(int, replacing))),
                        ])
                parties += replacing
        party_ids = [p.id for p in parties]
        photos = CareRecord.photo_ids(party_ids)
        state = super().transition_erase()
        self.erase_relations(party_ids)
        delete_files_on_commit(photos)
        return state

    @classmethod
    def erase_relations(cls, party_ids):
        "Remove the tags, skin concerns and contraindications of the parties"
        pool = Pool()
        cursor = Transaction().connection.cursor()
        for name in [
                'party.party-party.category',
                'party.party-beauty.skin.concern',
                'party.party-beauty.contraindication']:
            Relation = pool.get(name)
            table = Relation.__table__()
            for sub_ids in grouped_slice(party_ids, 1000):
                cursor.execute(*table.delete(
                        where=table.party.in_(list(sub_ids))))

    def to_erase(self, party_id):
        pool = Pool()
        Party = pool.get('party.party')
        Consultation = pool.get('beauty.consultation')
        Answer = pool.get('beauty.consultation.answer')
        CareRecord = pool.get('beauty.care.record')
        CarePlan = pool.get('beauty.care.plan')
        Feedback = pool.get('beauty.feedback')
        ContactMechanism = pool.get('party.contact_mechanism')
        to_erase = super().to_erase(party_id)
        party_columns = [
            'mobile', 'birthday', 'wechat', 'occupation', 'hobbies',
            'family_notes', 'customer_notes', 'treatment_history',
            'products_used', 'allergies', 'health_notes', 'preferred_oils',
            'referrer', 'gender', 'skin_type', 'skin_sensitivity',
            'massage_pressure', 'preferred_visit_time', 'price_range',
            'preferred_beautician', 'marketing_consent_date',
            'marketing_consent_channel']
        to_erase.extend([
                (Party, [('id', '=', party_id)], False,
                    ['pinyin', 'pinyin_search', 'mobile_digits'],
                    [None] * 3),
                # the party module blanks the value, not its compact copy
                (ContactMechanism, [('party', '=', party_id)], False,
                    ['value_compact'], ['****']),
                (Party, [('id', '=', party_id)], True,
                    party_columns + ['marketing_consent'],
                    [None] * len(party_columns) + [False]),
                (Consultation, [('customer', '=', party_id)], True,
                    ['diagnosis', 'recommendation'],
                    [None, None]),
                (Answer, [('consultation.customer', '=', party_id)], False,
                    ['answer'], [None]),
                (CareRecord, [('customer', '=', party_id)], True,
                    CareRecord._erase_columns(),
                    [None] * len(CareRecord._erase_columns())),
                (CarePlan, [('customer', '=', party_id)], True,
                    ['notes'], [None]),
                (Feedback, [('customer', '=', party_id)], True,
                    ['subject', 'description', 'resolution'],
                    ['****', None, None]),
                ])
        return to_erase
