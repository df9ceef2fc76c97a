#!/usr/bin/env python3
# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Build the Chinese operation guide (docs/guide/) from the browser journeys.

    .venv/bin/python tools/guide.py          run the journeys, then build
    .venv/bin/python tools/guide.py --build  build from the last run only

The journeys (tests/test_journeys.py) drive the web client as each role and
save a screenshot and a caption per step; this turns them into one Markdown
page per role with the screenshots, plus the index with installation,
backups and upgrades. The guide is never written by hand, so it shows the
product as it is.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JOURNEYS = os.path.join(ROOT, 'screenshots', 'sqlite', 'journeys')
GUIDE = os.path.join(ROOT, 'docs', 'guide')

# the order of the roles in the guide: the order of a salon's day
ROLES = ['frontdesk', 'beautician', 'manager', 'accountant', 'admin']

INDEX = """\
# 美容院管理系统 操作指南

本指南由浏览器自动化测试（`tests/test_journeys.py`）逐步操作真实系统、截图生成，
每次运行 `tools/guide.py` 都会重新生成，因此与软件始终一致。

## 各岗位的一天

{roles}

## 安装

### 单店（一台电脑）

在一台装有 Python 3 与 Node.js 的 Linux 电脑上，进入本仓库目录，运行：

    ./demo.sh

首次运行会自动创建虚拟环境、安装 Tryton 8.0 与网页客户端、建立 SQLite 数据库并载入演示数据，
结束时打印管理员账号与密码。用浏览器打开 http://127.0.0.1:8000 即可登录。正式使用前，
用 `./demo.sh --reset` 之外的方式建立一个不含演示数据的数据库（见下文“连锁门店”）。

### 连锁门店（PostgreSQL，多进程）

1. 安装 PostgreSQL，建立 UTF-8 数据库并启用扩展：

       createdb -E UTF8 --locale=C.UTF-8 -T template0 salon
       psql salon -c 'CREATE EXTENSION IF NOT EXISTS pg_trgm' -c 'CREATE EXTENSION IF NOT EXISTS btree_gist'

2. 以 `trytond-production.conf` 为模板填写数据库地址，激活全部模块（中文）：

       trytond-admin -c trytond-production.conf -d salon --all -u beauty_customer beauty_hr beauty_appointment beauty_pos beauty_stock beauty_marketing beauty_groupbuy beauty_review beauty_training --activate-dependencies -l zh_CN

3. 在反向代理（如 nginx）之后运行多个 `trytond` 进程，另行运行 `trytond-cron`（提醒、
   会员卡到期等定时任务）与 `trytond-worker`（队列任务）。各进程的缓存通过
   PostgreSQL 的 LISTEN/NOTIFY 即时同步：撤销某员工的权限后，所有进程立即生效。

## 备份与恢复

    .venv/bin/python tools/backup.py backup -d salon -c trytond-production.conf -o /备份目录
    .venv/bin/python tools/backup.py verify /备份目录/salon-<时间>.tar
    .venv/bin/python tools/backup.py restore /备份目录/salon-<时间>.tar -d salon_restored -c trytond-production.conf

一个备份是一个 tar 文件，包含数据库（PostgreSQL 的 pg_dump 或 SQLite 的在线备份）、
附件（护理前后照片、证书扫描件）与清单（各表行数、每个文件的 SHA-256）。服务器可以不停机。
`restore` 总是恢复到一个新数据库并按清单核对。建议每天定时备份并复制到另一台机器，
定期试做恢复。

## 升级

1. 先备份（见上文）。
2. 取得新版本代码（`git pull`），重新安装：`.venv/bin/pip install -e .`
3. 更新数据库结构与翻译：

       trytond-admin -c trytond-production.conf -d salon --all

4. 重启所有 `trytond`、`trytond-cron`、`trytond-worker` 进程。
"""


def run_journeys():
    env = dict(os.environ, BEAUTY_TEST_DB='sqlite')
    result = subprocess.run(
        [os.path.join(ROOT, 'test.sh'), 'tests/test_journeys.py', '-q'],
        cwd=ROOT, env=env)
    return result.returncode


def load(directory):
    journeys = []
    for role in ROLES:
        path = os.path.join(directory, role, 'steps.json')
        if os.path.exists(path):
            with open(path, encoding='utf-8') as fp:
                journeys.append(json.load(fp))
    return journeys


def build(source=JOURNEYS, target=GUIDE):
    "Write the guide into target from the journeys recorded in source"
    journeys = load(source)
    if not journeys:
        raise SystemExit("no journey recorded in %s: run the journeys" % source)
    images = os.path.join(target, 'img')
    shutil.rmtree(images, ignore_errors=True)
    os.makedirs(images)
    lines = []
    for journey in journeys:
        role = journey['role']
        os.makedirs(os.path.join(images, role))
        page = ['# %s' % journey['title'], '', journey['summary'], '']
        for number, step in enumerate(journey['steps'], 1):
            shutil.copyfile(
                os.path.join(source, role, step['image']),
                os.path.join(images, role, step['image']))
            page += ['## %s. %s' % (number, step['caption']), '']
            if step['text']:
                page += [step['text'], '']
            page += ['![%s](img/%s/%s)' % (
                        step['caption'], role, step['image']), '']
        page += ['[返回目录](README.md)', '']
        with open(os.path.join(target, role + '.md'), 'w',
                encoding='utf-8') as fp:
            fp.write('\n'.join(page))
        lines.append('- [%s](%s.md)：%s' % (
                journey['title'], role, journey['summary']))
    with open(os.path.join(target, 'README.md'), 'w', encoding='utf-8') as fp:
        fp.write(INDEX.format(roles='\n'.join(lines)))
    return [j['role'] for j in journeys]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--build', action='store_true',
        help="only build from the journeys of the last run")
    args = parser.parse_args()
    if not args.build and run_journeys():
        print("a journey failed: the guide is not rebuilt", file=sys.stderr)
        return 1
    roles = build()
    print("docs/guide/: %s" % ', '.join(roles))
    return 0


if __name__ == '__main__':
    sys.exit(main())
