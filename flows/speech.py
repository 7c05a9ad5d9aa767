"""How the restaurant says dates, times, phone numbers, references and bookings aloud."""

from datetime import date, time
from typing import Any

import phonenumbers

from store import BookingRecord


def spoken_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B}"


def spoken_time(at: time) -> str:
    if at == time(12, 0):
        return "noon"
    hour = at.hour % 12 or 12
    suffix = "am" if at.hour < 12 else "pm"
    return f"{hour} {suffix}" if at.minute == 0 else f"{hour}:{at.minute:02d} {suffix}"


def spoken_phone(e164: str, region: str) -> str:
    number = phonenumbers.parse(e164, region)
    if number.country_code == phonenumbers.country_code_for_region(region):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def spoken_reference(reference: str) -> str:
    """Digit by digit, so the TTS does not read it as one big number."""
    return " ".join(reference)


def people(count: int) -> str:
    return "1 person" if count == 1 else f"{count} people"


def describe(booking: BookingRecord) -> str:
    return (
        f"a table for {people(booking.party_size)} on {spoken_date(booking.date)} at {spoken_time(booking.time)}, "
        f"under the name {booking.name}"
    )


def booking_result(booking: BookingRecord, region: str) -> dict[str, Any]:
    return {
        **booking.as_dict(),
        "spoken_date": spoken_date(booking.date),
        "spoken_time": spoken_time(booking.time),
        "spoken_phone": spoken_phone(booking.phone, region),
        "spoken_reference": spoken_reference(booking.reference),
    }
