#!/usr/bin/env python
# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Generate docs/permissions.md: what each role may do, from the database.

    .venv/bin/python tools/permission_matrix.py          # rewrite the file
    .venv/bin/python tools/permission_matrix.py --check  # exit 1 if stale

Activates every module of the suite in a scratch SQLite database and reads
what Tryton itself decides for a user of each role (its group and the
groups it inherits from): the model access (ir.model.access, including the
models whose access follows another one), the hidden or read-only fields
(ir.model.field.access), the record rules and the menus. Nothing is written
by hand, so the document cannot drift from the access records;
tests/test_permissions.py checks the committed file against a fresh run and
the matrix against what the server allows through JSON-RPC.
"""
import argparse
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
OUTPUT = os.path.join(ROOT, 'docs', 'permissions.md')

# (xml id in beauty_customer, Chinese name, English name)
ROLES = [
    ('group_salon_admin', "管理员", "Administrator"),
    ('group_manager', "店长", "Salon Manager"),
    ('group_frontdesk', "前台", "Front Desk"),
    ('group_beautician', "美容师", "Beautician"),
    ('group_accountant', "财务", "Accountant"),
    ]
# The order of the letters in the matrix
PERMS = [('read', 'r'), ('create', 'c'), ('write', 'w'), ('delete', 'd')]
# Upstream models every role uses that no suite module mentions
UPSTREAM = ['company.company', 'res.user']


def suite_modules():
    sys.path.insert(0, os.path.join(ROOT, 'tools'))
    try:
        from demo import suite_modules as modules
    finally:
        sys.path.pop(0)
    return modules()


def role_groups(pool):
    "{role: tuple of the group ids of a user of the role}"
    ModelData = pool.get('ir.model.data')
    Group = pool.get('res.group')
    result = {}
    for xml_id, _, _ in ROLES:
        group = Group(ModelData.get_id('beauty_customer', xml_id))
        ids = set()
        while group and group.id not in ids:
            ids.add(group.id)
            group = group.parent
        result[xml_id] = tuple(sorted(ids))
    return result


def scope(pool, modules):
    """The models of the matrix: of the suite and the upstream ones it uses.

    Only the models a client reaches through JSON-RPC (ModelStorage and
    ModelView); relation tables follow the records they link."""
    from trytond.model import ModelStorage, ModelView
    Model = pool.get('ir.model')
    Field = pool.get('ir.model.field')
    Access = pool.get('ir.model.access')
    FieldAccess = pool.get('ir.model.field.access')
    RuleGroup = pool.get('ir.rule.group')
    ModelData = pool.get('ir.model.data')
    groups = [
        ModelData.get_id('beauty_customer', x) for x, _, _ in ROLES]
    names = set(UPSTREAM)
    names.update(m.name for m in Model.search([('module', 'in', modules)]))
    names.update(f.model for f in Field.search([('module', 'in', modules)]))
    names.update(a.model for a in Access.search([('group', 'in', groups)]))
    names.update(
        a.model for a in FieldAccess.search([('group', 'in', groups)]))
    names.update(
        r.model for r in RuleGroup.search([('groups', 'in', groups)]))
    result = []
    for name in sorted(names):
        try:
            Class = pool.get(name)
        except KeyError:
            continue
        if issubclass(Class, ModelStorage) and issubclass(Class, ModelView):
            result.append(name)
    return result


def compute(pool, modules=None):
    """The matrix as plain data (called inside a transaction).

    Returns a dictionary with:
      models: [(model, description, {role: {perm: bool}})]
      fields: [(model, field, {role: {'read': bool, 'write': bool}})]
      rules:  [(model, name, scope text, perms, [domains])]
      menus:  {role: [menu path]}
    """
    from trytond.transaction import Transaction
    if modules is None:
        modules = suite_modules()
    ModelAccess = pool.get('ir.model.access')
    FieldAccess = pool.get('ir.model.field.access')
    IrModel = pool.get('ir.model')
    RuleGroup = pool.get('ir.rule.group')
    Menu = pool.get('ir.ui.menu')
    transaction = Transaction()
    groups = role_groups(pool)
    models = scope(pool, modules)
    strings = {m.name: m.string for m in IrModel.search([
                ('name', 'in', models)])}

    matrix, restricted = [], []
    field_access = {}
    for role, _, _ in ROLES:
        with transaction.set_context(_groups=groups[role]):
            access = ModelAccess.get_access(models)
            # one model at a time: get_access shares one dictionary between
            # the models without field access when given several
            fields = {
                m: dict(FieldAccess.get_access([m])[m]) for m in models}
        for model in models:
            field_access.setdefault(model, {})
            for name, perms in fields[model].items():
                field_access[model].setdefault(name, {})[role] = {
                    'read': bool(perms['read']),
                    'write': bool(perms['write']),
                    }
        for model in models:
            matrix.append((model, role, {
                        p: bool(access[model][p]) for p, _ in PERMS}))
    by_model = {}
    for model, role, perms in matrix:
        by_model.setdefault(model, {})[role] = perms
    model_rows = [
        (m, strings.get(m) or '', by_model[m]) for m in models]
    for model in models:
        for name in sorted(field_access[model]):
            roles = field_access[model][name]
            if all(roles.get(r, {}).get('read', True)
                    and roles.get(r, {}).get('write', True)
                    for r, _, _ in ROLES):
                continue
            restricted.append((model, name, {
                        r: roles.get(r, {'read': True, 'write': True})
                        for r, _, _ in ROLES}))

    role_of_group = {}
    ModelData = pool.get('ir.model.data')
    for xml_id, _, _ in ROLES:
        role_of_group[ModelData.get_id('beauty_customer', xml_id)] = xml_id
    rules = []
    for rule_group in RuleGroup.search(
            [('model', 'in', models)],
            order=[('model', 'ASC'), ('name', 'ASC'), ('id', 'ASC')]):
        if rule_group.global_p:
            applies = "everyone"
        elif rule_group.default_p:
            applies = "everyone by default"
        else:
            roles = sorted(
                {role_of_group[g.id] for g in rule_group.groups
                    if g.id in role_of_group},
                key=[r for r, _, _ in ROLES].index)
            others = sorted(
                g.name for g in rule_group.groups
                if g.id not in role_of_group)
            applies = ', '.join(
                [_role_label(r) for r in roles] + others)
            if not applies:
                continue
        perms = ''.join(
            letter if getattr(rule_group, 'perm_%s' % perm) else '-'
            for perm, letter in PERMS)
        domains = sorted(r.domain for r in rule_group.rules)
        rules.append((
                rule_group.model, rule_group.name, applies, perms, domains))

    menus = {}
    with transaction.set_user(1), transaction.set_context(
            _check_access=True):
        for role, _, _ in ROLES:
            with transaction.set_context(_groups=groups[role]):
                menus[role] = sorted(
                    m.complete_name for m in Menu.search([])
                    if m.action_keywords)
    return {
        'models': model_rows,
        'fields': restricted,
        'rules': rules,
        'menus': menus,
        }


def _role_label(role):
    for xml_id, zh, en in ROLES:
        if xml_id == role:
            return '%s %s' % (zh, en)
    return role


def _cell(perms):
    return ''.join(
        letter if perms[perm] else '-' for perm, letter in PERMS)


def render(data):
    "The markdown document"
    lines = [
        "# Permissions of the roles (角色权限)",
        "",
        "Generated by `tools/permission_matrix.py` from the access records "
        "of a database with every module of the suite activated: do not "
        "edit by hand, run `.venv/bin/python tools/permission_matrix.py` "
        "after changing access rows, field access or record rules. "
        "`tests/test_permissions.py` checks this file against a fresh run "
        "and logs in as each role through JSON-RPC to check that the "
        "server allows exactly this.",
        "",
        "A user of a role is in the role's group (and the groups it "
        "inherits from: 管理员 inherits Tryton's Administration). A user "
        "with several roles gets the union of their rights.",
        "",
        "## Models",
        "",
        "Letters: **r** read (读), **c** create (建), **w** change (改), "
        "**d** delete (删); `-` refused. Record rules below narrow which "
        "records.",
        "",
        "| Model | Name | " + " | ".join(
            '%s %s' % (zh, en) for _, zh, en in ROLES) + " |",
        "|---|---|" + "---|" * len(ROLES),
        ]
    for model, string, roles in data['models']:
        lines.append("| `%s` | %s | %s |" % (
                model, string.replace('|', '/'), " | ".join(
                    '`%s`' % _cell(roles[r]) for r, _, _ in ROLES)))
    lines += [
        "",
        "## Fields with restricted access",
        "",
        "Fields a role may not read (hidden from its views) or not change; "
        "**r** read, **w** change.",
        "",
        "| Model | Field | " + " | ".join(
            '%s %s' % (zh, en) for _, zh, en in ROLES) + " |",
        "|---|---|" + "---|" * len(ROLES),
        ]
    for model, field, roles in data['fields']:
        lines.append("| `%s` | `%s` | %s |" % (
                model, field, " | ".join(
                    '`%s%s`' % (
                        'r' if roles[r]['read'] else '-',
                        'w' if roles[r]['write'] else '-')
                    for r, _, _ in ROLES)))
    lines += [
        "",
        "## Record rules",
        "",
        "Which records of a model a role reaches. Rules applying to "
        "everyone are combined (AND); the rules of a user's roles are "
        "alternatives (OR); a role with a rule without condition reaches "
        "every record. `companies` are the user's current store(s), "
        "`employees` the employee(s) the user acts as.",
        "",
        "| Model | Rule | Applies to | Modes | Condition |",
        "|---|---|---|---|---|",
        ]
    for model, name, applies, perms, domains in data['rules']:
        condition = ' or '.join('`%s`' % _domain_text(d) for d in domains)
        lines.append("| `%s` | %s | %s | `%s` | %s |" % (
                model, name, applies, perms, condition or "all records"))
    lines += [
        "",
        "## Menus",
        "",
        "The menu entries each role sees (Tryton also hides an entry whose "
        "model the role may not read).",
        "",
        ]
    for role, zh, en in ROLES:
        lines.append("### %s %s" % (zh, en))
        lines.append("")
        for path in data['menus'][role]:
            lines.append("- %s" % path)
        lines.append("")
    return '\n'.join(lines).rstrip('\n') + '\n'


def _domain_text(domain):
    "A PYSON-encoded domain as readable text"
    import json
    try:
        value = json.loads(domain)
    except ValueError:
        return domain
    return _pyson_text(value)


def _pyson_text(value):
    if isinstance(value, dict) and '__class__' in value:
        if value['__class__'] == 'Eval':
            return value['v']
        return value['__class__']
    if isinstance(value, list):
        return '[' + ', '.join(_pyson_text(v) for v in value) + ']'
    if isinstance(value, str):
        return repr(value)
    return repr(value)


def generate(database):
    "Render the document from an activated database"
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    pool = Pool(database)
    pool.init()
    with Transaction().start(database, 0, readonly=True):
        return render(compute(pool))


def build_database(tmp):
    "A scratch SQLite database with the whole suite activated"
    passfile = os.path.join(tmp, 'pass')
    with open(passfile, 'w') as fp:
        fp.write('permission-matrix\n')
    env = dict(os.environ,
        TRYTOND_DATABASE_URI='sqlite://',
        TRYTOND_DATABASE__PATH=tmp,
        TRYTONPASSFILE=passfile)
    env.pop('TRYTOND_CONFIG', None)
    open(os.path.join(tmp, 'matrix.sqlite'), 'w').close()
    subprocess.run([os.path.join(BIN, 'trytond-admin'), '-d', 'matrix',
            '--email', 'admin@example.com',
            '-u', *suite_modules(), '--activate-dependencies'],
        env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return env


def main():
    parser = argparse.ArgumentParser(description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--check', action='store_true',
        help="do not write: exit 1 when docs/permissions.md is stale")
    parser.add_argument('--output', default=OUTPUT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = build_database(tmp)
        os.environ.update({
                'TRYTOND_DATABASE_URI': env['TRYTOND_DATABASE_URI'],
                'TRYTOND_DATABASE__PATH': tmp,
                })
        os.environ.pop('TRYTOND_CONFIG', None)
        from trytond import config
        config.update_etc(None)
        text = generate('matrix')
    current = None
    if os.path.exists(args.output):
        with open(args.output, encoding='utf-8') as fp:
            current = fp.read()
    if args.check:
        if current != text:
            print("%s is stale: run tools/permission_matrix.py" % (
                    args.output), file=sys.stderr)
            return 1
        return 0
    if current != text:
        with open(args.output, 'w', encoding='utf-8') as fp:
            fp.write(text)
        print("wrote %s" % args.output)
    return 0


if __name__ == '__main__':
    sys.exit(main())
