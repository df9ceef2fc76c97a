# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""What the party erase wizard must also remove, for every module.

Tryton's erase wizard updates the columns each module lists in
``to_erase(party_id)`` (main and history tables) and deletes the
attachments, notes and avatars of the listed records. Each module of the
suite adds its tables there (appointments, notifications, cards, sales...);
this extension then also removes, without more code in those modules:

- the stored files: the files of every Binary field whose ``file_id``
  column a module erases (photos, signatures), found in the table and in its
  history, and the files of the attachments the wizard deletes (Tryton
  deletes their rows but leaves their files in the file store);
- the wizard sessions that still hold her data (an import result listing
  her, left open) and the abandoned ones (older than ``[session] max_age``,
  the longest a login lasts): their JSON may hold a whole imported file;
- on SQLite, the deleted content itself (``PRAGMA secure_delete``), which
  would otherwise stay readable in the free pages of the database file.

A module with personal data that does not fit ``to_erase`` (rows to delete
rather than columns to blank) overrides ``erase_records(party_ids)``.
"""
import datetime as dt
import json
import os
import sqlite3

from sql import Column, Literal, Null
from sql.operators import Like

from trytond import backend, config
from trytond.model import convert_from, fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from .privacy import delete_files_on_commit


class PartyErase(metaclass=PoolMeta):
    __name__ = 'party.erase'

    def transition_erase(self):
        pool = Pool()
        Party = pool.get('party.party')
        transaction = Transaction()
        if backend.name == 'sqlite':
            transaction.connection.cursor().execute(
                'PRAGMA secure_delete = ON')
            transaction.join(_SQLiteWALCleaner(transaction.database.name))
        parties = replacing = [self.ask.party]
        with transaction.set_context(active_test=False):
            while replacing:
                replacing = Party.search([
                        ('replaced_by', 'in', list(map(int, replacing))),
                        ])
                parties += replacing
        party_ids = [p.id for p in parties]
        markers = self.erase_markers(parties)
        files = set()
        for party_id in party_ids:
            files |= self.erase_files(party_id)
        state = super().transition_erase()
        self.erase_records(party_ids)
        self.erase_wizard_sessions(markers)
        for prefix, file_ids in self._group_files(files).items():
            delete_files_on_commit(file_ids, prefix=prefix)
        return state

    def erase_files(self, party_id):
        """The (prefix, file id) of the files of the records to erase: their
        binary fields and their attachments, history included."""
        pool = Pool()
        Attachment = pool.get('ir.attachment')
        cursor = Transaction().connection.cursor()
        files = set()
        for Model, domain, resource, columns, _ in self.to_erase(party_id):
            tables, where = Model.search_domain(domain, active_test=False)
            from_ = convert_from(None, tables, type_='INNER')
            table, _ = tables[None]
            query = from_.select(table.id, where=where)
            binaries = [
                (name, field) for name, field in Model._fields.items()
                if isinstance(field, fields.Binary) and field.file_id
                and field.file_id in columns]
            model_tables = [Model.__table__()]
            if Model._history:
                model_tables.append(Model.__table_history__())
            for name, field in binaries:
                prefix = field.store_prefix
                for model_table in model_tables:
                    column = Column(model_table, field.file_id)
                    cursor.execute(*model_table.select(column,
                            where=model_table.id.in_(query)
                            & (column != Null)))
                    files.update((prefix, i) for i, in cursor if i)
            if resource:
                attachment = Attachment.__table__()
                file_field = Attachment._fields['data']
                if file_field.file_id:
                    cursor.execute(*attachment.select(
                            attachment.file_id,
                            where=Like(attachment.resource,
                                Model.__name__ + ',%')
                            & Attachment.resource.sql_id(
                                attachment.resource, Model).in_(query)
                            & (attachment.file_id != Null)))
                    files.update(
                        (file_field.store_prefix, i) for i, in cursor if i)
        return files

    @staticmethod
    def _group_files(files):
        grouped = {}
        for prefix, file_id in files:
            grouped.setdefault(prefix, set()).add(file_id)
        return grouped

    def erase_markers(self, parties):
        """Texts that identify the parties in free text: names, mobiles
        (also earlier ones, from the audit log), WeChat ids"""
        pool = Pool()
        Audit = pool.get('beauty.audit')
        markers = set()
        for party in parties:
            for name in ['name', 'wechat', 'mobile']:
                value = getattr(party, name, None)
                if value:
                    markers.add(value)
            audit = Audit.__table__()
            cursor = Transaction().connection.cursor()
            cursor.execute(*audit.select(audit.old_value, audit.new_value,
                    where=(audit.party == party.id)
                    & audit.field_name.in_(['name', 'mobile', 'wechat'])))
            for values in cursor:
                markers.update(v for v in values if v)
        result = set()
        for marker in markers:
            marker = marker.strip()
            if marker.startswith('+86'):
                marker = marker[3:]
            if len(marker) < 2:
                continue
            result.add(marker)
            # as JSON stores it (non ASCII escaped)
            result.add(json.dumps(marker)[1:-1])
        return result

    def erase_wizard_sessions(self, markers):
        "Delete the wizard sessions holding the markers, and the abandoned"
        pool = Pool()
        Session = pool.get('ir.session.wizard')
        table = Session.__table__()
        cursor = Transaction().connection.cursor()
        abandoned = dt.datetime.now() - dt.timedelta(
            seconds=config.getint('session', 'max_age'))
        where = Literal(False)
        for marker in markers:
            escaped = marker.replace('\\', '\\\\').replace(
                '%', '\\%').replace('_', '\\_')
            where |= Like(table.data, '%' + escaped + '%', escape='\\')
        cursor.execute(*table.delete(where=where
                | (table.create_date < abandoned)
                & ((table.write_date == Null)
                    | (table.write_date < abandoned))))

    @classmethod
    def erase_records(cls, party_ids):
        "Delete rows of personal data that to_erase cannot blank"
        pass



class _SQLiteWALCleaner:
    """After the commit of an erasure, checkpoint and empty the write-ahead
    log of the SQLite database: it holds the pages as they were before."""

    def __init__(self, name):
        self.name = name

    def __eq__(self, other):
        return isinstance(other, _SQLiteWALCleaner) and other.name == self.name

    def __hash__(self):
        return hash((_SQLiteWALCleaner, self.name))

    def abort(self, trans):
        pass

    def tpc_begin(self, trans):
        pass

    def commit(self, trans):
        pass

    def tpc_vote(self, trans):
        pass

    def tpc_finish(self, trans):
        path = os.path.join(config.get('database', 'path'),
            self.name + '.sqlite')
        if not os.path.exists(path):
            return
        conn = sqlite3.connect(path, timeout=30)
        try:
            conn.execute('PRAGMA wal_checkpoint(TRUNCATE)')
        finally:
            conn.close()

    def tpc_abort(self, trans):
        pass
