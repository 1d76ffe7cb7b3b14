"""The Loomio import: a group export (reader.py) is mapped (mapping.py) and written here, flushed, never committed.

The whole file is read and checked first (reader.py), whichever of Loomio's two shapes it has
(the events shape of 2025 and before, today's topic shape, which the reader turns into the first):
a file with any unreadable or inconsistent line imports nothing. Tables are then written in
dependency order whatever their order in the file: users, groups (parents first), memberships,
discussions, comments (oldest first, so a reply finds its parent), polls with their poll_options,
stances with their stance_choices, anonymous ballots, outcomes, reactions. Every record is written
in a savepoint: a well-formed record that has no counterpart here (an unknown poll type, a ballot
that breaks its kind's rule...) leaves nothing behind and is reported as skipped with its reason
and line number. The summary (summary.py) says it all again in plain words for the admin.

Each imported record is remembered in `loomio_import_records` under the file's source (its top
Loomio group), so a second run of the same file imports nothing and reports every record as
"already imported". A later export of the same group adds what is new and brings what changed:
a vote changed since (the earlier one kept as the vote's history) and a comment edited since (the
earlier text kept as a version). Records are matched only within their source: another file naming
the same Loomio ids gets records of its own. A later file of a source already here may be imported
only by an admin of every group that source brought (`actor`), and it makes the named admin an
admin only of the groups it creates.

What becomes what:
- users: accounts with no usable password (accounts.service.create_unclaimed_user); each person
  claims theirs by asking for a password-reset link with the email Loomio had. An account that
  exists here with the same email is used as it is ("linked"). A deactivated user (Loomio keeps
  their votes and posts) is a stand-in account that can never sign in, under Loomio's name for
  them; bots get no account.
- groups: through groups.service.create_group, with the `admin` as their first admin; privacy from
  Loomio's visibility (hidden → secret, visible and joined on request → open, else closed).
- memberships: accepted ones (pending invitations are skipped), admins as admins; nobody is notified.
- discussions and comments: timestamps, closing and pinning kept; the reply structure comes from
  `comments.parent_id` (a reply to a vote becomes a top-level comment of the thread); a deleted
  comment is kept as deleted so its replies keep their place; a deleted thread is skipped. HTML
  bodies stay sanitised HTML; files stay on Loomio's server as links with their names
  (mapping.Files). Tags become the group's labels on their threads (the `tags` table gives their colours).
  Thread guests stay guests of their thread (forums.guests), unless Loomio revoked them.
- polls: see mapping.py for the kinds; the votes are the latest cast stances, and a stance they
  replaced becomes the vote's history; results are never copied: our tally counts the ballots.
  A poll past its closing time is imported closed (Loomio would have closed it then); a draft
  (no closing time) is imported closed when it was written, with no votes. `hide_results`
  until_closed hides results until the close; until_vote shows them to each voter once they voted
  (`results_after_vote`). An anonymous ballot (no voter in the file) is a vote of a stand-in voter.
- outcomes: the latest one becomes the poll's outcome; reactions: on comments only (ours take no others).
- events, notifications, read state (discussion_readers, but for guests), pictures, templates and join
  requests are skipped with their reason; no notification or email is sent for anything imported.
"""

from collections import defaultdict

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts import service as accounts_service
from ..accounts.models import User
from ..errors import DomainError, Forbidden, invalid
from ..extensions import db
from ..forums import guests as forums_guests
from ..forums import labels as forums_labels
from ..forums import service as forums_service
from ..forums.models import LABEL_MAX, Comment, Discussion
from ..governance import service as governance_service
from ..governance.models import Poll, Vote, VoteRevision
from ..groups import service as groups_service
from ..groups.models import Group
from ..groups.permissions import is_admin
from ..handles import HANDLE_RE
from ..import_lock import take_the_import_lock
from ..timeutil import utcnow
from .mapping import (
    Files,
    Mentions,
    PollPlan,
    Skip,
    ballot,
    emoji_for,
    one_line,
    parse_date,
    parse_time,
    plan_poll,
    rich_text,
)
from .models import ImportRecord, ImportSource
from .reader import NOT_IMPORTED, Line, Source, read_export
from .summary import ALREADY, Summary

