"""Attachments: files on a case, kept once per content hash, typed from their bytes, served safely."""

# What other domains may use besides `service`: the vocabulary of this domain's rows, and the kinds of
# timeline events it writes.
from attent.files.kinds import AttachmentAdded
from attent.files.models import Attachment, UploadedBy

__all__ = ["Attachment", "AttachmentAdded", "UploadedBy"]
