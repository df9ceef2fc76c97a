# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Finding customers (the search box of the front desk), the customer list
and the customer form."""
from . import Operation

LIMIT = 1000  # what the web client asks for (Sao.config.limit)
PAGE = 100  # the records it reads first (limit / min(fields, 10))


def escape_wildcard(text):
    for char in '\\%_':
        text = text.replace(char, '\\' + char)
    return text


def read_names(fields):
    "The field names the web client reads for a view"
    names = []
    for name, field in fields.items():
        names.append(name)
        if field['type'] in {'many2one', 'one2one', 'reference'}:
            names.append(name + '.rec_name')
        elif (field['type'] in {'selection', 'multiselection'}
                and field.get('loading', 'lazy') == 'eager'):
            names.append(name + ':string')
    return names + ['rec_name', '_timestamp', '_write', '_delete']


def plain_rec_name(text):
    """The domain of plain Tryton's party search box (party.search_rec_name)
    and of the mobile clause this suite had before its search columns"""
    value = '%' + escape_wildcard(text) + '%'
    domain = ['OR',
        ('code', 'ilike', value[1:]),
        ('identifiers.code', 'ilike', value[1:]),
        ('identifiers.code_compact', 'ilike', value[1:]),
        ('name', 'ilike', value),
        ('contact_mechanisms.rec_name', 'ilike', value),
        ]
    digits = text.replace(' ', '').replace('-', '')
    if digits.isdigit():
        domain.append(('mobile', 'ilike', '%' + digits + '%'))
    return domain


class CustomerSamples(Operation):
    "Samples are random active customers with a mobile"

    def customers(self, n, where='TRUE'):
        bench = self.bench
        key = (n, where)
        cache = bench.cache.setdefault('customers', {})
        if key not in cache:
            cache[key] = bench.conn.execute(
                'SELECT id, code, name, mobile_digits, pinyin, store '
                'FROM party_party '
                "WHERE active AND mobile_digits IS NOT NULL "
                "AND code LIKE 'C%%' AND " + where + ' '
                'ORDER BY md5(id::text) LIMIT %s', (n,)).fetchall()
        return cache[key]


class Search(CustomerSamples):
    group = 'search'
    target_p95 = 0.020
    target = 'p95 <= 20 ms, >= 50x plain'
    field = None  # the party field the plain single-field search uses

    def query(self, customer):
        raise NotImplementedError

    def prepare(self):
        return [(c, self.query(c))
            for c in self.customers(self.samples)]

    def run(self, session, sample):
        customer, text = sample
        return session.call('model.party.party.search',
            [('rec_name', 'ilike', '%' + escape_wildcard(text) + '%')],
            0, LIMIT, None)

    def check(self, sample, result):
        customer, text = sample
        assert len(result) == len(set(result)), "duplicates"
        assert customer[0] in result or len(result) == LIMIT, (
            "%s not found by %r" % (customer[2], text))

    def baselines(self):
        def field(session, sample):
            customer, text = sample
            return session.call('model.party.party.search',
                [(self.field, 'ilike', '%' + escape_wildcard(text) + '%')],
                0, LIMIT, None)

        def search_box(session, sample):
            customer, text = sample
            return session.call('model.party.party.search',
                [plain_rec_name(text)], 0, LIMIT, None)
        result = {'plain search box': search_box}
        if self.field:
            result['plain %s ilike' % self.field] = field
        return result


class SearchMobilePart(Search):
    name = 'search: 4-8 digits of the mobile'
    field = 'mobile'

    def query(self, customer):
        digits = customer[3]
        size = self.rng.randint(4, 8)
        # after the operator prefix (138...), where numbers differ
        start = self.rng.randint(3, len(digits) - size)
        return digits[start:start + size]


class SearchMobileLast4(Search):
    name = 'search: last 4 digits of the mobile'
    field = 'mobile'

    def query(self, customer):
        return customer[3][-4:]


class SearchName2(Search):
    name = 'search: 2 characters of the name'
    field = 'name'

    def query(self, customer):
        name = customer[2]
        start = self.rng.randint(0, len(name) - 2)
        return name[start:start + 2]


class SearchName3(Search):
    name = 'search: 3 characters of the name'
    field = 'name'

    def customers(self, n, where='TRUE'):
        return super().customers(n, where='char_length(name) >= 3')

    def query(self, customer):
        name = customer[2]
        start = self.rng.randint(0, len(name) - 3)
        return name[start:start + 3]


class SearchCode(Search):
    name = 'search: customer code'
    field = 'code'

    def query(self, customer):
        return customer[1]


class SearchPinyin(Search):
    name = 'search: full pinyin (zhangxiaoming)'
    target = 'p95 <= 20 ms (plain: impossible)'

    def query(self, customer):
        return customer[4].replace(' ', '')

    def baselines(self):
        return {}


class SearchInitials(SearchPinyin):
    name = 'search: pinyin initials (zxm)'

    def query(self, customer):
        return ''.join(s[0] for s in customer[4].split())


class ListFirstPage(CustomerSamples):
    """What the web client does when the customer list opens: search in the
    default order, then read the first records with the list's fields"""
    name = 'list: customers, first page'
    group = 'list'
    target_p95 = 0.050
    target = 'p95 <= 50 ms'
    samples = 1

    def fields(self, session):
        key = 'list fields'
        if key not in self.bench.cache:
            view = session.call(
                'model.party.party.fields_view_get', None, 'tree')
            assert 'mobile' in view['fields'], "not the customer list"
            self.bench.cache[key] = read_names(view['fields'])
        return self.bench.cache[key]

    def run(self, session, sample, order=None):
        ids = session.call(
            'model.party.party.search', [], 0, LIMIT, order)
        records = session.call(
            'model.party.party.read', ids[:PAGE], self.fields(session))
        return ids, records

    def check(self, sample, result):
        ids, records = result
        assert len(ids) == min(LIMIT, self.bench.active_parties()), len(ids)
        # read answers in the database's order; the client maps by id
        assert sorted(r['id'] for r in records) == sorted(ids[:PAGE]), (
            "the rows read are not the first page's")
        keys = [(r['pinyin'] or '', r['name'] or '') for r in
            self.bench.read_rows('party_party', ids[:PAGE],
                ['pinyin', 'name'])]
        assert keys == sorted(keys), "not in pinyin order"

    def baselines(self):
        def unindexed_order(session, sample):
            # plain Tryton orders parties by name, which it does not index
            # for ordering: a sort of every customer on each opening, as
            # here on another name-like column
            return self.run(session, sample,
                order=[('pinyin_search', 'ASC'), ('id', 'ASC')])
        return {'plain (sort by an unindexed name)': unindexed_order}


