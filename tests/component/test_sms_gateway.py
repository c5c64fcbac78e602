"""cic.sms.smsapi against the local SMSAPI gateway of tests.smsgateway: a message goes out with
the documented fields, every kind of refusal comes back as its error class (this number, the
whole gateway, for now), a lost answer is not a second message (idx), 429 and 5xx bursts are
temporary, a slow gateway times out."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from cic.sms.errors import SmsGatewayError, SmsRecipientError, SmsTemporaryError
from cic.sms.smsapi import SmsApi
from tests.smsgateway import TOKEN, SmsGateway

NUMBER = "500100201"


@pytest.fixture
async def gateway() -> AsyncIterator[SmsGateway]:
    server = SmsGateway()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def client(gateway: SmsGateway) -> AsyncIterator[SmsApi]:
    api = SmsApi(TOKEN, base_url=gateway.url, sender="Gmina", timeout=2)
    yield api
    await api.close()


async def test_a_message_goes_out_with_the_documented_fields(
    gateway: SmsGateway, client: SmsApi
) -> None:
    sent = await client.send(NUMBER, "Ostrzeżenie: silny wiatr w Dębówce.", "cic-notify-1")
    assert sent.gateway_id and sent.points == pytest.approx(0.16) and not sent.duplicate
    assert sent.parts == 1
    request = gateway.received[-1]
    assert request.authorization == f"Bearer {TOKEN}"
    assert request.form == {
        "to": "48500100201", "message": "Ostrzeżenie: silny wiatr w Dębówce.",
        "format": "json", "encoding": "utf-8", "idx": "cic-notify-1", "check_idx": "1",
        "from": "Gmina",
    }  # fmt: skip


async def test_the_same_key_twice_sends_one_message(gateway: SmsGateway, client: SmsApi) -> None:
    first = await client.send(NUMBER, "Komunikat", "cic-notify-7")
    again = await client.send(NUMBER, "Komunikat", "cic-notify-7")
    assert not first.duplicate and again.duplicate
    assert gateway.numbers() == ["48500100201"]
    assert [r.error for r in gateway.received] == [0, 53]


async def test_a_wrong_or_blacklisted_number_is_this_recipients_failure(
    gateway: SmsGateway, client: SmsApi
) -> None:
    with pytest.raises(SmsRecipientError) as wrong:
        await client.send("221002003", "Komunikat", "k1")  # a landline: no SMS
    assert wrong.value.code == 13
    gateway.blacklist.add("48500100202")
    with pytest.raises(SmsRecipientError) as listed:
        await client.send("500100202", "Komunikat", "k2")
    assert listed.value.code == 57
    with pytest.raises(SmsRecipientError):  # not even asked: not nine digits
        await client.send("../../etc/passwd", "Komunikat", "k3")
    assert len(gateway.received) == 2 and gateway.sent == []


async def test_a_refused_token_no_credit_or_sender_name_stops_the_gateway(
    gateway: SmsGateway,
) -> None:
    wrong = SmsApi("zły-token", base_url=gateway.url)
    with pytest.raises(SmsGatewayError) as refused:
        await wrong.send(NUMBER, "Komunikat", "k1")
    assert refused.value.code == 101 and "token" in refused.value.message
    await wrong.close()
    named = SmsApi(TOKEN, base_url=gateway.url, sender="Nieznany")
    with pytest.raises(SmsGatewayError) as sender:
        await named.send(NUMBER, "Komunikat", "k2")
    assert sender.value.code == 14
    await named.close()
    gateway.points = 0
    plain = SmsApi(TOKEN, base_url=gateway.url)
    with pytest.raises(SmsGatewayError) as credit:
        await plain.send(NUMBER, "Komunikat", "k4")
    assert credit.value.code == 103 and "środków" in credit.value.message
    await plain.close()
    assert gateway.sent == []


async def test_a_burst_of_server_errors_is_temporary(gateway: SmsGateway, client: SmsApi) -> None:
    gateway.fail_next(2, 503)
    for _ in range(2):
        with pytest.raises(SmsTemporaryError) as down:
            await client.send(NUMBER, "Komunikat", "k1")
        assert "503" in down.value.message
    assert (await client.send(NUMBER, "Komunikat", "k1")).gateway_id
    assert gateway.numbers() == ["48500100201"]


async def test_past_the_rate_limit_the_gateway_answers_429(
    gateway: SmsGateway, client: SmsApi
) -> None:
    gateway.per_second = 3
    outcomes = []
    for n in range(5):
        try:
            await client.send(f"50010020{n}", "Komunikat", f"k{n}")
            outcomes.append("ok")
        except SmsTemporaryError as exc:
            outcomes.append(f"later {exc.code}")
    assert outcomes == ["ok", "ok", "ok", "later 429", "later 429"]
    assert [r.answer for r in gateway.received].count(429) == 2


async def test_a_slow_gateway_times_out_as_temporary(gateway: SmsGateway) -> None:
    gateway.delay = 1.5
    slow = SmsApi(TOKEN, base_url=gateway.url, timeout=1)
    with pytest.raises(SmsTemporaryError) as late:
        await slow.send(NUMBER, "Komunikat", "k1")
    assert "czasie" in late.value.message
    await slow.close()


async def test_no_gateway_at_all_is_temporary() -> None:
    nowhere = SmsApi(TOKEN, base_url="http://127.0.0.1:9", timeout=2)
    with pytest.raises(SmsTemporaryError) as down:
        await nowhere.send(NUMBER, "Komunikat", "k1")
    assert "połączenia" in down.value.message
    await nowhere.close()


@pytest.mark.parametrize(
    "text",
    ["", "   ", "ą" * 67 * 6 + "ą", "x" * 153 * 6 + "x"],
    ids=["empty", "blank", "ucs2", "gsm"],
)
async def test_texts_that_cannot_go_out_are_refused_before_they_cost(
    gateway: SmsGateway, client: SmsApi, text: str
) -> None:
    with pytest.raises(SmsRecipientError):
        await client.send(NUMBER, text, "k1")
    assert gateway.received == []


async def test_odd_text_goes_out_as_it_is(gateway: SmsGateway, client: SmsApi) -> None:
    text = "Uwaga' \"; DROP TABLE sms; -- $(rm -rf /) & ../../etc/passwd <b>ż</b>"
    await client.send(NUMBER, text, "k1")
    assert gateway.sent[0]["message"] == text
