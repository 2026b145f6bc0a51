"""The timeline events the attachments domain writes (see `attent.timeline.kinds`)."""

from dataclasses import dataclass, field

from attent.timeline import Kind, Say, kind


@kind("attachment.added")
@dataclass(frozen=True, kw_only=True)
class AttachmentAdded(Kind):
    """A file was added to the case (by an agent, or from the customer's e-mail or form); `flags` say
    when its name or bytes look like a program."""

    attachment_id: str
    filename: str
    size: int
    content_type: str
    flags: list[str] = field(default_factory=list)
    contact_id: str | None = None
    note_id: str | None = None

    def detail(self, say: Say) -> str:
        return self.filename
