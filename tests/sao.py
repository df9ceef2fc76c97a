# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Driving the sao web client with Playwright, the way staff click.

Menus are found by the translated names the server gives for their XML ids,
so a test reads what the user reads (in Chinese) without hard-coding it.
"""
import re

CJK = re.compile(r'[\u4e00-\u9fff]')


# Counts sao's requests in flight (it talks to the server by XMLHttpRequest)
PENDING = """
(() => {
    window.__pending = 0;
    const send = XMLHttpRequest.prototype.send;
    XMLHttpRequest.prototype.send = function(...args) {
        window.__pending += 1;
        this.addEventListener('loadend', () => { window.__pending -= 1; });
        return send.apply(this, args);
    };
})();
"""


def login(page, url, login, password):
    page.add_init_script(PENDING)
    page.goto(url)
    # the list of databases is loaded after the dialog shows: a click
    # before it is there is lost
    page.locator('#login').wait_for()
    wait_idle(page)
    page.locator('#login').fill(login)
    page.locator('.modal-dialog button[type=submit]').click()
    secret = page.locator('input[type=password]:visible')
    secret.wait_for()
    secret.fill(password)
    secret.press('Enter')
    page.locator('#menu .column-char').first.wait_for()
    wait_idle(page)


def wait_idle(page):
    "Wait until sao has had no request in flight for a quarter of a second"
    page.wait_for_load_state('networkidle')
    for _ in range(2):
        page.wait_for_timeout(125)
        page.wait_for_function("() => !window.__pending")


def menu_names(salon, session, *path):
    """The names (in Chinese) of the menu path given in English, as the
    source strings of the menus are"""
    names, parent = [], None
    for name in path:
        ids = salon.rpc('model.ir.ui.menu.search', [
                [('name', '=', name), ('parent', '=', parent)],
                0, None, None, {'language': 'en'}], session=session)
        assert len(ids) == 1, (name, ids)
        parent = ids[0]
        menu, = salon.rpc('model.ir.ui.menu.read', [
                ids, ['name'], {'language': 'zh_CN'}], session=session)
        names.append(menu['name'])
    return names


def menu_row(page, name, nth=0):
    "The nth menu row of that name (a folder and its entry may share it)"
    return page.locator('#menu tr', has=page.locator(
            '.column-char[title="%s"]' % name)).nth(nth)


def open_menu(page, *names):
    "Expand the menu path and open its last entry"
    nths = [names[:i].count(name) for i, name in enumerate(names)]
    for i, name in enumerate(names[:-1]):
        row = menu_row(page, name, nths[i])
        row.wait_for()
        expander = row.locator('.expander img')
        # expand only when the next entry is not shown yet
        if not menu_row(page, names[i + 1], nths[i + 1]).is_visible():
            expander.click()
    row = menu_row(page, names[-1], nths[-1])
    row.wait_for()
    tabs = page.locator('#tablist > li').count()
    row.locator('.column-char').click()
    page.wait_for_function(
        "n => document.querySelectorAll('#tablist > li').length > n",
        arg=tabs)
    wait_idle(page)
    return current_tab(page)


def current_tab(page):
    return page.locator('#tabcontent > .tab-pane.active')


def search(page, text):
    "Type into the search box of the current list and run it"
    tab = current_tab(page)
    box = tab.locator('.filter-box input.form-control:visible').first
    box.wait_for()
    box.fill(text)
    box.press('Enter')
    wait_idle(page)


def list_rows(page):
    return current_tab(page).locator('.treeview tbody tr:visible')


def open_row(page, text):
    "Open the form of the list row showing text"
    row = list_rows(page).filter(has_text=text).first
    # select the row, then switch to the form view (a double click may
    # land on a cell that opens something else); a click while the list
    # is redrawn after a search is lost: click until the row is selected
    wait_idle(page)
    for _ in range(3):
        row.locator('td').nth(2).click()
        try:
            page.wait_for_function(
                "r => r.classList.contains('selected')",
                arg=row.element_handle(), timeout=3000)
            break
        except Exception:
            wait_idle(page)
    current_tab(page).locator('#switch_:visible').first.dispatch_event(
        'click')
    current_tab(page).locator('.form').first.wait_for()
    wait_idle(page)


def field_value(page, name):
    "The value of a form field by its field name"
    widget = current_tab(page).locator('.form [name="%s"]' % name).first
    return widget.input_value()
