"""Posting on stackbot's own: paced per channel, retried on 429 and 5xx, typed when refused."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError

from bot.outbound import DeliveryError, Poster, make_client, post_reply, request_client
from stack import Reply
from tests.conftest import FakeClock
from tests.fake_slack import FakeSlack, error, rate_limited, server_error

MESSAGE = {
    "text": "hello",
    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}],
}


def test_it_paces_posts_to_one_channel_a_second_apart(fake_slack: FakeSlack) -> None:
    clock = FakeClock()
    poster = Poster(
        make_client("xoxb-test", base_url=fake_slack.url), clock=clock, sleep=clock.sleep
    )
    for _ in range(3):
        poster.post("C1", MESSAGE)
    poster.post("C2", MESSAGE)
    assert clock.slept == [1.0, 1.0]  # C1 waited twice; C2 went at once
    assert [c.params["channel"] for c in fake_slack.calls_to("chat.postMessage")] == [
        "C1",
        "C1",
        "C1",
        "C2",
    ]


def test_it_retries_a_rate_limit_after_retry_after(
    fake_slack: FakeSlack, retry_sleeps: list[float]
) -> None:
    fake_slack.script("chat.postMessage", rate_limited(retry_after=3))
    posted = Poster(make_client("xoxb-test", base_url=fake_slack.url)).post("C1", MESSAGE)
    assert posted.ts
    assert len(fake_slack.calls_to("chat.postMessage")) == 2
    assert 3 <= retry_sleeps[0] < 4


def test_it_retries_server_errors(fake_slack: FakeSlack, retry_sleeps: list[float]) -> None:
    fake_slack.script("chat.postMessage", server_error(), server_error())
    Poster(make_client("xoxb-test", base_url=fake_slack.url)).post("C1", MESSAGE)
    assert len(fake_slack.calls_to("chat.postMessage")) == 3


def test_it_gives_up_after_retries_with_a_temporary_error(
    fake_slack: FakeSlack, retry_sleeps: list[float]
) -> None:
    fake_slack.script("chat.postMessage", *[server_error()] * 3)
    with pytest.raises(DeliveryError) as caught:
        Poster(make_client("xoxb-test", base_url=fake_slack.url)).post("C1", MESSAGE)
    assert not caught.value.permanent


@pytest.mark.parametrize(
    ("code", "channel_gone", "revoked"),
    [
        ("channel_not_found", True, False),
        ("not_in_channel", True, False),
        ("is_archived", True, False),
        ("account_inactive", False, True),
        ("token_revoked", False, True),
    ],
)
def test_it_types_permanent_errors(
    fake_slack: FakeSlack, code: str, channel_gone: bool, revoked: bool
) -> None:
    fake_slack.script("chat.postMessage", error(code))
    with pytest.raises(DeliveryError) as caught:
        Poster(make_client("xoxb-test", base_url=fake_slack.url)).post("C1", MESSAGE)
    assert caught.value.code == code
    assert caught.value.permanent
    assert caught.value.channel_gone is channel_gone
    assert caught.value.revoked is revoked


def test_it_sends_a_direct_message(fake_slack: FakeSlack) -> None:
    posted = Poster(make_client("xoxb-test", base_url=fake_slack.url)).dm("UALICE", MESSAGE)
    assert posted.channel == "DUALICE"
    assert fake_slack.calls_to("conversations.open")[0].params["users"] == "UALICE"


def test_it_falls_back_to_the_person_when_the_channel_is_gone(fake_slack: FakeSlack) -> None:
    fake_slack.script_for_channel("C1", error("not_in_channel"))
    reply = Reply({"text": "Added vLLM", "blocks": []}, public=True)
    post_reply(fake_slack.client(), reply, channel_id="C1", user_id="UALICE")
    assert [c.params["channel"] for c in fake_slack.calls_to("chat.postMessage")] == [
        "C1",
        "UALICE",
    ]


def test_the_request_client_retries_once_and_only_short_rate_limits(
    fake_slack: FakeSlack, retry_sleeps: list[float]
) -> None:
    client = request_client("xoxb-test", base_url=fake_slack.url)
    fake_slack.script("views.open", rate_limited(retry_after=1))
    fake_slack.script("chat.update", server_error())
    assert client.views_open(trigger_id="t", view={"type": "modal", "blocks": []})["ok"]
    assert client.chat_update(channel="C1", ts="1.1", text="x")["ok"]
    assert len(retry_sleeps) == 2
    # A person is waiting: a long Retry-After is not waited out on the request's client.
    fake_slack.script("chat.postMessage", rate_limited(retry_after=30))
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="C1", text="x")
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
