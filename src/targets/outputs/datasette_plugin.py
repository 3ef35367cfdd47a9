"""A Datasette plugin loaded by `targets browse`: Chinese full-text search.

Datasette turns a search into an FTS query with its SQL function `escape_fts`. The database
indexes each Chinese character as a word (see database.py), so 风电 must become the phrase
"风 电": this plugin registers its own `escape_fts`, after Datasette's (trylast), which it
replaces on every connection.
"""
from __future__ import annotations

from datasette import hookimpl

from targets.outputs.database import fts_query


@hookimpl(trylast=True)
def prepare_connection(conn) -> None:
    conn.create_function("escape_fts", 1, fts_query)
