// The public booking page: every value from the server or the customer is
// put in the page with textContent or as an option's text, never as HTML.
(function () {
    'use strict';
    var base = window.location.pathname.replace(/\/+$/, '');
    var options = {stores: [], services: [], beauticians: [], max_days: 30};
    var chosen = null;
    var $ = function (id) { return document.getElementById(id); };
    var MESSAGES = {
        network: '网络异常，请稍后再试。',
        slot: '请选择一个时段。',
        name: '请填写姓名。',
        mobile: '请填写正确的 11 位手机号。',
        service: '请选择项目。',
        store: '请选择门店。'
    };

    function showError(text) {
        var box = $('error');
        box.textContent = text || '';
        box.hidden = !text;
    }

    function option(select, value, text) {
        var element = document.createElement('option');
        element.value = String(value);
        element.textContent = text;
        select.appendChild(element);
    }

    function request(method, url, body) {
        var init = {method: method, headers: {'Accept': 'application/json'},
            credentials: 'omit'};
        if (body !== undefined) {
            init.headers['Content-Type'] = 'application/json';
            init.body = JSON.stringify(body);
        }
        return fetch(url, init).then(function (response) {
            return response.json().catch(function () {
                return {ok: false, error: MESSAGES.network};
            });
        }, function () {
            return {ok: false, error: MESSAGES.network};
        });
    }

    function localDate(offsetDays) {
        var date = new Date();
        date.setDate(date.getDate() + offsetDays);
        var month = String(date.getMonth() + 1).padStart(2, '0');
        var day = String(date.getDate()).padStart(2, '0');
        return date.getFullYear() + '-' + month + '-' + day;
    }

    function fillBeauticians() {
        var select = $('beautician');
        var store = Number($('store').value);
        while (select.options.length > 1) {
            select.remove(1);
        }
        options.beauticians.forEach(function (beautician) {
            if (beautician.store === store) {
                option(select, beautician.id, beautician.name);
            }
        });
    }

    function serviceInfo() {
        var id = Number($('service').value);
        var info = '';
        options.services.forEach(function (service) {
            if (service.id === id) {
                info = '约 ' + service.minutes + ' 分钟';
                if (service.price) {
                    info += ' · ¥' + service.price;
                }
            }
        });
        $('service-info').textContent = info;
    }

    // Each change of store, service, beautician or date asks for the free
    // times again: only the answer to the last question may draw them (an
    // earlier, slower answer would show another day's times and drop the
    // customer's choice)
    var slotsAsked = 0;

    function loadSlots() {
        var slots = $('slots');
        var asked = ++slotsAsked;
        chosen = null;
        slots.textContent = '';
        $('slots-info').textContent = '';
        if (!$('store').value || !$('service').value || !$('date').value) {
            return;
        }
        $('slots-info').textContent = '正在查询可预约时段…';
        var query = new URLSearchParams({
            store: $('store').value,
            service: $('service').value,
            beautician: $('beautician').value,
            date: $('date').value
        });
        request('GET', base + '/slots?' + query.toString()).then(
            function (data) {
                if (asked !== slotsAsked) {
                    return;
                }
                slots.textContent = '';
                if (!data.ok) {
                    $('slots-info').textContent = data.error || MESSAGES.network;
                    return;
                }
                if (!data.slots.length) {
                    $('slots-info').textContent = '当天已约满，请换一天或换一位美容师。';
                    return;
                }
                $('slots-info').textContent = '请选择时段';
                data.slots.forEach(function (slot) {
                    var button = document.createElement('button');
                    button.type = 'button';
                    button.className = 'slot';
                    button.setAttribute('role', 'option');
                    button.setAttribute('aria-selected', 'false');
                    button.textContent = slot.time;
                    button.title = slot.time + '-' + slot.end + ' ' +
                        slot.beautician_name;
                    button.addEventListener('click', function () {
                        Array.prototype.forEach.call(
                            slots.querySelectorAll('.slot'), function (b) {
                                b.setAttribute('aria-selected', 'false');
                            });
                        button.setAttribute('aria-selected', 'true');
                        chosen = slot;
                        $('slots-info').textContent = '已选 ' + slot.time +
                            '-' + slot.end + '，美容师：' + slot.beautician_name;
                        showError('');
                    });
                    slots.appendChild(button);
                });
            });
    }

    function submit(event) {
        event.preventDefault();
        showError('');
        var mobile = $('mobile').value.replace(/[\s-]/g, '');
        if (!$('store').value) { showError(MESSAGES.store); return; }
        if (!$('service').value) { showError(MESSAGES.service); return; }
        if (!chosen) { showError(MESSAGES.slot); return; }
        if (!$('name').value.trim()) { showError(MESSAGES.name); return; }
        if (!/^(\+?86)?1[3-9]\d{9}$/.test(mobile)) {
            showError(MESSAGES.mobile);
            return;
        }
        var button = $('submit');
        button.disabled = true;
        request('POST', base, {
            store: Number($('store').value),
            service: Number($('service').value),
            beautician: $('beautician').value ? Number($('beautician').value) :
                chosen.beautician,
            start: chosen.start,
            name: $('name').value,
            mobile: mobile,
            note: $('note').value
        }).then(function (data) {
            button.disabled = false;
            if (!data.ok) {
                showError(data.error || MESSAGES.network);
                if (data.code === 'taken' || data.code === 'past') {
                    loadSlots();
                }
                return;
            }
            var booking = data.booking;
            $('done-number').textContent = booking.number;
            $('done-store').textContent = booking.store;
            $('done-service').textContent = booking.service;
            $('done-time').textContent = booking.date + ' ' + booking.time;
            $('done-beautician').textContent = booking.beautician;
            $('booking').hidden = true;
            $('done').hidden = false;
            window.scrollTo(0, 0);
        });
    }

    function start() {
        request('GET', base + '/options').then(function (data) {
            if (!data || !data.stores) {
                showError((data && data.error) || MESSAGES.network);
                return;
            }
            options = data;
            data.stores.forEach(function (store) {
                option($('store'), store.id, store.name);
            });
            data.services.forEach(function (service) {
                option($('service'), service.id, service.name);
            });
            var date = $('date');
            date.min = localDate(0);
            date.max = localDate(data.max_days || 30);
            date.value = localDate(0);
            fillBeauticians();
            serviceInfo();
            loadSlots();
        });
        $('store').addEventListener('change', function () {
            fillBeauticians();
            loadSlots();
        });
        $('service').addEventListener('change', function () {
            serviceInfo();
            loadSlots();
        });
        $('beautician').addEventListener('change', loadSlots);
        $('date').addEventListener('change', loadSlots);
        $('booking').addEventListener('submit', submit);
        $('again').addEventListener('click', function () {
            $('done').hidden = true;
            $('booking').hidden = false;
            loadSlots();
        });
    }

    document.addEventListener('DOMContentLoaded', start);
}());
