# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Pinyin (拼音) of names, to find and order records the way Chinese staff do.

Plain functions (no Tryton needed)::

    >>> pinyin('张小明')
    'zhang xiao ming'
    >>> initials('张小明')
    'zxm'
    >>> search_keys('张小明')
    ' 张小明 zhangxiaoming zxm zhang xiao ming 张小 小明 zx xm '

``search_keys`` is stored in a column with a trigram index: a fragment of
three or more characters is matched with ``LIKE '%fragment%'`` (any part of
the name, of its full pinyin or of its initials) and a two-character fragment
with ``LIKE '% fragment %'`` (a character pair of the name, a syllable or a
pair of initials): trigram indexes cannot serve two-character fragments, but
each such token stored between spaces is a trigram of its own.

``PinyinMixin`` adds the ``pinyin`` and ``pinyin_search`` columns to a model,
keeps them up to date from a source field (``name`` by default) and indexes
them; ``Model.pinyin_domain(text)`` returns the clause to search with.
Services, products and staff use it the same way as customers.
"""
import re
import unicodedata

from sql.conditionals import Coalesce

from trytond.model import Index, fields
from trytond.tools import escape_wildcard

# Surnames whose usual reading differs from the most common reading of the
# character (pypinyin reads 曾 as ceng, 单 as dan...)
SURNAMES = {
    '万俟': ['mo', 'qi'],
    '尉迟': ['yu', 'chi'],
    '单于': ['chan', 'yu'],
    '澹台': ['tan', 'tai'],
    '长孙': ['zhang', 'sun'],
    '曾': ['zeng'],
    '单': ['shan'],
    '解': ['xie'],
    '朴': ['piao'],
    '区': ['ou'],
    '仇': ['qiu'],
    '查': ['zha'],
    '乐': ['yue'],
    '翟': ['zhai'],
    '覃': ['qin'],
    '盖': ['ge'],
    '缪': ['miao'],
    '种': ['chong'],
    '秘': ['bi'],
    '黑': ['he'],
    '员': ['yun'],
    '句': ['gou'],
    '宿': ['su'],
    '冼': ['xian'],
    '洗': ['xian'],
    '繁': ['po'],
    '折': ['she'],
    '贲': ['ben'],
    '那': ['na'],
    '召': ['shao'],
    '尉': ['wei'],
    '隗': ['wei'],
    '谌': ['chen'],
    '厍': ['she'],
    '眭': ['sui'],
    '逄': ['pang'],
    '訾': ['zi'],
    '郇': ['xun'],
    '蕃': ['pi'],
    '能': ['nai'],
    '燕': ['yan'],
    '纪': ['ji'],
    '过': ['guo'],
    '曲': ['qu'],
    '薄': ['bo'],
    '柏': ['bai'],
    '藏': ['zang'],
    '都': ['du'],
    '角': ['jue'],
    '阚': ['kan'],
    '重': ['chong'],
    }
MAX_LENGTH = 100
_CJK = re.compile(
    r'[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]')
_WORD = re.compile(r'[^\W_]+')
_SPACE = re.compile(r'\s+')


def _lazy_pinyin(text):
    # pypinyin loads its dictionaries (~0.2 s) on first use only
    from pypinyin import Style, lazy_pinyin
    return lazy_pinyin(text, style=Style.NORMAL, errors='default')


def normalize(text):
    "The form names and queries are compared in: NFKC, lower case"
    return unicodedata.normalize('NFKC', text or '').lower()


def syllables(text, person=True):
    """The pinyin syllables of the Chinese characters of text and the words
    of its other letters and digits, in order.

    person: the text is a person's name: polyphonic surnames are read as
    surnames (曾 zeng, 单 shan...).
    """
    text = normalize(text)[:MAX_LENGTH].strip()
    if not text:
        return []
    prefix = []
    if person:
        for surname in (text[:2], text[:1]):
            if surname in SURNAMES:
                prefix = list(SURNAMES[surname])
                text = text[len(surname):]
                break
    result = prefix
    for item in _lazy_pinyin(text):
        # non Chinese runs are returned as they are
        result.extend(_WORD.findall(item.lower()))
    return result


def pinyin(text, person=True):
    "'zhang xiao ming': the syllables separated by spaces, to order by"
    return ' '.join(syllables(text, person=person)) or None


def initials(text, person=True):
    "'zxm': the first letter of each syllable"
    return ''.join(s[0] for s in syllables(text, person=person)) or None


def _pairs(text):
    return [text[i:i + 2] for i in range(len(text) - 1)]


def search_keys(text, person=True, parts=None):
    """The space separated tokens a name is found by (see the module doc):
    the name, its full pinyin and initials, each syllable and each pair of
    characters and of initials; lower case, without spaces inside a token.
    parts: the syllables of text when already known.
    """
    compact = _SPACE.sub('', normalize(text)[:MAX_LENGTH])
    if not compact:
        return None
    if parts is None:
        parts = syllables(text, person=person)
    letters = ''.join(s[0] for s in parts)
    tokens = [compact, ''.join(parts), letters, *parts, *_pairs(compact),
        *_pairs(letters)]
    seen = set()
    unique = []
    for token in tokens:
        if token and token not in seen:
            seen.add(token)
            unique.append(token)
    return ' ' + ' '.join(unique) + ' '


def pinyin_values(text, person=True):
    "The pinyin and the search keys of text (one conversion for both)"
    parts = syllables(text, person=person)
    return {
        'pinyin': ' '.join(parts) or None,
        'pinyin_search': search_keys(text, person=person, parts=parts),
        }


def search_pattern(text):
    """The LIKE pattern matching the search keys of every name containing
    text (or its pinyin or initials), or None when text has fewer than two
    characters: a single character cannot use an index.
    """
    query = _SPACE.sub('', normalize(text))
    if len(query) < 2:
        return None
    if len(query) == 2:
        return '%% %s %%' % escape_wildcard(query)
    return '%%%s%%' % escape_wildcard(query)


def is_chinese(text):
    return bool(_CJK.search(text or ''))


class PinyinMixin:
    """Stored pinyin of a name: ordering and search by pinyin or initials.

    _pinyin_source: the field the pinyin is computed from.
    _pinyin_person: the source is a person's name (surname readings).
    """
    __slots__ = ()
    _pinyin_source = 'name'
    _pinyin_person = True

    pinyin = fields.Char(
        "Pinyin", readonly=True,
        help="The name in pinyin, kept up to date from the name; "
        "lists ordered by it follow the pinyin (alphabetical) order.")
    # strip=False: the spaces around the first and last tokens matter
    pinyin_search = fields.Char(
        "Pinyin Search Keys", readonly=True, strip=False, loading='lazy',
        help="The name, its pinyin and initials as search keys.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.pinyin.search_unaccented = False
        cls.pinyin_search.search_unaccented = False
        t = cls.__table__()
        # The ORM compares COALESCE(column, '') for non required columns:
        # the indexed expression must be the same
        cls._sql_indexes.add(
            Index(t, (Coalesce(t.pinyin_search, ''), Index.Similarity())))

    @classmethod
    def pinyin_values(cls, text):
        "The values of the pinyin columns for a source text"
        return pinyin_values(text, person=cls._pinyin_person)

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if cls._pinyin_source in values:
            values.update(cls.pinyin_values(values[cls._pinyin_source]))
        return values

    @classmethod
    def pinyin_domain(cls, text):
        """The clause finding the records whose name contains text or whose
        pinyin or initials contain it; None for less than two characters.
        """
        pattern = search_pattern(text)
        if pattern is None:
            return None
        return ('pinyin_search', 'like', pattern)
