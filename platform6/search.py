"""Full-text search over what a person may see, pluggable by kind.

Every searchable thing is a row of `search_documents` (kind, ref_id, group, title, body, url);
SQLite matches it through the FTS5 table `search_fts`, PostgreSQL through the GIN-indexed
`search_vector` (both kept in step by triggers on write). Forums indexes discussions and
comments; another feature adds its own kind with `register_search_kind("poll", "Poll")` and
calls `index_document(...)` / `remove_document(...)` from its service. Search imports no feature: the caller
says which groups' documents the reader may see (groups.permissions.content_visible_group_ids).
"""

import re
from dataclasses import dataclass
from datetime import datetime
from html import unescape

import nh3
from markupsafe import Markup, escape
from sqlalchemy import (
    DDL,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    delete,
    event,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db
from .timeutil import utcnow


class SearchDocument(db.Model):
    """One searchable thing (a discussion, a comment, or another feature's kind) and the group that owns it.

    SQLite indexes `title` and `body` in the FTS5 table `search_fts` (kept in step by triggers);
    PostgreSQL keeps `search_vector` (GIN-indexed) in step on every write.
    """

    __tablename__ = "search_documents"
    __table_args__ = (
        UniqueConstraint("kind", "ref_id"),
        Index("ix_search_documents_search_vector", "search_vector", postgresql_using="gin"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "discussion", "comment", or a kind another feature registered ("poll", "request")
    kind: Mapped[str] = mapped_column(String(20))
    #: the id of the thing in its own table
    ref_id: Mapped[int]
    #: visibility follows this group (open: everyone; closed or secret: members); None: public
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300), default="")
    #: the page the hit opens, relative to the site
    url: Mapped[str] = mapped_column(String(500), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: PostgreSQL only: to_tsvector of title and body (NULL on SQLite, which uses FTS5)
    search_vector: Mapped[str | None] = mapped_column(TSVECTOR().with_variant(Text(), "sqlite"))


# The full-text machinery each database keeps beside `search_documents`, created with the table
# (tests' create_all) and by migration 0003. Triggers keep it in step on every write.
SQLITE_SEARCH_DDL = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, content='search_documents', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN "
    "INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); END",
    "CREATE TRIGGER search_documents_au AFTER UPDATE OF title, body ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); "
    "INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
)
SQLITE_SEARCH_DROP = (
    "DROP TRIGGER IF EXISTS search_documents_ai",
    "DROP TRIGGER IF EXISTS search_documents_ad",
    "DROP TRIGGER IF EXISTS search_documents_au",
    "DROP TABLE IF EXISTS search_fts",
)
POSTGRES_SEARCH_DDL = (
    "CREATE TRIGGER search_documents_vector BEFORE INSERT OR UPDATE OF title, body ON search_documents "
    "FOR EACH ROW EXECUTE FUNCTION tsvector_update_trigger(search_vector, 'pg_catalog.english', title, body)",
)
POSTGRES_SEARCH_DROP = ("DROP TRIGGER IF EXISTS search_documents_vector ON search_documents",)
#: tables the database makes for full-text search that the models do not describe (migration checks skip them)
UNMODELLED_TABLES = ("search_fts", "search_fts_data", "search_fts_idx", "search_fts_docsize", "search_fts_config")
db.metadata.info.setdefault("unmodelled_tables", set()).update(UNMODELLED_TABLES)


def _ddl(statements, dialect):
    return [DDL(sql).execute_if(dialect=dialect) for sql in statements]


for _stmt in _ddl(SQLITE_SEARCH_DDL, "sqlite") + _ddl(POSTGRES_SEARCH_DDL, "postgresql"):
    event.listen(SearchDocument.__table__, "after_create", _stmt)
for _stmt in _ddl(SQLITE_SEARCH_DROP, "sqlite") + _ddl(POSTGRES_SEARCH_DROP, "postgresql"):
    event.listen(SearchDocument.__table__, "before_drop", _stmt)


#: kind -> a label for people ("Thread", "Comment", "Poll"...)
SEARCH_KINDS: dict[str, str] = {}
MAX_QUERY = 200
_OPEN, _CLOSE = "\x02", "\x03"
_WORD = re.compile(r"\w+", re.UNICODE)


def register_search_kind(kind: str, label: str) -> None:
    SEARCH_KINDS[kind] = label


@dataclass(frozen=True)
class Hit:
    kind: str
    id: int
    title: str
    #: plain text around the match
    snippet: str
    #: the same, HTML-escaped, with the matched terms in <mark>
    snippet_html: Markup
    url: str
    group_id: int | None

    @property
    def label(self) -> str:
        return SEARCH_KINDS.get(self.kind, self.kind)


def index_document(
    *, kind: str, ref_id: int, group_id: int | None, title: str, body: str, url: str, created_at=None
) -> None:
    """Add or refresh the searchable text of one thing (the database's trigger updates its index)."""
    doc = db.session.scalar(select(SearchDocument).where(SearchDocument.kind == kind, SearchDocument.ref_id == ref_id))
    if doc is None:
        doc = SearchDocument(kind=kind, ref_id=ref_id)
        if created_at is not None:
            doc.created_at = created_at
        db.session.add(doc)
    doc.group_id, doc.title, doc.body, doc.url = group_id, title[:300], body, url[:500]
    db.session.flush()


def searchable_text(html: str) -> str:
    """The words of sanitised HTML, for the search index (tags gone, entities decoded)."""
    return " ".join(unescape(nh3.clean(html, tags=set())).split())


def remove_document(*, kind: str, ref_id: int) -> None:
    db.session.execute(delete(SearchDocument).where(SearchDocument.kind == kind, SearchDocument.ref_id == ref_id))


def move_documents(*, kind: str, ref_ids, group_id: int) -> None:
    """Point some documents at another group (a thread and its comments moved)."""
    db.session.execute(
        update(SearchDocument)
        .where(SearchDocument.kind == kind, SearchDocument.ref_id.in_(ref_ids))
        .values(group_id=group_id)
        .execution_options(synchronize_session=False)
    )


def terms_of(query: str) -> list[str]:
    """The words of a query (punctuation and operators dropped, so no input breaks the engine)."""
    return _WORD.findall(query.lower())[:12]


def _visibility(visible_groups, group_id: int | None, also_visible=None):
    clause = or_(SearchDocument.group_id.is_(None), SearchDocument.group_id.in_(visible_groups))
    if also_visible is not None:
        clause = or_(clause, also_visible)
    if group_id is not None:
        clause = SearchDocument.group_id == group_id
        clause = clause & SearchDocument.group_id.in_(visible_groups)
    return clause


def search(
    *,
    visible_groups,
    query: str,
    also_visible=None,
    group_id: int | None = None,
    kinds=None,
    limit: int = 20,
    offset: int = 0,
) -> list[Hit]:
    """The best matches in `visible_groups` (a select of the ids of groups whose content the reader may see),
    and among the documents `also_visible` (a condition on SearchDocument: the one thread a guest may read)
    when no group is asked for, best first (each word must match; the last may be a prefix)."""
    terms = terms_of(query[:MAX_QUERY])
    if not terms:
        return []
    dialect = db.session.get_bind().dialect.name
    where = _visibility(visible_groups, group_id, also_visible)
    if kinds:
        where = where & SearchDocument.kind.in_(list(kinds))
    if dialect == "postgresql":
        rows = _search_postgres(terms, where, limit, offset)
    else:
        rows = _search_sqlite(terms, where, limit, offset)
    return [_hit(*row) for row in rows]


#: past this many candidates, stop widening the window and filter every match by visibility in SQL
SQLITE_WINDOW_MAX = 5000


def _search_sqlite(terms, where, limit, offset):
    """Best-ranked candidates from FTS5 first (ORDER BY rank LIMIT), then the visible ones among them.

    Asking FTS5 alone keeps the planner from scanning search_documents by group and probing the
    index row by row; the window widens until enough visible hits are found or matches run out.
    When the caller may see few of very many matches, every match's id is filtered in SQL instead.
    """
    match = (" ".join(f'"{t}"' for t in terms[:-1]) + f' "{terms[-1]}"*').strip()
    wanted, window = offset + limit, max(200, (offset + limit) * 4)
    ranked = text("SELECT rowid, rank FROM search_fts WHERE search_fts MATCH :match ORDER BY rank LIMIT :window")
    while window <= SQLITE_WINDOW_MAX:
        candidates = db.session.execute(ranked, {"match": match, "window": window}).all()
        order = {rowid: position for position, (rowid, _) in enumerate(candidates)}
        visible = db.session.scalars(select(SearchDocument.id).where(SearchDocument.id.in_(list(order)), where)).all()
        if len(visible) >= wanted or len(candidates) < window:
            break
        window *= 5
    else:
        matches = text("SELECT rowid FROM search_fts WHERE search_fts MATCH :match").bindparams(match=match)
        visible = db.session.scalars(
            select(SearchDocument.id).where(SearchDocument.id.in_(matches.columns(db.column("rowid"))), where)
        ).all()
        ranks = text("SELECT rowid, rank FROM search_fts WHERE search_fts MATCH :match")
        order = dict(db.session.execute(ranks, {"match": match}).all())
    page = sorted(visible, key=order.__getitem__)[offset : offset + limit]
    docs = {doc.id: doc for doc in db.session.scalars(select(SearchDocument).where(SearchDocument.id.in_(page)))}
    return [(docs[i], _highlight_python(docs[i], terms)) for i in page]


#: PostgreSQL ranks the latest this-many visible matches (ts_rank reads every ranked row's tsvector)
POSTGRES_RANK_WINDOW = 1000


def _search_postgres(terms, where, limit, offset):
    """The GIN index finds matches; ts_rank orders the latest POSTGRES_RANK_WINDOW visible ones.

    Ranking every match of a common word (10,000 rows of 100,000) costs more than the whole
    50 ms budget, so relevance is judged among recent matches, which is what a forum wants.
    """
    tsquery = func.to_tsquery("english", " & ".join([*terms[:-1], terms[-1] + ":*"]))
    window = max(POSTGRES_RANK_WINDOW, offset + limit)
    recent = (
        select(SearchDocument.id, SearchDocument.search_vector)
        .where(SearchDocument.search_vector.op("@@")(tsquery), where)
        .order_by(SearchDocument.id.desc())
        .limit(window)
        .subquery()
    )
    page = db.session.scalars(
        select(recent.c.id)
        .order_by(func.ts_rank(recent.c.search_vector, tsquery).desc(), recent.c.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    docs = {doc.id: doc for doc in db.session.scalars(select(SearchDocument).where(SearchDocument.id.in_(page)))}
    return [(docs[i], _highlight_python(docs[i], terms)) for i in page]


def _highlight_python(doc: SearchDocument, terms: list[str]) -> str:
    """A window of the body (or title) around the first matching word, terms wrapped in markers."""
    source = doc.body or doc.title
    stems = [t[:5] if len(t) > 5 else t for t in terms]
    words = list(_WORD.finditer(source))
    first = next((i for i, w in enumerate(words) if w.group().lower().startswith(tuple(stems))), 0)
    start_word = max(0, first - 8)
    start = words[start_word].start() if words else 0
    end = words[min(len(words) - 1, first + 16)].end() if words else len(source)
    window = source[start:end]
    marked = re.sub(
        r"\w+",
        lambda m: f"{_OPEN}{m.group()}{_CLOSE}" if m.group().lower().startswith(tuple(stems)) else m.group(),
        window,
    )
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(source) else ""
    return prefix + " ".join(marked.split()) + suffix


def _hit(doc: SearchDocument, marked: str) -> Hit:
    plain = marked.replace(_OPEN, "").replace(_CLOSE, "")
    html = str(escape(marked)).replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>")
    return Hit(doc.kind, doc.ref_id, doc.title, plain, Markup(html), doc.url, doc.group_id)
