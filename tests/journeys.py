# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""The day of each role in the web client (used by test_journeys.py).

Each function drives sao as the role would, checks what each screen must
show and records it as a step of the guide. ``menus(*english_path)`` gives
the Chinese menu names the user reads.
"""
import math
import os
import re
import struct
import tempfile
import zlib
from decimal import Decimal

import sao
from journey import Journey

# the customer the front desk registers (a fresh database has no such mobile)
NEW_CUSTOMER = ("叶思琪", "13811112233")
# the account the administrator opens for a new front desk employee
NEW_USER = ("周晓雯", "zhouxiaowen", "Qiantai@Zhou2026", "前台")
# the store of the demo's users
STORE = "丽颜美容 旗舰店"
# the service she books (a service of the demo)
SERVICE = "补水保湿护理"
# the second service of the checkout: one not in her package
OTHER_SERVICES = [SERVICE, "小气泡清洁"]
# the photos a beautician takes before and after the care
PHOTO = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'data',
    'care-photo.png')
USERS = {
    'frontdesk': ('frontdesk', 'Desk@LY2026'),
    'beautician': ('beautician', 'Beauty@LY2026'),
    'manager': ('manager', 'Manager@LY2026'),
    'accountant': ('accountant', 'Finance@LY2026'),
    'admin': ('salonadmin', 'Admin@LY2026'),
}


def button(page, id_):
    "A toolbar button of the current tab (new_, save, switch_...)"
    return sao.current_tab(page).locator('#%s:visible' % id_).first


def open_list(journey, page, menus, path, caption, text, rows=True,
        tab=None):
    "Open the menu entry (and its tab); its list must show rows (when rows)"
    names = menus(*path)
    sao.open_menu(page, *names)
    if tab:
        sao.current_tab(page).locator('.nav-tabs a', has_text=tab).first \
            .click()
        sao.wait_idle(page)
    if rows:
        sao.list_rows(page).first.wait_for()
        assert sao.list_rows(page).count() > 0, names
    else:
        # an empty list is fine (no closing yet today), a slow one is not
        try:
            sao.list_rows(page).first.wait_for(timeout=3000)
        except Exception:
            pass
    no_error(page)
    journey.step(caption, text)
    return names


def open_board(journey, page, menus, path, caption, text, panels):
    "Open a role's board: each of its lists and graphs must show"
    names = menus(*path)
    sao.open_menu(page, *names)
    tab = sao.current_tab(page)
    tab.locator('.board-action').nth(panels - 1).wait_for()
    sao.wait_idle(page)
    assert tab.locator('.board-action').count() == panels, names
    no_error(page)
    journey.step(caption, text)
    return names


def no_error(page):
    "No cell nor dialog shows an error"
    tab = sao.current_tab(page)
    assert not tab.locator('td:has-text("#错误")').count(), "#错误 in a list"
    assert not page.locator('.modal-dialog:visible .alert-danger').count()


def fill(page, name, value):
    "Type into a form field as a person does, then leave it"
    field = sao.current_tab(page).locator(
        '.form [name="%s"]' % name).first
    field.fill(value)
    field.press('Tab')
    sao.wait_idle(page)


def frontdesk(page, url, menus):
    journey = Journey(page, 'frontdesk', "前台的一天",
        "建档、查找客户、预约、确认网上预约，结账时用次卡与储值卡支付。")
    login, password = USERS['frontdesk']
    sao.login(page, url, login, password)
    journey.step("登录", "输入账号与密码登录。左侧菜单只显示前台可以使用的功能。")

    open_list(journey, page, menus, ('Salon', 'Customers'), "客户档案",
        "打开“客户档案”。列表按姓名排序，可切换“90 天内到店”“180 天未到店”。")

    button(page, 'new_').click()
    sao.current_tab(page).locator('.form [name="name"]').first.wait_for()
    # the default values arrive after the form shows: wait for them, or
    # they overwrite what is typed
    sao.wait_idle(page)
    name, mobile = NEW_CUSTOMER
    # sao redraws the form when the server answers the mobile's change:
    # what is typed at that instant is lost, and typed again (as a person
    # seeing the empty field does)
    for _ in range(3):
        if not sao.field_value(page, 'mobile'):
            fill(page, 'mobile', mobile)
        if sao.field_value(page, 'name') != name:
            fill(page, 'name', name)
        if (sao.field_value(page, 'name') == name
                and sao.field_value(page, 'mobile')):
            break
    assert sao.field_value(page, 'name') == name
    assert sao.field_value(page, 'mobile')
    journey.step("新建客户", "点击“新建”，填写姓名与手机号（手机号自动校验格式并"
        "查重）。其他资料可以以后补充。")
    button(page, 'save').click()
    sao.wait_idle(page)
    dialog = page.locator('.modal-dialog:visible')
    assert not dialog.count(), dialog.first.inner_text()
    # saved: the server gave her a customer number
    code = sao.current_tab(page).locator('.form [name="code"]').first
    page.wait_for_function("e => e.value", arg=code.element_handle())
    code = code.input_value()
    journey.step("保存", "保存后系统自动生成客户编号（此处为 %s）。" % code)

    # back to the list (the "saved" notice may cover the button)
    to_list(page)
    sao.list_rows(page).first.wait_for()
    sao.wait_idle(page)
    sao.search(page, mobile[3:7])
    rows = sao.list_rows(page)
    rows.filter(has_text=name).first.wait_for()
    journey.step("按手机号查找", "在搜索框输入手机号中的任意几位（如 %s）、"
        "姓名中的字或拼音首字母，即可找到客户。" % mobile[3:7])

    book(journey, page, name)

    open_list(journey, page, menus, ('Salon', 'Appointments', 'Front Desk Day'),
        "当天预约", "“前台今日预约”列出本店今天的预约：确认网上预约、到店签到、"
        "打开护理记录都在这里点击。", rows=False)
    confirm_request(journey, page)
    checkout(journey, page, menus)
    return journey


def confirm_request(journey, page):
    """Confirm a booking the customer requested on her phone today (the
    demo leaves one for later today, if the day is not over)"""
    rows = sao.list_rows(page)
    requests = rows.filter(has_text="待确认")
    if not requests.count():
        return
    row = requests.first
    start, _, customer = [c.strip() for c in row.inner_text().split('\t')
        if c.strip()][:3]
    # select the row, then click its button
    row.locator('td').nth(3).click()
    sao.wait_idle(page)
    row.locator('button', has_text="确认预约").click()
    sao.wait_idle(page)
    warning = page.locator('.modal-dialog:visible')
    if warning.count():
        # a warning to acknowledge (her no-shows, a contraindication)
        journey.step("确认前的提醒", warning.last.inner_text()[:200])
        warning.last.locator('.modal-footer button', has_text="确定").click()
        sao.wait_idle(page)
    no_error(page)
    rows.filter(has_text=customer).filter(has_text=start).filter(
        has_text="已预约").first.wait_for()
    journey.step("确认网上预约", "客户在手机上预约后状态为“待确认”：前台核对后点"
        "“确认预约”（此处为 %s %s），系统检查美容师与房间，状态变为“已预约”，"
        "并给客户发送确认短信。" % (start[:5], customer))


def table(page):
    """The visible rows of the current tab's visible list, each as
    {column header: cell text} (the headers the user reads)"""
    return sao.current_tab(page).locator('.treeview:visible').first.evaluate(
        """tree => {
            const table = tree.querySelector('table');
            const heads = [...table.querySelectorAll('thead > tr > th')].map(
                th => th.innerText.trim());
            return [...table.querySelectorAll('tbody > tr')].filter(
                tr => tr.offsetParent !== null).map(tr => {
                    const row = {};
                    [...tr.children].forEach((td, i) => {
                        if (heads[i]) {
                            row[heads[i]] = td.innerText.trim();
                        }
                    });
                    return row;
                });
        }""")


def money(text):
    "The amount of a money cell (¥ 1,234.50)"
    return Decimal(re.sub(r'[^0-9.-]', '', text))


def signature():
    "A PNG of a signature, as a signature pad gives (a white strip, a stroke)"
    width, height = 240, 80
    ink = set()
    for x in range(20, width - 20):
        y = int(height / 2 + 18 * math.sin(x / 11) * math.cos(x / 37))
        for dy in range(-1, 2):
            ink.add((x, y + dy))
    raw = b''.join(
        b'\0' + bytes(0 if (x, y) in ink else 255 for x in range(width))
        for y in range(height))

    def chunk(kind, data):
        return (struct.pack('>I', len(data)) + kind + data
            + struct.pack('>I', zlib.crc32(kind + data)))
    path = os.path.join(tempfile.mkdtemp(prefix='journey-'), 'signature.png')
    with open(path, 'wb') as fp:
        fp.write(b'\x89PNG\r\n\x1a\n'
            + chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 0, 0,
                    0, 0))
            + chunk(b'IDAT', zlib.compress(raw))
            + chunk(b'IEND', b''))
    return path


def holder(journey, page, menus):
    """A customer of the store with money on her card and sessions left on
    a package, as the front desk finds her in the lists: (name, card
    number, balance, package, service, sessions left)"""
    open_list(journey, page, menus, ('Salon', 'Members', 'Stored-value Cards'),
        "储值卡", "“会员 › 储值卡”列出本店的储值卡：本金、赠送与余额分开显示。")
    cards = {}
    for row in table(page):
        balance = money(row["余额"])
        if balance > 0 and row["客户"] not in cards:
            cards[row["客户"]] = (row["卡号"], balance)
    assert cards, "no card with a balance"
    open_list(journey, page, menus,
        ('Salon', 'Members', 'Package Sessions'), "次卡项目",
        "“会员 › 次卡项目”列出客户还可使用的疗程：每个项目的总次数与剩余次数。")
    sessions = [r for r in table(page) if r["客户"] in cards]
    assert sessions, "no card holder with a package"
    # two sessions left at least (one used leaves the row in the list),
    # the most on her card
    row = max(sessions, key=lambda r: (int(r["剩余次数"]) > 1,
            cards[r["客户"]][1], int(r["剩余次数"]), r["次卡"]))
    name = row["客户"]
    return (name, cards[name][0], cards[name][1], row["次卡"],
        row["服务项目"], int(row["剩余次数"]))


def add_line(page, service):
    "Add a line of the service to the open sale (its price comes with it)"
    tab = sao.current_tab(page)
    tab.locator('.form .form-one2many').first.locator(
        'button[title="新建"]').first.click()
    line = page.locator('.modal-dialog:visible').last
    line.locator('input[name="product"]').wait_for()
    sao.wait_idle(page)
    entry = line.locator('input[name="product"]')
    item = page.locator('.dropdown-menu:visible li', has_text=service)
    for _ in range(3):
        entry.click()
        entry.fill('')
        entry.press_sequentially(service[:2], delay=30)
        try:
            item.first.wait_for(timeout=5000)
            break
        except Exception:
            sao.wait_idle(page)
    item.first.click()
    sao.wait_idle(page)
    amount = line.locator('input[name="amount"]').first
    page.wait_for_function(
        "e => e.value && e.value != '0.00'", arg=amount.element_handle())
    line.locator('.modal-footer button', has_text="添加").last.click()
    sao.wait_idle(page)
    tab.locator('.treeview tbody tr', has_text=service).first.wait_for()


def checkout(journey, page, menus):
    """A customer uses a session of her package for one service and pays
    the other with her stored-value card (the rest by WeChat Pay)"""
    customer, card, balance, package, service, left = holder(
        journey, page, menus)
    other = next(s for s in OTHER_SERVICES if s != service)
    open_list(journey, page, menus, ('Salon', 'Checkout', 'Checkout'),
        "收银", "“收银”列出当天的消费单。", rows=False)
    tab = sao.current_tab(page)
    button(page, 'new_').click()
    tab.locator('.form input[name="customer"]').first.wait_for()
    sao.wait_idle(page)
    # the store's point of sale is already there
    point = tab.locator('.form input[name="point"]').first
    page.wait_for_function("e => e.value", arg=point.element_handle())
    choose(page, 'customer', customer, customer)
    # a line per service, each done by a beautician
    add_line(page, service)
    add_line(page, other)
    lines = table(page)
    assert all(r["单价"].count('.') <= 1 and len(r["单价"].split('.')[-1]) == 2
        for r in lines), lines
    journey.step("开消费单", "点“新建”：收银台已是本店的；选择客户（会员等级与折扣随之带出），"
        "添加服务项目（此处为%s与%s），单价精确到分，服务按“次”计。" % (
            service, other))
    button(page, 'save').click()
    sao.wait_idle(page)
    no_error(page)
    # her package and her card pay: the suggestion fills the payments
    tab.locator('.form button', has_text="推荐支付方式").first.click()
    sao.wait_idle(page)
    dialog = page.locator('.modal-dialog:visible')
    if dialog.count():
        dialog.last.locator('.modal-footer button').last.click()
        sao.wait_idle(page)
    tab.locator('.nav-tabs a', has_text="收款").first.click()
    sao.wait_idle(page)
    payments = tab.locator('.treeview:visible tbody tr:visible')
    payments.filter(has_text=card).first.wait_for()
    payments.filter(has_text=service).first.wait_for()
    paid = table(page)
    by_card = sum(money(r["金额"]) for r in paid if card in r["储值卡"])
    by_package = [r for r in paid if r["次卡项目"]]
    assert by_card > 0 and len(by_package) == 1, paid
    journey.step("次卡与储值卡支付", "点“推荐支付方式”：系统按客户持有的次卡、储值卡、"
        "优惠券与积分给出最划算的组合。此处%s用次卡划扣一次，%s由储值卡支付 %s 元；"
        "也可在“收款”页手动添加微信、支付宝或现金。" % (service, other, by_card))
    # the customer signs for the session used (or tells the code sent to
    # her mobile by 发送验证码)
    tab.locator('.nav-tabs a', has_text="会员").first.click()
    pad = tab.locator('.form .form-image:visible').first
    pad.locator('input[type=file]').set_input_files(signature())
    sao.wait_idle(page)
    page.wait_for_function("e => e.naturalWidth > 0",
        arg=pad.locator('img').first.element_handle())
    journey.step("客户签字", "使用次卡须经客户确认：在“会员”页上传客户的签名（签字板），"
        "或点“发送验证码”，把客户收到的短信验证码填入“验证码”。")
    button(page, 'save').click()
    sao.wait_idle(page)
    no_error(page)
    finish = tab.locator('.form button', has_text="完成结账").first
    if finish.is_disabled():
        # the card does not cover it all: the rest by WeChat Pay
        tab.locator('.form button', has_text="收款").first.click()
        pay = page.locator('.modal-dialog:visible').last
        method = pay.locator('select[name="method"]')
        method.wait_for()
        sao.wait_idle(page)
        label = next(o for o in method.locator('option').all_inner_texts()
            if "微信" in o)
        method.select_option(label=label)
        sao.wait_idle(page)
        pay.locator('.modal-footer button', has_text="确定").click()
    else:
        finish.click()
    sao.wait_idle(page)
    dialog = page.locator('.modal-dialog:visible')
    assert not dialog.count(), dialog.first.inner_text()
    no_error(page)
    state = tab.locator('.form select[name="state"]').first
    page.wait_for_function(
        "e => e.value && e.value != 'open'", arg=state.element_handle())
    tab.locator('.nav-tabs a', has_text="收款").first.click()
    sao.wait_idle(page)
    methods = [r["支付方式"] for r in table(page)]
    journey.step("结账完成", "付清后消费单自动完成（此处收款：%s）：次卡扣减一次、"
        "卡内余额扣减，美容师提成与业绩同时记录；可在“打印”中打出小票。"
        % "、".join(methods))

    # what she holds now, as the lists show it
    reopen(page, "次卡项目")
    now = [r for r in table(page)
        if r["次卡"] == package and r["服务项目"] == service]
    assert [int(r["剩余次数"]) for r in now] == [left - 1], (left, now)
    journey.step("次卡已扣减", "回到“次卡项目”刷新：%s的%s剩余次数由 %s 次变为 %s 次。"
        % (customer, service, left, left - 1))
    reopen(page, "储值卡")
    now = [money(r["余额"]) for r in table(page) if r["卡号"] == card]
    assert now == [balance - by_card], (balance, by_card, now)
    journey.step("储值卡已扣款", "回到“储值卡”刷新：她的卡 %s 余额由 %s 元变为 %s 元。"
        % (card, balance, balance - by_card))


def reopen(page, title):
    "Bring the tab of that title to the front and reload its list"
    page.locator('#tablist > li', has_text=title).first.locator('a').first \
        .click()
    sao.wait_idle(page)
    button(page, 'reload').click()
    sao.wait_idle(page)
    sao.list_rows(page).first.wait_for()
    no_error(page)


def action(page, name):
    "Run the entry of the Actions (操作) menu of the current form"
    sao.current_tab(page).locator('#action:visible').first.click()
    page.locator('.dropdown-menu:visible a', has_text=name).first.click()
    dialog = page.locator('.modal-dialog:visible').last
    dialog.wait_for()
    sao.wait_idle(page)
    return dialog


def book(journey, page, name):
    "Book the customer of the list's search for a service at a free time"
    sao.open_row(page, name)
    dialog = action(page, "查找空档")
    # opened from her archive: the search is for her
    customer = dialog.locator('input[name="customer"]')
    page.wait_for_function("e => e.value", arg=customer.element_handle())
    assert customer.input_value() == name, customer.input_value()
    entry = dialog.locator('input[name="services"]')
    entry.fill(SERVICE[:2])
    page.locator('.dropdown-menu:visible li', has_text=SERVICE).first.click()
    sao.wait_idle(page)
    dialog.locator('.treeview tbody tr', has_text=SERVICE).first.wait_for()
    journey.step("查找空档", "在客户档案的“操作”菜单点“查找空档”：选择服务项目"
        "（可输入名称或拼音首字母），也可指定美容师与日期。")
    dialog.locator('.modal-footer button', has_text="查找").click()
    sao.wait_idle(page)
    slots = dialog.locator('.treeview tbody tr:visible')
    slots.first.wait_for()
    first = slots.first.inner_text()
    # the slot's day, time and beautician
    day, time, beautician = [c.strip() for c in first.split('\t') if c.strip()][:3]
    slots.first.locator('input[type=checkbox]').last.check()
    journey.step("选择时间", "系统只列出美容师排班内、技能符合、房间空闲的时间。"
        "勾选一个时间（此处为 %s %s，%s）。" % (day, time, beautician))
    dialog.locator('.modal-footer button', has_text="确认预约").click()
    sao.wait_idle(page)
    # the new appointment opens in its own tab
    tab = sao.current_tab(page)
    tab.locator('.form [name="state"]').first.wait_for()
    customer = tab.locator('.form input[name="customer"]').first
    page.wait_for_function("e => e.value", arg=customer.element_handle())
    assert customer.input_value() == name, customer.input_value()
    # its lines are drawn after the form
    tab.locator('.treeview tbody tr', has_text=SERVICE).first.wait_for()
    text = tab.inner_text()
    assert beautician in text and SERVICE in text, text[:500]
    no_error(page)
    journey.step("预约完成", "预约单已生成，状态为“已预约”；系统按设置给客户发送预约确认短信，"
        "并在服务前提醒。")


def beautician(page, url, menus):
    journey = Journey(page, 'beautician', "美容师的一天",
        "查看自己的排班与预约，阅读客户档案，填写护理记录。")
    login, password = USERS['beautician']
    sao.login(page, url, login, password)
    journey.step("登录", "美容师只看到自己的预约、服务过或将要服务的客户，手机号部分隐藏。")
    open_list(journey, page, menus,
        ('Salon', 'Appointments', 'Beautician Schedule'), "我的预约",
        "“美容师日程”按美容师显示预约。", rows=False)
    open_list(journey, page, menus, ('Salon', 'Customers'), "我的客户",
        "只列出自己服务过或已预约的客户；手机号中间四位隐藏。")
    masked = sao.list_rows(page).first.inner_text()
    assert '****' in masked, masked
    # her customer, as the list shows her: code, name...
    customer = [c.strip() for c in masked.split('\t') if c.strip()][1]
    open_list(journey, page, menus, ('Salon', 'Care Records'), "护理记录",
        "护理记录列出每次服务的项目、部位、产品、效果与护理前后照片；"
        "默认显示今天的记录，可切换“最近 30 天”。", rows=False)
    care_record(journey, page, customer)
    return journey


def to_list(page):
    "Switch the current tab from its form to its list"
    for _ in range(3):
        sao.wait_idle(page)
        button(page, 'switch_').dispatch_event('click')
        try:
            sao.current_tab(page).locator('.treeview:visible').first.wait_for(
                timeout=5000)
            return
        except Exception:
            pass
    raise AssertionError("the list does not show")


def choose(page, name, text, option):
    "Type into a many2one/many2many entry and pick the option shown"
    entry = sao.current_tab(page).locator(
        '.form input[name="%s"]:visible' % name).first
    item = page.locator('.dropdown-menu:visible li', has_text=option).first
    # what is typed while sao redraws the form is lost: typed again
    for _ in range(3):
        entry.click()
        entry.fill('')
        entry.press_sequentially(text, delay=30)
        try:
            item.wait_for(timeout=5000)
            break
        except Exception:
            sao.wait_idle(page)
    item.click()
    sao.wait_idle(page)


def care_record(journey, page, customer):
    "Write today's care record of the customer with before/after photos"
    tab = sao.current_tab(page)
    button(page, 'new_').click()
    tab.locator('.form input[name="customer"]').first.wait_for()
    sao.wait_idle(page)
    # the beautician and the store are hers already
    beautician = tab.locator('.form input[name="beautician"]').first
    page.wait_for_function("e => e.value", arg=beautician.element_handle())
    choose(page, 'customer', customer, customer)
    choose(page, 'services', SERVICE[:2], SERVICE)
    tab.locator('.treeview tbody tr', has_text=SERVICE).first.wait_for()
    fill(page, 'hydration', '3')
    tab.locator('.form textarea[name="skin_state"]').first.fill(
        "两颊干燥起皮，T 区略油，毛孔粗大。")
    tab.locator('.form textarea[name="technique"]').first.fill(
        "温和清洁，补水导入 15 分钟，面膜敷 20 分钟。")
    journey.step("填写护理记录", "服务结束后在“护理记录”点“新建”：美容师与门店已自动填好，"
        "选择客户与服务项目，记录皮肤状况、手法与产品。")
    tab.locator('.nav-tabs a', has_text="照片").first.click()
    # the image widgets of the page: before, then after
    widgets = tab.locator('.form .form-image:visible')
    for i in range(2):
        widgets.nth(i).locator('input[type=file]').set_input_files(PHOTO)
        sao.wait_idle(page)
        page.wait_for_function("e => e.naturalWidth > 0",
            arg=widgets.nth(i).locator('img.center-block').element_handle())
    journey.step("护理前后照片", "在“照片”页上传护理前与护理后的照片（可用手机拍照上传），"
        "下次到店时对比效果。")
    button(page, 'save').click()
    sao.wait_idle(page)
    dialog = page.locator('.modal-dialog:visible')
    assert not dialog.count(), dialog.first.inner_text()
    no_error(page)
    # saved: the record is in the list of today's records
    to_list(page)
    sao.list_rows(page).filter(has_text=customer).first.wait_for()
    journey.step("保存护理记录", "保存后，记录出现在当天的护理记录中，"
        "也能在客户档案的“护理记录”页看到。")


def manager(page, url, menus):
    journey = Journey(page, 'manager', "店长的一天",
        "排班、查看员工证书、日结与提成。")
    login, password = USERS['manager']
    sao.login(page, url, login, password)
    journey.step("登录", "店长看到本店的员工、排班、预约、收银与财务报表。")
    open_board(journey, page, menus, ('Salon', 'Boards', 'Manager Board'),
        "店长看板", "一屏看到日结、美容师业绩、项目热度、客户增长、流失预警与营销活动；"
        "每一块都可以筛选、翻页，点开即进入对应的列表。", panels=6)
    open_list(journey, page, menus, ('Salon', 'Staff', 'Staff'), "本店员工",
        "员工的岗位、技能等级、可做项目与证书；证书过期会标出。")
    open_list(journey, page, menus,
        ('Salon', 'Staff', 'Rosters', 'Week Roster'), "周排班表",
        "一周内每位员工每天的班次一目了然；同一员工时间重叠或在请假日排班都会被拒绝。",
        rows=False)
    open_list(journey, page, menus, ('Salon', 'Finance', 'Daily Closings'),
        "日结", "每天营业结束后做日结：清点现金，与系统应收核对，差额需要说明。"
        "“草稿”页是未完成的日结，“全部”页是历史记录。", tab="全部")
    open_list(journey, page, menus, ('Salon', 'Finance', 'Commissions'),
        "提成", "每笔服务与销售按规则计算美容师的提成。")
    open_list(journey, page, menus,
        ('Salon', 'Marketing', 'Analysis', 'Beautician Performance'),
        "美容师业绩", "每位美容师的服务次数、营业额、满意度与回头客，按月对比。",
        rows=False)
    open_list(journey, page, menus, ('Salon', 'Marketing', 'Churn Warning'),
        "流失预警", "超过平时到店间隔仍未回来的客户，安排回访。", rows=False)
    return journey


def accountant(page, url, menus):
    journey = Journey(page, 'accountant', "财务的一天",
        "预收款（储值卡、次卡）余额与月度报表；财务只读不记账。")
    login, password = USERS['accountant']
    sao.login(page, url, login, password)
    journey.step("登录", "财务可以查看所有门店的财务报表，不能修改业务单据。")
    open_board(journey, page, menus, ('Salon', 'Boards', 'Finance Board'),
        "财务看板", "预收款余额、月度报表与消费行为放在同一屏。", panels=3)
    open_list(journey, page, menus, ('Salon', 'Finance', 'Prepaid Liability'),
        "预收款余额", "储值卡与次卡尚未消费的金额，即门店对客户的负债。")
    open_list(journey, page, menus, ('Salon', 'Finance', 'Monthly Report'),
        "月度报表", "按月汇总营业额、现金业绩与消耗业绩。")
    return journey


def admin(page, url, menus):
    journey = Journey(page, 'admin', "管理员",
        "创建员工账号并分配角色（店长、前台、美容师、财务、管理员）。")
    login, password = USERS['admin']
    sao.login(page, url, login, password)
    journey.step("登录", "管理员负责账号、角色与基础设置。")
    open_list(journey, page, menus, ('Administration', 'Users', 'Users'),
        "用户", "每位员工一个账号；密码至少 8 位，首次登录须修改。")
    new_user(journey, page)
    return journey


def new_user(journey, page):
    "Create the account of a new front desk employee"
    name, login, password, role = NEW_USER
    tab = sao.current_tab(page)
    button(page, 'new_').click()
    tab.locator('.form input[name="login"]').first.wait_for()
    sao.wait_idle(page)
    # a password given by the administrator is replaced at the first login
    must_change = tab.locator(
        '.form input[name="password_must_change"]').first
    page.wait_for_function("e => e.checked", arg=must_change.element_handle())
    fill(page, 'name', name)
    fill(page, 'login', login)
    tab.locator('.form input[name="password"]:visible').first.fill(password)
    # her store; her employee record, once HR has created it
    tab.locator('.nav-tabs a', has_text="用户").first.click()
    choose(page, 'companies', STORE[:2], STORE)
    tab.locator('.treeview tbody tr', has_text=STORE).first.wait_for()
    headers = [h.strip() for h in
        tab.locator('.treeview:visible thead th').all_inner_texts()]
    assert "员工" in headers and "门店" in headers, headers
    assert not any(h.isascii() and h for h in headers), headers
    journey.step("新建账号", "点“新建”，填写姓名、登录名与初始密码；在“用户”页添加"
        "她工作的门店（人事建好员工档案后，在“员工”中关联她的员工记录，"
        "预约与提成才能记到她名下）。")
    tab.locator('.nav-tabs a', has_text="权限").first.click()
    choose(page, 'groups', role, role)
    tab.locator('.treeview tbody tr', has_text=role).first.wait_for()
    journey.step("分配角色", "在“访问权限”页添加角色（此处为“%s”），"
        "角色决定她能看到的菜单与数据。" % role)
    button(page, 'save').click()
    sao.wait_idle(page)
    dialog = page.locator('.modal-dialog:visible')
    assert not dialog.count(), dialog.first.inner_text()
    no_error(page)
    to_list(page)
    sao.list_rows(page).filter(has_text=login).first.wait_for()
    journey.step("账号已创建", "新账号出现在用户列表中；员工首次登录时须修改密码。")


ROLES = [frontdesk, beautician, manager, accountant, admin]
