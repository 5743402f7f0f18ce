"""Ingest errors: each message is one line saying what is wrong and what to do."""


class IngestError(Exception):
    """A file could not be ingested; str(err) is the reason shown after `refused PATH:`."""


class UnsupportedFormat(IngestError):
    """The file's format is not one the workspace reads (RTF, legacy .doc, images, …)."""


class EncryptedFile(IngestError):
    """A password-protected file that the empty password did not open."""


class EmptyFile(IngestError):
    """The file holds no text or no rows that could become extracts."""


class TooLarge(IngestError):
    """The file, or what it unpacks to, is past the limits set in settings."""
