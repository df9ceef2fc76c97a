# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""A role's day in the web client, recorded step by step for the guide.

Each step checks what the screen must show, then saves a screenshot and the
step's Chinese caption in screenshots/<backend>/journeys/<role>/; the file
steps.json there is what tools/guide.py turns into docs/guide/<role>.md.
"""
import json
import os
import shutil

from salon_server import ROOT, is_postgresql

JOURNEYS = os.path.join(
    ROOT, 'screenshots', 'postgresql' if is_postgresql() else 'sqlite',
    'journeys')


class Journey:

    def __init__(self, page, role, title, summary):
        self.page = page
        self.role = role
        self.title = title
        self.summary = summary
        self.steps = []
        self.directory = os.path.join(JOURNEYS, role)
        shutil.rmtree(self.directory, ignore_errors=True)
        os.makedirs(self.directory)

    def step(self, caption, text=''):
        """Record the screen as it is now: caption is the step's title in
        the guide, text what the user does and sees"""
        image = '%02d.png' % (len(self.steps) + 1)
        self.page.screenshot(path=os.path.join(self.directory, image))
        self.steps.append({'caption': caption, 'text': text, 'image': image})
        self.save()

    def save(self):
        with open(os.path.join(self.directory, 'steps.json'), 'w',
                encoding='utf-8') as fp:
            json.dump({
                    'role': self.role,
                    'title': self.title,
                    'summary': self.summary,
                    'steps': self.steps,
                    }, fp, ensure_ascii=False, indent=1)
