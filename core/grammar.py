"""The /stack command language, parsed into typed commands without touching Slack or the store.

/stack add "Weights & Biases" caps:experiment-tracking cost:14k/yr owner:<@U123|ana>
/stack add vLLM inference
/stack edit vLLM cost:1500/mo renews:1 Mar 2027
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TypeAlias

from core.catalog import load_catalog
from core.dates import parse_date
from core.errors import Rejected
from core.layers import find_layer, layer_names
from core.money import parse_cost
from core.options import (
    CLEAR_WORDS,
    KEYS,
    MAX_NOTICE_DAYS,
    NOTICE_UNITS,
    OPTION_KEYS,
    OPTION_PARSERS,
    UNSET,
    ToolFields,
    UserRef,
    check_name,
    is_layer_list,
    layer_list,
    layer_named,
    parse_option,
)
from core.preferences import parse_setting
from core.reviews import DECISION_WORDS
from core.text import has_control_characters, nearest, normalise

MAX_COMMAND = 4000
QUOTES = frozenset('"“”„')
_KEY_TOKEN = re.compile(r"^([A-Za-z][A-Za-z-]*):(.*)$", re.DOTALL)
# Time words a notice period might be given in that stackbot does not count days from.
_OTHER_TIME_UNIT = re.compile(
    r"^(?:fortnights?|quarters?|hours?|hrs?|minutes?|mins?|decades?|business|working|"
    r"calendar|bdays?|wd)$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Add:
    name: str
    fields: ToolFields = field(default_factory=ToolFields)


@dataclass(frozen=True, slots=True)
class Edit:
    name: str
    fields: ToolFields = field(default_factory=ToolFields)


@dataclass(frozen=True, slots=True)
class Remove:
    name: str


@dataclass(frozen=True, slots=True)
class List:
    layer: int | None = None
    retired: bool = False


@dataclass(frozen=True, slots=True)
class Show:
    name: str


@dataclass(frozen=True, slots=True)
class Map:
    image: bool = False  # `/stack map image`: the map as a picture, sent to the person


@dataclass(frozen=True, slots=True)
class History:
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Help:
    topic: str | None = None


@dataclass(frozen=True, slots=True)
class Overlaps:
    layer: int | None = None
    accepted: bool = False  # list the accepted findings instead of the open ones


@dataclass(frozen=True, slots=True)
class AcceptFinding:
    finding_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class ReopenFinding:
    finding_id: str


@dataclass(frozen=True, slots=True)
class Spend:
    image: bool = False  # `/stack spend image`: the chart as a picture, sent to the person


@dataclass(frozen=True, slots=True)
class Settings:
    """`/stack settings` shows them all; with a name and a value it changes one."""

    name: str | None = None
    value: object = None  # already parsed and checked (core.preferences)


@dataclass(frozen=True, slots=True)
class Admins:
    """`/stack admins` lists them; `add` and `remove` change who they are."""

    action: str | None = None
    user: UserRef | None = None


@dataclass(frozen=True, slots=True)
class Review:
    """`/stack review <tool> <decision> [reason]`: decide a tool's vendor review."""

    name: str
    decision: str
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Reviews:
    """`/stack reviews`: what is due in the next 30 days, and what is overdue."""


@dataclass(frozen=True, slots=True)
class Status:
    """`/stack status`: the last and next digest, reminders sent, and what failed."""


@dataclass(frozen=True, slots=True)
class Propose:
    """`/stack propose <tool> [options] [why]`: ask before buying."""

    name: str
    fields: ToolFields = field(default_factory=ToolFields)
    why: str | None = None


@dataclass(frozen=True, slots=True)
class Proposals:
    """`/stack proposals` lists the pending ones; `approve <id>` and `decline <id> <why>`
    decide one, as the buttons on its post do."""

    action: str | None = None
    proposal_id: int | None = None
    reason: str | None = None


