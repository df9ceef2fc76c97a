# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Create the bench users (bench.common.USERS) through the ORM.

Run by bench.generate in a process of its own, configured by TRYTOND_CONFIG.
"""
import argparse

from bench.common import USERS


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument('-d', '--database', required=True)
    parser.add_argument('--company', type=int, required=True,
        help="the user's current company (store)")
    args = parser.parse_args(argv)

    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool(args.database)
    pool.init()
    with Transaction().start(
            args.database, 0, context={'active_test': False}):
        User = pool.get('res.user')
        Lang = pool.get('ir.lang')
        ModelData = pool.get('ir.model.data')
        Company = pool.get('company.company')
        companies = Company.search([])
        languages = Lang.search([
                ('code', '=', 'zh_CN'), ('translatable', '=', True)])
        for login, (group, password) in USERS.items():
            if User.search([('login', '=', login)]):
                continue
            User.create([{
                        'login': login,
                        'name': login.replace('_', ' ').title(),
                        'password': password,
                        'groups': [('add', [
                                    ModelData.get_id('beauty_customer', group),
                                    ])],
                        # A chain-wide front desk: with a store-bound one the
                        # customer list fails (preferred beauticians of other
                        # stores are unreadable, rule "User in companies")
                        'companies': [('add', [c.id for c in companies])],
                        'company': args.company,
                        'company_filter': 'all',
                        'language': languages[0].id if languages else None,
                        }])


if __name__ == '__main__':
    main()
