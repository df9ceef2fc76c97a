# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license
# terms.
"""Faults during a checkout (beauty_pos), and repeated payments.

To write when beauty_pos lands, with the helpers of test_faults_import.py
(SIGKILL while ``writing()``, restart, compare) and security_helpers
(``collide`` for double clicks):

- test_kill_during_checkout: SIGKILL in the middle of the checkout of a sale
  paid by card balance, package sessions and a coupon: afterwards no half
  sale, no card ledger line without its sale, the balance equals the sum of
  the ledger, the package sessions and the coupon unused; the checkout
  redone succeeds once.
- test_double_click_pay: the pay button clicked twice at once and the same
  RPC retried: charged once (one payment, one ledger line).
- test_refund_and_adjustment_need_fresh_session: the refund and the balance
  adjustment entry points are RPC(fresh_session=True): with a session whose
  password was typed longer ago than [session] fresh_max_age they answer
  401 (see test_security_auth.test_erasure_needs_fresh_session).
"""
import pytest

pytestmark = pytest.mark.skip(
    reason="beauty_pos has not landed: checkout, card ledger, refunds")


def test_kill_during_checkout():
    pass


def test_double_click_pay():
    pass


def test_refund_and_adjustment_need_fresh_session():
    pass