Command: TypeAlias = (
    Add
    | Edit
    | Remove
    | List
    | Show
    | Map
    | History
    | Help
    | Overlaps
    | AcceptFinding
    | ReopenFinding
    | Spend
    | Settings
    | Admins
    | Review
    | Reviews
    | Status
    | Propose
    | Proposals
)


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    key: str | None = None  # "cost" for cost:1200/mo
    quoted: bool = False
    raw: str = ""  # the token as typed ("Run:ai"), for a `word:` that turns out to be text

    @property
    def typed(self) -> str:
        return self.raw or self.text


# ---------------------------------------------------------------------------------------------
# Tokens


def tokenize(text: str) -> list[Token]:
    """Split on white space; double quotes (straight or curly) keep spaces inside one token."""
    tokens: list[Token] = []
    buf: list[str] = []
    prefix: str | None = None  # what stood before the token's first quote
    in_quotes = started = False
    for ch in text:
        if in_quotes:
            if ch in QUOTES:
                in_quotes = False
            else:
                buf.append(ch)
        elif ch in QUOTES:
            in_quotes = started = True
            if prefix is None:
                prefix = "".join(buf)
        elif ch.isspace():
            if started:
                tokens.append(_token("".join(buf), prefix))
            buf, prefix, started = [], None, False
        else:
            buf.append(ch)
            started = True
    if in_quotes:
        raise Rejected("unbalanced_quotes")
    if started:
        tokens.append(_token("".join(buf), prefix))
    return tokens


def _token(text: str, prefix: str | None) -> Token:
    if prefix is None:
        match = _KEY_TOKEN.match(text)
        if match:
            return Token(match[2], key=match[1].lower(), raw=text)
        return Token(text)
    match = _KEY_TOKEN.match(prefix)
    if match and not match[2]:
        return Token(text[len(prefix) :], key=match[1].lower(), quoted=True, raw=text)
    return Token(text, quoted=True)


# ---------------------------------------------------------------------------------------------
# Commands

SUBCOMMANDS = (
    *("add", "edit", "remove", "list", "show", "map", "history", "overlaps", "spend"),
    *("settings", "admins", "review", "reviews", "status", "help", "propose", "proposals"),
)
MAX_REASON = 500
HELP_TOPICS = (*SUBCOMMANDS, "caps")
SUBCOMMAND_ALIASES = {
    "new": "add",
    "register": "add",
    "update": "edit",
    "change": "edit",
    "rm": "remove",
    "retire": "remove",
    "delete": "remove",
    "ls": "list",
    "tools": "list",
    "info": "show",
    "get": "show",
    "layers": "map",
    "log": "history",
    "audit": "history",
    "?": "help",
    "overlap": "overlaps",
    "findings": "overlaps",
    "costs": "spend",
    "cost": "spend",
    "setting": "settings",
    "config": "settings",
    "admin": "admins",
    "decide": "review",
    "due": "reviews",
    "request": "propose",
    "ask": "propose",
    "proposal": "proposals",
    "requests": "proposals",
}


def parse(text: str, *, today: date) -> Command:
    """The command `text` (what follows "/stack") says, or Rejected saying what is wrong."""
    if len(text) > MAX_COMMAND:
        raise Rejected("too_long", length=len(text), limit=MAX_COMMAND)
    if has_control_characters(text.replace("\n", " ").replace("\t", " ").replace("\r", " ")):
        raise Rejected("control_characters")
    tokens = tokenize(text)
    if not tokens:
        return Help()
    head, rest = tokens[0], tokens[1:]
    word = head.text.casefold() if head.key is None else f"{head.key}:"
    sub = word if word in SUBCOMMANDS else SUBCOMMAND_ALIASES.get(word)
    if sub is None or head.quoted:
        candidates = [*SUBCOMMANDS, *SUBCOMMAND_ALIASES]
        guess = nearest(word, candidates)
        suggestion = SUBCOMMAND_ALIASES.get(guess, guess) if guess else None
        raise Rejected("unknown_command", value=head.text, suggestion=suggestion)
    if sub in NAMED:
        rest = _catalog_name_first(rest)
    return _PARSERS[sub](rest, today)


# The commands whose first words are a tool's name.
NAMED = frozenset({"add", "edit", "remove", "show", "history", "review", "propose"})


