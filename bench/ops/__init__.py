# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""The benchmarked operations, one file per module.

An operation prepares its samples from the database (SQL), then is run
through JSON-RPC by bench.run, which times it (server and client side),
checks its results and compares it to its baseline: plain Tryton doing the
same thing (same samples, same server, same run). A module that lands adds
its file here and its operations to OPERATIONS (appointments: book, free
slots; pos: checkout, daily closing; marketing: RFM refresh, churn list...).
"""
import random


class Operation:
    "Subclasses set the class attributes and define run (and baselines)"
    name = None
    description = None
    modules = {'beauty_customer'}
    # seconds; what is checked against the p95 of the server time
    target_p95 = None
    target = ''
    # the throughput phase runs the operations of a group concurrently
    group = None
    samples = 200
    # the login (bench.common.USERS) whose session runs it
    user = 'bench_frontdesk'

    def __init__(self, bench):
        self.bench = bench
        self.rng = random.Random(self.name)

    def prepare(self):
        "Return the list of samples (SQL on bench.conn)"
        return [None]

    def run(self, session, sample):
        "Do the operation through session; return what check() inspects"
        raise NotImplementedError

    def check(self, sample, result):
        "Raise AssertionError when the result is wrong"

    def baselines(self):
        """{label: function(session, sample)}: plain Tryton doing the same
        thing"""
        return {}


def operations(bench):
    from . import appointment, customer, marketing, pos
    classes = [*customer.OPERATIONS, *appointment.OPERATIONS,
        *pos.OPERATIONS, *marketing.OPERATIONS]
    return [cls(bench) for cls in classes
        if cls.modules <= bench.modules]