class ListCount(ListFirstPage):
    """The count the web client asks next (up to 100 pages), to enable its
    'next page' button"""
    name = 'list: count (up to 100000)'
    target_p95 = None
    target = '(informative)'
    group = None

    def run(self, session, sample, order=None):
        return session.call(
            'model.party.party.search_count', [], 0, LIMIT * 100)

    def check(self, sample, result):
        assert result == min(LIMIT * 100, self.bench.active_parties()), result

    def baselines(self):
        return {}


class OpenForm(CustomerSamples):
    """Open a customer: read the form's fields (age, bracket, last visit,
    visit count... computed) and the rows of her care records' list
    (progress computed against the previous record)"""
    name = 'form: open a customer'
    group = 'form'
    target_p95 = 0.050
    target = 'p95 <= 50 ms'

    def prepare(self):
        # customers of the user's store, whose care records she may read
        return self.customers(self.samples, where=(
                'store = %d' % self.bench.user_company))

    def views(self, session):
        key = 'form fields'
        if key not in self.bench.cache:
            view = session.call(
                'model.party.party.fields_view_get', None, 'form')
            assert 'care_records' in view['fields'], "not the customer form"
            sub = {}
            for name, field in view['fields'].items():
                if field['type'] in {'one2many', 'many2many'}:
                    views = field.get('views') or {}
                    trees = [v for v in views.values()
                        if v['type'] == 'tree']
                    if trees:
                        sub[name] = (field['relation'],
                            read_names(trees[0]['fields']))
            self.bench.cache[key] = (read_names(view['fields']), sub)
        return self.bench.cache[key]

    def run(self, session, sample):
        fields, sub = self.views(session)
        record, = session.call('model.party.party.read', [sample[0]], fields)
        rows = {}
        for name, (model, sub_fields) in sub.items():
            if record.get(name):
                rows[name] = session.call(
                    'model.%s.read' % model, record[name][:20], sub_fields)
        return record, rows

    def check(self, sample, result):
        record, rows = result
        assert record['id'] == sample[0] and record['name'] == sample[2]
        assert 'age' in record and 'last_visit' in record
        if record['care_records']:
            assert record['visit_count'] == len(record['care_records']), (
                record['visit_count'], len(record['care_records']))
            assert len(rows['care_records']) == min(
                len(record['care_records']), 20)


OPERATIONS = [
    SearchMobilePart, SearchMobileLast4, SearchName2, SearchName3, SearchCode,
    SearchPinyin, SearchInitials, ListFirstPage, ListCount, OpenForm,
    ]
