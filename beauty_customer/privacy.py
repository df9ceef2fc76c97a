# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"Deleting the stored files (photos) of an erased customer"
from trytond.filestore import filestore
from trytond.transaction import Transaction


class _FileEraser:
    """Deletes files of the file store once the transaction is committed.

    A rolled back erase keeps the files: they are still referenced."""

    def __init__(self):
        self.files = set()

    def __eq__(self, other):
        return isinstance(other, _FileEraser)

    def __hash__(self):
        return hash(_FileEraser)

    def abort(self, trans):
        self.files.clear()

    def tpc_begin(self, trans):
        pass

    def commit(self, trans):
        pass

    def tpc_vote(self, trans):
        pass

    def tpc_finish(self, trans):
        for file_id, prefix in self.files:
            filestore.delete(file_id, prefix=prefix)
        self.files.clear()

    def tpc_abort(self, trans):
        self.files.clear()


def delete_files_on_commit(file_ids, prefix=None):
    "Delete the files from the file store when the transaction commits"
    transaction = Transaction()
    if prefix is None:
        prefix = transaction.database.name
    eraser = transaction.join(_FileEraser())
    eraser.files.update((i, prefix) for i in file_ids if i)
