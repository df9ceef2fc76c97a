# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""Faults during a booking (beauty_appointment).

To write when beauty_appointment lands, with the private PostgreSQL cluster
of test_faults_import.py (fixtures private_cluster, restart_server with the
appointment modules) and its ``writing()`` probe:

- test_database_restart_during_booking: PostgreSQL restarted while a
  booking (appointment with lines, exclusion constraint) is being written:
  no appointment without its lines, no line without its appointment, the
  slot is free; the same booking then succeeds, once.
- test_kill_during_booking: the same with trytond killed (SIGKILL), on
  SQLite and PostgreSQL.
- test_double_click_book: the book button clicked twice at once and the RPC
  retried: one appointment.
"""
import pytest

pytestmark = pytest.mark.skip(
    reason="beauty_appointment has not landed: bookings to interrupt")


def test_database_restart_during_booking():
    pass


def test_kill_during_booking():
    pass


def test_double_click_book():
    pass
