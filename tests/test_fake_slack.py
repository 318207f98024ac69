"""The fake Slack answers the real slack_sdk WebClient the way Slack does."""

from __future__ import annotations

import types

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import builtin_handlers
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

from tests.fake_slack import (
    FakeSlack,
    Reply,
    error,
    rate_limited,
    server_error,
)

BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hello*"}}]


def test_it_records_a_post_with_its_params(fake_slack: FakeSlack) -> None:
    response = fake_slack.client().chat_postMessage(channel="C1", text="hello", blocks=BLOCKS)

    assert response["channel"] == "C1"
    assert response["message"]["blocks"] == BLOCKS
    [call] = fake_slack.calls_to("chat.postMessage")
    assert call.params == {"channel": "C1", "text": "hello", "blocks": BLOCKS}
    assert call.token == "xoxb-test"
    assert call.headers["content-type"].startswith("application/json")


def test_it_gives_every_post_a_new_increasing_ts(fake_slack: FakeSlack) -> None:
    client = fake_slack.client()
    first = client.chat_postMessage(channel="C1", text="one")["ts"]
    second = client.chat_postMessage(channel="C1", text="two")["ts"]

    assert first == "1700000000.000100"
    assert float(second) > float(first)


def test_it_decodes_json_in_form_bodies(fake_slack: FakeSlack) -> None:
    fake_slack.client().api_call(
        "chat.postMessage", params={"channel": "C1", "text": "hi", "blocks": "[]"}
    )

    assert fake_slack.calls[0].params == {"channel": "C1", "text": "hi", "blocks": []}


def test_it_raises_a_scripted_error(fake_slack: FakeSlack) -> None:
    fake_slack.script("chat.postMessage", error("channel_not_found"))
    client = fake_slack.client()

    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C1", text="hello")

    assert raised.value.response["error"] == "channel_not_found"
    assert client.chat_postMessage(channel="C1", text="hello")["ok"]  # the script is used up


def test_it_honours_retry_after_once_when_rate_limited(
    fake_slack: FakeSlack,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sleeps: list[float] = []
    monkeypatch.setattr(builtin_handlers, "time", types.SimpleNamespace(sleep=sleeps.append))
    fake_slack.script("chat.postMessage", rate_limited(retry_after=1))
    client = fake_slack.client(retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)])

    assert client.chat_postMessage(channel="C1", text="hello")["ok"]

    assert len(fake_slack.calls_to("chat.postMessage")) == 2
    [slept] = sleeps
    assert 1 <= slept < 2  # Retry-After plus up to a second of jitter


def test_it_raises_ratelimited_without_a_retry_handler(fake_slack: FakeSlack) -> None:
    fake_slack.script("chat.postMessage", rate_limited(retry_after=0))

    with pytest.raises(SlackApiError) as raised:
        fake_slack.client().chat_postMessage(channel="C1", text="hello")

    assert raised.value.response.status_code == 429
    assert raised.value.response["error"] == "ratelimited"
    assert raised.value.response.headers["Retry-After"] == "0"


def test_it_retries_a_server_error(fake_slack: FakeSlack) -> None:
    fake_slack.script("views.open", server_error())
    retry = ServerErrorRetryHandler(
        max_retry_count=1, interval_calculator=FixedValueRetryIntervalCalculator(0)
    )
    client = fake_slack.client(retry_handlers=[retry])

    response = client.views_open(trigger_id="1.2.3", view={"type": "modal", "blocks": []})

    assert response["view"]["id"].startswith("V")
    assert response["view"]["type"] == "modal"
    assert len(fake_slack.calls_to("views.open")) == 2


def test_it_answers_a_raw_text_body(fake_slack: FakeSlack) -> None:
    fake_slack.script("auth.test", Reply(status=502, body="<html>Bad Gateway</html>"))

    with pytest.raises(SlackApiError) as raised:
        fake_slack.client().auth_test()

    assert raised.value.response.status_code == 502
    assert "non-JSON" in raised.value.response["error"]


