#!/usr/bin/env python
# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Back up a salon database with its file store, and restore it.

    tools/backup.py backup -d salon [-c trytond.conf] [-o var/backups]
    tools/backup.py restore var/backups/salon-20261124T201500.tar \\
        -d salon_restored [-c trytond.conf]
    tools/backup.py verify var/backups/salon-20261124T201500.tar
    tools/backup.py checksum -d salon [-c trytond.conf]

The settings (database URI, [database] path where SQLite files and the file
store live) are those of the trytond configuration: -c, else TRYTOND_CONFIG,
and the TRYTOND_* environment, as for trytond itself.

One backup is one tar archive:

- ``database.dump``: PostgreSQL, ``pg_dump --format=custom`` of a snapshot
  exported by this tool, so that the row counts of the manifest are those of
  the dump; or ``database.sqlite``: SQLite, a consistent copy made with the
  sqlite3 online backup API (the server may keep running);
- ``filestore/<prefix>/...``: the file store (care record photos,
  attachments, signatures: ``[database] path/<database name>`` and
  ``[attachment] store_prefix`` when set), copied after the database, so that
  every file the database refers to is there (files are never changed in
  place, only added; erased ones are deleted);
- ``manifest.json``: backend, database, time, modules, rows per table, the
  SHA-256 of every member.