#: tables read only as part of another record's row
PARTS = {"poll_options": ("polls", "poll_id"), "stance_choices": ("stances", "stance_id")}
#: why such a part is skipped, by the table of the record it belongs to
NOT_WITH_OWNER = {"polls": _l("its poll was not imported"), "stances": _l("its stance was not imported")}
STAND_IN = _l(
    "Deactivated Loomio accounts are stand-ins here who cannot sign in: their votes, comments and reactions "
    "count as they did in Loomio"
)
ANONYMOUS = _l("Anonymous ballots are votes of stand-in voters whom nobody can see: the poll's totals are Loomio's")
HTML = _l("Texts Loomio kept as HTML are kept as sanitised HTML (not converted to Markdown): they read as they did")
FILES = _l(
    "Files stay on the Loomio server: each is a link with its file name under its text (inline images too), "
    "which works while Loomio serves it"
)
VOTE_REPLY = _l("Replies to votes are comments in the poll's thread (comments here reply to comments only)")
#: the tables whose rows say who read a thread, and who was its guest
READERS = ("discussion_readers", "topic_readers")
GUESTS = _l(
    "Thread guests are guests of that one thread here: they read it, comment and vote in its polls, and see "
    "nothing else of the group (guests whose access Loomio had revoked are not)"
)
#: why a reaction to something other than a comment is skipped, by what it reacted to
REACTION_TARGETS = {
    "Discussion": _l("reactions to a thread's opening post: reactions here are on comments only"),
    "Poll": _l("reactions to a poll: reactions here are on comments only"),
    "Stance": _l("reactions to a vote: reactions here are on comments only"),
    "Outcome": _l("reactions to an outcome: reactions here are on comments only"),
}
OTHER_REACTION = _l("reactions to something other than a comment: reactions here are on comments only")
#: the records whose files are kept as links in their text (the files stay on the Loomio server)
LINKED_FILES = {"Discussion": "discussions", "Comment": "comments", "Poll": "polls", "Outcome": "outcomes"}
DRAFT = _l(
    "a draft in Loomio, never opened for votes: imported as a poll closed when it was written, "
    "with no votes, so nobody is asked to vote on it or notified"
)


def is_thread_guest(line: Line) -> bool:
    """A reader row that made someone a guest of a thread (Loomio's `guest` flag), revoked since or not."""
    record = line.record
    return line.table in READERS and bool(record.get("guest")) and record.get("discussion_id") is not None


