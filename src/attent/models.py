"""Every ORM model, imported in one place for Alembic and the drift test."""

from attent.agents.models import Agent, ApiToken, Team, TeamMembership
from attent.agents.sso.models import OidcProvider
from attent.cases.models import Case, CaseTag, CaseViewer, Note, Tag, TeamAssignment
from attent.channels.models import OutboundMessage
from attent.coach.models import ContactScorecard, PromiseProposal, ScoredVerdict, ScoringDue
from attent.contacts.models import Contact, Message
from attent.core.access import AccessEntry
from attent.core.db import Base
from attent.core.idempotency import IdempotencyRecord
from attent.core.queue import Job
from attent.core.setaside import SetAside
from attent.customers.models import Customer, CustomerRef
from attent.files.models import Attachment
from attent.insight.models import DailyFigure, RollupState, Survey
from attent.mailboxes.models import CaseReference, InboundMail, Mailbox
from attent.notifications.models import Notification
from attent.organisations.models import Organisation
from attent.phone.models import Call, CallEvent, PhoneLine
from attent.playbooks.models import Playbook, PlaybookStep
from attent.portal.models import CustomerSession, FormSubmission, SignInLink
from attent.promises.models import Promise
from attent.recovery.models import CheckIn, Gesture
from attent.signals.models import HookRejection, Rule, RuleFiring, RuleSet, Signal, SignalSource
from attent.timeline.models import TimelineEvent
from attent.workspace.models import CannedReply, SavedView

__all__ = [
    "AccessEntry",
    "Agent",
    "ApiToken",
    "Attachment",
    "Base",
    "Call",
    "CallEvent",
    "CannedReply",
    "Case",
    "CaseReference",
    "CaseTag",
    "CaseViewer",
    "CheckIn",
    "Contact",
    "ContactScorecard",
    "Customer",
    "CustomerRef",
    "CustomerSession",
    "DailyFigure",
    "FormSubmission",
    "Gesture",
    "HookRejection",
    "IdempotencyRecord",
    "InboundMail",
    "Job",
    "Mailbox",
    "Message",
    "Note",
    "Notification",
    "OidcProvider",
    "Organisation",
    "OutboundMessage",
    "PhoneLine",
    "Playbook",
    "PlaybookStep",
    "Promise",
    "PromiseProposal",
    "RollupState",
    "Rule",
    "RuleFiring",
    "RuleSet",
    "SavedView",
    "ScoredVerdict",
    "ScoringDue",
    "SetAside",
    "SignInLink",
    "Signal",
    "SignalSource",
    "Survey",
    "Tag",
    "Team",
    "TeamAssignment",
    "TeamMembership",
    "TimelineEvent",
]
