# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""What the generator loads, in order: one loader per kind of data.

A loader is ``(name, modules, function)``: it runs when all of its modules
are activated in the database, with a ``bench.generate.Chain`` giving the
connection, the volumes and the ids of what earlier loaders created. A module
that lands adds its file here (appointments, sale lines, stock moves, RFM
scores...), in dependency order, and its volumes to Chain.
"""
from . import appointment, chain, customer, hr, marketing, pos

LOADERS = [
    ('stores', {'company'}, chain.load_stores),
    ('beauticians', {'company'}, chain.load_beauticians),
    ('staff fields', {'beauty_hr'}, hr.load_staff),
    ('customers', {'beauty_customer'}, customer.load_customers),
    ('visits (care records)', {'beauty_customer'}, customer.load_visits),
    *appointment.LOADERS,
    *pos.LOADERS,
    *marketing.LOADERS,
    ]
