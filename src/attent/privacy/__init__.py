"""A customer's AVG/GDPR rights: a copy of everything we hold on them (art. 15), and erasure (art. 17)."""

# What the workspace's pages use besides `service`: the retention settings and the dry run.
from attent.privacy.retention import due as retention_due
from attent.privacy.retention import retention_settings

__all__ = ["retention_due", "retention_settings"]
