"""Attachments: files on a case, kept once per content hash, typed from their bytes, served safely."""

# What other domains may use besides `service`: the vocabulary of this domain's rows, the kinds of
# timeline events it writes, and the two responses a file leaves the server as (a download to save, a
# thumbnail), for pages of other readers (the customer page) that serve the same files.
from attent.files.kinds import AttachmentAdded
from attent.files.models import Attachment, UploadedBy
from attent.files.serving import download, thumbnail

__all__ = ["Attachment", "AttachmentAdded", "UploadedBy", "download", "thumbnail"]
