"""`stackbot serve` end to end: a real process, signed HTTP requests, a fake Slack Web API."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from slack_sdk.models.views import View
from sqlalchemy import create_engine, text

from stack import Context, Reply, run_command
from tests.bot.server import Server, sign, team
from tests.fake_slack import FakeSlack
from tests.slack_checks import all_text, assert_valid_message

ALICE, BOB = "UALICE", "UBOB"


def assert_valid_view(view: dict[str, Any], *, max_blocks: int = 100) -> None:
    assert View(**view).to_dict() is not None  # validates lengths and block kinds
    assert len(view["blocks"]) <= max_blocks
    for block in view["blocks"]:
        assert_valid_message({"text": "x", "blocks": [block]}, max_blocks=1)


def test_it_reports_health_with_the_database(server: Server) -> None:
    answer = server.get("/healthz")
    assert answer.status == 200
    assert answer.json() == {"ok": True, "database": "ok"}


def test_it_acks_at_once_and_replies_through_the_response_url(
    server: Server, request: pytest.FixtureRequest
) -> None:
    t = team(server)
    ack = server.command("add Pinecone", team=t, user=ALICE, reply=False)
    assert (ack.status, ack.body) == (200, b"")  # Slack hears back before the work is done
    answer = server.command("add vLLM inference cost:1200/mo", team=t, user=ALICE)
    assert answer.status == 200
    reply = answer.json()
    assert reply["response_type"] == "in_channel"
    assert_valid_message(reply)
    listing = server.command("list", team=t, user=ALICE).json()
    assert listing["response_type"] == "ephemeral"
    assert "vLLM" in all_text(listing)


def test_it_unescapes_what_slack_escaped_in_the_command(
    server: Server, request: pytest.FixtureRequest
) -> None:
    t = team(server)
    # Slack sends `"A & B" <x>` typed by a person as `"A &amp; B" &lt;x&gt;`.
    server.command('add "R&amp;D &lt;Lab&gt;" data', team=t, user=ALICE)
    shown = all_text(server.command('show "R&amp;D &lt;Lab&gt;"', team=t, user=ALICE).json())
    assert "R&amp;D &lt;Lab&gt;" in shown  # stored as typed, escaped again for display


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Slack-Request-Timestamp": "{now}", "X-Slack-Signature": "v0=" + "0" * 64},
        {"X-Slack-Request-Timestamp": "{old}", "X-Slack-Signature": "{old_signature}"},
        {},
    ],
    ids=["forged", "five-minutes-old", "unsigned"],
)
def test_it_refuses_unsigned_forged_or_stale_requests(
    server: Server, request: pytest.FixtureRequest, headers: dict[str, str]
) -> None:
    t = team(server)
    body = (
        f"team_id={t}&user_id={ALICE}&command=%2Fstack&text=add+Zorblax+data&trigger_id=x".encode()
    )
    old = int(time.time()) - 301  # Slack's clock, read here: the request is 301 s old
    fill = {
        "{now}": str(int(time.time())),
        "{old}": str(old),
        "{old_signature}": sign(body, timestamp=old)["X-Slack-Signature"],
    }
    sent = {k: fill.get(v, v) for k, v in headers.items()}
    answer = server.post(body, {**sent, "Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status == 401
    assert "Zorblax" not in all_text(server.command("list", team=t, user=ALICE).json())


def test_it_opens_the_add_form_for_add_alone(
    server: Server, fake: FakeSlack, request: pytest.FixtureRequest
) -> None:
    answer = server.command("add", team=team(server), user=ALICE, reply=False)
    assert answer.status == 200
    view = fake.wait_for("views.open").params["view"]
    assert view["callback_id"] == "tool_form"
    assert_valid_view(view)


def test_it_opens_the_edit_form_filled_in(
    server: Server, fake: FakeSlack, request: pytest.FixtureRequest
) -> None:
    t = team(server)
    server.command("add vLLM cost:1500/mo owner:<@UALICE|alice>", team=t, user=ALICE)
    server.command("edit vLLM", team=t, user=ALICE, reply=False)
    view = fake.wait_for("views.open").params["view"]
    assert_valid_view(view)
    text = json.dumps(view)
    assert '"initial_value": "vLLM"' in text
    assert '"initial_user": "UALICE"' in text
    assert '"initial_value": "1500"' in text


def form_payload(
    t: str, user: str, values: dict[str, dict[str, Any]], metadata: str
) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": {"id": t, "domain": "acme"},
        "user": {"id": user, "team_id": t},
        "api_app_id": "A0APP",
        "trigger_id": "trigger",
        "view": {
            "id": "V1", "team_id": t, "type": "modal", "callback_id": "tool_form",
            "private_metadata": metadata, "hash": "h", "blocks": [],
            "state": {"values": {block: {block: value} for block, value in values.items()}},
        },
    }  # fmt: skip


def test_it_adds_a_tool_from_the_form_and_tells_the_channel(
    server: Server, fake: FakeSlack, request: pytest.FixtureRequest
) -> None:
    t = team(server)
    values: dict[str, dict[str, Any]] = {
        "name": {"type": "external_select", "selected_option": {"value": "new:Feature Hub"}},
        "layers": {"type": "multi_static_select", "selected_options": [{"value": "data"}]},
        "caps": {"type": "multi_static_select", "selected_options": [{"value": "feature-store"}]},
        "cost": {"type": "plain_text_input", "value": "900"},
        "currency": {"type": "static_select", "selected_option": {"value": "EUR"}},
        "owner": {"type": "users_select", "selected_user": BOB},
        "renews": {"type": "datepicker", "selected_date": "2027-03-01"},
        "notice": {"type": "number_input", "value": "30"},
        "sourcing": {"type": "static_select", "selected_option": {"value": "build"}},
    }
    metadata = json.dumps({"channel": "C0CHAN", "tool": None})
    answer = server.interaction(form_payload(t, ALICE, values, metadata))
    assert answer.status == 200
    assert answer.body in (b"", b"{}")
    assert fake.wait_for("chat.postMessage").params["channel"] == "C0CHAN"
    shown = all_text(server.command('show "Feature Hub"', team=t, user=ALICE).json())
    assert "€900/mo" in shown
    assert "<@UBOB>" in shown
    assert "1 Mar 2027 (30 days’ notice)" in shown


def test_it_shows_form_errors_inline_and_stores_nothing(
    server: Server, fake: FakeSlack, request: pytest.FixtureRequest
) -> None:
    t = team(server)
    values: dict[str, dict[str, Any]] = {
        "name": {"type": "external_select", "selected_option": {"value": "new:Zorblax"}},
        "cost": {"type": "plain_text_input", "value": "cheap"},
    }
    answer = server.interaction(form_payload(t, ALICE, values, "{}"))
    assert answer.status == 200
    body = answer.json()
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {"cost"}
    values.pop("cost")
    body = server.interaction(form_payload(t, ALICE, values, "{}")).json()
    assert set(body["errors"]) == {"layers"}
    assert "needs a layer" in body["errors"]["layers"]
    assert fake.calls_to("chat.postMessage") == []
    assert "Zorblax" not in all_text(server.command("list", team=t, user=ALICE).json())


def test_it_suggests_catalog_tools_in_the_form(
    server: Server, request: pytest.FixtureRequest
) -> None:
    payload = {
        "type": "block_suggestion", "action_id": "name", "block_id": "name", "value": "pine",
        "team": {"id": team(server)}, "user": {"id": ALICE}, "api_app_id": "A0APP",
        "view": {"id": "V1", "callback_id": "tool_form"},
    }  # fmt: skip
    options = server.interaction(payload).json()["options"]
    values = [o["value"] for o in options]
    assert "catalog:pinecone" in values
    assert values[-1] == "new:pine"
    assert all(len(o["text"]["text"]) <= 75 for o in options)


def test_it_publishes_the_home_map_once_per_event(
    server: Server, fake: FakeSlack, request: pytest.FixtureRequest
) -> None:
    t = team(server)
    server.command("add vLLM", team=t, user=ALICE)
    event = {"type": "app_home_opened", "user": ALICE, "channel": "D1", "tab": "home"}
    event_id = f"Ev{t}"
    assert server.event(event, team=t, event_id=event_id).status == 200
    view = fake.wait_for("views.publish").params["view"]
    # The retry is dropped before anything is started, so nothing more can come of it.
    assert server.event(event, team=t, event_id=event_id, retry=1).status == 200
    assert len(fake.calls_to("views.publish")) == 1
    assert view["type"] == "home"
    assert_valid_view(view)
    assert "vLLM" in json.dumps(view)


def test_it_answers_an_unknown_button(
    server: Server, fake: FakeSlack, request: pytest.FixtureRequest
) -> None:
    payload = {
        "type": "block_actions", "team": {"id": team(server)}, "user": {"id": ALICE},
        "api_app_id": "A0APP", "trigger_id": "t", "response_url": fake.url + "response",
        "actions": [{"action_id": "from_an_old_version", "block_id": "b", "type": "button",
                     "value": "x", "action_ts": "1"}],
        "container": {"type": "message"}, "channel": {"id": "C0CHAN"},
    }  # fmt: skip
    assert server.interaction(payload).status == 200
    assert "older message" in fake.wait_for("response").params["text"]


def test_it_refuses_a_4000_character_command_clearly(
    server: Server, request: pytest.FixtureRequest
) -> None:
    answer = server.command("add " + "x" * 4100, team=team(server), user=ALICE)
    assert answer.status == 200
    assert "at most 4000" in answer.json()["text"]


def test_it_lets_only_owners_and_admins_change_a_tool(
    server: Server, fake: FakeSlack, request: pytest.FixtureRequest
) -> None:
    t = team(server)
    server.command("add vLLM owner:<@UALICE>", team=t, user=ALICE)
    fake.users[BOB] = {"is_admin": False, "is_owner": False}
    refused = server.command("edit vLLM cost:1/mo", team=t, user=BOB).json()
    assert "Only *vLLM*’s owner" in all_text(refused)
    assert "refused" in all_text(server.command("history", team=t, user=ALICE).json())
    fake.users["UADMIN"] = {"is_admin": True}
    done = server.command("edit vLLM cost:1/mo", team=t, user="UADMIN").json()
    assert done["response_type"] == "in_channel"


def test_it_tells_another_workspace_it_is_not_installed_and_makes_nothing(
    server: Server, fake: FakeSlack
) -> None:
    t = team(server)
    server.command('add "Secret Sauce" data', team=t, user=ALICE)
    ack = server.command('show "Secret Sauce"', team="T0INTRUDER", user=ALICE, reply=False)
    assert ack.status == 200
    assert "not installed in this workspace" in ack.text
    press = {
        "type": "block_actions", "team": {"id": "T0INTRUDER"}, "user": {"id": ALICE},
        "api_app_id": "A0APP", "trigger_id": "t", "response_url": fake.url + "response",
        "actions": [{"action_id": "home_add_tool", "block_id": "b", "type": "button",
                     "value": "x", "action_ts": "1"}],
    }  # fmt: skip
    assert server.interaction(press).status == 200
    engine = create_engine(server.database_url)
    with engine.connect() as connection:
        teams = connection.execute(text("SELECT team_id FROM workspace")).scalars().all()
        commands = connection.execute(text("SELECT team_id FROM slack_command")).scalars().all()
    engine.dispose()
    assert "T0INTRUDER" not in teams
    assert "T0INTRUDER" not in commands


def test_it_decides_a_review_from_the_reminder_and_updates_it_in_place(
    server: Server, fake: FakeSlack, request: pytest.FixtureRequest
) -> None:
    t = team(server)
    server.command("add Arize owner:<@UALICE> renews:2027-03-01", team=t, user=ALICE)
    reminder = {"channel": "CREV", "ts": "1700000000.000100"}
    listing = all_text(server.command("show Arize", team=t, user=ALICE).json())
    assert "Arize" in listing
    value = json.dumps({"tool": tool_id(server, t, "Arize"), "due": due_of(server, t, "Arize")})
    press = {
        "type": "block_actions", "team": {"id": t}, "user": {"id": ALICE}, "api_app_id": "A0APP",
        "trigger_id": "trig", "response_url": fake.url + "response",
        "container": {"type": "message", "channel_id": reminder["channel"],
                      "message_ts": reminder["ts"]},
        "channel": {"id": reminder["channel"]},
        "actions": [{"action_id": "review_keep", "block_id": "review_actions", "type": "button",
                     "value": value, "action_ts": "1"}],
    }  # fmt: skip
    assert server.interaction(press).status == 200
    view = fake.wait_for("views.open").params["view"]
    assert view["callback_id"] == "review_form"
    assert_valid_view(view)
    submit = {
        "type": "view_submission", "team": {"id": t}, "user": {"id": BOB, "team_id": t},
        "api_app_id": "A0APP", "trigger_id": "trig",
        "view": {"id": "V2", "team_id": t, "type": "modal", "callback_id": "review_form",
                 "private_metadata": view["private_metadata"], "hash": "h", "blocks": [],
                 "state": {"values": {"reason": {"reason": {"type": "plain_text_input",
                                                            "value": "cheapest that works"}}}}},
    }  # fmt: skip
    # Bob does not own Arize and is no admin: a form he submits anyway is refused, nothing
    # decided (pressing the button, he would have been told at once).
    fake.users[BOB] = {"is_admin": False, "is_owner": False}
    refused = server.interaction(submit).json()
    assert refused["response_action"] == "errors"
    assert "owner" in refused["errors"]["reason"]
    # Alice owns it: decided, and the reminder is updated where it was posted.
    alice_submit = {**submit, "user": {"id": ALICE, "team_id": t}}
    assert server.interaction(alice_submit).status == 200
    update = fake.wait_for("chat.update")
    assert (update.params["channel"], update.params["ts"]) == (reminder["channel"], reminder["ts"])
    assert "kept it: cheapest that works" in update.params["text"] + json.dumps(
        update.params["blocks"]
    )
    history = all_text(server.command("history Arize", team=t, user=ALICE).json())
    assert "decided the review of *Arize*: keep (cheapest that works)" in history
    # The same reminder's button again: that cycle is decided, so nothing changes.
    again = server.interaction({**alice_submit, "trigger_id": "trig-again"}).json()
    assert "already decided" in again["errors"]["reason"]
    assert len(fake.calls_to("chat.update")) == 1


def seed(server: Server, t: str, *texts: str) -> list[Reply]:
    """Commands run on the server's store directly, as a workspace the server does not serve."""
    engine = create_engine(server.database_url)
    context = Context(team_id=t, user_id=BOB, now=datetime.now(UTC), slack_admin=True)
    replies = [run_command(engine, context, text) for text in texts]
    engine.dispose()
    return replies


