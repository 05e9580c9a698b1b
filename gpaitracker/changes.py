"""Change sets: which rows a write changed, by id, so a view refreshes only what changed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from gpaitracker.enums import Entity


@dataclass(frozen=True)
class Changes:
    """Rows changed by one write, by kind. `created` holds the rows the write added."""

    rows: frozenset[tuple[Entity, int]] = frozenset()
    created: tuple[tuple[Entity, int], ...] = ()
    notes: tuple[str, ...] = field(default=())

    @classmethod
    def of(
        cls,
        rows: Iterable[tuple[str, int]],
        created: Iterable[tuple[str, int]] = (),
        notes: Iterable[str] = (),
    ) -> Changes:
        return cls(
            frozenset((Entity(kind), rid) for kind, rid in rows),
            tuple((Entity(kind), rid) for kind, rid in created),
            tuple(notes),
        )

    def ids(self, kind: Entity) -> frozenset[int]:
        return frozenset(rid for k, rid in self.rows if k == kind)

    def created_id(self, kind: Entity) -> int:
        """The id of the first row of this kind the write created."""
        for k, rid in self.created:
            if k == kind:
                return rid
        raise LookupError(f"this change created no {kind.value}")

    def touches(self, kind: Entity) -> bool:
        return any(k == kind for k, _ in self.rows)

    def __bool__(self) -> bool:
        return bool(self.rows)

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            self.rows | other.rows, self.created + other.created, self.notes + other.notes
        )