@pytest.mark.parametrize(
    ("token", "expected"),
    [("xoxb-revoked", "token_revoked"), ("xoxb-invalid", "invalid_auth"), ("junk", "invalid_auth")],
)
def test_it_refuses_bad_tokens(fake_slack: FakeSlack, token: str, expected: str) -> None:
    fake_slack.revoked_tokens.add("xoxb-revoked")
    fake_slack.invalid_tokens.add("xoxb-invalid")

    with pytest.raises(SlackApiError) as raised:
        fake_slack.client(token=token).auth_test()

    assert raised.value.response["error"] == expected


def test_it_refuses_a_call_without_a_token(fake_slack: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as raised:
        WebClient(base_url=fake_slack.url).chat_postMessage(channel="C1", text="hello")

    assert raised.value.response["error"] == "not_authed"


def test_it_scripts_one_channel_only(fake_slack: FakeSlack) -> None:
    fake_slack.script_for_channel("CGONE", error("channel_not_found"))
    fake_slack.script("chat.postMessage", error("is_archived"))
    client = fake_slack.client()

    with pytest.raises(SlackApiError) as gone:
        client.chat_postMessage(channel="CGONE", text="hello")
    with pytest.raises(SlackApiError) as other:
        client.chat_postMessage(channel="CFINE", text="hello")

    assert gone.value.response["error"] == "channel_not_found"  # the channel script goes first
    assert other.value.response["error"] == "is_archived"
    assert client.chat_postMessage(channel="CGONE", text="hello")["ok"]


def test_it_records_arrival_times_per_channel(fake_slack: FakeSlack) -> None:
    client = fake_slack.client()
    for channel in ("C1", "C2", "C1"):
        client.chat_postMessage(channel=channel, text="hello")

    arrivals = fake_slack.arrivals_by_channel()

    assert sorted(arrivals) == ["C1", "C2"]
    assert arrivals["C1"][0] < arrivals["C1"][1]


def test_it_lets_a_test_override_a_user(fake_slack: FakeSlack) -> None:
    fake_slack.users["UALICE"] = {"is_admin": True, "tz": "America/New_York"}

    user = fake_slack.client().users_info(user="UALICE")["user"]

    assert (user["id"], user["is_admin"], user["tz"]) == ("UALICE", True, "America/New_York")
    assert fake_slack.client().users_info(user="UBOB")["user"]["is_admin"] is False


def test_it_completes_an_oauth_exchange_without_a_token(fake_slack: FakeSlack) -> None:
    response = WebClient(base_url=fake_slack.url).oauth_v2_access(
        client_id="111.222", client_secret="secret", code="abc"
    )

    assert response["access_token"] == "xoxb-test"
    assert response["team"] == {"id": "T0TEAM", "name": "Test Team"}
    assert fake_slack.calls[0].params == {"code": "abc"}
    assert fake_slack.calls[0].headers["authorization"].startswith("Basic ")


def test_it_accepts_a_file_upload(fake_slack: FakeSlack) -> None:
    response = fake_slack.client().files_upload_v2(
        channel="C1", content="a,b\n1,2\n", filename="stack.csv", title="Stack"
    )

    assert response["file"]["title"] == "Stack"
    [upload] = fake_slack.calls_to("upload")
    assert upload.body == b"a,b\n1,2\n"


def test_it_forgets_calls_and_scripts_on_reset(fake_slack: FakeSlack) -> None:
    fake_slack.script("auth.test", error("invalid_auth"))
    fake_slack.client().api_test()

    fake_slack.reset()

    assert fake_slack.calls == []
    assert fake_slack.client().auth_test()["bot_id"] == "BBOT"


def test_it_serves_api_paths_too() -> None:
    with FakeSlack() as fake:
        client = WebClient(token="xoxb-test", base_url=fake.url + "api/")
        assert client.auth_test()["team_id"] == "T0TEAM"
        assert fake.calls[0].method == "auth.test"
    with pytest.raises(RuntimeError):
        _ = fake.url
