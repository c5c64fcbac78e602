"""Redaction of personal data in Polish transcripts.

Every identifier here is made up: the tests compute check digits with their own small
implementations (independent of cic.speech.checksums) so that a wrong algorithm in the
code under test makes them fail.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cic.config import load_settings
from cic.postcall.build import make_pipeline
from cic.speech import checksums
from cic.speech.findings import Kind
from cic.speech.models import Segment, Transcript, Word
from cic.speech.redaction import RedactionPolicy, redact_text, redact_transcript, redact_words
from cic.speech.spoken_digits import parse_number_words

DIGIT_NAMES = "zero jeden dwa trzy cztery pięć sześć siedem osiem dziewięć".split()
TEENS = (
    "dziesięć jedenaście dwanaście trzynaście czternaście piętnaście szesnaście siedemnaście "
    "osiemnaście dziewiętnaście"
).split()
TENS = "_ _ dwadzieścia trzydzieści czterdzieści pięćdziesiąt sześćdziesiąt siedemdziesiąt "
TENS += "osiemdziesiąt dziewięćdziesiąt"
TENS_NAMES = TENS.split()
HUNDREDS_NAMES = (
    "_ sto dwieście trzysta czterysta pięćset sześćset siedemset osiemset dziewięćset".split()
)


# --- test-side generators of valid made-up identifiers ---------------------------------------


def make_pesel(year: int, month: int, day: int, serial: int) -> str:
    """A PESEL for a made-up birth date (serial 0..9999)."""
    offset = {18: 80, 19: 0, 20: 20, 21: 40, 22: 60}[year // 100]
    body = f"{year % 100:02d}{month + offset:02d}{day:02d}{serial:04d}"
    total = sum(int(d) * w for d, w in zip(body, [1, 3, 7, 9] * 3, strict=False))
    return body + str((10 - total % 10) % 10)


def make_nip(first9: str) -> str | None:
    """A NIP with the given first nine digits, or None when no check digit exists."""
    check = sum(int(d) * w for d, w in zip(first9, [6, 5, 7, 2, 3, 4, 5, 6, 7], strict=True)) % 11
    return None if check == 10 else first9 + str(check)


def make_id_card(series: str, number5: str) -> str:
    """An ID card number: series letters, check digit, five digits."""
    values = [ord(c) - 55 for c in series] + [int(d) for d in number5]
    total = sum(v * w for v, w in zip(values, [7, 3, 1, 7, 3, 1, 7, 3], strict=True))
    return f"{series}{total % 10}{number5}"


def make_account(bank_and_number24: str) -> str:
    """26 digits: two IBAN check digits for PL before the 24-digit NRB body."""
    check = 98 - int(bank_and_number24 + "252100") % 97
    return f"{check:02d}{bank_and_number24}"


def spoken_digits(digits: str) -> str:
    """Digits read one by one: "801" → "osiem zero jeden"."""
    return " ".join(DIGIT_NAMES[int(d)] for d in digits)


def spoken_pairs(digits: str) -> str:
    """Digits read in pairs as cardinals ("85" → "osiemdziesiąt pięć", "05" → "zero pięć")."""
    words: list[str] = []
    for i in range(0, len(digits), 2):
        pair = digits[i : i + 2]
        if len(pair) == 1 or pair[0] == "0":
            words += [DIGIT_NAMES[int(d)] for d in pair]
        elif pair[0] == "1":
            words.append(TEENS[int(pair[1])])
        else:
            words.append(TENS_NAMES[int(pair[0])])
            if pair[1] != "0":
                words.append(DIGIT_NAMES[int(pair[1])])
    return " ".join(words)


def cardinal_below_100(pair: str) -> list[str]:
    """Two digits as a cardinal: "05" → pięć, "15" → piętnaście, "40" → czterdzieści, "00" → []."""
    tens, unit = int(pair[0]), int(pair[1])
    if tens == 1:
        return [TEENS[unit]]
    words = [TENS_NAMES[tens]] if tens else []
    return words + ([DIGIT_NAMES[unit]] if unit else [])


def spoken_triples(digits: str) -> str:
    """Groups of three read as cardinals: "601234567" → "sześćset jeden dwieście ..."; a group
    starting with 0 is read "zero" and then the rest ("045" → "zero czterdzieści pięć")."""
    words: list[str] = []
    for i in range(0, len(digits), 3):
        group = digits[i : i + 3]
        if len(group) < 3 or group[0] == "0":
            words += ["zero"] if group[0] == "0" else []
            rest = group[1:] if group[0] == "0" else group
            if len(rest) == 2 and rest[0] != "0":
                words += cardinal_below_100(rest)
            else:
                words += [DIGIT_NAMES[int(d)] for d in rest]
        else:
            words.append(HUNDREDS_NAMES[int(group[0])])
            if group[1] == "0" and group[2] != "0":
                words.append(DIGIT_NAMES[int(group[2])])
            else:
                words += cardinal_below_100(group[1:])
    return " ".join(words)


def kinds(text: str) -> list[Kind]:
    return [finding.kind for finding in redact_text(text).findings]


PESEL = make_pesel(1985, 1, 15, 1234)
PESEL_2000S = make_pesel(2004, 11, 30, 5678)
NIP = make_nip("527000111")
ACCOUNT = make_account("109010140000071219812874")


def test_generators_agree_with_published_specimens() -> None:
    # Specimen values printed in public documentation, not anyone's data.
    assert make_id_card("ABA", "00000") == "ABA300000"
    assert make_account("109010140000071219812874") == "61109010140000071219812874"
    assert make_nip("123456321") == "1234563218"
    assert NIP is not None


# --- checksums --------------------------------------------------------------------------------


def test_pesel_check_digit_and_date() -> None:
    assert checksums.is_pesel(PESEL)
    assert checksums.is_pesel(PESEL_2000S)
    wrong_check = PESEL[:10] + str((int(PESEL[10]) + 1) % 10)
    assert not checksums.is_pesel(wrong_check)
    # valid check digit, impossible date (month 13 / February 30th)
    assert not checksums.is_pesel(make_pesel(1985, 1, 15, 1234)[:2] + "13" + PESEL[4:])
    assert not checksums.is_pesel(fix_check("8502301234"))
    assert checksums.pesel_birth_date(PESEL_2000S) is not None
    # a birth date after today is no PESEL (yet)
    assert not checksums.is_pesel(make_pesel(2031, 3, 1, 1111), today=dt.date(2026, 11, 28))
    assert checksums.is_pesel(make_pesel(2031, 3, 1, 1111), today=dt.date(2031, 3, 1))


def fix_check(body10: str) -> str:
    total = sum(int(d) * w for d, w in zip(body10, [1, 3, 7, 9] * 3, strict=False))
    return body10 + str((10 - total % 10) % 10)


def test_nip_id_card_account_phone_checks() -> None:
    assert NIP is not None and checksums.is_nip(NIP)
    assert not checksums.is_nip(NIP[:9] + str((int(NIP[9]) + 1) % 10))
    assert checksums.is_id_card(make_id_card("XYZ", "12345"))
    assert not checksums.is_id_card("XYZ012345")
    assert checksums.is_pl_account(ACCOUNT)
    assert not checksums.is_pl_account(ACCOUNT[:-1] + str((int(ACCOUNT[-1]) + 1) % 10))
    assert checksums.is_phone("601234567") and checksums.is_phone("48601234567")
    assert checksums.is_phone("0048221234567")
    assert not checksums.is_phone("012345678") and not checksums.is_phone("60123456")


# --- spoken numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("osiem zero jeden dwa", ["8", "0", "1", "2"]),
        ("sto dwadzieścia trzy", ["123"]),
        ("zero zero czterdzieści osiem", ["0", "0", "48"]),
        ("dziewięćdziesiąt", ["90"]),
        ("dziewiecdziesiat piec", ["95"]),  # an engine without Polish letters
        ("jedynka dwójka siódemka", ["1", "2", "7"]),
        ("dwa tysiące dwadzieścia sześć", ["2026"]),
        ("sześćset jeden dwieście trzydzieści cztery", ["601", "234"]),
        ("trzydzieści dziewiętnaście", ["30", "19"]),
        ("dziewiętnaście pięć", ["19", "5"]),
        ("sto dwanaście", ["112"]),
    ],
)
def test_number_words_become_digits(words: str, expected: list[str]) -> None:
    assert [phrase.digits for phrase in parse_number_words(words.split())] == expected


def test_number_phrases_keep_word_indices() -> None:
    phrases = parse_number_words("mam sto dwadzieścia trzy lata i dwa".split())
    assert [(p.start, p.end, p.digits) for p in phrases] == [(1, 4, "123"), (6, 7, "2")]


# --- written identifiers ----------------------------------------------------------------------


def test_written_pesel_is_redacted() -> None:
    result = redact_text(f"Mój PESEL to {PESEL}, proszę sprawdzić.")
    assert result.text == "Mój PESEL to [PESEL], proszę sprawdzić."
    assert PESEL not in result.text


def test_pesel_with_wrong_check_digit_is_not_a_pesel_but_still_a_number() -> None:
    wrong = PESEL[:10] + str((int(PESEL[10]) + 1) % 10)
    assert kinds(f"numer {wrong}") == [Kind.NUMBER]
    assert kinds(f"numer {wrong}") != [Kind.PESEL]
    kept = redact_text(f"numer {wrong}", RedactionPolicy(redact_unverified_numbers=False))
    assert kept.text == f"numer {wrong}" and kept.findings == ()


def test_nip_with_and_without_dashes() -> None:
    assert NIP is not None
    dashed = f"{NIP[:3]}-{NIP[3:6]}-{NIP[6:8]}-{NIP[8:]}"
    assert redact_text(f"NIP firmy {dashed}.").text == "NIP firmy [NIP]."
    assert kinds(f"nip {NIP}") == [Kind.NIP]
    assert Kind.NIP not in kinds(f"nip {NIP[:9]}{(int(NIP[9]) + 1) % 10}")


def test_id_card_written_spaced_and_spelled() -> None:
    card = make_id_card("KLM", "24680")
    assert redact_text(f"dowód {card}").text == "dowód [DOWÓD]"
    assert redact_text(f"dowód {card[:3]} {card[3:]} wydany").text == "dowód [DOWÓD] wydany"
    spelled = f"ka el em {spoken_digits(card[3:])} dziękuję"
    assert redact_text(spelled).text == "[DOWÓD] dziękuję"
    wrong = card[:3] + str((int(card[3]) + 1) % 10) + card[4:]
    assert redact_text(f"dowód {wrong}").text == f"dowód {wrong}"


def test_a_spoken_series_is_hidden_whole_with_its_digits() -> None:
    card = make_id_card("ABC", "13579")
    digits = spoken_digits(card[3:])
    for series in ("a be ce", "AB ce", "a BC", "A B C"):
        said = f"seria {series} {digits} dziękuję"
        assert redact_text(said).text == "seria [DOWÓD] dziękuję", series
    # A misheard digit breaks the check digit: still the series and six digits of a card.
    misheard = card[3:-1] + str((int(card[-1]) + 1) % 10)
    said = f"dowód a be ce {spoken_digits(misheard)} dziękuję"
    assert redact_text(said).text == "dowód [DOWÓD] dziękuję"
    keep = RedactionPolicy(redact_unverified_numbers=False)
    assert redact_text(said, keep).text == said  # the office keeps unverified numbers
    assert redact_text(f"dowód a be ce {digits}", keep).text == "dowód [DOWÓD]"


def test_words_that_are_not_a_series_are_not_taken_for_one() -> None:
    card = make_id_card("ABC", "13579")
    digits = spoken_digits(card[3:])
    # a lowercase pair is a word, not two letters; two letters are not a series
    assert redact_text(f"na ce {digits}").text == f"na ce {digits}"
    assert redact_text(f"kod AB {digits}").text == f"kod AB {digits}"


def test_account_number_grouped_with_pl_and_plain() -> None:
    groups = " ".join([ACCOUNT[:2]] + [ACCOUNT[i : i + 4] for i in range(2, 26, 4)])
    assert redact_text(f"konto PL{groups} dziękuję").text == "konto [KONTO] dziękuję"
    assert redact_text(f"konto PL {groups}").text == "konto [KONTO]"
    assert redact_text(f"przelew na {ACCOUNT}.").text == "przelew na [KONTO]."
    wrong = ACCOUNT[:-1] + str((int(ACCOUNT[-1]) + 1) % 10)
    assert kinds(f"konto {wrong}") == [Kind.NUMBER]


@pytest.mark.parametrize(
    "phone",
    ["601 234 567", "601-234-567", "+48 601 234 567", "+48601234567", "0048 22 123 45 67"],
)
def test_phone_numbers(phone: str) -> None:
    assert redact_text(f"proszę oddzwonić {phone} po południu").text == (
        "proszę oddzwonić [TELEFON] po południu"
    )


def test_digits_joined_by_ellipses_as_whisper_writes_slow_reading() -> None:
    result = redact_text(f"mój PESEL {'...'.join(PESEL)}. Dziękuję")
    assert result.text == "mój PESEL [PESEL]. Dziękuję"
    assert redact_text("telefon 6…0…1…2…3…4…5…6…7").text == "telefon [TELEFON]"
    assert redact_text("czekałem... 2... minuty").text == "czekałem... 2... minuty"


def test_written_email() -> None:
    result = redact_text("adres jan.kowalski@gmina-przykladowa.pl, dziękuję")
    assert result.text == "adres [EMAIL], dziękuję"


# --- spoken identifiers -----------------------------------------------------------------------


def test_spoken_pesel_digit_by_digit_and_in_pairs() -> None:
    for spoken in (spoken_digits(PESEL), spoken_pairs(PESEL), spoken_pairs(PESEL_2000S)):
        result = redact_text(f"mój pesel to {spoken} tak")
        assert result.text == "mój pesel to [PESEL] tak", spoken


def test_spoken_phone_in_groups_with_country_code_and_fillers() -> None:
    groups = "sześćset jeden dwieście trzydzieści cztery pięćset sześćdziesiąt siedem"
    assert redact_text(f"numer {groups} dziękuję").text == "numer [TELEFON] dziękuję"
    with_code = f"zero zero czterdzieści osiem yyy {groups}"
    assert redact_text(f"telefon {with_code}").text == "telefon [TELEFON]"


def test_keyword_settles_an_ambiguous_reading() -> None:
    # "osiemdziesiąt pięć" is 85 by default and 805 read word by word; each reading fits a kind
    words = "pięćdziesiąt cztery pięćdziesiąt trzy dziewiętnaście trzynaście pięć"
    assert kinds(f"telefon {words} dziękuję") == [Kind.PHONE]
    assert kinds(f"proszę dzwonić {words}") == [Kind.PHONE]


def test_spoken_pesel_straight_into_phone_gives_two_placeholders() -> None:
    text = f"{spoken_digits(PESEL)} {spoken_digits('512345678')}"
    assert redact_text(text).text == "[PESEL] [TELEFON]"


def test_year_spoken_before_a_phone_number_stays_and_the_phone_goes() -> None:
    text = "w dwa tysiące dwadzieścia sześć sześćset jeden dwieście trzydzieści cztery "
    text += "pięćset sześćdziesiąt siedem"
    assert redact_text(text).text == "w dwa tysiące dwadzieścia sześć [TELEFON]"


def test_spoken_run_failing_every_checksum_is_redacted_as_number() -> None:
    # ten digits read out, not a valid NIP and not shaped like a phone number (leading 0)
    digits = "0012345678"
    assert not checksums.is_nip(digits) and not checksums.is_phone(digits)
    assert redact_text(f"numer {spoken_digits(digits)} koniec").text == "numer [NUMER] koniec"


def test_spoken_email() -> None:
    text = "proszę pisać na jan kropka kowalski małpa gmina kropka pl dziękuję"
    result = redact_text(text)
    assert result.text == "proszę pisać na [EMAIL] dziękuję"
    assert redact_text("mail anna małpa urząd kropka gov kropka pl").text == "mail [EMAIL]"


def test_monkey_in_a_zoo_is_not_an_email() -> None:
    assert redact_text("w zoo była małpa i słoń").findings == ()


# --- things that are not personal data ---------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "zapłaciłem 1500 zł za śmieci",
        "opłata wynosi tysiąc pięćset złotych",
        "sprawa FN.3110.12.2026 z dnia 12.05.2026",
        "decyzja z 15 maja 1985 roku",
        "ulica Lipowa 12 mieszkanie 3 kod 00-950",
        "dotacja sto pięćdziesiąt tysięcy złotych",
        "budżet 150 000 000 zł na drogi",
        "mam dwa psy i trzy koty",
        "dwa tysiące dwadzieścia sześć",
    ],
)
def test_not_personal_data(text: str) -> None:
    result = redact_text(text)
    assert result.text == text
    assert result.findings == ()


# --- word timing, findings, transcripts --------------------------------------------------------


def words_of(text: str, confidence: float = 0.9) -> list[Word]:
    return [Word(w, i * 0.5, i * 0.5 + 0.4, confidence) for i, w in enumerate(text.split())]


def test_placeholder_word_spans_the_replaced_words() -> None:
    words = words_of(f"mój pesel {spoken_digits(PESEL)} dziękuję")
    words[5] = Word(words[5].text, words[5].start, words[5].end, 0.42)
    result = redact_words(words)
    assert [w.text for w in result.words] == ["mój", "pesel", "[PESEL]", "dziękuję"]
    placeholder = result.words[2]
    assert (placeholder.start, placeholder.end) == (words[2].start, words[12].end)
    assert placeholder.confidence == 0.42
    assert result.words[3] == words[13]
    (finding,) = result.findings
    assert (finding.kind, finding.word_start, finding.word_end) == (Kind.PESEL, 2, 13)
    joined = " ".join(w.text for w in words)
    assert joined[finding.char_start : finding.char_end] == " ".join(w.text for w in words[2:13])


def test_findings_hold_no_values() -> None:
    result = redact_text(f"pesel {PESEL} mail jan@example.org telefon 601 234 567")
    assert [f.kind for f in result.findings] == [Kind.PESEL, Kind.EMAIL, Kind.PHONE]
    dump = repr(result.findings)
    assert PESEL not in dump and "jan@" not in dump and "601" not in dump


def test_transcript_segments_are_redacted_separately_and_keep_speakers() -> None:
    transcript = Transcript(
        (
            Segment("agent", tuple(words_of("proszę podać numer telefonu"))),
            Segment("resident", tuple(words_of(f"tak {spoken_digits('501234567')}"))),
        ),
        engine="test",
    )
    result = redact_transcript(transcript)
    assert [s.speaker for s in result.transcript.segments] == ["agent", "resident"]
    assert result.transcript.segments[0] == transcript.segments[0]
    assert result.transcript.segments[1].text == "tak [TELEFON]"
    assert [(f.segment, f.finding.kind) for f in result.findings] == [(1, Kind.PHONE)]
    assert result.transcript.engine == "test"


# --- properties ---------------------------------------------------------------------------------

birth_dates = st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(2025, 12, 31))


@settings(max_examples=300, deadline=None, database=None)
@given(birth_dates, st.integers(0, 9999), st.booleans())
def test_any_valid_pesel_spoken_is_redacted_entirely(
    date: dt.date, serial: int, pairs: bool
) -> None:
    pesel = make_pesel(date.year, date.month, date.day, serial)
    spoken = spoken_pairs(pesel) if pairs else spoken_digits(pesel)
    result = redact_text(f"pesel {spoken} dziękuję")
    assert result.text == "pesel [PESEL] dziękuję"


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(alphabet=st.characters(codec="utf-8", categories=("Lu", "Ll", "Nd", "Zs", "Po"))))
def test_redaction_is_idempotent_and_leaves_no_long_digit_runs(text: str) -> None:
    once = redact_text(text)
    assert redact_text(once.text).text == once.text
    assert not re.search(r"\d{9,}", once.text)


@settings(max_examples=300, deadline=None, database=None)
@given(st.integers(500_000_000, 899_999_999), st.sampled_from(["digits", "pairs", "triples"]))
def test_any_mobile_number_spoken_is_a_phone(number: int, style: str) -> None:
    digits = str(number)
    speak = {"digits": spoken_digits, "pairs": spoken_pairs, "triples": spoken_triples}[style]
    result = redact_text(f"proszę dzwonić {speak(digits)} po szesnastej")
    assert result.text == "proszę dzwonić [TELEFON] po szesnastej", speak(digits)


def test_the_office_sets_the_redaction_policy() -> None:
    environ = {
        "CIC_SPEECH__REDACT_MIN_DIGITS": "11",
        "CIC_SPEECH__REDACT_UNVERIFIED_NUMBERS": "nie",
    }
    settings = load_settings(environ=environ)
    assert make_pipeline(settings.speech).policy == RedactionPolicy(11, False)
    assert make_pipeline(load_settings(environ={}).speech).policy == RedactionPolicy()
