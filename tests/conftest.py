# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
import os
import shutil
import time

import pytest

from salon_server import ROOT, SalonServer, is_postgresql

CHROMIUM = shutil.which('chromium') or '/usr/bin/chromium'
SCREENSHOTS = os.path.join(ROOT, 'screenshots')


@pytest.fixture(scope='session')
def salon():
    "The whole suite with a small demo, served by a real trytond"
    name = 'test_salon_%s' % os.getpid()
    server = SalonServer(name, scale=float(
            os.environ.get('BEAUTY_TEST_SCALE', '0.02')))
    try:
        server.create().start()
        yield server
    finally:
        server.close()


@pytest.fixture(scope='session')
def chromium_browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=['--no-sandbox', '--disable-gpu',
                '--disable-background-networking',
                '--disable-component-update', '--disable-sync',
                '--no-first-run', '--disable-quic'])
        try:
            yield browser
        finally:
            browser.close()


class Shots:
    "Numbered screenshots of one test in screenshots/<backend>/<test>/"

    def __init__(self, page, name):
        self.page = page
        self.directory = os.path.join(
            SCREENSHOTS, 'postgresql' if is_postgresql() else 'sqlite', name)
        shutil.rmtree(self.directory, ignore_errors=True)
        os.makedirs(self.directory, exist_ok=True)
        self.count = 0

    def __call__(self, label):
        self.count += 1
        path = os.path.join(
            self.directory, '%02d-%s.png' % (self.count, label))
        self.page.screenshot(path=path, full_page=False)
        return path


@pytest.fixture
def page(chromium_browser, request):
    "A Chinese browser page of desktop size"
    context = chromium_browser.new_context(
        locale='zh-CN', timezone_id='Asia/Shanghai',
        viewport={'width': 1440, 'height': 900})
    page = context.new_page()
    page.set_default_timeout(30000)
    page.shots = Shots(page, request.node.name)
    try:
        yield page
    finally:
        if request.node.rep_call.failed if hasattr(
                request.node, 'rep_call') else False:
            page.shots('failure')
        context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, 'rep_' + report.when, report)
    return report


def wait_idle(page, timeout=30):
    "Wait until sao has no request in flight"
    deadline = time.monotonic() + timeout
    page.wait_for_load_state('networkidle')
    while time.monotonic() < deadline:
        if not page.locator('#processing:visible').count():
            return
        time.sleep(0.1)
