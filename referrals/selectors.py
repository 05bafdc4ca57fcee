"""Who sees which referral. The sending side: the person who sent it, her supervisor, the
case's owner and the agency admin; for a restricted case only those of them named on it. The
receiving side: the receiving agency's case workers and admin, once it has been sent; of a
restricted case they learn which case it is only when named on it. One SQL filter on indexed
columns."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import Http404

from accounts.choices import Role
from accounts.models import Agency, User
from cases.models import Case, CaseNamedUser, CaseNote, CaseService
from core.compiled import CompiledQuery
from core.ids import as_id
from core.pagination import ReadByWindows
from referrals.choices import ANSWERING_ROLES, ReferralDirection, ReferralStatus
from referrals.custody import CUSTODY_SERVICES
from referrals.models import CustodyTransfer, Referral

RECEIVING_ROLES = frozenset({Role.SUPERVISOR, Role.SOCIAL_WORKER, Role.AGENCY_ADMIN})


def _named_on_case(user: User) -> Exists:
    return Exists(CaseNamedUser.objects.filter(case_id=OuterRef("case_id"), user_id=user.pk))


def referrals_visible_to(user: User, *, direction: str | None = None) -> QuerySet[Referral]:
    """The referrals ``user``'s side may read, each annotated with ``reader_named`` (whether
    the reader is named on its case, which decides what a restricted case's referral shows).

    ``direction`` (a ReferralDirection) keeps one side only. A referral is between two
    agencies (a constraint), so each side is one branch of the condition; asking for that
    branch alone, not for both narrowed by agency, lets the planner see how many rows it will
    find and walk the side's index in the list's order, stopping at the page's end."""
    if not user.is_active or user.agency_id is None:
        return Referral.objects.none()
    sending = Q(from_agency_id=user.agency_id)
    if user.role != Role.AGENCY_ADMIN:
        # Sent by her or someone she supervises, or of a case she holds: each a short list of
        # ids hashed once and looked up as the agency's date index is walked, never a join of
        # the agency's referrals (a provincial office sends tens of thousands) with every
        # case and person to test them.
        sending &= (
            Q(created_by_id=user.pk)
            | Q(created_by_id__in=User.objects.filter(supervisor_id=user.pk).values("id"))
            | Q(case_id__in=Case.objects.filter(owner_id=user.pk).values("id"))
        )
    # A restricted case's referral would tell the sender's colleagues what the case hides from
    # them (the child, the concerns, the reason): on that side only the people named see it.
    sending &= Q(case__restricted=False) | Q(reader_named=True)
    receiving = (
        Q(to_agency_id=user.agency_id) & ~Q(status=ReferralStatus.PENDING_APPROVAL)
        if user.role in RECEIVING_ROLES
        else None
    )
    if direction == ReferralDirection.OUTGOING:
        visible = sending
    elif direction == ReferralDirection.INCOMING:
        if receiving is None:
            return Referral.objects.none()
        visible = receiving
    else:
        visible = sending if receiving is None else sending | receiving
    return _as_read_by(user).filter(visible)


def _as_read_by(user: User) -> QuerySet[Referral]:
    return Referral.objects.annotate(reader_named=_named_on_case(user))


def _listed(referrals: QuerySet[Referral], columns: Sequence[str] | None) -> QuerySet[Referral]:
    if columns is None:
        return referrals.select_related("case__child", "from_agency", "to_agency", "created_by")
    return referrals.select_related("case__child", "created_by").only(*columns)


def referral_list(
    *, user: User, direction: str | None = None, columns: Sequence[str] | None = None
) -> QuerySet[Referral]:
    """The referrals ``user`` sees; a page of them reads its cases' concerns in one query
    (cases.prefetched.load_details). With ``columns`` (as ``only()`` names them), those alone
    of the referral, its case, child and creator: the agencies are then not joined."""
    return _listed(referrals_visible_to(user, direction=direction), columns)


