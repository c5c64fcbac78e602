"""The payment QR code's text (ZBP "Standard 2D"): field order, lengths and limits; and the
code itself decodes back to that text (segno draws it, zxing-cpp reads it)."""

from __future__ import annotations

import io

import pytest

from cic.dues import qr

ACCOUNT = "61109010140000071219812874"


def transfer(**changes: object) -> qr.Transfer:
    values: dict[str, object] = {
        "nip": "1111111111", "account": ACCOUNT, "grosze": 12345,
        "name": "Urząd Gminy Testowo", "title": "A-0001 podatek rata II",
    }  # fmt: skip
    values.update(changes)
    return qr.Transfer(**values)  # type: ignore[arg-type]


def test_the_fields_in_their_order() -> None:
    text = qr.payload(transfer())
    assert text == f"1111111111|PL|{ACCOUNT}|012345|Urząd Gminy Testowo|A-0001 podatek rata II|||"
    fields = text.split("|")
    assert len(fields) == 9 and fields[6:] == ["", "", ""]


@pytest.mark.parametrize(("grosze", "field"), [(1, "000001"), (100, "000100"), (999999, "999999")])
def test_the_amount_is_six_digits_of_grosze(grosze: int, field: str) -> None:
    assert qr.payload(transfer(grosze=grosze)).split("|")[3] == field


def test_an_amount_over_9999_99_cannot_be_written() -> None:
    with pytest.raises(qr.PaymentCodeError, match="9 999,99"):
        qr.payload(transfer(grosze=1_000_000))
    with pytest.raises(qr.PaymentCodeError):
        qr.payload(transfer(grosze=-1))


def test_name_and_title_are_cut_to_20_and_32_characters() -> None:
    fields = qr.payload(transfer(name="Urząd Gminy Wielkie Testowo Dolne", title="x" * 50)).split(
        "|"
    )
    assert fields[4] == "Urząd Gminy Wielkie" and len(fields[4]) <= 20  # trailing space gone
    assert fields[5] == "x" * 32


def test_separators_and_odd_characters_never_reach_the_code() -> None:
    fields = qr.payload(transfer(name="Gmina|Test\n", title="Rata | 1 — ½ € ąęśżźćńół")).split("|")
    assert len(fields) == 9
    assert fields[4] == "Gmina Test" and fields[5] == "Rata 1 ąęśżźćńół"


def test_the_nip_may_be_empty_but_not_wrong() -> None:
    assert qr.payload(transfer(nip="")).startswith(f"|PL|{ACCOUNT}|")
    with pytest.raises(qr.PaymentCodeError, match="NIP"):
        qr.payload(transfer(nip="123-456-78"))


def test_a_bad_account_or_an_empty_title_is_refused() -> None:
    with pytest.raises(qr.PaymentCodeError, match="rachunku"):
        qr.payload(transfer(account=ACCOUNT[:-1] + "5"))
    with pytest.raises(qr.PaymentCodeError, match="tytułu"):
        qr.payload(transfer(title=" | "))


def test_the_longest_payload_fits_160_characters() -> None:
    text = qr.payload(transfer(name="N" * 40, title="T" * 40, grosze=999999))
    assert len(text) == 10 + 2 + 26 + 6 + 20 + 32 + 8 <= qr.MAX_PAYLOAD


def test_the_drawn_code_decodes_to_the_payload() -> None:
    zxingcpp = pytest.importorskip("zxingcpp")
    image = pytest.importorskip("PIL.Image")
    text = qr.payload(transfer())
    uri = qr.svg_data_uri(text)
    assert uri.startswith("data:image/svg+xml")
    code = qr.code(text)
    assert code.error == "L" and not code.is_micro
    png = io.BytesIO()
    code.save(png, kind="png", scale=4, border=4)
    png.seek(0)
    found = zxingcpp.read_barcodes(image.open(png))
    assert [f.text for f in found] == [text]
