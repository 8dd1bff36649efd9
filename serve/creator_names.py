"""Two creators can share a name (the sample has two Isla Browns, one approved and one in review): wherever the
report or the dashboard shows a creator by name, a name that more than one creator id has carries the id."""

from __future__ import annotations

import duckdb


def label_shared_names(con: duckdb.DuckDBPyConnection) -> None:
    """Shadow every mart of the connection's database that has ``creator_id`` and ``creator_name`` with a temporary
    view of the same name, whose ``creator_name`` is ``"<name> (<creator id>)"`` when any mart gives that name to
    more than one creator id. Queries read the marts as written and get the labels; the file is not changed."""
    db = con.execute("select current_database()").fetchone()[0]
    marts = [name for (name,) in con.execute("""
        select table_name from information_schema.columns
        where table_catalog = $db and table_schema = 'main' and column_name in ('creator_id', 'creator_name')
        group by table_name having count(*) = 2 order by table_name""", {"db": db}).fetchall()]
    if not marts:
        return
    every_name = " union all ".join(f'select creator_id, creator_name from "{db}".main."{mart}"' for mart in marts)
    con.execute(f"""create temp table shared_creator_names as
                    select creator_name from ({every_name})
                    group by creator_name having count(distinct creator_id) > 1""")
    for mart in marts:
        # The database's own table, by its catalog: inside a temp view of the same name, main.<mart> is the view.
        con.execute(f"""create temp view "{mart}" as
                        select * replace (case when creator_name in (select creator_name from shared_creator_names)
                                               then creator_name || ' (' || creator_id || ')'
                                               else creator_name end as creator_name)
                        from "{db}".main."{mart}" """)
