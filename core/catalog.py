"""The catalog of well-known AI infrastructure tools, read from catalog.toml and validated."""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal

from core.layers import CAPABILITIES, CAPABILITY_LAYER, LAYER_BY_KEY
from core.text import normalise

# How a team gets the tool: software it runs itself, or a service a vendor runs.
Kind = Literal["open-source", "managed-service"]
KINDS: tuple[Kind, ...] = ("open-source", "managed-service")
FIELDS = frozenset(
    {
        "key", "name", "aliases", "vendor", "kind", "platform", "layers", "capabilities",
        "secondary", "role", "sources",
    }
)  # fmt: skip
# What a tool is for where it runs: a production server, or a runner for a laptop or a dev box
# (Ollama). Asked when two tools do the same main jobs: the production one is kept.
ROLES = ("production", "local")
DEFAULT_PATH = Path(__file__).with_name("catalog.toml")
_KEY = re.compile(r"^[a-z0-9-]+$")


class CatalogError(ValueError):
    """The catalog file is wrong; the message names the entry and the field."""


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    key: str
    name: str
    aliases: tuple[str, ...]
    vendor: str
    kind: Kind
    platform: bool  # a multi-layer ML platform teams buy to cover several layers at once
    layers: tuple[int, ...]
    primary: tuple[str, ...]  # what teams buy or adopt it for
    secondary: tuple[str, ...]  # real features it also has, that nobody buys it for
    local: bool = False  # a runner for a laptop or a dev box, not a production server
    # capability -> the vendor's page that shows it (or shows it retired): the facts the
    # savings rest on, so anyone can check them
    sources: Mapping[str, str] = field(default_factory=dict)

    @property
    def capabilities(self) -> tuple[str, ...]:
        """Every capability it has, primary and secondary, in the order core/layers.py lists
        them: what a registered tool starts with."""
        return _in_order((*self.primary, *self.secondary))

    @property
    def description(self) -> str:
        """ "open-source platform", "managed service" ... as a person reads it."""
        return f"{'open-source' if self.kind == 'open-source' else 'managed'} " + (
            "platform" if self.platform else "tool" if self.kind == "open-source" else "service"
        )

    @property
    def sourcing(self) -> str:
        """How a team gets this tool when it does not say otherwise."""
        return "open-source" if self.kind == "open-source" else "buy"


class Catalog:
    def __init__(self, entries: tuple[CatalogEntry, ...]) -> None:
        self.entries = entries
        self.by_key = {entry.key: entry for entry in entries}
        self._by_name: dict[str, CatalogEntry] = {}
        for entry in entries:
            for name in (entry.name, *entry.aliases):
                other = self._by_name.setdefault(normalise(name), entry)
                if other is not entry:
                    raise CatalogError(
                        f"{entry.key}: the name {name!r} is also a name of {other.key}"
                    )

    def find(self, name: str) -> CatalogEntry | None:
        """The entry `name` names exactly, by its name or an alias, ignoring case and spacing."""
        return self._by_name.get(normalise(name))

    def suggest(self, name: str) -> CatalogEntry | None:
        """The entry whose name is closest to a misspelt `name`, if any is close."""
        # The names are keyed already: compared as they are, not normalised again per call.
        closest = difflib.get_close_matches(normalise(name), self._by_name, n=1, cutoff=0.75)
        return self._by_name[closest[0]] if closest else None


def parse_catalog(data: Mapping[str, Any]) -> Catalog:
    rows = data.get("tool")
    if not isinstance(rows, list) or not rows:
        raise CatalogError("the catalog has no [[tool]] entries")
    entries = tuple(_entry(index, row) for index, row in enumerate(rows, start=1))
    keys = [entry.key for entry in entries]
    if len(set(keys)) != len(keys):
        duplicated = sorted({key for key in keys if keys.count(key) > 1})
        raise CatalogError(f"keys used twice: {', '.join(duplicated)}")
    return Catalog(entries)


@lru_cache(maxsize=4096)
def split_capabilities(
    catalog_key: str | None, capabilities: tuple[str, ...]
) -> tuple[frozenset[str], frozenset[str], bool]:
    """A registered tool's primary and secondary capabilities, and whether the catalog calls it
    a platform. What a team gave a catalog tool beyond the catalog's secondary features is
    primary: the team said that is what it uses it for; so are the side features of a point
    tool given nothing else, but never a platform's. Cached: most tools of a large stack
    repeat a few catalog entries."""
    entry = load_catalog().by_key.get(catalog_key) if catalog_key else None
    given = frozenset(capabilities)
    if entry is None:
        return given, frozenset(), False
    secondary = given & frozenset(entry.secondary)
    # Only side features left: the team uses a point tool for those. Not a platform: it is
    # bought for its main jobs, and a side feature never makes it keep a point tool.
    if secondary == given and not entry.platform:
        return given, frozenset(), entry.platform
    return given - secondary, secondary, entry.platform


