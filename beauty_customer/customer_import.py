# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"Import customers from the salon's own spreadsheet (.xlsx or .csv)"
import csv
import datetime as dt
import io
import re

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .exceptions import CustomerImportError
from .mobile import national_digits, normalize_mobile
from .party import NAME_MAX

# header (as salons write it) -> field
COLUMNS = {
    '姓名': 'name', '客户姓名': 'name', '名字': 'name', 'name': 'name',
    '手机': 'mobile', '手机号': 'mobile', '手机号码': 'mobile',
    '电话': 'mobile', '联系电话': 'mobile', '电话号码': 'mobile',
    '联系方式': 'mobile', 'mobile': 'mobile',
    '性别': 'gender', 'gender': 'gender',
    '生日': 'birthday', '出生日期': 'birthday', 'birthday': 'birthday',
    '来源': 'source', '客户来源': 'source', 'source': 'source',
    '标签': 'tags', 'tags': 'tags',
    '肤质': 'skin_type', '皮肤类型': 'skin_type', 'skin type': 'skin_type',
    '过敏史': 'allergies', '过敏': 'allergies', 'allergies': 'allergies',
    '职业': 'occupation', 'occupation': 'occupation',
    '微信': 'wechat', '微信号': 'wechat', 'wechat': 'wechat',
    '备注': 'customer_notes', 'notes': 'customer_notes',
    }
REQUIRED = ['name', 'mobile']
GENDERS = {
    '女': 'female', 'f': 'female', 'female': 'female', '女士': 'female',
    '男': 'male', 'm': 'male', 'male': 'male', '男士': 'male',
    }
SKIN_TYPES = {
    '干性': 'dry', '干': 'dry', 'dry': 'dry',
    '油性': 'oily', '油': 'oily', 'oily': 'oily',
    '混合性': 'combination', '混合': 'combination',
    'combination': 'combination',
    '中性': 'normal', 'normal': 'normal',
    '敏感性': 'sensitive', '敏感': 'sensitive', 'sensitive': 'sensitive',
    }
TEXT_LIMITS = {
    'allergies': 1000, 'occupation': 60, 'wechat': 40,
    'customer_notes': 2000,
    }
TEXT_HEADERS = {
    'allergies': '过敏史', 'occupation': '职业', 'wechat': '微信',
    'customer_notes': '备注',
    }
_TAG_SPLIT = re.compile(r'[,，、;；/|]')
_DATE_FORMATS = ['%Y-%m-%d', '%Y/%m/%d', '%Y.%m.%d', '%Y%m%d', '%Y年%m月%d日']
ROWS_MAX = 50000


def parse_date(value):
    if value in (None, ''):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def read_rows(data, filename):
    """Return the header and the other rows of the first sheet.

    The rows are (row number, values): the number is the one the salon sees
    in its spreadsheet, blank rows are skipped but counted.
    """
    name = (filename or '').lower()
    if name.endswith('.xlsx') or data[:2] == b'PK':
        from openpyxl import load_workbook
        try:
            workbook = load_workbook(
                io.BytesIO(data), read_only=True, data_only=True)
            sheet = workbook.worksheets[0]
            rows = [list(r) for r in sheet.iter_rows(values_only=True)]
            workbook.close()
        except Exception:
            raise CustomerImportError(gettext(
                    'beauty_customer.msg_import_unreadable',
                    filename=filename or ''))
    else:
        for encoding in ['utf-8-sig', 'gb18030']:
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise CustomerImportError(gettext(
                    'beauty_customer.msg_import_unreadable',
                    filename=filename or ''))
        try:
            rows = list(csv.reader(io.StringIO(text, newline='')))
        except csv.Error:
            raise CustomerImportError(gettext(
                    'beauty_customer.msg_import_unreadable',
                    filename=filename or ''))
    rows = [(number, row) for number, row in enumerate(rows, 1)
        if any(c not in (None, '') and str(c).strip() for c in row)]
    if not rows:
        raise CustomerImportError(gettext(
                'beauty_customer.msg_import_empty', filename=filename or ''))
    (_, header), *rows = rows
    return header, rows


class CustomerImportStart(ModelView):
    "Import customers"
    __name__ = 'beauty.customer.import.start'
    file = fields.Binary(
        "File", required=True, filename='filename',
        help="An .xlsx or .csv file whose first row names the columns: "
        "姓名, 手机 (required), 性别, 生日, 来源, 标签, 肤质, 过敏史, 职业, 微信, "
        "备注.")
    filename = fields.Char("File Name")


class CustomerImportResult(ModelView):
    "Import customers result"
    __name__ = 'beauty.customer.import.result'
    imported = fields.Integer("Imported", readonly=True)
    rejected = fields.Integer("Rejected", readonly=True)
    report = fields.Text("Report", readonly=True)


