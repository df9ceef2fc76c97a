# This file is part of the beauty salon suite. The COPYRIGHT file at the top
# level of this repository contains the full copyright notices and license terms.
"Mobile numbers: normalisation to E.164 and masking"
import re

import phonenumbers

_SEPARATORS = re.compile(r'[\s\-().]')
_MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    }


def normalize_mobile(value, region='CN'):
    """Return the E.164 form of a mobile number or None when it is invalid.

    Mainland numbers may be typed with or without +86/0086, spaces or dashes;
    numbers of other regions must start with +.
    """
    if not value:
        return None
    text = _SEPARATORS.sub('', value.strip())
    if text.startswith('00'):
        text = '+' + text[2:]
    if not re.fullmatch(r'\+?\d{5,16}', text):
        return None
    if not text.startswith('+') and re.fullmatch(r'861[3-9]\d{9}', text):
        text = '+' + text
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        return None
    if (number.country_code == 86
            and not re.fullmatch(r'1[3-9]\d{9}', str(number.national_number))):
        return None
    return phonenumbers.format_number(
        number, phonenumbers.PhoneNumberFormat.E164)


def national_digits(e164):
    "The digits a salon reads: 13812345678 for +8613812345678"
    if not e164:
        return ''
    if e164.startswith('+86'):
        return e164[3:]
    return e164


def mask_mobile(e164):
    "138****5678"
    digits = national_digits(e164)
    if len(digits) < 8:
        return '*' * len(digits)
    return digits[:3] + '*' * (len(digits) - 7) + digits[-4:]