def _catalog_name_first(tokens: list[Token]) -> list[Token]:
    """A catalog name with a colon in it (`NVIDIA Run:ai`) is a name, not an option `run:`: the
    words it spans become plain words. Only a colon word that no option is spelt with, and only
    inside a name the catalog knows, so `/stack add Foo cot:5` is still refused as a typo."""
    catalog = load_catalog()
    for index, token in enumerate(tokens):
        if token.key is None:
            continue
        if token.key in KEYS or token.quoted:
            return tokens
        for end in range(min(len(tokens), index + 4), index, -1):
            span = tokens[:end]
            if any(t.key in KEYS or t.quoted for t in span):
                continue
            if catalog.find(" ".join(t.typed for t in span)):
                return [Token(t.typed) for t in span] + tokens[end:]
        return tokens
    return tokens


def _parse_add(tokens: list[Token], today: date) -> Command:
    names, options, trailing = _split(tokens, today)
    if not names:
        raise Rejected("missing_name", command="add")
    name, positional_layers = _name_and_layers(names)
    for token in trailing:
        positional_layers.extend(layer_list(token.text))
    fields = _fields(options, today, allow_rename=False)
    if positional_layers:
        if fields.layers is not UNSET:
            raise Rejected("layers_twice")
        fields = replace(fields, layers=tuple(sorted(set(positional_layers))))
    return Add(name=name, fields=fields)


def _parse_edit(tokens: list[Token], today: date) -> Command:
    names, options, trailing = _split(tokens, today)
    if not names:
        raise Rejected("missing_name", command="edit")
    if trailing:
        raise Rejected("unexpected_word", value=trailing[0].text, command="edit")
    return Edit(name=check_name(" ".join(t.text for t in names)), fields=_fields(options, today))


def _named(make: Callable[[str], Command], command: str) -> Callable[[list[Token], date], Command]:
    def parse_named(tokens: list[Token], today: date) -> Command:
        _no_options(tokens, command)
        if not tokens:
            raise Rejected("missing_name", command=command)
        return make(check_name(" ".join(t.text for t in tokens)))

    return parse_named


def _parse_list(tokens: list[Token], today: date) -> Command:
    _no_options(tokens, "list")
    if not tokens:
        return List()
    word = " ".join(t.text for t in tokens)
    if normalise(word) in {"retired", "removed", "all"}:
        return List(retired=True)
    return List(layer=layer_named(word).number)


IMAGE_WORDS = frozenset({"image", "picture", "png"})


def _parse_map(tokens: list[Token], today: date) -> Command:
    _no_options(tokens, "map")
    if len(tokens) == 1 and tokens[0].text.casefold() in IMAGE_WORDS:
        return Map(image=True)
    if tokens:
        raise Rejected("unexpected_word", value=tokens[0].text, command="map")
    return Map()


def _parse_history(tokens: list[Token], today: date) -> Command:
    _no_options(tokens, "history")
    return History(name=check_name(" ".join(t.text for t in tokens)) if tokens else None)


def _parse_help(tokens: list[Token], today: date) -> Command:
    if not tokens:
        return Help()
    word = tokens[0].text.casefold()
    topic = word if word in HELP_TOPICS else SUBCOMMAND_ALIASES.get(word)
    if word in {"capabilities", "capability", "cap", "options", "layers"}:
        topic = "caps" if word != "options" else "add"
    if topic is None:
        raise Rejected("unknown_help", value=tokens[0].text, suggestion=nearest(word, HELP_TOPICS))
    return Help(topic=topic)


def _parse_overlaps(tokens: list[Token], today: date) -> Command:
    if not tokens:
        return Overlaps()
    word = tokens[0].text.casefold()
    if word not in {"accept", "reopen"}:
        _no_options(tokens, "overlaps")
    else:
        if len(tokens) < 2:
            raise Rejected("missing_finding", command=word)
        finding_id = tokens[1].text.casefold()
        if word == "reopen":
            if len(tokens) > 2:
                raise Rejected("unexpected_word", value=tokens[2].text, command="overlaps reopen")
            return ReopenFinding(finding_id)
        # A reason is free text: "capacity: two clouds" is not an option.
        reason = " ".join(t.text if t.key is None else f"{t.key}:{t.text}" for t in tokens[2:])
        reason = reason.strip()
        if not reason:
            raise Rejected("empty_reason", finding_id=finding_id)
        if len(reason) > MAX_REASON:
            raise Rejected("reason_too_long", length=len(reason), limit=MAX_REASON)
        return AcceptFinding(finding_id, reason)
    if word in {"accepted", "all"}:
        return Overlaps(accepted=True)
    return Overlaps(layer=layer_named(" ".join(t.text for t in tokens)).number)


