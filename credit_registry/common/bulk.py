"""Loading many new rows at once: PostgreSQL's ``COPY``, with ``bulk_create`` elsewhere.

``copy_create`` takes the same unsaved model objects ``bulk_create`` takes and leaves them in the
same state (each knows its primary key), several times faster: the ids are drawn from the
table's sequence in one query, then every row goes through one ``COPY ... FROM STDIN``. Values
of plain types (numbers, text, dates, decimals, booleans, ids) go to psycopg as they are; JSON
is wrapped, and ``auto_now``/``auto_now_add`` fields are filled as ``bulk_create`` would. Row
triggers fire as for any insert.

``copy_rows`` is the same for rows already reduced to values (a dict per row, by column
attribute name), for loads too large to build model objects for.
"""

from collections.abc import Iterable, Sequence
from contextlib import contextmanager

from django.db import connections, models, router
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils import timezone

try:
    from psycopg.copy import QueuedLibpqWriter
    from psycopg.types.json import Jsonb
except ImportError:  # pragma: no cover - only PostgreSQL uses it
    Jsonb = QueuedLibpqWriter = None


def _converter(field):
    if isinstance(field, models.JSONField):
        return lambda value: None if value is None else Jsonb(value)
    return None


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` new ids from the table's sequence (PostgreSQL), in increasing order."""
    connection = connections[router.db_for_write(model)]
    opts = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [opts.db_table, opts.pk.column, count],
        )
        return [pk for (pk,) in cursor.fetchall()]


def copy_rows(
    model: type[models.Model], rows: Iterable[dict], *, columns: Sequence[str] | None = None
) -> int:
    """COPY rows given as ``{attname: value}`` into the model's table; ``columns`` (attnames)
    default to every concrete field. PostgreSQL only."""
    connection = connections[router.db_for_write(model)]
    fields = [
        field
        for field in model._meta.concrete_fields
        if columns is None or field.attname in columns
    ]
    convert = [(field.attname, _converter(field)) for field in fields]
    quoted = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    count = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(
            f"COPY {table} ({quoted}) FROM STDIN", writer=QueuedLibpqWriter(cursor.cursor)
        ) as copy,
    ):
        for row in rows:
            copy.write_row([row[name] if to is None else to(row[name]) for name, to in convert])
            count += 1
    return count


def copy_create(model: type[models.Model], objects: Sequence[models.Model], *, batch_size=5000):
    objects = list(objects)
    if not objects:
        return objects
    alias = router.db_for_write(model)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return model._default_manager.using(alias).bulk_create(objects, batch_size=batch_size)
    fields = list(model._meta.concrete_fields)
    missing = [obj for obj in objects if obj.pk is None]
    for obj, pk in zip(missing, reserve_ids(model, len(missing)) if missing else [], strict=True):
        obj.pk = pk
    stamped = [
        f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    relations = [f for f in fields if f.many_to_one]
    for obj in objects:
        for field in stamped:
            field.pre_save(obj, True)
        for field in relations:  # a related object saved after this one was built
            if obj.__dict__[field.attname] is None:
                related = field.get_cached_value(obj, None)
                if related is not None:
                    obj.__dict__[field.attname] = related.pk
    copy_rows(model, (obj.__dict__ for obj in objects))  # a new object holds every attname
    for obj in objects:
        obj._state.adding = False
        obj._state.db = alias
    return objects


@contextmanager
def loading(*models_: type[models.Model]):
    """A large load into these tables, the way PostgreSQL's manual advises: their foreign keys,
    unique constraints and plain indexes are dropped first and built again at the end, each in
    one pass over the table (an index build, a validating join) instead of one step per row.
    Primary keys stay. Run inside a transaction: a duplicate or a dangling key fails the load
    when the constraints come back, and the whole load, the drop included, is rolled back.
    Elsewhere than PostgreSQL: nothing."""
    connection = connections[router.db_for_write(models_[0])]
    if connection.vendor != "postgresql":
        yield
        return
    tables = [model._meta.db_table for model in models_]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype IN ('f', 'u') AND conrelid::regclass::text = ANY(%s) "
            "ORDER BY contype DESC",  # unique ones last to drop, first to come back
            [tables],
        )
        keys = cursor.fetchall()
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            [tables],
        )
        indexes = cursor.fetchall()
        # Checks still pending from earlier in the transaction run now: a table with pending
        # trigger events cannot be altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, name, _ in keys:
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        for _, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in reversed(keys):
            cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # Django's keys are initially deferred
    analyze(*models_)


def insert_rows(model: type[models.Model], rows: Iterable[dict], *, ids: bool = True) -> list:
    """Insert rows given as ``{attname: value}`` (a field left out takes its default): ``COPY``
    on PostgreSQL, ``bulk_create`` elsewhere. For imports, whose rows are cleaned and validated
    before they come here. With ``ids``, their primary keys in the same order (drawn from the
    table's sequence first); without, the database numbers them, nothing is returned and the
    rows may come from a generator (a large load is never held in memory twice)."""
    pk = model._meta.pk
    fields = [f for f in model._meta.concrete_fields if f is not pk]
    defaults = {f.attname: f.get_default() for f in fields}
    stamped = [
        f.attname
        for f in fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    if stamped:  # filled as a save would fill them
        now = timezone.now()
        rows = ({**row, **{name: now for name in stamped if row.get(name) is None}} for row in rows)
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        objects = [model(**{**defaults, **row}) for row in rows]
        model._default_manager.bulk_create(objects, batch_size=1000)
        return [obj.pk for obj in objects] if ids else []
    if not ids:
        copy_rows(model, ({**defaults, **row} for row in rows), columns=list(defaults))
        return []
    rows = rows if isinstance(rows, Sequence) else list(rows)
    if not rows:
        return []
    numbers = reserve_ids(model, len(rows))
    copy_rows(
        model,
        ({**defaults, **row, pk.attname: i} for row, i in zip(rows, numbers, strict=True)),
    )
    return numbers


HISTORY_REASON = "批量导入"


def insert_history(model, rows: Sequence[dict], ids: Sequence[int], *, by, kind: str) -> None:
    """The django-simple-history entries of rows just written in bulk (which sends no signal):
    ``kind`` is ``+`` for created rows and ``~`` for changed ones, attributed to ``by``."""
    if not rows:
        return
    history = model.history.model
    fields = [f for f in history._meta.concrete_fields if not f.primary_key]
    entry = {f.attname: f.get_default() for f in fields}
    entry |= {
        "history_date": timezone.now(),
        "history_type": kind,
        "history_user_id": by.pk if by is not None else None,
        "history_change_reason": HISTORY_REASON,
    }
    pk = model._meta.pk.attname
    entries = ({**entry, **row, pk: ident} for row, ident in zip(rows, ids, strict=True))
    connection = connections[router.db_for_write(history)]
    if connection.vendor != "postgresql":
        history._default_manager.bulk_create([history(**e) for e in entries], batch_size=1000)
        return
    copy_rows(history, entries, columns=[f.attname for f in fields])


def where_in(queryset, name: str, values) -> models.QuerySet:
    """``queryset.filter(<name>__in=values)`` for a long list of values (a file's keys): on
    PostgreSQL one array parameter (``= ANY(%s)``) instead of one parameter per value, whose
    quoting is the slow part of a 100,000-value query."""
    values = list(values)
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return queryset.filter(**{f"{name}__in": values})
    opts = queryset.model._meta
    column = f"{connection.ops.quote_name(opts.db_table)}."
    column += connection.ops.quote_name(opts.get_field(name).column)
    return queryset.filter(RawSQL(f"{column} = ANY(%s)", (values,), output_field=BooleanField()))


def analyze(*models_: type[models.Model]) -> None:
    """Fresh planner statistics for tables a bulk load just filled (PostgreSQL; elsewhere
    nothing): until autovacuum gets round to them, a large load misleads the planner."""
    connection = connections[router.db_for_write(models_[0])]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models_:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
