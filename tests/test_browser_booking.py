# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""A customer books on her phone; the front desk sees the request.

The public booking page (beauty_appointment) in Chromium at the size of a
phone, with touch: she picks a service, a day and a free time, gives her
name and mobile and gets her appointment number; the front desk then finds
the requested appointment, with her name, in 前台今日预约 of the web client.
"""
import datetime as dt
import os

import pytest

import sao
from conftest import Shots

NAME, MOBILE = "何晓彤", '13766554433'


@pytest.fixture
def phone(chromium_browser, request):
    "A Chinese phone: small screen, touch, mobile user agent"
    context = chromium_browser.new_context(
        locale='zh-CN', timezone_id='Asia/Shanghai',
        viewport={'width': 390, 'height': 844}, device_scale_factor=2,
        is_mobile=True, has_touch=True,
        user_agent=('Mozilla/5.0 (Linux; Android 14; Pixel 8) '
            'AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 '
            'Mobile Safari/537.36'))
    page = context.new_page()
    page.set_default_timeout(30000)
    page.shots = Shots(page, request.node.name)
    try:
        yield page
    finally:
        context.close()


def test_phone_booking_reaches_front_desk(salon, phone, page):
    admin = salon.login('admin', salon.admin_password)
    salon.rpc('model.beauty.appointment.configuration.write', [[1], {
                'online_booking': True}, {}], admin)

    phone.goto('%s%s/beauty/booking' % (salon.url, salon.name))
    store = phone.locator('#store')
    phone.wait_for_function(
        "() => document.querySelector('#service').options.length > 1")
    # the front desk's store (the demo's first)
    stores = store.locator('option').all_inner_texts()
    flagship = next((s for s in stores if '旗舰店' in s), None)
    if flagship:
        store.select_option(label=flagship)
        phone.wait_for_function(
            "() => document.querySelector('#service').options.length > 1")
    # the page fits the phone: nothing wider than the screen
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, width
    phone.shots('page')
    services = [o.strip() for o in
        phone.locator('#service option').all_inner_texts()]
    service = next(s for s in services if s and '请选择' not in s)
    phone.locator('#service').select_option(label=service)
    # tomorrow: today's times may be over when the test runs late
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    # the free times of that day, not those of the day shown before
    with phone.expect_response(
            lambda r: '/slots' in r.url and 'date=' + tomorrow in r.url):
        phone.locator('#date').fill(tomorrow)
        phone.locator('#date').dispatch_event('change')
    slot = phone.locator('#slots .slot').first
    # the list is drawn once the answer is read
    for _ in range(5):
        slot.wait_for()
        slot.tap()
        if slot.get_attribute('aria-selected') == 'true':
            break
        phone.wait_for_timeout(200)
    assert slot.get_attribute('aria-selected') == 'true'
    assert "已选" in phone.locator('#slots-info').inner_text()
    phone.locator('#name').fill(NAME)
    phone.locator('#mobile').fill(MOBILE)
    phone.shots('chosen')
    phone.locator('#submit').tap()
    done = phone.locator('#done')
    error = phone.locator('#error')
    phone.wait_for_function(
        "() => !document.querySelector('#done').hidden"
        " || !document.querySelector('#error').hidden")
    assert done.is_visible(), error.inner_text()
    number = phone.locator('#done-number').inner_text().strip()
    assert number, "no appointment number"
    assert phone.locator('#done-store').inner_text().strip() == (
        store.locator('option:checked').inner_text().strip())
    assert service.startswith(
        phone.locator('#done-service').inner_text().strip()[:4])
    phone.shots('done')

    # the front desk: the request is in the store's appointments
    appointment, = salon.rpc('model.beauty.appointment.search_read', [
            [('number', '=', number)], 0, None, None,
            ['state', 'channel', 'customer.name', 'customer.mobile', 'date'],
            {}], admin)
    assert appointment['state'] == 'requested'
    assert appointment['customer.']['name'] == NAME
    # dates come as {'__class__': 'date', 'year': ..., ...}
    day_ = appointment['date']
    assert (day_['year'], day_['month'], day_['day']) == tuple(
        map(int, tomorrow.split('-')))
    sao.login(page, salon.url + '#' + salon.name, 'frontdesk',
        'Desk@LY2026')
    menus = sao.menu_names(salon, admin, 'Salon', 'Appointments',
        'Front Desk Day')
    tab = sao.open_menu(page, *menus)
    # the day of the list: tomorrow
    day = tab.locator('input[name="date"]').first
    day.wait_for()
    day.fill(tomorrow)
    day.press('Enter')
    day.press('Tab')
    sao.wait_idle(page)
    tab.locator('.nav-tabs a', has_text="全部").first.click()
    sao.wait_idle(page)
    row = sao.list_rows(page).filter(has_text=NAME).first
    row.wait_for()
    assert MOBILE[-4:] in row.inner_text()
    page.shots('front-desk')
    assert os.path.exists(phone.shots.directory)
