import numpy as np

from cairn.demo.people import health_numbers
from cairn.demo.texts import TimestampTexts, number_texts


def test_number_texts_match_python_formatting():
    values = np.array([0, 7, 999, 1000, 1001, 65_432, 999_999, 1_000_000, 12_345_678])
    assert number_texts(values) == [str(v) for v in values]
    assert number_texts(values, prefix="V", width=8) == [f"V{v:08d}" for v in values]
    assert number_texts(values, width=3) == [f"{v:03d}" for v in values]


def test_timestamps_are_utc_text():
    seconds = np.array([0, 86_399, 1_700_000_000])
    assert TimestampTexts("+00")(seconds) == [
        "1970-01-01 00:00:00+00",
        "1970-01-01 23:59:59+00",
        "2023-11-14 22:13:20+00",
    ]


def test_health_numbers_start_with_an_obviously_fake_prefix():
    assert health_numbers(np.array([0, 123_456, 1_234_567])) == [
        "9999 000 000",
        "9999 123 456",
        "9998 234 567",
    ]
