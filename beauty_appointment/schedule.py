# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"""Scheduling in plain Python: intervals, room places and free slots.

Everything here works on values already loaded (a few queries by the
callers), so that the rules can be unit tested without a database and a
search never runs one query per employee, room or candidate time.
All datetimes are naive UTC, as Tryton stores them.
"""
import datetime as dt
from collections import defaultdict, namedtuple

ZERO = dt.timedelta(0)

# One service of a sequence to place: its product id, how long it takes,
# the clean-up time after it, the room type it needs (id or None)
Need = namedtuple('Need', ['service', 'duration', 'buffer', 'room_type'])
# A placed service: start and end of the service, busy_end = end + buffer
Placed = namedtuple(
    'Placed', ['service', 'start', 'end', 'busy_end', 'room', 'place'])
# A free slot: the start of the first service, the end of the last one, the
# beautician (id) and the placed services
Slot = namedtuple('Slot', ['start', 'end', 'beautician', 'lines'])


def overlaps(lower1, upper1, lower2, upper2):
    "Whether [lower1, upper1) and [lower2, upper2) overlap"
    return lower1 < upper2 and lower2 < upper1


def covered(intervals, lower, upper):
    "Whether [lower, upper) lies inside one of the (merged) intervals"
    return any(start <= lower and upper <= end for start, end in intervals)


def layout(needs, start):
    """The times of the services done one after the other from start:
    a list of (start, end, busy_end)"""
    result = []
    current = start
    for need in needs:
        end = current + need.duration
        busy_end = end + (need.buffer or ZERO)
        result.append((current, end, busy_end))
        current = busy_end
    return result


def total_length(needs):
    "From the start of the first service to the end of the last one"
    if not needs:
        return ZERO
    length = ZERO
    for need in needs[:-1]:
        length += need.duration + (need.buffer or ZERO)
    return length + needs[-1].duration


class Busy:
    "Busy intervals per key (an employee, or a (room, place))"

    def __init__(self, rows=()):
        self._intervals = defaultdict(list)
        for key, lower, upper in rows:
            self.add(key, lower, upper)

    def add(self, key, lower, upper):
        self._intervals[key].append((lower, upper))

    def free(self, key, lower, upper):
        return not any(
            overlaps(lower, upper, start, end)
            for start, end in self._intervals.get(key, ()))

    def first_conflict(self, key, lower, upper):
        for start, end in sorted(self._intervals.get(key, ())):
            if overlaps(lower, upper, start, end):
                return start, end


class RoomPlanner:
    """Finds a room (and a place in it) of a type free over an interval.

    rooms: list of (id, type id, capacity) in order of preference.
    busy: rows of ((room id, place), start, busy_end) already booked."""

    def __init__(self, rooms, busy=()):
        self.rooms = list(rooms)
        self.busy = Busy(busy)
        self.by_type = defaultdict(list)
        for room, type_, capacity in self.rooms:
            self.by_type[type_].append((room, capacity))

    def find(self, room_type, lower, upper, prefer=None):
        "Return (room, place) or None"
        candidates = list(self.by_type.get(room_type, []))
        if prefer is not None:
            candidates.sort(key=lambda r: r[0] != prefer)
        for room, capacity in candidates:
            place = self.free_place(room, capacity, lower, upper)
            if place is not None:
                return room, place

    def free_place(self, room, capacity, lower, upper):
        for place in range(1, (capacity or 1) + 1):
            if self.busy.free((room, place), lower, upper):
                return place

    def capacity(self, room):
        for room_id, _, capacity in self.rooms:
            if room_id == room:
                return capacity
        return 1

    def take(self, room, place, lower, upper):
        self.busy.add((room, place), lower, upper)


def align(value, step, offset=ZERO):
    """The first multiple of step (counted in local time, offset being the
    store's UTC offset) at or after value"""
    local = value + offset
    midnight = dt.datetime.combine(local.date(), dt.time())
    elapsed = local - midnight
    steps = -(-elapsed // step)  # ceiling
    return midnight + steps * step - offset


def find_slots(needs, beauticians, working, busy, rooms, earliest, latest,
        step, limit=20, per_start=None, offset=ZERO, order=None):
    """The free slots for the services of needs done in sequence.

    needs:       [Need, ...] in the order they are done.
    beauticians: the candidate employee ids (all able to do every need).
    working:     {employee: [(start, end), ...]} merged worked intervals.
    busy:        Busy of the employees (their booked intervals up to the
                 clean-up end).
    rooms:       RoomPlanner (or None when no need has a room type).
    earliest, latest: the window in which slots may start.
    step:        the grid of start times (a timedelta, in local time).
    per_start:   at most this many beauticians per start time (None: all).
    order:       a key function on the employee id for preference (e.g. the
                 customer's preferred beautician first).
    Returns at most limit Slot, ordered by start then preference.
    """
    if not needs or not beauticians or step <= ZERO:
        return []
    length = total_length(needs)
    starts = set()
    for employee in beauticians:
        for lower, upper in working.get(employee, ()):
            if upper - lower < length:
                continue
            current = align(max(lower, earliest), step, offset)
            while current + length <= upper and current <= latest:
                starts.add(current)
                current += step
    ordered = sorted(beauticians, key=order or (lambda e: e))
    slots = []
    for start in sorted(starts):
        found = 0
        times = layout(needs, start)
        for employee in ordered:
            intervals = working.get(employee, ())
            if not all(covered(intervals, s, e) for s, e, _ in times):
                continue
            if not all(busy.free(employee, s, b) for s, _, b in times):
                continue
            placed = _place_rooms(needs, times, rooms)
            if placed is None:
                continue
            slots.append(Slot(start, times[-1][1], employee, placed))
            found += 1
            if len(slots) >= limit:
                return slots
            if per_start and found >= per_start:
                break
    return slots


def _place_rooms(needs, times, rooms):
    "The placed services with their rooms, or None when a room is missing"
    placed = []
    taken = []
    previous = None
    try:
        for need, (start, end, busy_end) in zip(needs, times):
            room = place = None
            if need.room_type is not None:
                if rooms is None:
                    return None
                found = rooms.find(
                    need.room_type, start, busy_end, prefer=previous)
                if found is None:
                    return None
                room, place = found
                # a later service of the same sequence must not take it
                rooms.take(room, place, start, busy_end)
                taken.append((room, place, start, busy_end))
                previous = room
            placed.append(Placed(
                    need.service, start, end, busy_end, room, place))
        return placed
    finally:
        for room, place, start, busy_end in taken:
            rooms.busy._intervals[(room, place)].remove((start, busy_end))