NEWEST_FIRST = ("-created_at", "-id")


class BothSides(ReadByWindows[Referral]):
    """What a side sent and what it received, newest first, for the list that asks for no
    direction.

    One condition with both sides OR'd cannot be read in date order from either side's index:
    PostgreSQL reads every referral of the agency, both ways, and sorts them (over a second
    for a provincial office). The sides never share a referral (a referral is between two
    agencies), so a window of the list is the same window of the two sides' heads merged:
    each head is read from its own index and stops at the window's end, the ids of the window
    are merged in SQL, and the window's rows are read whole from ``rows``."""

    def __init__(self, sides: Sequence[QuerySet[Referral]], rows: QuerySet[Referral]) -> None:
        # ``rows`` need not repeat the visibility condition: the window's ids come from the
        # sides, which hold it; re-planning it made the statement slower to plan than to run.
        self.sides = [side for side in sides if not side.query.is_empty()]
        self.rows = rows

    def __len__(self) -> int:
        return sum(side.count() for side in self.sides)

    def between(self, start: int, stop: int) -> list[Referral]:
        return list(self.window(start, stop))

    def window(self, start: int, stop: int) -> QuerySet[Referral]:
        """The rows from ``start`` to ``stop`` of the list, as one statement."""
        if not self.sides:
            return Referral.objects.none()
        if len(self.sides) < 2:
            # Only one side may hold any (a police officer's agency receives none).
            return self.sides[0].order_by(*NEWEST_FIRST)[start:stop]
        # Each side's head to the window's end, as one list of ids (at most twice the window),
        # then the window of it in date order, read whole.
        heads = [side.order_by(*NEWEST_FIRST).values("id")[:stop] for side in self.sides]
        return self.rows.filter(pk__in=heads[0].union(*heads[1:], all=True)).order_by(
            *NEWEST_FIRST
        )[start:stop]


def referral_list_both(
    *, user: User, sides: Sequence[QuerySet[Referral]], columns: Sequence[str] | None = None
) -> BothSides:
    """Both sides' lists, ``sides`` being :func:`referral_list` of each direction as the
    caller narrowed it (its filters, the same ``columns``), newest first."""
    return BothSides(sides, rows=_listed(_as_read_by(user), columns))


class SideAndStatusList(ReadByWindows[Referral]):
    """The list of one side, or of both, with at most a status asked: every list of referrals
    asked now (a filter added later goes to the FilterSet). Its windows are compiled once a
    process for each shape (core.compiled): building the sides' conditions and compiling them
    again took more of a request's Python than reading and writing the page. The statement is
    the one :func:`referral_list`, :class:`BothSides` and the status filter make, with the
    caller's values bound."""

    def __init__(
        self, *, user: User, direction: str | None, status: str | None, columns: Sequence[str]
    ) -> None:
        self.user, self.direction, self.status = user, direction, status
        self.columns = tuple(columns)

    def __len__(self) -> int:
        raise TypeError("This list is read by windows, never counted.")

    def between(self, start: int, stop: int) -> list[Referral]:
        user = self.user
        reads = bool(user.is_active and user.agency_id is not None)
        shape = _Shape(user.role, reads, self.direction, self.status is not None, self.columns)
        statement = _window_statement(shape, start, stop)
        if statement is None:
            return []
        values: dict[str, Any] = {"user_id": user.pk, "agency_id": user.agency_id}
        if self.status is not None:
            values["status"] = self.status
        return cast(list[Referral], statement.instances(**values))


