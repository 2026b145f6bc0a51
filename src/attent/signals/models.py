"""Signals from other systems, their webhook sources, the organisation's rules and each rule's firings."""

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKeyConstraint, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from attent.core.db import Base, TenantMixin, str_enum


class SignalState(enum.StrEnum):
    """`pending`: waiting for the worker; `unmatched`: waiting for its customer; `evaluated`: done."""

    PENDING = "pending"
    UNMATCHED = "unmatched"
    EVALUATED = "evaluated"


class Signal(TenantMixin, Base):
    """One event from another system; `(source, external_id)` makes redelivery a no-op."""

    __tablename__ = "signals"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organisation_id", "customer_id"], ["customers.organisation_id", "customers.id"]
        ),
        UniqueConstraint("organisation_id", "source", "external_id"),
        Index(
            "ix_signals_evaluate_at",
            "evaluate_at",
            postgresql_where=text("evaluate_at IS NOT NULL"),
            sqlite_where=text("evaluate_at IS NOT NULL"),
        ),
        Index(
            "ix_signals_unmatched",
            "organisation_id",
            "ref_system",
            "ref_value",
            postgresql_where=text("customer_id IS NULL"),
            sqlite_where=text("customer_id IS NULL"),
        ),
        Index("ix_signals_customer", "organisation_id", "customer_id", "type", "occurred_at"),
    )

    type: Mapped[str] = mapped_column(String(80))
    source: Mapped[str] = mapped_column(String(40))
    external_id: Mapped[str | None] = mapped_column(String(200))
    customer_id: Mapped[uuid.UUID | None]
    ref_system: Mapped[str | None] = mapped_column(String(40))
    ref_value: Mapped[str | None] = mapped_column(String(120))
    occurred_at: Mapped[datetime]
    received_at: Mapped[datetime]
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state: Mapped[SignalState] = mapped_column(str_enum(SignalState))
    evaluate_at: Mapped[datetime | None]
    evaluated_at: Mapped[datetime | None]


class SignalSource(TenantMixin, Base):
    """A system that posts webhooks to /hooks/<org>.<name>; its secret is derived, never stored."""

    __tablename__ = "signal_sources"
    __table_args__ = (
        ForeignKeyConstraint(["organisation_id"], ["organisations.id"]),
        UniqueConstraint("organisation_id", "name"),
    )

    name: Mapped[str] = mapped_column(String(40))
    mapping: Mapped[dict[str, Any]] = mapped_column(default=dict)
    secret_salt: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class HookRejection(TenantMixin, Base):
    """A webhook refused for its signature or timestamp, kept so admins can see who knocked."""

    __tablename__ = "hook_rejections"
    __table_args__ = (
        ForeignKeyConstraint(["organisation_id"], ["organisations.id"]),
        Index("ix_hook_rejections_source", "organisation_id", "source", "at"),
    )

    source: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(String(60))
    remote: Mapped[str | None] = mapped_column(String(64))
    body_bytes: Mapped[int]


class RuleSet(Base):
    """The organisation's guard rails and own signal types; `version` tells workers to recompile."""

    __tablename__ = "rule_sets"
    __table_args__ = (ForeignKeyConstraint(["organisation_id"], ["organisations.id"]),)

    organisation_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    signal_types: Mapped[dict[str, Any]] = mapped_column(default=dict)
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime]
    updated_by_id: Mapped[uuid.UUID | None]


class Rule(TenantMixin, Base):
    """One rule as data; `paused_at` and `error` are set when an action failed at run time."""

    __tablename__ = "rules"
    __table_args__ = (
        ForeignKeyConstraint(["organisation_id"], ["organisations.id"]),
        UniqueConstraint("organisation_id", "key"),
    )

    key: Mapped[str] = mapped_column(String(60))
    position: Mapped[int]
    definition: Mapped[dict[str, Any]] = mapped_column(default=dict)
    active: Mapped[bool] = mapped_column(default=True)
    paused_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    deleted_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class FiringState(enum.StrEnum):
    """What became of a rule for one signal."""

    SCHEDULED = "scheduled"  # a delayed trigger, or waiting for its rule to be resumed
    FIRED = "fired"
    HELD = "held"  # a guard rail held it back (frequency cap, consent)
    SKIPPED = "skipped"  # a delayed rule's conditions no longer held when it fell due
    FAILED = "failed"  # an action failed; the rule is paused and this waits for its resumption
    WAITING = "waiting"  # arrived while its rule was paused


class RuleFiring(TenantMixin, Base):
    """At most one per (rule, signal): written in the transaction that does the rule's actions."""

    __tablename__ = "rule_firings"
    __table_args__ = (
        ForeignKeyConstraint(["organisation_id", "rule_id"], ["rules.organisation_id", "rules.id"]),
        ForeignKeyConstraint(["organisation_id", "signal_id"], ["signals.organisation_id", "signals.id"]),
        UniqueConstraint("organisation_id", "rule_id", "signal_id"),
        Index(
            "ix_rule_firings_due_at",
            "due_at",
            postgresql_where=text("due_at IS NOT NULL"),
            sqlite_where=text("due_at IS NOT NULL"),
        ),
        Index("ix_rule_firings_customer", "organisation_id", "customer_id", "contacted_at"),
        Index("ix_rule_firings_rule", "organisation_id", "rule_id", "state"),
    )

    rule_id: Mapped[uuid.UUID]
    signal_id: Mapped[uuid.UUID]
    customer_id: Mapped[uuid.UUID]
    state: Mapped[FiringState] = mapped_column(str_enum(FiringState))
    due_at: Mapped[datetime | None]
    fired_at: Mapped[datetime | None]
    contacted_at: Mapped[datetime | None]
    case_id: Mapped[uuid.UUID | None]
    reason: Mapped[str | None] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
