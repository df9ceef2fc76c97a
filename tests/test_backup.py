# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""tools/backup.py: back up a running salon and restore it into a new
database, on the backend of the run (SQLite or PostgreSQL).

- A backup taken while the front desk keeps creating customers restores
  exactly the rows it counted (one snapshot for the dump and the counts).
- A backup of the quiet server restores every table identically (rows and
  checksum of every table, PostgreSQL sequences) and every file of the file
  store byte for byte (care record photos, attachments); a trytond serving
  the restored database logs in and returns the same photo bytes.
- restore refuses an existing database and a damaged archive.
"""
import hashlib
import io
import os
import random
import subprocess
import sys
import tarfile
import threading

import pytest

from security_helpers import (
    ROOT, SecureServer, Worker, binary, is_postgresql, run_sql, unbinary)

BACKUP = os.path.join(ROOT, 'tools', 'backup.py')
sys.path.insert(0, os.path.join(ROOT, 'tools'))
import backup as backup_tool  # noqa: E402


@pytest.fixture(scope='module')
def server():
    server = SecureServer('test_sec_backup_%s' % os.getpid())
    try:
        server.create().start()
        yield server
    finally:
        server.close()
        for name in restored_names(server):
            drop(server, name)


def restored_names(server):
    return [server.name + suffix for suffix in ['_hot', '_quiet', '_twice']]


def drop(server, name):
    if is_postgresql():
        run_sql(server, 'DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name,
            name='postgres')


def tool(server, *args, check=True):
    env = dict(server.env)
    env.pop('TRYTOND_CONFIG', None)
    process = subprocess.run([sys.executable, BACKUP, *args], env=env,
        cwd=ROOT, capture_output=True, text=True)
    if check:
        assert process.returncode == 0, process.stderr
    return process


def photo(seed, size=200_000):
    "Some bytes of a JPEG-like photo"
    rng = random.Random(seed)
    return b'\xff\xd8\xff\xe0' + rng.randbytes(size)


def setting(server):
    return {
        'backend': 'postgresql' if is_postgresql() else 'sqlite',
        'uri': server.env['TRYTOND_DATABASE_URI'],
        'path': server.tmp,
        'store_prefix': None,
        }


@pytest.fixture(scope='module')
def salon_data(server):
    "Customers, care records with photos, attachments"
    admin = server.login('admin', server.admin_password)
    company = server.ensure_company(admin)
    context = {'company': company}
    customers = server.rpc('model.party.party.create', [[
                {'name': "备份客户%03d" % i, 'mobile': '1390000%04d' % i}
                for i in range(30)], context], admin)
    photos = {}
    records = []
    for i, customer in enumerate(customers[:6]):
        before, after = photo(2 * i), photo(2 * i + 1)
        record, = server.rpc('model.beauty.care.record.create', [[{
                        'company': company, 'customer': customer,
                        'photo_before': binary(before),
                        'photo_after': binary(after),
                        'result': "补水后肤色明亮",
                        }], context], admin)
        photos[record] = (before, after)
        records.append(record)
    attachments = {}
    for i, customer in enumerate(customers[:4]):
        data = photo(100 + i, 50_000)
        attachment, = server.rpc('model.ir.attachment.create', [[{
                        'name': "签名%s.png" % i, 'type': 'data',
                        'resource': 'party.party,%s' % customer,
                        'data': binary(data)}], context], admin)
        attachments[attachment] = data
    return {'admin': admin, 'company': company, 'customers': customers,
        'photos': photos, 'attachments': attachments}


def test_hot_backup_is_one_snapshot(server, salon_data, tmp_path):
    "Customers keep coming during the backup: the restore has its counts"
    admin, company = salon_data['admin'], salon_data['company']
    stop = threading.Event()
    created = []

    def front_desk():
        i = 0
        while not stop.is_set():
            ids = server.rpc('model.party.party.create', [[
                        {'name': "新客%04d" % i, 'mobile': '1370000%04d' % i}
                        for i in range(i, i + 5)], {'company': company}],
                admin)
            created.extend(ids)
            i += 5

    writer = threading.Thread(target=front_desk, daemon=True)
    writer.start()
    try:
        while len(created) < 10:
            threading.Event().wait(0.1)
        out = tool(server, 'backup', '-d', server.name, '-o', str(tmp_path))
    finally:
        stop.set()
        writer.join(60)
    archive = out.stdout.split(':')[0]
    assert len(created) >= 10
    name = server.name + '_hot'
    drop(server, name)
    tool(server, 'restore', archive, '-d', name)
    with tarfile.open(archive) as tar:
        manifest = backup_tool.read_manifest(tar)
    restored = backup_tool.table_checksums(setting(server), name)
    assert backup_tool.table_counts(restored) == manifest['tables']
    parties = manifest['tables']['party_party']
    print("hot backup: %s customers created during it, %s parties in the "
        "snapshot" % (len(created), parties))


def test_round_trip_identical(server, salon_data, tmp_path):
    "Every table, sequence and file comes back identical"
    out = tool(server, 'backup', '-d', server.name, '-o', str(tmp_path))
    archive = out.stdout.split(':')[0]
    source = backup_tool.table_checksums(setting(server), server.name)
    source_files = backup_tool.file_checksums(
        os.path.join(server.tmp, server.name))
    name = server.name + '_quiet'
    drop(server, name)
    tool(server, 'restore', archive, '-d', name)
    restored = backup_tool.table_checksums(setting(server), name)
    restored_files = backup_tool.file_checksums(os.path.join(server.tmp, name))
    differ = sorted(t for t in set(source) | set(restored)
        if source.get(t) != restored.get(t))
    assert differ == [], differ
    assert source_files == restored_files
    photos = salon_data['photos']
    expected = {hashlib.sha256(b).hexdigest()
        for pair in photos.values() for b in pair} | {
        hashlib.sha256(b).hexdigest()
        for b in salon_data['attachments'].values()}
    assert expected <= set(restored_files.values())
    counts = backup_tool.table_counts(source)
    print("round trip: %s tables, %s rows, %s sequences, %s files "
        "identical" % (len(counts), sum(counts.values()),
            len(source.get('__sequences__', {})), len(source_files)))

    # a server on the restored database gives the same photos
    worker = Worker(server, database=name).start()
    try:
        admin = worker.login('admin', server.admin_password)
        ids = list(photos)
        status, rows = worker.call('model.beauty.care.record.read', [
                ids, ['photo_before', 'photo_after'], {}], admin)
        assert status == 200, rows
        for row in rows:
            assert unbinary(row['photo_before']) == photos[row['id']][0]
            assert unbinary(row['photo_after']) == photos[row['id']][1]
        ids = list(salon_data['attachments'])
        status, rows = worker.call('model.ir.attachment.read', [
                ids, ['data'], {}], admin)
        for row in rows:
            assert unbinary(row['data']) == salon_data['attachments'][
                row['id']]
    finally:
        worker.stop()


def test_restore_refuses(server, salon_data, tmp_path):
    "No restore over an existing database, none from a damaged archive"
    out = tool(server, 'backup', '-d', server.name, '-o', str(tmp_path))
    archive = out.stdout.split(':')[0]
    process = tool(server, 'restore', archive, '-d', server.name,
        check=False)
    assert process.returncode == 1
    assert 'exists' in process.stderr or 'not empty' in process.stderr

    damaged = str(tmp_path / 'damaged.tar')
    with tarfile.open(archive) as tar, tarfile.open(damaged, 'w') as out_tar:
        for info in tar:
            data = tar.extractfile(info).read() if info.isfile() else None
            if info.name.startswith('filestore/') and info.isfile():
                data = data[:100] + bytes([data[100] ^ 1]) + data[101:]
            out_tar.addfile(info, None if data is None else
                io.BytesIO(data))
    process = tool(server, 'verify', damaged, check=False)
    assert process.returncode == 1 and 'damaged' in process.stderr
    name = server.name + '_twice'
    drop(server, name)
    process = tool(server, 'restore', damaged, '-d', name, check=False)
    assert process.returncode == 1
    if is_postgresql():
        assert not run_sql(server,
            'SELECT 1 FROM pg_database WHERE datname = %s', (name,),
            name='postgres')
    else:
        assert not os.path.exists(os.path.join(server.tmp, name + '.sqlite'))