def _parse_spend(tokens: list[Token], today: date) -> Command:
    _no_options(tokens, "spend")
    if len(tokens) == 1 and tokens[0].text.casefold() in IMAGE_WORDS:
        return Spend(image=True)
    if tokens:
        raise Rejected("unexpected_word", value=tokens[0].text, command="spend")
    return Spend()


def _parse_settings(tokens: list[Token], today: date) -> Command:
    _no_options(tokens, "settings")
    if not tokens:
        return Settings()
    setting, value = parse_setting(tokens[0].text, " ".join(t.text for t in tokens[1:]))
    return Settings(name=setting.name, value=value)


def _parse_admins(tokens: list[Token], today: date) -> Command:
    _no_options(tokens, "admins")
    if not tokens:
        return Admins()
    action = tokens[0].text.casefold()
    if action not in {"add", "remove"}:
        raise Rejected("unknown_admins_action", value=tokens[0].text)
    if len(tokens) != 2:
        raise Rejected("admins_needs_one_person", action=action)
    user = parse_option("owner", tokens[1].text, today=today)
    if not isinstance(user, UserRef):
        raise Rejected("admins_needs_one_person", action=action)
    return Admins(action=action, user=user)


def _parse_review(tokens: list[Token], today: date) -> Command:
    words = [t.text if t.key is None else f"{t.key}:{t.text}" for t in tokens]
    for cut in range(1, len(words)):
        decision = DECISION_WORDS.get(words[cut].casefold())
        if decision is None:
            continue
        rest = words[cut + 1 :]
        if decision == "snooze-7" and rest and rest[0] in {"7", "30"}:
            decision, rest = f"snooze-{rest[0]}", rest[1:]
        reason = " ".join(rest).strip() or None
        if reason is not None and len(reason) > MAX_REASON:
            raise Rejected("reason_too_long", length=len(reason), limit=MAX_REASON)
        return Review(name=check_name(" ".join(words[:cut])), decision=decision, reason=reason)
    # `review CoreWeave kep`: a word a letter from a decision is named, with the tool before it.
    for cut in range(1, len(words)):
        guess = nearest(words[cut], DECISION_WORDS, cutoff=0.75)
        if guess is not None:
            name = " ".join(words[:cut])
            suggestion = DECISION_WORDS[guess].replace("snooze-7", "snooze").replace("-", " ")
            raise Rejected(
                "unknown_decision", value=words[cut], suggestion=suggestion, name=name,
                missing_tool=False, tool_suggestion=None,
            )  # fmt: skip
    raise Rejected("missing_decision", value=" ".join(words))


def _parse_propose(tokens: list[Token], today: date) -> Command:
    """The name is a catalog name if the words start with one, else the first word (quote a
    name with spaces); layer words may follow it, as with `add`; every other word is why."""
    names, options, trailing = _split(tokens, today)
    if not names:
        raise Rejected("missing_name", command="propose")
    catalog = load_catalog()
    words = [t.text for t in names]
    cut = next((n for n in range(len(words), 0, -1) if catalog.find(" ".join(words[:n]))), 1)
    name = check_name(" ".join(words[:cut]))
    rest = list(names[cut:])
    layers: list[int] = []
    while rest and not rest[0].quoted and is_layer_list(rest[0].text):
        layers.extend(layer_list(rest.pop(0).text))
    fields = _fields(options, today, allow_rename=False)
    if layers:
        if fields.layers is not UNSET:
            raise Rejected("layers_twice")
        fields = replace(fields, layers=tuple(sorted(set(layers))))
    why = " ".join(t.text for t in (*rest, *trailing)).strip() or None
    if why is not None and len(why) > MAX_REASON:
        raise Rejected("reason_too_long", length=len(why), limit=MAX_REASON)
    return Propose(name=name, fields=fields, why=why)