OF_TEAM = (
    "SELECT {} FROM tool JOIN workspace ON workspace.id = tool.workspace_id"
    " WHERE tool.name = :n AND workspace.team_id = :t"
)


def tool_id(server: Server, t: str, name: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(server.database_url)
    with engine.connect() as connection:
        found = connection.execute(text(OF_TEAM.format("tool.id")), {"n": name, "t": t}).scalar()
    engine.dispose()
    assert isinstance(found, int)
    return found


def due_of(server: Server, t: str, name: str) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(server.database_url)
    with engine.connect() as connection:
        found = connection.execute(
            text(OF_TEAM.format("tool.next_review_on")), {"n": name, "t": t}
        ).scalar()
    engine.dispose()
    return str(found)


def test_it_lets_someone_take_ownership_from_a_reminder(
    server: Server, fake: FakeSlack, request: pytest.FixtureRequest
) -> None:
    t = team(server)
    server.command("add Pinecone renews:2027-03-01", team=t, user=ALICE)
    value = json.dumps(
        {"tool": tool_id(server, t, "Pinecone"), "due": due_of(server, t, "Pinecone")}
    )
    press = {
        "type": "block_actions", "team": {"id": t}, "user": {"id": BOB}, "api_app_id": "A0APP",
        "trigger_id": "trig", "response_url": fake.url + "response",
        "container": {"type": "message", "channel_id": "CREV", "message_ts": "1.1"},
        "channel": {"id": "CREV"},
        "actions": [{"action_id": "review_own", "block_id": "review_actions", "type": "button",
                     "value": value, "action_ts": "1"}],
    }  # fmt: skip
    fake.users[BOB] = {"is_admin": False, "is_owner": False}
    assert server.interaction(press).status == 200
    # The reminder is updated where it was posted: it names the owner, and the button is gone.
    update = fake.wait_for("chat.update")
    assert (update.params["channel"], update.params["ts"]) == ("CREV", "1.1")
    assert "<@UBOB> (owner)" in all_text(update.params)
    assert "review_own" not in json.dumps(update.params["blocks"])
    assert_valid_message(update.params)
    fake.wait_for("response")
    shown = all_text(server.command("show Pinecone", team=t, user=ALICE).json())
    assert "<@UBOB>" in shown
    # A second person pressing it finds the tool taken.
    assert server.interaction({**press, "user": {"id": "UCAROL"}}).status == 200
    assert "already has an owner" in fake.wait_for("response", count=2).params["text"]


def test_it_keeps_workspaces_apart_in_every_button_and_form(
    server: Server, fake: FakeSlack, request: pytest.FixtureRequest
) -> None:
    # B's stack is in the same store, as another installation's would be.
    a, b = team(server), "T0OTHER"
    seed(server, b, "add Arize renews:2027-03-01", 'add "Tracker A" caps:experiment-tracking',
         'add "Tracker B" caps:experiment-tracking')  # fmt: skip
    theirs = json.dumps({"tool": tool_id(server, b, "Arize"), "due": due_of(server, b, "Arize")})

    def press(action_id: str, value: str) -> None:
        payload = {
            "type": "block_actions", "team": {"id": a}, "user": {"id": ALICE},
            "api_app_id": "A0APP", "trigger_id": "trig", "response_url": fake.url + "response",
            "container": {"type": "message", "channel_id": "C1", "message_ts": "1.1"},
            "channel": {"id": "C1"},
            "actions": [{"action_id": action_id, "block_id": "b", "type": "button",
                         "value": value, "action_ts": "1"}],
        }  # fmt: skip
        assert server.interaction(payload).status == 200

    press("review_own", theirs)
    press("review_keep", theirs)
    press("finding_accept", "dup-experiment-tracking")
    fake.wait_for("response", count=3)
    refusals = sorted(c.params["text"] for c in fake.calls_to("response"))
    assert len(refusals) == 3
    assert sum("older message" in r for r in refusals) == 2
    assert any("no finding `dup-experiment-tracking`" in r for r in refusals)
    assert fake.calls_to("views.open") == []  # no form opened on B's tool or finding
    # A form naming B's tool, submitted as A, finds nothing to edit.
    values = {"name": {"type": "plain_text_input", "value": "Arize"},
              "notes": {"type": "plain_text_input", "value": "mine now"}}  # fmt: skip
    metadata = json.dumps({"channel": "C1", "tool": "Arize"})
    answer = server.interaction(form_payload(a, ALICE, values, metadata)).json()
    assert "no tool called" in answer["errors"]["name"]
    review = {
        "type": "view_submission", "team": {"id": a}, "user": {"id": ALICE, "team_id": a},
        "api_app_id": "A0APP", "trigger_id": "t",
        "view": {"id": "V3", "team_id": a, "type": "modal", "callback_id": "review_form",
                 "private_metadata": json.dumps({"tool": "Arize", "due": "2027-03-01",
                                                 "decision": "retire"}),
                 "hash": "h", "blocks": [], "state": {"values": {}}},
    }  # fmt: skip
    assert "no tool called" in server.interaction(review).json()["errors"]["reason"]
    # And B's stack is as B left it.
    shown = all_text(seed(server, b, "show Arize")[0].message)
    assert "nobody yet" in shown
    assert "mine now" not in shown
    assert "active" in shown


@pytest.mark.parametrize("kind", ["app_uninstalled", "tokens_revoked"])
def test_it_answers_uninstall_events_in_token_mode(server: Server, kind: str) -> None:
    event = {"type": kind, "tokens": {"bot": ["UBOT"]}}
    assert server.event(event, team=team(server), event_id=f"Ev{kind}").status == 200


def test_a_member_pressing_a_review_button_is_refused_at_once(
    server: Server, fake: FakeSlack
) -> None:
    t = team(server)
    server.command("add Arize owner:<@UALICE> renews:2027-03-01", team=t, user=ALICE)
    fake.users[BOB] = {"is_admin": False, "is_owner": False}
    value = json.dumps({"tool": tool_id(server, t, "Arize"), "due": due_of(server, t, "Arize")})
    for decision in ("keep", "renegotiate", "replace", "retire", "snooze-7", "snooze-30"):
        press = {
            "type": "block_actions", "team": {"id": t}, "user": {"id": BOB}, "api_app_id": "A0APP",
            "trigger_id": f"trig-{decision}", "response_url": fake.url + f"response/{decision}",
            "container": {"type": "message", "channel_id": "CREV", "message_ts": "1.1"},
            "channel": {"id": "CREV"},
            "actions": [{"action_id": f"review_{decision}", "block_id": "review_actions",
                         "type": "button", "value": value, "action_ts": "1"}],
        }  # fmt: skip
        assert server.interaction(press).status == 200
        refused = fake.wait_for(f"response/{decision}").params
        assert "Only *Arize*’s owner" in refused["text"]
        assert refused["response_type"] == "ephemeral"
    assert fake.calls_to("views.open") == []
    assert "keep" not in all_text(server.command("history Arize", team=t, user=ALICE).json())


def test_a_decided_review_s_button_says_who_decided_at_once(
    server: Server, fake: FakeSlack
) -> None:
    t = team(server)
    server.command("add Arize owner:<@UALICE> renews:2027-03-01", team=t, user=ALICE)
    value = json.dumps({"tool": tool_id(server, t, "Arize"), "due": due_of(server, t, "Arize")})
    server.command("review Arize keep fine", team=t, user=ALICE)
    press = {
        "type": "block_actions", "team": {"id": t}, "user": {"id": ALICE}, "api_app_id": "A0APP",
        "trigger_id": "trig-late", "response_url": fake.url + "response/late",
        "container": {"type": "message", "channel_id": "CREV", "message_ts": "1.1"},
        "channel": {"id": "CREV"},
        "actions": [{"action_id": "review_retire", "block_id": "review_actions",
                     "type": "button", "value": value, "action_ts": "1"}],
    }  # fmt: skip
    assert server.interaction(press).status == 200
    said = fake.wait_for("response/late").params["text"]
    assert "already decided by <@UALICE> (keep," in said
    assert fake.calls_to("views.open") == []


def test_it_starts_without_a_misleading_warning(server: Server) -> None:
    assert "will be unused" not in server.log()
