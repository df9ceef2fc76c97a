# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.


def _cursor_dict(cursor, size=None):
    """trytond.tools.cursor_dict with the column names taken once per
    result: psycopg 3 rebuilds ``cursor.description`` on every access, which
    Tryton's version does for every row (85% of the CPU of a search that
    returns 1000 customers). Same rows, same order."""
    size = cursor.arraysize if size is None else size
    names = None
    while True:
        rows = cursor.fetchmany(size)
        if not rows:
            break
        if names is None:
            names = [d[0] for d in cursor.description]
        for row in rows:
            yield dict(zip(names, row))


def _use_cursor_dict():
    import trytond.model.modelsql
    import trytond.tools
    for module in [trytond.tools, trytond.model.modelsql]:
        if getattr(module, 'cursor_dict', None) is not _cursor_dict:
            module.cursor_dict = _cursor_dict


def _use_parent_language_cache():
    """Remember that a language has no parent in the table.

    trytond.ir.lang.get_parent_language caches the parents it finds in
    ir_lang but not their absence, so every translation looked up in zh_CN
    queried ir_lang again for "zh" (5 queries to open a customer). The
    cache is cleared as before when a language is written."""
    import trytond.ir.lang
    import trytond.ir.message
    import trytond.ir.translation
    original = trytond.ir.lang.get_parent_language
    if getattr(original, 'negative_cache', False):
        return

    def get_parent_language(code):
        parent = original(code)
        trytond.ir.lang._parents.setdefault(code, None)
        return parent
    get_parent_language.negative_cache = True
    trytond.ir.lang.get_parent_language = get_parent_language
    trytond.ir.message.get_parent = get_parent_language
    trytond.ir.translation.get_parent = get_parent_language


_use_cursor_dict()
_use_parent_language_cache()
