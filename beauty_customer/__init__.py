# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.


def _cursor_dict(cursor, size=None):
    """trytond.tools.cursor_dict with the column names taken once per
    result: psycopg 3 rebuilds ``cursor.description`` on every access, which
    Tryton's version does for every row (85% of the CPU of a search that
    returns 1000 customers), and fetches its rows one by one (psycopg's
    ``arraysize`` is 1): here by the thousand, from the rows psycopg holds
    already. Same rows, same order."""
    size = max(cursor.arraysize, 1000) if size is None else size
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


def _use_one_shot_json():
    """Encode JSON-RPC answers with the C encoder, in one piece.

    trytond streams an answer over 1400 characters with
    ``JSONEncoder.iterencode``, which is the pure Python encoder: a page of
    100 customers is ~20,000 tokens, each a Python step and a call of the
    gzip compressor (~8 ms of a worker's CPU per page). The one-shot C
    encoder gives the same text; the answer is still gzipped as before."""
    import trytond.protocols.jsonrpc as jsonrpc
    if getattr(jsonrpc.encoder, 'one_shot', False):
        return

    class OneShotEncoder(type(jsonrpc.encoder)):
        one_shot = True

        def iterencode(self, o, _one_shot=False):
            return super().iterencode(o, _one_shot=True)
    jsonrpc.encoder = OneShotEncoder(separators=(',', ':'))


_use_cursor_dict()
_use_parent_language_cache()
_use_one_shot_json()
