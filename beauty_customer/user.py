# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Authentication of the salon's staff.

- Password policy: length, a list of forbidden passwords shipped with the
  module (common and salon passwords, also with digits or signs around them),
  the salon's own names, no digits-only password (a phone number, a date),
  enough different characters (``[password] entropy``).
- A password set by an administrator must be changed at the first login:
  the password login asks for a new password (Tryton's multi-step login,
  which the web client shows as a prompt).
- Login throttling that slows attackers without locking the staff out:
  Tryton counts the failures per login and device cookie, so a device that
  logged in before keeps its own counter; on top of that one attempt at a
  time is checked per login and device (a burst of parallel guesses cannot
  slip under the counter) and a known device is not refused by the per
  network limit (an attacker sharing the salon's address cannot lock the
  front desk out).
- Fresh sessions: ``[session] fresh_max_age`` limits the RPCs marked
  ``fresh_session`` (erasure, refunds, balance adjustments, password change)
  to sessions whose password was typed less than that many seconds ago; the
  web client then asks for the password again and retries.
"""
import datetime as dt
import hashlib
import os
import string
import threading
import unicodedata
from secrets import compare_digest

from trytond import backend, config
from trytond.exceptions import LoginException, RateLimitException
from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.res.user import PasswordError
from trytond.transaction import Transaction

MODULE_DIR = os.path.dirname(os.path.abspath(__file__))
FORBIDDEN_FILE = os.path.join(MODULE_DIR, 'user_forbidden_passwords.txt')
# A word of the forbidden list with digits or signs around it is as weak
_DECORATION = string.digits + string.punctuation + string.whitespace
_SEQUENCES = [
    'abcdefghijklmnopqrstuvwxyz', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm',
    '1qaz2wsx3edc4rfv5tgb', '01234567890', '09876543210',
    ]
# Seconds a login attempt waits for the previous attempt of the same login
# and device before it is refused
LOGIN_LOCK_TIMEOUT = 5
_sqlite_locks = {}
_sqlite_locks_guard = threading.Lock()


def normalize_password(text):
    "Lower case, full-width forms folded (ｍｅｉｒｏｎｇ is meirong)"
    return unicodedata.normalize('NFKC', text or '').strip().lower()


def _resolve(path):
    "A configured file: absolute, or relative to the working directory or to "
    "the repository of the suite"
    if not path or os.path.isabs(path) or os.path.exists(path):
        return path
    candidate = os.path.join(os.path.dirname(MODULE_DIR), path)
    if os.path.exists(candidate):
        return candidate
    return path


_forbidden_cache = {}


def forbidden_words(path=None):
    "The normalised words of the forbidden list (cached per file version)"
    path = _resolve(path or config.get(
            'password', 'forbidden', default=None) or FORBIDDEN_FILE)
    words = set()
    for filename in {path, FORBIDDEN_FILE}:
        try:
            stat = os.stat(filename)
        except OSError:
            continue
        key = (filename, stat.st_mtime_ns, stat.st_size)
        if key not in _forbidden_cache:
            with open(filename, encoding='utf-8', errors='ignore') as fp:
                _forbidden_cache[key] = frozenset(
                    w for w in (normalize_password(line) for line in fp
                        if not line.startswith('#')) if w)
        words |= _forbidden_cache[key]
    return words


def is_weak(password, extra_words=()):
    """Return the reason why password is too easy to guess, or None.

    'forbidden': a listed word, or one with only digits/signs around it, or
    a run of the alphabet or of a keyboard row; 'digits': only digits."""
    word = normalize_password(password)
    core = word.strip(_DECORATION)
    words = forbidden_words() | {
        normalize_password(w) for w in extra_words if w}
    if word in words or (len(core) >= 3 and core in words):
        return 'forbidden'
    if not core:
        return 'digits' if any(c.isdigit() for c in word) else 'forbidden'
    if len(core) >= 4 and any(
            core in s or core[::-1] in s for s in _SEQUENCES):
        return 'forbidden'
    if word.isdigit():
        return 'digits'
    return None


def with_pinyin(names, prefixes=False):
    """The names with their pinyin and initials (张丽 zhangli zl); with
    prefixes the leading syllables too (丽人美容院: liren, lirenmeirong)."""
    from .pinyin import syllables
    words = set()
    for name in names:
        words.add(name)
        if not any(unicodedata.category(c) == 'Lo' for c in name):
            continue
        try:
            parts = [p for p in syllables(name, person=not prefixes) if p]
        except Exception:
            continue
        if parts:
            words.add(''.join(parts))
            words.add(''.join(p[0] for p in parts))
            if prefixes:
                for end in range(2, len(parts)):
                    words.add(''.join(parts[:end]))
    return words


class User(metaclass=PoolMeta):
    __name__ = 'res.user'

    password_must_change = fields.Boolean(
        "Change Password at Next Login",
        help="The user must choose a new password at the next login.\n"
        "Set when an administrator gives a user a password.")

    @classmethod
    def default_password_must_change(cls):
        # an account opened by an administrator in the client: the
        # password she gives is to be replaced at the first login
        return bool(Transaction().user)

    # Password policy -------------------------------------------------
    @classmethod
    def validate_password(cls, password, users):
        """The salon's policy (replaces Tryton's checks, which it includes:
        length, forbidden list, name, login and email)."""
        length = config.getint('password', 'length', default=0)
        if length > 0 and len(password) < length:
            raise PasswordError(gettext(
                    'beauty_customer.msg_password_too_short', length=length))
        personal = set()
        for user in users:
            for name in ['name', 'login', 'email']:
                value = getattr(user, name, None)
                if value:
                    personal.add(value)
                    personal.add(value.split('@')[0])
        normalized = normalize_password(password)
        if any(normalized == normalize_password(p) for p in personal):
            raise PasswordError(gettext(
                    'beauty_customer.msg_password_personal'))
        reason = is_weak(
            password, cls._forbidden_names() | with_pinyin(personal))
        if reason == 'digits':
            raise PasswordError(gettext(
                    'beauty_customer.msg_password_digits'))
        elif reason:
            raise PasswordError(gettext(
                    'beauty_customer.msg_password_forbidden'))
        entropy = config.getfloat('password', 'entropy', default=0)
        if entropy:
            distinct = len(set(password))
            if distinct / len(password) < entropy:
                raise PasswordError(gettext(
                        'beauty_customer.msg_password_entropy',
                        count=int(entropy * max(len(password), length)
                            + 0.999)))

    @classmethod
    def _forbidden_names(cls):
        """The salon's own names (companies, stores) and their pinyin:
        staff like to use them as passwords."""
        pool = Pool()
        words = set()
        try:
            Company = pool.get('company.company')
        except KeyError:
            return words
        cursor = Transaction().connection.cursor()
        Party = pool.get('party.party')
        party = Party.__table__()
        company = Company.__table__()
        cursor.execute(*company.join(
                party, condition=company.party == party.id).select(
                party.name))
        return with_pinyin(
            (name for name, in cursor if name), prefixes=True)

    # Initial passwords ----------------------------------------------
    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if (mode == 'create' and values.get('password')
                and 'password_must_change' not in values
                and Transaction().user):
            values['password_must_change'] = True
        return values

    @classmethod
    def write(cls, *args):
        """A password given by someone else must be changed; the user who
        sets her own password is done with it."""
        current = Transaction().user
        actions = iter(args)
        args = []
        for users, values in zip(actions, actions):
            if (current and values.get('password')
                    and values['password'] != 'x' * 10
                    and 'password_must_change' not in values):
                own = [u for u in users if u.id == current]
                others = [u for u in users if u.id != current]
                if own:
                    args.extend([own, dict(values, password_must_change=False)])
                if others:
                    args.extend(
                        [others, dict(values, password_must_change=True)])
            else:
                args.extend([users, values])
        super().write(*args)

    @classmethod
    def _login_password(cls, login, parameters):
        user_id = super()._login_password(login, parameters)
        if not user_id:
            return user_id
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        cursor.execute(*table.select(
                table.password_must_change,
                where=table.id == user_id))
        must_change, = cursor.fetchone()
        _, _, password_reset = cls._get_login(login)
        # The temporary password of a reset must be replaced as well
        via_reset = bool(password_reset) and compare_digest(
            password_reset, parameters['password'])
        if must_change or via_reset:
            cls._change_password_at_login(user_id, parameters)
        return user_id

    @classmethod
    def _change_password_at_login(cls, user_id, parameters):
        """Ask for a new password (LoginException steps), check it against
        the policy and save it; the login goes on with it."""
        user = cls(user_id)
        new = parameters.get('new_password')
        if not new:
            raise LoginException('new_password', gettext(
                    'beauty_customer.msg_password_must_change',
                    length=config.getint('password', 'length', default=0)),
                type='password')
        if new == parameters['password']:
            raise LoginException('new_password', gettext(
                    'beauty_customer.msg_password_same'), type='password')
        try:
            cls.validate_password(new, [user])
        except PasswordError as exception:
            raise LoginException('new_password', gettext(
                    'beauty_customer.msg_password_choose_again',
                    reason=exception.message), type='password')
        confirm = parameters.get('new_password_confirm')
        if confirm is None:
            raise LoginException('new_password_confirm', gettext(
                    'beauty_customer.msg_password_confirm'), type='password')
        if not compare_digest(confirm, new):
            raise LoginException('new_password_confirm', gettext(
                    'beauty_customer.msg_password_mismatch'), type='password')
        cls.write([user], {
                'password': new,
                'password_must_change': False,
                })

    # Throttling -----------------------------------------------------
    @classmethod
    def get_login(cls, login, parameters):
        pool = Pool()
        UserDevice = pool.get('res.user.device')
        LoginAttempt = pool.get('res.user.login.attempt')
        device_cookie = UserDevice.get_valid_cookie(
            login, parameters.get('device_cookie'))
        if not cls._lock_login(login, device_cookie):
            # Another attempt for this login and device is being checked
            LoginAttempt.add(login, device_cookie)
            raise RateLimitException()
        context = {'_beauty_known_device': bool(device_cookie)}
        # sao sends the language as zh-CN (BCP 47): the messages of the
        # login steps are looked up as zh_CN
        language = Transaction().context.get('language')
        if language and '-' in language:
            context['language'] = language.replace('-', '_')
        with Transaction().set_context(context):
            return super().get_login(login, parameters)

    @classmethod
    def _lock_login(cls, login, device_cookie):
        """Check one attempt at a time per login and device, until the end of
        the transaction. Return False when the lock is not obtained in time.
        """
        transaction = Transaction()
        key = hashlib.sha256(
            ('%s\0%s' % (login, device_cookie or '')).encode('utf-8')
            ).digest()
        if backend.name == 'postgresql':
            cursor = transaction.connection.cursor()
            cursor.execute(
                "SET LOCAL lock_timeout = '%ss'" % LOGIN_LOCK_TIMEOUT)
            try:
                cursor.execute(
                    'SELECT pg_advisory_xact_lock(%s::int4, %s::int4)', (
                        int.from_bytes(b'btyL', 'big', signed=True),
                        int.from_bytes(key[:4], 'big', signed=True)))
            except backend.DatabaseOperationalError:
                # lock_timeout: the transaction is unusable, start over
                transaction.rollback()
                return False
            cursor.execute('SET LOCAL lock_timeout = DEFAULT')
            return True
        else:
            with _sqlite_locks_guard:
                lock = _sqlite_locks.setdefault(
                    (transaction.database.name, key), threading.Lock())
            if not lock.acquire(timeout=LOGIN_LOCK_TIMEOUT):
                return False
            transaction.atexit(lock.release)
            return True


class LoginAttempt(metaclass=PoolMeta):
    __name__ = 'res.user.login.attempt'

    @classmethod
    def count(cls, login, device_cookie=None):
        """Count in a new transaction: its snapshot is taken after the login
        lock, so it sees the attempt of the previous holder (the snapshot of
        the login transaction may predate it)."""
        with Transaction().new_transaction(readonly=True):
            return super().count(login, device_cookie)

    @classmethod
    def count_ip(cls):
        "A device that logged in before is not refused for its network"
        if Transaction().context.get('_beauty_known_device'):
            return 0
        with Transaction().new_transaction(readonly=True):
            return super().count_ip()


class Session(metaclass=PoolMeta):
    __name__ = 'ir.session'

    @classmethod
    def check_timeout(cls, user, key, domain=None):
        """A session is fresh when used within [session] timeout (Tryton) and,
        with [session] fresh_max_age, when its password was typed within
        that many seconds."""
        valid = super().check_timeout(user, key, domain=domain)
        max_age = config.getint('session', 'fresh_max_age', default=0)
        if valid and max_age:
            session, = cls.search([
                    ('create_uid', '=', user),
                    ('key', '=', key),
                    domain or [],
                    ], limit=1)
            age = dt.datetime.now() - session.create_date
            if abs(age) >= dt.timedelta(seconds=max_age):
                cls.delete([session])
                valid = False
        return valid


class PartyErase(metaclass=PoolMeta):
    __name__ = 'party.erase'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # Erasure cannot be undone: the password must have been typed lately
        cls.__rpc__['create'].fresh_session = True
        cls.__rpc__['execute'].fresh_session = True