def _parse_proposals(tokens: list[Token], today: date) -> Command:
    _no_options(tokens, "proposals")
    if not tokens:
        return Proposals()
    action = tokens[0].text.casefold()
    if action not in {"approve", "decline"}:
        raise Rejected("unexpected_word", value=tokens[0].text, command="proposals")
    number = tokens[1].text.lstrip("#") if len(tokens) > 1 else ""
    if not number.isdigit() or len(number) > 12:
        raise Rejected("missing_proposal", action=action)
    reason = " ".join(t.text for t in tokens[2:]).strip() or None
    if reason is not None and len(reason) > MAX_REASON:
        raise Rejected("reason_too_long", length=len(reason), limit=MAX_REASON)
    return Proposals(action=action, proposal_id=int(number), reason=reason)


def _parse_bare(
    make: Callable[[], Command], command: str
) -> Callable[[list[Token], date], Command]:
    def parse_bare(tokens: list[Token], today: date) -> Command:
        _no_options(tokens, command)
        if tokens:
            raise Rejected("unexpected_word", value=tokens[0].text, command=command)
        return make()

    return parse_bare


_PARSERS: dict[str, Callable[[list[Token], date], Command]] = {
    "add": _parse_add,
    "edit": _parse_edit,
    "remove": _named(Remove, "remove"),
    "list": _parse_list,
    "show": _named(Show, "show"),
    "map": _parse_map,
    "history": _parse_history,
    "overlaps": _parse_overlaps,
    "spend": _parse_spend,
    "settings": _parse_settings,
    "admins": _parse_admins,
    "review": _parse_review,
    "reviews": _parse_bare(Reviews, "reviews"),
    "status": _parse_bare(Status, "status"),
    "help": _parse_help,
    "propose": _parse_propose,
    "proposals": _parse_proposals,
}


# ---------------------------------------------------------------------------------------------
# Names, layers and options


def _split(tokens: list[Token], today: date) -> tuple[list[Token], list[Token], list[Token]]:
    """Positional words before the first option, the options, and positional words after.

    A date or a cost may run over several unquoted words (renews:1 Mar 2027); notes run to the
    next option. Those words are folded into their option's token here.
    """
    names: list[Token] = []
    options: list[Token] = []
    trailing: list[Token] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.key is None:
            (trailing if options else names).append(token)
            index += 1
            continue
        key = KEYS.get(token.key)
        if key is None:
            raise Rejected(
                "unknown_key", value=token.key, suggestion=nearest(token.key, OPTION_KEYS)
            )
        token, index = _extend(token, key, tokens, index, today)
        options.append(token)
    return names, options, trailing


def _extend(
    token: Token, key: str, tokens: list[Token], index: int, today: date
) -> tuple[Token, int]:
    following: list[Token] = []
    for later in tokens[index + 1 :]:
        # Notes are free text: "ticket: OPS-12" inside them is not an option; a known option
        # ends them, as the README says.
        if later.key is not None and (key != "notes" or later.key in KEYS or token.quoted):
            break
        following.append(Token(later.typed) if later.key is not None else later)
    if key == "notes" and not token.quoted:
        words = [token.text, *(t.text for t in following)]
        return Token(" ".join(w for w in words if w), key=token.key), index + 1 + len(following)
    checks: dict[str, Callable[[str], object]] = {
        "cost": parse_cost,
        "renews": lambda value: parse_date(value, today=today),
        "notice_days": lambda value: OPTION_PARSERS["notice_days"](value, today),
    }
    check = checks.get(key)
    if check is None or token.quoted or token.text.casefold() in CLEAR_WORDS:
        return token, index + 1
    for extra in range(min(3, len(following)), -1, -1):
        candidate = " ".join([token.text, *(t.text for t in following[:extra])])
        try:
            check(candidate)
        except Rejected as rejected:
            # `cost:500 kr/mo` must not become $500 with `kr/mo` left over: a value that could
            # be read two ways is refused whole, before a shorter piece of it is tried.
            if rejected.code.startswith("ambiguous_"):
                raise
            continue
        unit = following[extra].text if extra < len(following) else ""
        if (
            key == "notice_days"
            and unit
            and (_OTHER_TIME_UNIT.match(unit) or unit.casefold() in NOTICE_UNITS)
        ):
            # `notice:3 fortnights` or `notice:25 months` (over the limit): a notice period
            # refused as one, not a layer named `fortnights`.
            raise Rejected("bad_notice", value=f"{candidate} {unit}", limit=MAX_NOTICE_DAYS)
        return Token(candidate, key=token.key), index + 1 + extra
    # Nothing longer parses; report the words that belong to the value, not a layer after it.
    words = [token.text]
    for later in following[:2]:
        if find_layer(later.text) or later.quoted:
            break
        words.append(later.text)
    return Token(" ".join(words), key=token.key), index + len(words)