class _Importer:
    def __init__(self, lines: list[Line], admin: User, source: ImportSource) -> None:
        self.admin = admin
        self.source = source
        self.now = utcnow()
        self.summary = Summary()
        self.by_table: dict[str, list[Line]] = defaultdict(list)
        for line in lines:
            self.by_table[line.table].append(line)
        self.records: dict[tuple[str, int], dict] = {(line.table, line.id): line.record for line in lines}
        earlier = db.session.execute(
            select(
                ImportRecord.source_table, ImportRecord.source_id, ImportRecord.local_table, ImportRecord.local_id
            ).where(ImportRecord.import_source_id == source.id)
        ).all()
        self.ids: dict[tuple[str, int], int] = {(table, sid): local_id for table, sid, _unused, local_id in earlier}
        #: (table, source id) -> the table of the row an earlier run made ("votes" or "vote_revisions" for a stance)
        self.local_tables = {(table, sid): local_table for table, sid, local_table, _record in earlier}
        self.parts: dict[str, dict[int, list[dict]]] = {}
        for part, (_label, key) in PARTS.items():
            grouped: dict[int, list[dict]] = defaultdict(list)
            for line in self.by_table.get(part, []):
                grouped[line.record.get(key)].append(line.record)
            self.parts[part] = grouped
        self.mentions = Mentions()
        self.files = Files()
        for line in self.by_table.get("attachments", []):
            self.files.add(line.record)
        self.plans: dict[int, PollPlan] = {}
        self.imported_now: dict[str, set[int]] = defaultdict(set)
        self.touched_polls: set[int] = set()
        self.holders: dict[int, set[int]] | None = None
        #: rows written or read by this run: (model, id) -> row
        self.rows: dict[tuple[type, int], object] = {}

    # --- plumbing -------------------------------------------------------------------------------

    def local(self, table: str, source_id) -> int | None:
        return self.ids.get((table, source_id))

    def row(self, model, local_id: int | None):
        """The row, held for the whole run (the session's identity map would let it go and read it again)."""
        if not local_id:
            return None
        if (model, local_id) not in self.rows:
            self.rows[(model, local_id)] = db.session.get(model, local_id)
        return self.rows[(model, local_id)]

    def each(self, table: str, lines: list[Line], write, update=None) -> None:
        """Write each record in its own savepoint; remember the row it became, or report why not.

        `write(line)` returns that row (with how it came across when not plainly imported: "linked",
        "stand-in", "existing") or raises Skip. A record an earlier run brought is handed to
        `update(line)`, which returns True when it changed it (a later export of the same source: a
        changed vote, an edited comment).
        """
        for line in lines:
            if (table, line.id) in self.ids:
                if update is not None and self.updated(table, line, update):
                    continue
                self.summary.skip(table, line.number, ALREADY)
                continue
            try:
                with db.session.begin_nested():
                    written = write(line)
                    written, how = written if isinstance(written, tuple) else (written, "imported")
                    db.session.add(
                        ImportRecord(
                            import_source_id=self.source.id,
                            source_table=table,
                            source_id=line.id,
                            local_table=written.__tablename__,
                            local_id=written.id,
                        )
                    )
                    db.session.flush()
            except Skip as reason:
                self.summary.skip(table, line.number, str(reason))
                continue
            except DomainError as err:
                self.summary.skip(table, line.number, err.message)
                continue
            except (KeyError, TypeError, ValueError) as err:
                raise invalid(
                    "file",
                    _(
                        "Nothing was imported: line %(line)d holds a value the import cannot read (%(error)r).",
                        line=line.number,
                        error=err,
                    ),
                ) from None
            self.ids[(table, line.id)] = written.id
            self.rows[(type(written), written.id)] = written
            self.imported_now[table].add(line.id)
            self.summary.imported(table, how)

    def updated(self, table: str, line: Line, update) -> bool:
        try:
            with db.session.begin_nested():
                changed = update(line)
        except (Skip, DomainError) as err:
            self.summary.skip(
                table,
                line.number,
                _("already imported; its later change was not: %(reason)s", reason=getattr(err, "message", err)),
            )
            return True
        if changed:
            self.summary.imported(table, "updated")
        return changed

    def text(self, record: dict, column: str, owner: str | None = None) -> tuple[str, str]:
        """A rich-text column as (source, html); `owner` ("Discussion"...) is the record's type for its files."""
        attached = self.files.by_record.get((owner, record.get("id")), []) if owner else []
        if record.get(f"{column}_format") == "html" and record.get(column):
            self.summary.mapped(HTML)
        if attached:
            self.summary.mapped(FILES)
        return rich_text(record.get(column), record.get(f"{column}_format"), self.mentions, self.files, attached)

    def author(self, record: dict, column: str) -> int | None:
        return self.local("users", record.get(column))

    # --- the run --------------------------------------------------------------------------------

    def run(self) -> dict:
        for table, lines in self.by_table.items():
            if table in NOT_IMPORTED:
                for line in lines:
                    linked = table == "attachments" and line.record.get("record_type") in LINKED_FILES
                    if not linked and not is_thread_guest(line):
                        self.summary.skip(table, line.number, NOT_IMPORTED[table])
        self.each("users", self.by_table["users"], self.user)
        self.learn_mentions()
        self.each("groups", self.groups_parents_first(), self.group)
        self.ensure_admin()
        self.each("memberships", self.by_table["memberships"], self.membership)
        self.each("tags", self.by_table["tags"], self.tag)
        self.each("discussions", self.by_table["discussions"], self.discussion)
        self.each("comments", self.oldest_first("comments"), self.comment, self.comment_edit)
        self.each("polls", self.by_table["polls"], self.poll)
        self.count_parts("poll_options", "polls")
        self.each("stances", self.stances_in_order(), self.stance, self.stance_change)
        self.count_parts("stance_choices", "stances")
        self.each("anonymous_ballots", self.by_table["anonymous_ballots"], self.stance)
        self.each("outcomes", self.by_table["outcomes"], self.outcome)
        self.each("reactions", self.by_table["reactions"], self.reaction)
        self.recount_polls()
        self.count_files()
        for table in READERS:
            self.each(table, [line for line in self.by_table.get(table, []) if is_thread_guest(line)], self.guest)
        return self.summary.as_dict(self.group_list())

    def count_parts(self, part: str, owner: str) -> None:
        for line in self.by_table.get(part, []):
            owner_id = line.record.get(PARTS[part][1])
            if owner_id in self.imported_now[owner]:
                self.summary.imported(part)
            elif (owner, owner_id) in self.ids:
                self.summary.skip(part, line.number, ALREADY)
            else:
                self.summary.skip(part, line.number, NOT_WITH_OWNER[owner])

    def count_files(self) -> None:
        for line in self.by_table.get("attachments", []):
            owner = LINKED_FILES.get(line.record.get("record_type"))
            if owner is None:
                continue
            if line.record.get("record_id") in self.imported_now[owner]:
                self.summary.imported("attachments", "as a link")
            elif (owner, line.record.get("record_id")) in self.ids:
                self.summary.skip("attachments", line.number, ALREADY)
            else:
                self.summary.skip(
                    "attachments",
                    line.number,
                    _("the thread, comment, poll or outcome it belongs to was not imported"),
                )

    def oldest_first(self, table: str) -> list[Line]:
        return sorted(self.by_table[table], key=lambda line: (str(line.record.get("created_at") or ""), line.id))

    # --- people ---------------------------------------------------------------------------------

    def user(self, line: Line):
        record = line.record
        if record.get("deactivated_at"):
            # Loomio keeps a deactivated person's votes and posts: so do we, by a stand-in who cannot sign in
            name = one_line(record.get("name"), 100) or "Deleted account"
            self.summary.mapped(STAND_IN)
            return accounts_service.placeholder_user(key=f"loomio{self.source.id}-u{line.id}", name=name), "stand-in"
        if record.get("bot"):
            raise Skip(_("a Loomio bot, not a person"))
        email = record.get("email")
        if not isinstance(email, str) or not email.strip():
            raise Skip(_("no email address, so nobody could claim the account"))
        existing = accounts_service.user_by_email(accounts_service.normalise_email(email))
        if existing is not None:
            return existing, "linked"
        username = str(record.get("username") or "").lower()
        name = one_line(record.get("name"), 100) or username or email.split("@")[0]
        user = accounts_service.create_unclaimed_user(email=email, name=name, handle=username)
        user.created_at = parse_time(record.get("created_at")) or user.created_at
        return user

    def learn_mentions(self) -> None:
        lines = [line for line in self.by_table["users"] if self.local("users", line.id)]
        local_ids = [self.local("users", line.id) for line in lines]
        handles = dict(db.session.execute(select(User.id, User.handle).where(User.id.in_(local_ids))).all())
        for line in lines:
            handle = handles.get(self.local("users", line.id))
            if handle:
                self.mentions.add(loomio_id=line.id, username=line.record.get("username"), handle=handle)

    # --- groups ---------------------------------------------------------------------------------

    def groups_parents_first(self) -> list[Line]:
        def depth(record: dict, seen: int = 0) -> int:
            parent = self.records.get(("groups", record.get("parent_id")))
            return seen if parent is None or seen > 10 else depth(parent, seen + 1)

        return sorted(self.by_table["groups"], key=lambda line: (depth(line.record), line.id))

    @staticmethod
    def privacy(record: dict, parent: Group | None) -> str:
        if (parent is not None and parent.privacy == "secret") or record.get("is_visible_to_public") is False:
            return "secret"
        return "open" if record.get("membership_granted_upon") == "request" else "closed"

    def group(self, line: Line):
        record = line.record
        parent_id = self.local("groups", record.get("parent_id"))
        parent = self.row(Group, parent_id)
        if record.get("parent_id") and parent is None:
            self.summary.note(line, _("its parent group is not in this import: imported as a top-level group"))
        handle = str(record.get("handle") or "").lower()
        source, html = self.text(record, "description", "Group")
        group = groups_service.create_group(
            actor=self.admin,
            name=one_line(record.get("name"), 100) or f"Loomio group {line.id}",
            handle=handle if HANDLE_RE.match(handle) and not groups_service.handle_taken(handle) else None,
            description=source,
            privacy=self.privacy(record, parent),
            parent_id=parent.id if parent else None,
            settings={
                "members_can_start_discussions": record.get("members_can_start_discussions", True) is not False,
                "members_can_raise_polls": record.get("members_can_raise_motions", True) is not False,
                "members_can_add_members": bool(record.get("members_can_add_members")),
                "members_can_create_subgroups": bool(record.get("members_can_create_subgroups")),
            },
        )
        group.description_html = html
        group.created_at = parse_time(record.get("created_at")) or group.created_at
        group.created_by_id = self.author(record, "creator_id") or self.admin.id
        return group

    def imported_group_ids(self) -> list[int]:
        return [gid for line in self.by_table["groups"] if (gid := self.local("groups", line.id))]

    def ensure_admin(self) -> None:
        """The named admin is an admin of every group this run created (of earlier ones only if they were already)."""
        created = [self.local("groups", loomio_id) for loomio_id in self.imported_now["groups"]]
        for group in db.session.scalars(select(Group).where(Group.id.in_(created))):
            groups_service.restore_membership(group=group, user_id=self.admin.id, role="admin")

    def group_list(self) -> list[dict]:
        ids = self.imported_group_ids()
        groups = {g.id: g for g in db.session.scalars(select(Group).where(Group.id.in_(ids)))}
        shown = [groups[i] for i in ids if i in groups]
        return [{"name": g.name, "handle": g.handle, "url": f"/groups/{g.handle}"} for g in shown]

    def membership(self, line: Line):
        record = line.record
        group_id = self.local("groups", record.get("group_id"))
        if group_id is None:
            raise Skip(_("its group was not imported"))
        user_id = self.local("users", record.get("user_id"))
        if user_id is None:
            raise Skip(_("the person was not imported"))
        if record.get("revoked_at"):
            raise Skip(_("the membership was revoked"))
        joined_at = parse_time(record.get("accepted_at"))
        if joined_at is None:
            raise Skip(_("an invitation that was never accepted"))
        found = groups_service.restore_membership(
            group=self.row(Group, group_id),
            user_id=user_id,
            role="admin" if record.get("admin") else "member",
            joined_at=joined_at,
        )
        return found

    # --- threads --------------------------------------------------------------------------------

    def discussion(self, line: Line):
        record = line.record
        group_id = self.local("groups", record.get("group_id"))
        if group_id is None:
            raise Skip(_("its group was not imported"))
        if record.get("discarded_at"):
            raise Skip(_("deleted in Loomio"))
        source, html = self.text(record, "description", "Discussion")
        discussion = forums_service.replay_discussion(
            group=self.row(Group, group_id),
            author_id=self.author(record, "author_id"),
            title=record.get("title"),
            description=source,
            description_html=html,
            pinned=bool(record.get("pinned_at")),
            closed_at=parse_time(record.get("closed_at")),
            created_at=parse_time(record.get("created_at")) or self.now,
            last_activity_at=parse_time(record.get("last_activity_at")),
        )
        tags = self.tags_of(record)
        if tags:
            forums_labels.replay_labels(discussion=discussion, names=tags)
            self.summary.mapped(
                _(
                    "The tags of the thread “%(title)s” (%(tags)s) are its labels",
                    title=discussion.title,
                    tags=", ".join(tags),
                )
            )
        return discussion

    def comment(self, line: Line):
        record = line.record
        discussion_id = self.local("discussions", record.get("discussion_id"))
        if discussion_id is None:
            raise Skip(_("its thread was not imported"))
        discussion = self.row(Discussion, discussion_id)
        parent = None
        if record.get("parent_type") == "Stance":
            self.summary.mapped(VOTE_REPLY)
        if record.get("parent_type") == "Comment":
            parent = self.row(Comment, self.local("comments", record.get("parent_id")))
            if parent is not None and parent.discussion_id != discussion.id:
                parent = None
        deleted_at = parse_time(record.get("discarded_at"))
        source, html = ("", "") if deleted_at else self.text(record, "body", "Comment")
        return forums_service.replay_comment(
            discussion=discussion,
            parent_id=parent.id if parent else None,
            author_id=self.author(record, "user_id"),
            body=source,
            body_html=html,
            created_at=parse_time(record.get("created_at")) or self.now,
            edited_at=parse_time(record.get("edited_at")),
            deleted_at=deleted_at,
        )

    @staticmethod
    def tags_of(record: dict) -> list[str]:
        tags = record.get("tags")
        return [one_line(tag, LABEL_MAX) for tag in tags if isinstance(tag, str) and tag.strip()] if tags else []

    def tag(self, line: Line):
        """A group's tag (the topic shape's `tags` table): a label of its group, in Loomio's colour."""
        record = line.record
        group_id = self.local("groups", record.get("group_id"))
        if group_id is None:
            raise Skip(_("its group was not imported"))
        label, new = forums_labels.replay_label(
            group=self.row(Group, group_id), name=one_line(record.get("name"), LABEL_MAX), colour=record.get("color")
        )
        return label, "imported" if new else "existing"

    def poll_tags(self, record: dict, poll: Poll) -> None:
        """A poll is labelled by its thread: its tags join the thread's labels, and a poll outside any thread's are told."""
        tags = self.tags_of(record)
        if not tags:
            return
        title = one_line(record.get("title"), 200)
        if poll.discussion_id is None:
            self.summary.left_behind(
                _(
                    "The tags of the poll “%(title)s” (%(tags)s): a poll here is labelled by its thread, and this "
                    "one is in none",
                    title=title,
                    tags=", ".join(tags),
                )
            )
            return
        discussion = self.row(Discussion, poll.discussion_id)
        forums_labels.replay_labels(discussion=discussion, names=tags)
        self.summary.mapped(
            _(
                "The tags of the poll “%(title)s” (%(tags)s) are labels of its thread “%(thread)s”",
                title=title,
                tags=", ".join(tags),
                thread=discussion.title,
            )
        )

    def guest(self, line: Line):
        """A thread guest (access to that one thread only); one whose access Loomio revoked is not."""
        record = line.record
        if record.get("revoked_at"):
            raise Skip(_("their guest access was revoked in Loomio"))
        discussion = self.row(Discussion, self.local("discussions", record.get("discussion_id")))
        if discussion is None:
            raise Skip(_("its thread was not imported"))
        user_id = self.author(record, "user_id")
        if user_id is None:
            raise Skip(_("the guest was not imported"))
        guest = forums_guests.replay_guest(
            discussion=discussion,
            user_id=user_id,
            invited_by_id=self.author(record, "inviter_id"),
            created_at=parse_time(record.get("accepted_at") or record.get("created_at")) or self.now,
        )
        self.summary.mapped(GUESTS)
        return guest

    def comment_edit(self, line: Line) -> bool:
        """An imported comment edited since: the later text, the earlier one kept as a version."""
        record = line.record
        comment = self.row(Comment, self.local("comments", line.id))
        edited_at = parse_time(record.get("edited_at"))
        if comment is None or comment.deleted or edited_at is None or edited_at == comment.edited_at:
            return False
        if record.get("discarded_at"):
            return False
        source, html = self.text(record, "body", "Comment")
        forums_service.replay_comment_edit(comment=comment, body=source, body_html=html, edited_at=edited_at)
        return True

    def reaction(self, line: Line):
        record = line.record
        if record.get("reactable_type") != "Comment":
            raise Skip(str(REACTION_TARGETS.get(record.get("reactable_type"), OTHER_REACTION)))
        comment = self.row(Comment, self.local("comments", record.get("reactable_id")))
        if comment is None:
            raise Skip(_("its comment was not imported"))
        user_id = self.local("users", record.get("user_id"))
        if user_id is None:
            raise Skip(_("the person was not imported"))
        return forums_service.replay_reaction(
            comment=comment,
            user_id=user_id,
            emoji=emoji_for(record.get("reaction")),
            created_at=parse_time(record.get("created_at")) or self.now,
        )

    # --- decisions ------------------------------------------------------------------------------

    def plan(self, poll_id: int) -> PollPlan:
        if poll_id not in self.plans:
            record = self.records.get(("polls", poll_id))
            if record is None:
                raise Skip(_("its poll is not in this export"))
            self.plans[poll_id] = plan_poll(record, self.parts["poll_options"].get(poll_id, []))
        return self.plans[poll_id]

    def poll(self, line: Line):
        record = line.record
        group_id = self.local("groups", record.get("group_id"))
        if group_id is None:
            raise Skip(_("its group was not imported"))
        if record.get("discarded_at"):
            raise Skip(_("deleted in Loomio"))
        plan = self.plan(line.id)
        created_at = parse_time(record.get("created_at")) or self.now
        closed_at = parse_time(record.get("closed_at"))
        closing_at = parse_time(record.get("closing_at"))
        if closed_at is None and closing_at is not None and closing_at <= self.now:
            closed_at = closing_at
        if closed_at is None and (closing_at is None or (record.get("opening_at") and not record.get("opened_at"))):
            # a draft (or a poll not yet opened) was never put to anyone: we have no drafts, so it
            # arrives closed when it was written, with no votes, and nobody is asked to vote or told
            closing_at = closed_at = created_at
            self.summary.note(line, DRAFT)
            self.summary.mapped(_("Poll “%(title)s”: %(note)s", title=one_line(record.get("title"), 200), note=DRAFT))
        closing_at = closing_at or closed_at
        source, html = self.text(record, "details", "Poll")
        poll = governance_service.replay_poll(
            group=self.row(Group, group_id),
            discussion_id=self.local("discussions", record.get("discussion_id")),
            author_id=self.author(record, "author_id"),
            kind=plan.kind,
            title=record.get("title"),
            details=source,
            details_html=html,
            options=plan.options,
            settings=plan.settings,
            anonymous=bool(record.get("anonymous")),
            hide_results=record.get("hide_results") == "until_closed",
            results_after_vote=record.get("hide_results") == "until_vote",
            voter_ids=sorted(self.stance_holders(line.id)) if record.get("specified_voters_only") else None,
            created_at=created_at,
            closing_at=closing_at,
            closed_at=closed_at,
        )
        self.poll_tags(record, poll)
        if plan.note:
            self.summary.note(line, plan.note)
            self.summary.mapped(
                _("Poll “%(title)s”: %(note)s", title=one_line(record.get("title"), 200), note=plan.note)
            )
        self.touched_polls.add(poll.id)
        return poll

    def stance_holders(self, poll_id: int) -> set[int]:
        """People here with a current Loomio stance on the poll (cast or undecided): its voters."""
        if self.holders is None:
            self.holders = defaultdict(set)
            for line in self.by_table["stances"]:
                record = line.record
                uid = self.local("users", record.get("participant_id"))
                if uid and record.get("latest") and not record.get("revoked_at"):
                    self.holders[record.get("poll_id")].add(uid)
        return self.holders[poll_id]

    def stances_in_order(self) -> list[Line]:
        """Current stances first, then the ones they replaced, newest first (each becomes the next older revision)."""
        stances = self.by_table["stances"]
        older = [line for line in stances if not line.record.get("latest")]
        older.sort(key=lambda line: str(line.record.get("cast_at") or ""), reverse=True)
        return [line for line in stances if line.record.get("latest")] + older

    def stance(self, line: Line):
        record = line.record
        poll_id = self.local("polls", record.get("poll_id"))
        if poll_id is None:
            raise Skip(_("its poll was not imported"))
        if record.get("revoked_at"):
            raise Skip(_("withdrawn in Loomio"))
        cast_at = parse_time(record.get("cast_at"))
        if cast_at is None:
            raise Skip(_("undecided: never voted"))
        if record.get("participant_id") is None and self.records.get(("polls", record["poll_id"]), {}).get("anonymous"):
            if record["poll_id"] not in self.imported_now["polls"]:
                raise Skip(_("an anonymous ballot arrives only with its poll"))
            # Loomio forgets who cast an anonymous ballot: a stand-in voter per ballot keeps it counted
            user_id = accounts_service.placeholder_user(
                key=f"loomio{self.source.id}-b{line.id}", name="Anonymous voter"
            ).id
            self.summary.mapped(ANONYMOUS)
        else:
            user_id = self.local("users", record.get("participant_id"))
        if user_id is None:
            raise Skip(_("the voter was not imported"))
        plan = self.plan(record["poll_id"])
        given = record["_choices"] if "_choices" in record else self.parts["stance_choices"].get(line.id, [])
        choices = ballot(plan, given, none_of_the_above=bool(record.get("none_of_the_above")))
        reason, reason_html = self.text(record, "reason")
        if plan.kind == "question" and not reason:
            raise Skip(_("a question's answer is its reason, and this one has none"))
        if not record.get("latest"):
            vote = db.session.scalar(select(Vote).where(Vote.poll_id == poll_id, Vote.user_id == user_id))
            if vote is None:
                raise Skip(_("replaced by a later vote that was not imported"))
            older = db.session.scalar(
                select(VoteRevision.cast_at).where(VoteRevision.vote_id == vote.id).order_by(VoteRevision.cast_at)
            )
            return governance_service.replay_vote_revision(
                vote=vote, choices=choices, reason=reason, cast_at=cast_at, replaced_at=older or vote.created_at
            )
        earlier = db.session.scalar(select(Vote).where(Vote.poll_id == poll_id, Vote.user_id == user_id))
        if earlier is not None:  # a later export: the person voted again, as a new Loomio stance
            self.touched_polls.add(poll_id)
            return governance_service.replay_vote_change(
                vote=earlier, choices=choices, reason=reason, reason_html=reason_html, cast_at=cast_at
            )
        vote = governance_service.replay_vote(
            poll=self.row(Poll, poll_id),
            user_id=user_id,
            choices=choices,
            reason=reason,
            reason_html=reason_html,
            cast_at=cast_at,
        )
        self.touched_polls.add(poll_id)
        return vote

    def stance_change(self, line: Line) -> bool:
        """An imported current vote its person changed since (Loomio updates the stance row in place)."""
        record = line.record
        if self.local_tables.get(("stances", line.id)) != "votes" or not record.get("latest"):
            return False
        if record.get("revoked_at") or record.get("cast_at") is None:
            return False
        vote = self.row(Vote, self.local("stances", line.id))
        cast_at = parse_time(record.get("cast_at"))
        plan = self.plan(record["poll_id"])
        choices = ballot(plan, self.parts["stance_choices"].get(line.id, []), bool(record.get("none_of_the_above")))
        reason, reason_html = self.text(record, "reason")
        if vote is None or (cast_at == vote.created_at and choices == vote.choices):
            return False
        governance_service.replay_vote_change(
            vote=vote, choices=choices, reason=reason, reason_html=reason_html, cast_at=cast_at
        )
        self.touched_polls.add(vote.poll_id)
        return True

    def outcome(self, line: Line):
        record = line.record
        poll_id = self.local("polls", record.get("poll_id"))
        if poll_id is None:
            raise Skip(_("its poll was not imported"))
        if record.get("latest") is False:
            raise Skip(_("replaced by a later outcome"))
        statement, statement_html = self.text(record, "statement", "Outcome")
        if not statement:
            raise Skip(_("the outcome says nothing"))
        option = None
        if record.get("poll_option_id") is not None:
            option = self.plan(record["poll_id"]).names.get(record["poll_option_id"])
        return governance_service.replay_outcome(
            poll=self.row(Poll, poll_id),
            statement=statement,
            statement_html=statement_html,
            option=option,
            review_on=parse_date(record.get("review_on")),
            author_id=self.author(record, "author_id"),
            at=parse_time(record.get("created_at")) or self.now,
        )

    def recount_polls(self) -> None:
        """voters_count from the imported ballots; a closed poll's eligible count frozen at its Loomio voters."""
        by_poll = {self.local("polls", line.id): line.id for line in self.by_table["polls"]}
        for poll in db.session.scalars(select(Poll).where(Poll.id.in_(self.touched_polls))):
            if poll.closed_at is not None and by_poll.get(poll.id) in self.imported_now["polls"]:
                electorate = len(self.stance_holders(by_poll[poll.id]))
            else:  # a closed poll of an earlier run keeps the electorate it was given then
                electorate = poll.eligible_count
            governance_service.replay_counts(poll=poll, eligible_count=electorate)