@dataclass(frozen=True)
class _Shape:
    """What decides the statement of a list of a side and a status: its values aside, the
    same for everyone of a role."""

    role: str
    reads: bool  # active, with an agency
    direction: str | None
    with_status: bool
    columns: tuple[str, ...]

    def build(self, start: int, stop: int) -> Callable[..., QuerySet[Referral]]:
        def window(user_id: int, agency_id: int, status: str = "") -> QuerySet[Referral]:
            reader = User(
                pk=user_id,
                agency_id=agency_id if self.reads else None,
                role=self.role,
                is_active=self.reads,
            )
            directions = ReferralDirection.values if self.direction is None else [self.direction]
            sides = [
                referral_list(user=reader, direction=direction, columns=self.columns)
                for direction in directions
            ]
            if self.with_status:
                sides = [side.filter(status=status) for side in sides]
            return referral_list_both(user=reader, sides=sides, columns=self.columns).window(
                start, stop
            )

        return window


# The windows of the first pages are nearly all that is asked; a later one is compiled when
# asked and kept while asked.
@lru_cache(maxsize=256)
def _window_statement(shape: _Shape, start: int, stop: int) -> CompiledQuery | None:
    """None for a shape that reads nothing (an inactive reader, a side a role has none of)."""
    build = shape.build(start, stop)
    if build(user_id=0, agency_id=0).query.is_empty():
        return None
    kinds: dict[str, Any] = {"user_id": int, "agency_id": int}
    if shape.with_status:
        kinds["status"] = str
    return CompiledQuery(build, **kinds)


def referral_detail(*, user: User, referral_id: int | str) -> Referral:
    """One referral ``user``'s side may read; Http404 otherwise, as for one that does not
    exist. Its two agencies are read first, by key, so that only the reader's side is tested:
    the sending side's condition reads the reader's held cases and team, which a referral
    received has no use for."""
    pk = as_id(referral_id)
    if pk is None:
        raise Http404("No such referral.")
    agencies = Referral.objects.filter(pk=pk).values_list("from_agency_id", "to_agency_id").first()
    if agencies is None or user.agency_id not in agencies:
        raise Http404("No such referral.")
    sent = user.agency_id == agencies[0]
    direction = ReferralDirection.OUTGOING if sent else ReferralDirection.INCOMING
    referral = referral_list(user=user, direction=direction).filter(pk=pk).first()
    if referral is None:
        raise Http404("No such referral.")
    return referral


def receiver_contributions(referral: Referral) -> tuple[list[CaseNote], list[CaseService]]:
    """What the receiving agency recorded on the case: after the referral ends it sees this,
    and no more of the case."""
    notes = CaseNote.objects.filter(case_id=referral.case_id, agency_id=referral.to_agency_id)
    services = CaseService.objects.filter(case_id=referral.case_id, agency_id=referral.to_agency_id)
    return list(notes), list(services)


def referrals_to_answer(*, user: User) -> QuerySet[Referral]:
    """Referrals sent to the user's agency and not answered yet, for those who answer them;
    the soonest deadline first. Nothing of the child is read."""
    if user.role not in ANSWERING_ROLES:
        return Referral.objects.none()
    return (
        referrals_visible_to(user, direction=ReferralDirection.INCOMING)
        .filter(status=ReferralStatus.SENT)
        .select_related("from_agency")
        .order_by(F("respond_by").asc(nulls_last=True), "created_at", "id")
    )


def receiving_workers(*, referral: Referral) -> QuerySet[User]:
    """Who the child may be given to on acceptance (``referral_accept`` checks the same)."""
    return User.objects.filter(
        is_active=True, agency_id=referral.to_agency_id, role__in=ANSWERING_ROLES
    ).order_by("full_name", "username")


def custody_transfers_of(case: Case) -> QuerySet[CustodyTransfer]:
    """The custody transfers of a case the caller opened with its placements section."""
    return CustodyTransfer.objects.filter(case=case)


def referrals_of(case: Case) -> QuerySet[Referral]:
    """Every referral of ``case``, for a caller who opened the case."""
    return Referral.objects.filter(case=case)


def custody_agencies() -> QuerySet[Agency]:
    """The agencies custody may go to: active, offering shelter or alternative care."""
    return (
        Agency.objects.filter(is_active=True, service_rows__service_id__in=CUSTODY_SERVICES)
        .distinct()
        .order_by("name")
    )