``restore`` creates a NEW database (it refuses an existing one or a non empty
file store directory), restores the dump into it, puts the files where that
database looks for them (its own name as prefix) and checks the row counts
and file checksums against the manifest.
"""
import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from urllib.parse import urlparse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FORMAT = 1


class BackupError(Exception):
    pass


# Settings ----------------------------------------------------------------
def load_config(path=None):
    from trytond import config
    config.update_etc(path or os.environ.get('TRYTOND_CONFIG'))
    return config


def settings(config):
    uri = config.get('database', 'uri')
    scheme = urlparse(uri).scheme.split('+')[0]
    if scheme not in {'postgresql', 'sqlite'}:
        raise BackupError("unsupported database: %s" % uri)
    return {
        'backend': scheme,
        'uri': uri,
        'path': config.get('database', 'path'),
        'store_prefix': config.get('attachment', 'store_prefix', default=None),
        }


def pg_uri(uri, name):
    "The connection URI of a database from trytond's server URI"
    parsed = urlparse(uri)
    return parsed._replace(path='/' + name).geturl()


def sqlite_file(setting, name):
    return os.path.join(setting['path'], name + '.sqlite')


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as fp:
        for chunk in iter(lambda: fp.read(1 << 20), b''):
            digest.update(chunk)
    return digest.hexdigest()


# Table checksums (also what the tests compare) ----------------------------
def table_checksums(setting, name):
    """{table: [rows, sha256 of the rows in id order]} of every table, and
    {sequence: last value} on PostgreSQL under the key '__sequences__'."""
    result = {}
    if setting['backend'] == 'postgresql':
        import psycopg
        with psycopg.connect(pg_uri(setting['uri'], name)) as conn:
            tables = [t for t, in conn.execute(
                    "SELECT tablename FROM pg_tables "
                    "WHERE schemaname = current_schema() ORDER BY 1")]
            for table in tables:
                columns = [c for c, in conn.execute(
                        "SELECT column_name FROM information_schema.columns "
                        "WHERE table_schema = current_schema() "
                        "AND table_name = %s ORDER BY ordinal_position",
                        (table,))]
                order = 'id' if 'id' in columns else ', '.join(
                    '%d' % (i + 1) for i in range(len(columns)))
                count, digest = conn.execute(
                    'SELECT COUNT(*), md5(COALESCE(string_agg(t::text, '
                    "E'\\n' ORDER BY %s), '')) FROM \"%s\" AS t" % (
                        ', '.join('t."%s"' % c for c in columns)
                        if order != 'id' else 't.id', table)).fetchone()
                result[table] = [count, digest]
            sequences = {}
            for sequence, in conn.execute(
                    "SELECT sequencename FROM pg_sequences "
                    "WHERE schemaname = current_schema() ORDER BY 1"):
                sequences[sequence], = conn.execute(
                    'SELECT last_value FROM "%s"' % sequence).fetchone()
            result['__sequences__'] = sequences
    else:
        import sqlite3
        path = sqlite_file(setting, name) if not os.path.isabs(name) else name
        conn = sqlite3.connect('file:%s?mode=ro' % path, uri=True)
        try:
            tables = [t for t, in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "ORDER BY 1")]
            for table in tables:
                columns = [r[1] for r in conn.execute(
                        'PRAGMA table_info("%s")' % table)]
                order = 'id' if 'id' in columns else ', '.join(
                    '"%s"' % c for c in columns)
                digest = hashlib.sha256()
                count = 0
                for row in conn.execute(
                        'SELECT * FROM "%s" ORDER BY %s' % (table, order)):
                    digest.update(repr(row).encode('utf-8'))
                    digest.update(b'\n')
                    count += 1
                result[table] = [count, digest.hexdigest()]
        finally:
            conn.close()
    return result


def table_counts(checksums):
    "{table: rows} of table_checksums()"
    return {table: value[0] for table, value in checksums.items()
        if table != '__sequences__'}


def file_checksums(directory):
    "{relative path: sha256} of the files under directory"
    result = {}
    if not os.path.isdir(directory):
        return result
    for base, _, files in os.walk(directory):
        for filename in files:
            path = os.path.join(base, filename)
            result[os.path.relpath(path, directory)] = sha256_file(path)
    return result


# Backup ------------------------------------------------------------------
def store_prefixes(setting, name):
    prefixes = [name]
    if setting['store_prefix'] and setting['store_prefix'] != name:
        prefixes.append(setting['store_prefix'])
    return prefixes


def backup(setting, name, output):
    created = dt.datetime.now().strftime('%Y%m%dT%H%M%S')
    os.makedirs(output, exist_ok=True)
    archive = os.path.join(output, '%s-%s.tar' % (name, created))
    manifest = {
        'format': FORMAT,
        'backend': setting['backend'],
        'database': name,
        'created': dt.datetime.now().isoformat(),
        'store_prefixes': store_prefixes(setting, name),
        }
    with tempfile.TemporaryDirectory(dir=output) as tmp:
        if setting['backend'] == 'postgresql':
            member = 'database.dump'
            counts, extra = _dump_postgresql(
                setting, name, os.path.join(tmp, member))
            manifest.update(extra)
        else:
            member = 'database.sqlite'
            counts = _copy_sqlite(setting, name, os.path.join(tmp, member))
        manifest['tables'] = counts
        manifest['modules'] = _modules(setting, name, tmp, member)
        members = {member: sha256_file(os.path.join(tmp, member))}
        # The files after the database: all it refers to exist by now
        files_root = os.path.join(tmp, 'filestore')
        for prefix in manifest['store_prefixes']:
            source = os.path.join(setting['path'], prefix)
            if os.path.isdir(source):
                shutil.copytree(source, os.path.join(files_root, prefix))
        for relative, digest in file_checksums(files_root).items():
            members[os.path.join('filestore', relative)] = digest
        manifest['members'] = members
        with open(os.path.join(tmp, 'manifest.json'), 'w') as fp:
            json.dump(manifest, fp, indent=1, sort_keys=True)
        partial = archive + '.part'
        with tarfile.open(partial, 'w') as tar:
            tar.add(os.path.join(tmp, 'manifest.json'), 'manifest.json')
            tar.add(os.path.join(tmp, member), member)
            if os.path.isdir(files_root):
                tar.add(files_root, 'filestore')
        with open(partial, 'rb') as fp:
            os.fsync(fp.fileno())
        os.replace(partial, archive)
    return archive, manifest


def _dump_postgresql(setting, name, path):
    """pg_dump of a snapshot exported by a transaction that also counts the
    rows: the counts are those of the dump."""
    import psycopg
    uri = pg_uri(setting['uri'], name)
    with psycopg.connect(uri) as conn:
        conn.execute('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
        snapshot, = conn.execute('SELECT pg_export_snapshot()').fetchone()
        counts = {}
        for table, in conn.execute(
                "SELECT tablename FROM pg_tables "
                "WHERE schemaname = current_schema() ORDER BY 1").fetchall():
            counts[table], = conn.execute(
                'SELECT COUNT(*) FROM "%s"' % table).fetchone()
        collate, ctype, encoding = conn.execute(
            "SELECT datcollate, datctype, pg_encoding_to_char(encoding) "
            "FROM pg_database WHERE datname = current_database()").fetchone()
        subprocess.run(['pg_dump', '--format=custom', '--snapshot', snapshot,
                '--file', path, '--dbname', uri], check=True)
        conn.rollback()
    return counts, {
        'collate': collate, 'ctype': ctype, 'encoding': encoding}


def _copy_sqlite(setting, name, path):
    import sqlite3
    source_path = sqlite_file(setting, name)
    if not os.path.exists(source_path):
        raise BackupError("no database %s" % source_path)
    source = sqlite3.connect('file:%s?mode=ro' % source_path, uri=True,
        timeout=60)
    target = sqlite3.connect(path)
    try:
        source.backup(target)
    finally:
        source.close()
    try:
        counts = {}
        for table, in target.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "ORDER BY 1").fetchall():
            counts[table], = target.execute(
                'SELECT COUNT(*) FROM "%s"' % table).fetchone()
        result, = target.execute('PRAGMA integrity_check').fetchone()
        if result != 'ok':
            raise BackupError("the copy is damaged: %s" % result)
    finally:
        target.close()
    return counts


def _modules(setting, name, tmp, member):
    "The activated modules (from the copy, for SQLite)"
    query = ("SELECT name FROM ir_module WHERE state = 'activated' "
        "ORDER BY name")
    if setting['backend'] == 'postgresql':
        import psycopg
        with psycopg.connect(pg_uri(setting['uri'], name)) as conn:
            return [m for m, in conn.execute(query)]
    import sqlite3
    conn = sqlite3.connect(os.path.join(tmp, member))
    try:
        return [m for m, in conn.execute(query)]
    finally:
        conn.close()


# Restore -----------------------------------------------------------------
def read_manifest(tar):
    manifest = json.load(tar.extractfile('manifest.json'))
    if manifest.get('format') != FORMAT:
        raise BackupError("unknown backup format %r" % manifest.get('format'))
    return manifest


def verify(archive):
    "Check the checksums of the members; return the manifest"
    with tarfile.open(archive) as tar:
        manifest = read_manifest(tar)
        seen = set()
        for info in tar:
            if not info.isfile() or info.name == 'manifest.json':
                continue
            digest = hashlib.sha256()
            fp = tar.extractfile(info)
            for chunk in iter(lambda: fp.read(1 << 20), b''):
                digest.update(chunk)
            if manifest['members'].get(info.name) != digest.hexdigest():
                raise BackupError("%s is damaged" % info.name)
            seen.add(info.name)
        missing = set(manifest['members']) - seen
        if missing:
            raise BackupError("missing in the archive: %s" % ', '.join(
                    sorted(missing)))
    return manifest


def restore(setting, archive, name):
    manifest = verify(archive)
    if manifest['backend'] != setting['backend']:
        raise BackupError("a %s backup cannot be restored into %s" % (
                manifest['backend'], setting['backend']))
    target_files = os.path.join(setting['path'], name)
    if os.path.isdir(target_files) and os.listdir(target_files):
        raise BackupError("the file store %s is not empty" % target_files)
    with tempfile.TemporaryDirectory(
            dir=setting['path'] if setting['backend'] == 'sqlite'
            else None) as tmp:
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter='data')
        if setting['backend'] == 'postgresql':
            _restore_postgresql(
                setting, manifest, os.path.join(tmp, 'database.dump'), name)
        else:
            target = sqlite_file(setting, name)
            if os.path.exists(target):
                raise BackupError("the database %s exists" % target)
            os.makedirs(setting['path'], exist_ok=True)
            shutil.copyfile(os.path.join(tmp, 'database.sqlite'),
                target + '.part')
            os.replace(target + '.part', target)
        # The files: the database's own prefix is its (new) name
        files_root = os.path.join(tmp, 'filestore')
        for prefix in manifest['store_prefixes']:
            source = os.path.join(files_root, prefix)
            if not os.path.isdir(source):
                continue
            destination = os.path.join(
                setting['path'],
                name if prefix == manifest['database'] else prefix)
            shutil.copytree(source, destination, dirs_exist_ok=True)
    check_restored(setting, manifest, name)
    return manifest


def _restore_postgresql(setting, manifest, dump, name):
    import psycopg
    from psycopg import sql
    admin_uri = pg_uri(setting['uri'], 'postgres')
    with psycopg.connect(admin_uri, autocommit=True) as conn:
        exists = conn.execute(
            'SELECT 1 FROM pg_database WHERE datname = %s', (name,)
            ).fetchone()
        if exists:
            raise BackupError("the database %s exists" % name)
        conn.execute(sql.SQL(
                "CREATE DATABASE {} TEMPLATE template0 ENCODING {} "
                "LC_COLLATE {} LC_CTYPE {}").format(
                sql.Identifier(name),
                sql.Literal(manifest.get('encoding', 'UTF8')),
                sql.Literal(manifest.get('collate', 'C.UTF-8')),
                sql.Literal(manifest.get('ctype', 'C.UTF-8'))))
    try:
        subprocess.run(['pg_restore', '--exit-on-error', '--no-owner',
                '--dbname', pg_uri(setting['uri'], name), dump], check=True)
    except Exception:
        with psycopg.connect(admin_uri, autocommit=True) as conn:
            conn.execute(sql.SQL('DROP DATABASE IF EXISTS {}').format(
                    sql.Identifier(name)))
        raise


def check_restored(setting, manifest, name):
    "The rows of every table and the files are those of the backup"
    counts = table_counts(table_checksums(setting, name))
    if counts != manifest['tables']:
        differ = sorted(t for t in set(counts) | set(manifest['tables'])
            if counts.get(t) != manifest['tables'].get(t))
        raise BackupError("restored rows differ in %s" % ', '.join(differ))
    for member, digest in manifest['members'].items():
        if not member.startswith('filestore/'):
            continue
        prefix, relative = member[len('filestore/'):].split('/', 1)
        if prefix == manifest['database']:
            prefix = name
        path = os.path.join(setting['path'], prefix, relative)
        if not os.path.exists(path) or sha256_file(path) != digest:
            raise BackupError("restored file differs: %s" % path)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument('-c', '--config', help="trytond configuration file")
    commands = parser.add_subparsers(dest='command', required=True)
    command = commands.add_parser('backup', help="back up a database")
    command.add_argument('-d', '--database', required=True)
    command.add_argument('-o', '--output',
        default=os.path.join(ROOT, 'var', 'backups'),
        help="directory of the archives (default var/backups)")
    command = commands.add_parser(
        'restore', help="restore an archive into a new database")
    command.add_argument('archive')
    command.add_argument('-d', '--database', required=True,
        help="the new database (must not exist)")
    command = commands.add_parser('verify', help="check an archive")
    command.add_argument('archive')
    command = commands.add_parser(
        'checksum', help="rows and checksum of every table, as JSON")
    command.add_argument('-d', '--database', required=True)
    args = parser.parse_args(argv)
    setting = settings(load_config(args.config))
    start = time.monotonic()
    try:
        if args.command == 'backup':
            archive, manifest = backup(setting, args.database, args.output)
            print("%s: %s tables, %s rows, %s files in %.1f s" % (
                    archive, len(manifest['tables']),
                    sum(manifest['tables'].values()),
                    sum(1 for m in manifest['members']
                        if m.startswith('filestore/')),
                    time.monotonic() - start))
        elif args.command == 'restore':
            manifest = restore(setting, args.archive, args.database)
            print("%s restored into %s: %s rows checked in %.1f s" % (
                    args.archive, args.database,
                    sum(manifest['tables'].values()),
                    time.monotonic() - start))
        elif args.command == 'verify':
            manifest = verify(args.archive)
            print("%s: %s of %s, %s members intact" % (
                    args.archive, manifest['database'], manifest['created'],
                    len(manifest['members'])))
        elif args.command == 'checksum':
            json.dump(table_checksums(setting, args.database), sys.stdout,
                indent=1, sort_keys=True)
            print()
    except BackupError as exception:
        print("error: %s" % exception, file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
