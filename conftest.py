# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""pytest integration of Tryton's tests.

pytest runs the ModuleTestCase classes as it runs any unittest.TestCase. The
scenario doctests (``scenario_*.rst``) are loaded by Tryton through the
unittest ``load_tests`` protocol, which pytest ignores; they are collected
here instead, with the same option flags, checker, set-up and tear-down as
``trytond.tests.test_tryton.load_doc_tests`` uses.
"""
import contextlib
import doctest
import os
import unittest

import pytest


def _code_hash():
    "Hash of the modules' code: what the cached test databases depend on"
    import hashlib
    from pathlib import Path
    digest = hashlib.sha1()
    root = Path(__file__).parent
    for path in sorted(root.glob('beauty_*/**/*')):
        if (not path.is_file() or '__pycache__' in path.parts
                or path.name.startswith(('scenario_', 'test_'))
                or path.suffix in {'.pyc', '.png', '.jpg'}):
            continue
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:8]


def _key_db_cache_by_code():
    """Name trytond's cached databases after the code as well as the modules.

    trytond names them after the activated modules only, so a cache built by
    an earlier version of the code would be restored as if it were current.
    With the code in the name, caches (PostgreSQL template databases
    ``test-<code>-...``) can be kept between runs; test.sh drops those of
    other code."""
    from trytond.tests import test_tryton
    code = os.environ.setdefault('BEAUTY_CODE_HASH', _code_hash())
    original = test_tryton._db_cache_file
    if getattr(original, 'keyed_by_code', False):
        return

    def _db_cache_file(path, name):
        cache_file = original(path, name)
        head, _, tail = cache_file.rpartition('/')
        return '%s/%s' % (head, tail.replace('test-', 'test-%s-' % code, 1)
            if tail.startswith('test-') else '%s-%s' % (code, tail))
    _db_cache_file.keyed_by_code = True
    test_tryton._db_cache_file = _db_cache_file


def _suite_depends():
    "{module: the suite's modules it depends on, directly or not}"
    import configparser
    from pathlib import Path
    direct = {}
    for cfg in Path(__file__).parent.glob('beauty_*/tryton.cfg'):
        parser = configparser.ConfigParser()
        parser.read(cfg)
        direct[cfg.parent.name] = {
            m for m in parser.get('tryton', 'depends', fallback='').split()
            if m.startswith('beauty_')}

    def closure(module, seen=()):
        result = set()
        for dep in direct.get(module, ()):
            if dep not in seen:
                result |= {dep} | closure(dep, seen + (module,))
        return result
    return {m: closure(m) for m in direct}


@contextlib.contextmanager
def _cache_lock(name):
    "Only one process builds a cached database (xdist workers share them)"
    import fcntl
    import hashlib
    import tempfile
    key = hashlib.sha1(('%s|%s|%s' % (
                os.environ.get('DB_CACHE'), os.environ.get('BEAUTY_CODE_HASH'),
                name)).encode()).hexdigest()[:16]
    path = os.path.join(tempfile.gettempdir(), 'beauty-testdb-%s.lock' % key)
    with open(path, 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _build_databases_incrementally():
    """Build each module's test database from the cached database of the
    suite module it depends on most, activating only what is new.

    trytond activates a module's whole dependency tree from an empty
    database for each module's tests and again for its scenarios (their
    cache name adds the set-up functions). With ~10 modules in a chain
    (customer <- hr <- appointment <- pos <- ...) most of the time went into
    activating the same lower modules over and over. A scenario now starts
    from the module's own cached database and only runs its set-up."""
    from trytond.tests import test_tryton, tools
    if getattr(test_tryton.activate_module, 'incremental', False):
        return
    depends = _suite_depends()
    activate_module_ = test_tryton.activate_module

    def seed_of(modules):
        "The deepest suite module whose database is a strict part of theirs"
        wanted = set()
        for module in modules:
            if module in depends:
                wanted |= depends[module] | {module}
        candidates = [m for m in wanted if depends[m] | {m} < wanted]
        if candidates:
            return max(candidates, key=lambda m: (len(depends[m]), m))

    def activate_module(modules, lang='en'):
        if isinstance(modules, str):
            modules = [modules]
        name = '-'.join(modules) + ('--' + lang if lang != 'en' else '')
        with _cache_lock(name):
            if (not test_tryton.db_exist(test_tryton.DB_NAME)
                    and lang == 'en'
                    and not test_tryton.restore_db_cache(name)
                    and (seed := seed_of(modules))):
                activate_module([seed])
            activate_module_(modules, lang=lang)
    activate_module.incremental = True
    test_tryton.activate_module = activate_module

    def activate_modules(modules, *setup):
        if isinstance(modules, str):
            modules = [modules]
        modules = sorted(modules)
        cache_name = '-'.join(modules)
        if setup_name := '|'.join(tools._func_name(f) for f in setup):
            cache_name += f'--{setup_name}'
        if not setup:
            test_tryton.drop_db()
            activate_module(modules)
            return tools._get_config()
        with _cache_lock(cache_name):
            from trytond import backend
            if backend.name == 'postgresql':
                # Tryton's restore drops the test database without closing
                # this process's pool of it: connections left idle by an
                # earlier test class (a unittest one, then a scenario) made
                # DROP DATABASE fail ("being accessed by other users")
                test_tryton.drop_db()
            if test_tryton.restore_db_cache(cache_name):
                return tools._get_config()
            test_tryton.drop_db()
            activate_module(modules)
            config = tools._get_config()
            for func in setup:
                func(config=config)
            test_tryton.backup_db_cache(cache_name)
            return config
    tools.activate_modules = activate_modules


# Several pytest-xdist workers must not share a PostgreSQL test database
if (worker := os.environ.get('PYTEST_XDIST_WORKER')) and os.environ.get(
        'TRYTOND_DATABASE_URI', '').startswith('postgresql'):
    os.environ['DB_NAME'] = '%s_%s' % (
        os.environ.get('DB_NAME', 'test_beauty'), worker)
    if cache := os.environ.get('DB_CACHE'):
        if not cache.startswith('postgresql'):
            os.environ['DB_CACHE'] = os.path.join(cache, worker)
_key_db_cache_by_code()
_build_databases_incrementally()


def pytest_collect_file(file_path, parent):
    if (file_path.suffix == '.rst'
            and file_path.name.startswith('scenario_')
            and file_path.parent.name == 'tests'):
        return ScenarioFile.from_parent(parent, path=file_path)


class ScenarioFile(pytest.File):

    def collect(self):
        yield ScenarioItem.from_parent(self, name=self.path.name)


class ScenarioFailure(Exception):
    pass


class ScenarioItem(pytest.Item):

    def runtest(self):
        from trytond import backend
        from trytond.tests.test_tryton import (
            STRIP_DECIMAL, doctest_checker, doctest_setup, doctest_teardown)
        optionflags = (
            doctest.REPORT_ONLY_FIRST_FAILURE
            | doctest.ELLIPSIS
            | doctest.IGNORE_EXCEPTION_DETAIL)
        if backend.name == 'sqlite':
            optionflags |= STRIP_DECIMAL
        suite = doctest.DocFileSuite(
            str(self.path), module_relative=False,
            setUp=doctest_setup, tearDown=doctest_teardown,
            encoding='utf-8', checker=doctest_checker,
            optionflags=optionflags)
        result = unittest.TestResult()
        suite.run(result)
        problems = result.failures + result.errors
        if problems:
            raise ScenarioFailure('\n'.join(text for _, text in problems))

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, ScenarioFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, "scenario: %s" % self.name