def _name_and_layers(names: Sequence[Token]) -> tuple[str, list[int]]:
    """Split `add`'s positional words into the tool's name and trailing layers.

    `/stack add Weights & Biases` needs no quotes, `/stack add vLLM inference` names a layer, and
    a catalog name wins over a layer alias inside it ("Ray Train").
    """
    catalog = load_catalog()
    words = [t.text for t in names]
    for cut in range(len(words), 0, -1):
        if catalog.find(" ".join(words[:cut])):
            # A known tool followed by words that should be layers: `add vLLM infrence`.
            return check_name(" ".join(words[:cut])), [
                n for w in words[cut:] for n in layer_list(w)
            ]
    for cut in range(1, len(words) + 1):
        rest = words[cut:]
        if all(not names[cut + i].quoted and is_layer_list(w) for i, w in enumerate(rest)):
            return check_name(" ".join(words[:cut])), [n for w in rest for n in layer_list(w)]
    raise AssertionError("the whole text is always a name")  # pragma: no cover


def _no_options(tokens: Sequence[Token], command: str) -> None:
    for token in tokens:
        if token.key is not None:
            raise Rejected("no_options", command=command, value=f"{token.key}:")


def _fields(options: Sequence[Token], today: date, *, allow_rename: bool = True) -> ToolFields:
    values: dict[str, object] = {}
    for token in options:
        key = KEYS[token.key or ""]
        if key == "name" and not allow_rename:
            raise Rejected("rename_on_add")
        if key in values:
            raise Rejected("repeated_key", value=token.key)
        values[key] = OPTION_PARSERS[key](token.text, today)
    return ToolFields(**values)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Near misses, for a caller to ask about before a record exists


@dataclass(frozen=True, slots=True)
class NearMiss:
    """What an `add` may have meant: `word` (as typed) nearly names `meant`. `name` and
    `layers` are the add as it would read with the correction, for the caller to offer (a
    button in Slack, the exact command in the terminal); nothing is changed here."""

    word: str
    meant: str
    name: str
    layers: tuple[int, ...]


def near_misses(command: Add) -> list[NearMiss]:
    """The near misses in an add the parser read as written: a name a letter or two from a
    catalog tool (`Pinecon`), or a last word a letter or two from a layer, read as part of the
    name (`Foo infrence`). Empty when the name is a catalog tool's."""
    catalog = load_catalog()
    if catalog.find(command.name):
        return []
    layers = command.fields.layers if isinstance(command.fields.layers, tuple) else ()
    found: list[NearMiss] = []
    entry = catalog.suggest(command.name)
    if entry is not None:
        found.append(NearMiss(command.name, entry.name, entry.name, layers))
    head, _, last = command.name.rpartition(" ")
    if head and find_layer(last) is None:
        guess = nearest(last, layer_names(), cutoff=0.85)
        layer = find_layer(guess) if guess else None
        if layer is not None:
            fixed = tuple(sorted({*layers, layer.number}))
            found.append(NearMiss(last, layer.key, head, fixed))
    return found