class CustomerImport(Wizard):
    "Import customers"
    __name__ = 'beauty.customer.import'
    start = StateView('beauty.customer.import.start',
        'beauty_customer.customer_import_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Import", 'import_', 'tryton-ok', default=True),
            ])
    import_ = StateTransition()
    result = StateView('beauty.customer.import.result',
        'beauty_customer.customer_import_result_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def transition_import_(self):
        created, errors = import_customers(
            self.start.file, self.start.filename)
        self.result.imported = len(created)
        self.result.rejected = len(errors)
        lines = [gettext('beauty_customer.msg_import_summary',
                imported=len(created), rejected=len(errors))]
        lines.extend(
            gettext('beauty_customer.msg_import_row', row=row, error=error)
            for row, error in errors)
        self.result.report = '\n'.join(lines)
        # The wizard session is stored until the client closes it: it must
        # not keep the customers' file (privacy: nothing left to erase)
        self.start.file = None
        return 'result'

    def default_result(self, fields):
        return {
            'imported': self.result.imported,
            'rejected': self.result.rejected,
            'report': self.result.report,
            }


def import_customers(data, filename):
    """Create the customers of the good rows in one call.

    Returns the created parties and [(row number, error)] for the rejected
    rows; raises CustomerImportError when the file itself is unusable.
    """
    pool = Pool()
    Party = pool.get('party.party')
    Source = pool.get('beauty.customer.source')
    Category = pool.get('party.category')
    header, rows = read_rows(bytes(data), filename)
    if len(rows) > ROWS_MAX:
        raise CustomerImportError(gettext(
                'beauty_customer.msg_import_too_many', maximum=ROWS_MAX))
    columns = {}
    for index, title in enumerate(header):
        key = COLUMNS.get(str(title or '').strip().lower())
        if key and key not in columns:
            columns[key] = index
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        names = {'name': '姓名', 'mobile': '手机'}
        raise CustomerImportError(gettext(
                'beauty_customer.msg_import_missing_columns',
                columns='、'.join(names[m] for m in missing),
                found='、'.join(str(h or '') for h in header)))

    def cell(row, key):
        index = columns.get(key)
        if index is None or index >= len(row):
            return None
        value = row[index]
        if isinstance(value, str):
            value = value.strip()
            return value or None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return value

    today = dt.date.today()
    sources = {s.name: s for s in Source.search([])}
    categories = {c.name: c for c in Category.search([])}
    seen = {}
    candidates = []  # (row number, values, source name, tag names)
    errors = []
    for number, row in rows:
        problems = []
        values = {}
        name = cell(row, 'name')
        if not name:
            problems.append(gettext('beauty_customer.msg_import_name_empty'))
        elif len(str(name)) > NAME_MAX:
            problems.append(gettext(
                    'beauty_customer.msg_import_name_long',
                    maximum=NAME_MAX))
        else:
            values['name'] = str(name)
        raw_mobile = cell(row, 'mobile')
        mobile = normalize_mobile(str(raw_mobile)) if raw_mobile else None
        if not raw_mobile:
            problems.append(gettext(
                    'beauty_customer.msg_import_mobile_empty'))
        elif not mobile:
            problems.append(gettext(
                    'beauty_customer.msg_import_mobile_invalid',
                    mobile=raw_mobile))
        elif mobile in seen:
            problems.append(gettext(
                    'beauty_customer.msg_import_mobile_repeated',
                    mobile=national_digits(mobile), row=seen[mobile]))
        else:
            seen[mobile] = number
            values['mobile'] = mobile
        gender = cell(row, 'gender')
        if gender:
            if str(gender).lower() in GENDERS:
                values['gender'] = GENDERS[str(gender).lower()]
            else:
                problems.append(gettext(
                        'beauty_customer.msg_import_gender_invalid',
                        gender=gender))
        birthday = cell(row, 'birthday')
        if birthday:
            try:
                birthday = parse_date(birthday)
            except ValueError:
                problems.append(gettext(
                        'beauty_customer.msg_import_birthday_invalid',
                        birthday=birthday))
            else:
                if birthday > today or birthday.year < 1900:
                    problems.append(gettext(
                            'beauty_customer.msg_import_birthday_range',
                            birthday=birthday))
                else:
                    values['birthday'] = birthday
        skin = cell(row, 'skin_type')
        if skin:
            if str(skin).lower() in SKIN_TYPES:
                values['skin_type'] = SKIN_TYPES[str(skin).lower()]
            else:
                problems.append(gettext(
                        'beauty_customer.msg_import_skin_invalid',
                        skin=skin))
        for key, limit in TEXT_LIMITS.items():
            text = cell(row, key)
            if text is None:
                continue
            text = str(text)
            if len(text) > limit:
                problems.append(gettext(
                        'beauty_customer.msg_import_text_long',
                        column=TEXT_HEADERS[key], maximum=limit))
            else:
                values[key] = text
        source = cell(row, 'source')
        source = str(source)[:60] if source else None
        tags = [t.strip()[:60] for t in _TAG_SPLIT.split(
                str(cell(row, 'tags') or '')) if t.strip()]
        if problems:
            errors.append((number, '；'.join(problems)))
        else:
            candidates.append((number, values, source, tags))

    # Rows whose mobile is already in the archive were imported before
    existing = {}
    mobiles = [v['mobile'] for _, v, _, _ in candidates]
    with Transaction().set_context(active_test=False):
        for i in range(0, len(mobiles), 1000):
            for party in Party.search(
                    [('mobile', 'in', mobiles[i:i + 1000])]):
                existing[party.mobile] = party
    to_create = []
    for number, values, source, tags in candidates:
        other = existing.get(values['mobile'])
        if other:
            errors.append((number, gettext(
                        'beauty_customer.msg_import_mobile_exists',
                        mobile=national_digits(values['mobile']),
                        code=other.code or '', name=other.name or '')))
            continue
        to_create.append((values, source, tags))
    errors.sort()

    new_sources = sorted({s for _, s, _ in to_create if s} - set(sources))
    if new_sources:
        for source in Source.create([{'name': n} for n in new_sources]):
            sources[source.name] = source
    new_tags = sorted({t for _, _, ts in to_create for t in ts}
        - set(categories))
    if new_tags:
        for category in Category.create([{'name': n} for n in new_tags]):
            categories[category.name] = category
    vlist = []
    for values, source, tags in to_create:
        if source:
            values['source'] = sources[source].id
        if tags:
            values['categories'] = [
                ('add', sorted({categories[t].id for t in tags}))]
        vlist.append(values)
    # Homonyms are common in an archive; the import reports, it does not ask
    with Transaction().set_context(_skip_warnings=True):
        created = Party.create(vlist) if vlist else []
    return created, errors