@cache
def load_catalog(path: Path = DEFAULT_PATH) -> Catalog:
    with path.open("rb") as file:
        return parse_catalog(tomllib.load(file))


def _entry(index: int, row: object) -> CatalogEntry:
    if not isinstance(row, dict):
        raise CatalogError(f"entry {index} is not a table")
    where = f"entry {index} ({row.get('key', '?')})"

    def text(field: str) -> str:
        value = row.get(field)
        if not isinstance(value, str) or not value.strip():
            raise CatalogError(f"{where}: {field} must be a non-empty string")
        return value

    def texts(field: str) -> tuple[str, ...]:
        value = row.get(field, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise CatalogError(f"{where}: {field} must be a list of strings")
        return tuple(value)

    unknown = set(row) - FIELDS
    if unknown:
        raise CatalogError(f"{where}: unknown fields {', '.join(sorted(unknown))}")
    key = text("key")
    if not _KEY.match(key):
        raise CatalogError(f"{where}: key must be lowercase letters, digits and dashes")
    kind = text("kind")
    if kind not in KINDS:  # narrows kind to Kind
        raise CatalogError(f"{where}: kind must be one of {', '.join(KINDS)}")
    layer_keys = texts("layers")
    if not layer_keys:
        raise CatalogError(f"{where}: layers must name at least one layer")
    missing = [k for k in layer_keys if k not in LAYER_BY_KEY]
    if missing:
        raise CatalogError(f"{where}: unknown layers {', '.join(missing)}")
    layers = tuple(sorted({LAYER_BY_KEY[k].number for k in layer_keys}))
    primary = texts("capabilities")
    if not primary:
        raise CatalogError(f"{where}: capabilities must name at least one primary capability")
    secondary = texts("secondary")
    both = sorted(set(primary) & set(secondary))
    if both:
        raise CatalogError(f"{where}: both primary and secondary: {', '.join(both)}")
    capabilities = (*primary, *secondary)
    unknown_caps = [c for c in capabilities if c not in CAPABILITY_LAYER]
    if unknown_caps:
        raise CatalogError(f"{where}: unknown capabilities {', '.join(unknown_caps)}")
    stray = [c for c in capabilities if CAPABILITY_LAYER[c] not in layers]
    if stray:
        raise CatalogError(f"{where}: capabilities outside its layers: {', '.join(stray)}")
    bare = [n for n in layers if not any(CAPABILITY_LAYER[c] == n for c in capabilities)]
    if bare:
        raise CatalogError(f"{where}: layers with no capability: {bare}")
    platform = row.get("platform", False)
    if not isinstance(platform, bool):
        raise CatalogError(f"{where}: platform must be true or false")
    if platform and len(layers) < 2:
        raise CatalogError(f"{where}: a platform covers at least two layers")
    role = row.get("role", "production")
    if role not in ROLES:
        raise CatalogError(f"{where}: role must be one of {', '.join(ROLES)}")
    sources = row.get("sources", {})
    if not isinstance(sources, dict) or not all(
        isinstance(v, str) and v.startswith("https://") for v in sources.values()
    ):
        raise CatalogError(f"{where}: sources must map capabilities to https:// addresses")
    strange = sorted(c for c in sources if c not in CAPABILITY_LAYER)
    if strange:
        raise CatalogError(f"{where}: sources for unknown capabilities {', '.join(strange)}")
    if platform:
        # A platform's main jobs are what it is claimed to replace: each needs the vendor's page.
        unsourced = [c for c in primary if c not in sources]
        if unsourced:
            raise CatalogError(
                f"{where}: a platform's main jobs are claimed as savings; sources needed for "
                f"{', '.join(unsourced)}"
            )
    return CatalogEntry(
        key=key,
        name=text("name"),
        aliases=texts("aliases"),
        vendor=text("vendor"),
        kind=kind,
        platform=platform,
        layers=layers,
        primary=_in_order(primary),
        secondary=_in_order(secondary),
        local=role == "local",
        sources=dict(sources),
    )


def _in_order(capabilities: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(set(capabilities), key=CAPABILITIES.index))
