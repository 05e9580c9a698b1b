"""Reading the register back for comparisons."""

from gpaitracker.services import interchange_reads, queries


def items(ws):
    """Every item by key: the fields an import may change, plus its newest comment."""
    data = ws.read(interchange_reads.snapshot, with_evidence=False)
    return {
        r.key: {
            "owner": r.owner,
            "reviewer": r.reviewer,
            "due": r.due,
            "status": r.status.value,
            "priority": r.priority.value,
            "note": data.notes.get(r.id, ""),
        }
        for r in data.items
    }


def rows(ws):
    return ws.read(queries.list_rows, filters=queries.Filters(include_inactive=True))
