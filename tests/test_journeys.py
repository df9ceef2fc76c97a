# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""A day in the salon per role, in Chromium, recorded for the user guide.

Each journey (tests/journeys.py) logs in as the demo user of a role and
goes through its day; every step checks its screen and saves a screenshot.
The last test builds the guide from the recorded steps, as
``tools/guide.py`` does for docs/guide/.
"""
import os
import sys

import pytest

import journeys
import sao
from journey import JOURNEYS
from salon_server import ROOT

sys.path.insert(0, os.path.join(ROOT, 'tools'))
import guide  # noqa: E402


@pytest.fixture(scope='module')
def menus(salon):
    admin = salon.login('admin', salon.admin_password)

    def names(*path):
        return sao.menu_names(salon, admin, *path)
    return names


@pytest.mark.parametrize('journey', journeys.ROLES, ids=lambda f: f.__name__)
def test_journey(salon, page, menus, journey):
    # the database in the address: PostgreSQL serves several
    recorded = journey(page, salon.url + '#' + salon.name, menus)
    assert recorded.steps, "no step recorded"


def test_guide_builds(tmp_path):
    "The guide is built from the journeys: a page per role with its images"
    roles = guide.build(JOURNEYS, str(tmp_path))
    assert roles == guide.ROLES
    for role in roles:
        text = (tmp_path / (role + '.md')).read_text(encoding='utf-8')
        images = sorted((tmp_path / 'img' / role).iterdir())
        assert len(images) >= 2
        for image in images:
            assert 'img/%s/%s' % (role, image.name) in text
    index = (tmp_path / 'README.md').read_text(encoding='utf-8')
    assert all('(%s.md)' % role in index for role in roles)
