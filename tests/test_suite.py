# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Checks over the whole suite activated together."""
import os
import sys
import unittest

import polib
from xml.etree import ElementTree

from trytond.model import ModelStorage
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'tools'))
from demo import suite_modules  # noqa: E402

MODULES = suite_modules()
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class SuiteTestCase(unittest.TestCase):
    "The suite as one installation"

    @classmethod
    def setUpClass(cls):
        activate_module(MODULES)

    @with_transaction()
    def test_no_datetime_column_without_widget(self):
        "sao lists have no datetime column: date and time widgets are needed"
        pool = Pool()
        View = pool.get('ir.ui.view')
        problems = []
        for view in View.search([
                    ('module', 'in', MODULES),
                    ('type', 'in', ['tree', None]),
                    ]):
            Model = pool.get(view.model)
            arch = ElementTree.fromstring(view.arch)
            if arch.tag != 'tree' and view.type != 'tree':
                continue
            for node in arch.iter('field'):
                field = Model._fields.get(node.get('name'))
                if (field is not None
                        and field._type in {'datetime', 'timestamp'}
                        and not node.get('widget')):
                    problems.append('%s.%s in %s' % (
                            view.module, view.name, node.get('name')))
        self.assertEqual(problems, [])

    @with_transaction()
    def test_every_model_has_access_rows(self):
        "A model without access rows is open to every user"
        pool = Pool()
        Access = pool.get('ir.model.access')
        Model = pool.get('ir.model')
        missing = []
        for model in Model.search([('module', 'in', MODULES)]):
            Class = pool.get(model.name)
            if not issubclass(Class, ModelStorage):
                continue
            rows = Access.search([('model', '=', model.name)])
            if not any(r.group is None for r in rows) or len(rows) < 2:
                missing.append(model.name)
        self.assertEqual(missing, [])

    @with_transaction()
    def test_translations_complete(self):
        "Every string of the suite has a zh_CN translation"
        pool = Pool()
        Translation = pool.get('ir.translation')
        TranslationSet = pool.get('ir.translation.set', type='wizard')
        session_id, _, _ = TranslationSet.create()
        TranslationSet.execute(session_id, {}, 'set_')
        TranslationSet.delete(session_id)
        translated = set()
        for module in MODULES:
            path = os.path.join(ROOT, module, 'locale', 'zh_CN.po')
            if not os.path.exists(path):
                continue
            for entry in polib.pofile(path):
                if entry.msgstr and 'fuzzy' not in entry.flags:
                    ttype, name, _ = entry.msgctxt.split(':')
                    translated.add((ttype, name, entry.msgid))
        missing = sorted({
                '%s %s: %s' % (t.type, t.name, t.src)
                for t in Translation.search([
                        ('lang', '=', 'en'),
                        ('module', 'in', MODULES),
                        ])
                if t.src and (t.type, t.name, t.src) not in translated})
        self.assertEqual(missing, [])