def _source_for(source: Source, actor: User) -> ImportSource:
    """The file's source, new or known; a known one only for an admin of every group it brought that is still here."""
    found = db.session.scalar(
        select(ImportSource).where(
            ImportSource.loomio_group_id == source.group_id, ImportSource.loomio_group_key == source.group_key
        )
    )
    if found is None:
        found = ImportSource(loomio_group_id=source.group_id, loomio_group_key=source.group_key)
        db.session.add(found)
        db.session.flush()
        return found
    brought = select(ImportRecord.local_id).where(
        ImportRecord.import_source_id == found.id, ImportRecord.source_table == "groups"
    )
    for group in db.session.scalars(select(Group).where(Group.id.in_(brought)).order_by(Group.id)):
        if not is_admin(actor, group):
            raise Forbidden(
                _(
                    "This Loomio group was imported here before, as %(name)s (@%(handle)s) and its subgroups: only "
                    "an admin of each of them may import a later export of it. Nothing was imported.",
                    name=group.name,
                    handle=group.handle,
                )
            )
    return found


def import_export(*, data: bytes, admin: User, actor: User) -> dict:
    """Import a Loomio group export (its bytes) with `admin` as an admin of the groups it creates; the summary.

    `actor` is who runs it (on the page the signed-in site admin; the CLI runs as `admin`). Raises
    ValidationFailed (field "file") naming the first bad line when any line is unreadable or
    inconsistent (nothing is written), and Forbidden when the file's source was imported before
    and `actor` is not an admin of each of its groups here. Flushes; the caller commits once (or rolls back).
    """
    export = read_export(data)
    take_the_import_lock()
    source = _source_for(export.source, actor)
    summary = _Importer(export.lines, admin, source).run()
    summary["admin"] = admin.email
    return summary
