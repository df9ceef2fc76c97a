# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"Set-up shared by the scenarios of beauty_training (through proteus)"
import os

from proteus import Model
from trytond.pool import Pool
from trytond.transaction import Transaction

MODULES = ['beauty_hr', 'beauty_training']


def load_chinese(config):
    "Load the zh_CN translations of beauty_hr and beauty_training"
    with Transaction().start(config.database_name, 0) as transaction:
        pool = Pool()
        Lang = pool.get('ir.lang')
        Translation = pool.get('ir.translation')
        zh, = Lang.search([('code', '=', 'zh_CN')])
        Lang.write([zh], {'translatable': True})
        for module in MODULES:
            package = __import__(module)
            locale = os.path.join(
                os.path.dirname(package.__file__), 'locale', 'zh_CN.po')
            Translation.translation_import('zh_CN', module, [locale])
        transaction.commit()


def speak_chinese(*users, config=None):
    "Set the language of the users to Chinese"
    Lang = Model.get('ir.lang', config=config)
    User = Model.get('res.user', config=config)
    zh, = Lang.find([('code', '=', 'zh_CN')])
    for user in users:
        user = User(user.id)
        user.language = zh
        user.save()


def error(function, *args, **kwargs):
    "Call function and print the message of the user error it raises"
    try:
        function(*args, **kwargs)
    except Exception as exception:
        print(type(exception).__name__, getattr(
                exception, 'message', exception))
    else:
        print("no error")
