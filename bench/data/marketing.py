# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""The bench data of beauty_marketing (see bench/data/__init__.py).

The RFM scores are not faked: they are computed by the module's own nightly
refresh (the cron task, in a trytond process) over the sales and
appointments the earlier loaders created, so that the churn list and the
segments read what a real chain would show.
"""
import subprocess
import sys

from bench.common import ROOT, log

# the models of the scores, registered as trytond-admin -u does before the
# first refresh (a template may be older than the code)
MODELS = ['beauty.customer.rfm', 'beauty.marketing.segment_summary']


def register(database):
    "The tables of the scores as the code declares them (ORM, this process)"
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool(database)
    pool.init()
    with Transaction().start(database, 0) as transaction:
        for name in MODELS:
            pool.get(name).__register__('beauty_marketing')
        transaction.commit()


def load_rfm(chain):
    from bench.common import trytond_env
    from bench.ops.marketing import refresh
    conn = chain.conn
    conn.commit()
    subprocess.run([sys.executable, '-c',
            'import sys; from bench.data.marketing import register; '
            'register(sys.argv[1])', conn.info.dbname],
        env=trytond_env(), check=True, cwd=ROOT)
    # the planner needs the statistics of what was just loaded (the
    # generator analyses everything only at the end)
    for table in ['sale_point_sale', 'sale_point_sale_line',
            'beauty_appointment']:
        conn.execute('ANALYZE "%s"' % table)
    conn.commit()
    result = refresh(conn.info.dbname)
    log('RFM refresh of %s customers: %.1f s', result['rows'],
        result['seconds'])
    chain.analyze.update(
        ['beauty_customer_rfm', 'beauty_marketing_segment_summary'])


# (name, modules, function(chain)), in the order they run
LOADERS = [
    ('RFM scores (nightly refresh)', {'beauty_marketing'}, load_rfm),
    ]
