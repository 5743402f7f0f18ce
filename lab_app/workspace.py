"""The one service facade the CLI and the app call: ingest, search, status, check, export."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ingest.errors import IngestError
from ingest.pipeline import IngestOptions, file_hash, load_source
from ingest.records import Source
from ingest.redact import redact_path
from lab_app.core import locks
from lab_app.core.audit import record
from lab_app.core.faults import WorkspaceFault, describe, is_storage_fault, visible
from lab_app.core.private import owner_only, private_folder, tighten
from lab_app.core.settings import Settings
from lab_app.exchange.csv_export import EXTRACT_COLUMNS, write_csv
from lab_app.material import set_aside, uploads
from lab_app.material.embedder import Embedder
from lab_app.material.index import VectorIndex, VectorIndexError, connect, remove_embedded
from lab_app.material.store import Store, text_hash
from lab_app.people.withdrawal import drop_withdrawn

Progress = Callable[[int, int], None]
# Up to this many extracts of a kind, a filtered search scores them exactly from the store.
EXACT_SEARCH_LIMIT = 3000
# One writer of the index at a time, across processes: two ingests starting together each
# re-sync the other's unfinished source, and an embedded index's first opening migrates its
# own SQLite file, which a second process opening it then finds locked.
INDEX_WRITE_LOCK, INDEX_OPEN_LOCK = "index-write", "index-open"


@dataclass
class FileOutcome:
    """What happened to one file: ingested with N extracts, unchanged, or refused and why."""

    path: str
    status: str  # "ingested" | "unchanged" | "refused"
    extracts: int = 0
    reason: str = ""
    redactions: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    non_answers: int = 0  # survey replies such as "Nothing" or "N/A": counted, not stored
    blank: int = 0  # survey replies left empty

    def set_aside_note(self) -> str:
        """ "312 non-answers and 40 blank answers kept aside", or ""."""
        return set_aside.note(self.non_answers, self.blank)


@dataclass
class CheckResult:
    missing_from_index: set[str]
    missing_from_store: set[str]

    @property
    def ok(self) -> bool:
        return not self.missing_from_index and not self.missing_from_store


class Workspace:
    """A Lab's workspace: the store (truth), the index (derived) and the model, opened lazily."""

    def __init__(self, settings: Settings):
        self.settings = settings
        owner_only()  # the store, index, uploads, exports and backups it makes: owner only
        tighten(private_folder(settings.home))
        self.store = Store(settings.sqlalchemy_url)
        uploads.sweep(settings.home)  # raw uploads never outlive their ingest (docs/uploads.md)
        self.embedder = Embedder(settings.embedding_model, settings.batch_size)
        self._index: VectorIndex | None = None

    @property
    def index(self) -> VectorIndex:
        if self._index is None:
            where = self.settings.chroma_url or self.settings.chroma_path
            with locks.held(self.store.engine, INDEX_OPEN_LOCK):
                client = connect(self.settings.chroma_url, self.settings.chroma_path)
                self._index = VectorIndex(client, self.settings.collection, f"the index at {where}")
        return self._index

    def ingest_options(self, **chosen) -> IngestOptions:
        """Options for ingest with the size limits from settings."""
        return IngestOptions(
            max_file_bytes=self.settings.max_file_mb * 1_000_000,
            max_unpacked_bytes=self.settings.max_unpacked_mb * 1_000_000,
            **chosen,
        )

    # --- ingest --------------------------------------------------------------------------

    def ingest(
        self,
        paths: Iterable[Path],
        options: IngestOptions | None = None,
        root: Path | None = None,
        progress: Progress | None = None,
    ) -> Iterator[FileOutcome]:
        """Ingest files and folders (recursively), one outcome per file, in path order."""
        options = options or self.ingest_options()
        with contextlib.suppress(VectorIndexError):  # a broken index: each file says so
            self.repair_index()  # finish whatever an earlier, interrupted ingest left half done
        changed = False
        for path in expand_paths(paths, skip=self.settings.home):
            outcome = self.ingest_file(path, options, root, progress)
            changed = changed or outcome.status == "ingested"
            yield outcome
        if changed:
            self.refresh_tensions()

    def ingest_file(
        self,
        path: Path,
        options: IngestOptions,
        root: Path | None = None,
        progress: Progress | None = None,
    ) -> FileOutcome:
        try:
            outcome = self._ingest_file(path, options, root, progress)
            if outcome.status != "unchanged":  # the trail notes what changed, not every re-run
                detail = {"status": outcome.status, "extracts": outcome.extracts}
                if outcome.reason:
                    detail["reason"] = outcome.reason
                record(self.store.engine, "ingest", outcome.path, detail)
        except WorkspaceFault:  # the store or the index said what to do, in one line
            raise
        except Exception as err:
            # A full or read-only disk stops the run in one line; the next file would fail too.
            if is_storage_fault(err):
                shown = visible(display_path(path, root))
                raise WorkspaceFault(describe(err, f"storing {shown}")) from err
            raise
        return outcome

    def ingest_upload(self, name: str, data: bytes, **choices) -> FileOutcome:
        """Ingest a file given as bytes (an upload): staged privately, ingested, then deleted,
        so the workspace keeps its redacted text only. `choices` as for ingest_options."""
        with uploads.staged(self.settings.home, name, data, self.settings.max_file_mb) as path:
            options = self.ingest_options(**choices)
            return self.ingest_file(path, options, root=self.settings.home)

    def _ingest_file(
        self, path: Path, options: IngestOptions, root: Path | None, progress: Progress | None
    ) -> FileOutcome:
        shown = redact_path(display_path(path, root))  # as load_source stores it
        try:
            content_hash = file_hash(path)
        except OSError as err:
            return FileOutcome(shown, "refused", reason=f"cannot read the file: {err.strerror}")
        existing = self.store.source_by_path(shown)
        if existing is not None and existing.content_hash == content_hash:
            warnings = [] if existing.indexed else self._try_sync_index(existing.id, shown)
            return FileOutcome(shown, "unchanged", existing.extract_count, warnings=warnings)
        twin = self.store.source_by_hash(content_hash)
        if twin is not None and twin.kind == (options.kind or twin.kind):
            return FileOutcome(
                shown, "unchanged", twin.extract_count, reason=f"same content as {twin.path}"
            )
        try:
            source = load_source(path, shown, content_hash, options)
        except IngestError as err:
            return FileOutcome(shown, "refused", reason=str(err))
        except Exception as err:  # a parser bug must not stop the other files
            return FileOutcome(
                shown,
                "refused",
                reason=f"could not be read ({type(err).__name__}: {err}); "
                "check that it opens in its own program, then report it",
            )
        drop_withdrawn(source, self.store.engine)  # people who withdrew never come back
        vectors = self._vectors_for(source, progress)
        source_id = self.store.replace_source(source, vectors)
        non_answers, blank = set_aside.split(set_aside.counts_by_question(source.set_aside))
        return FileOutcome(
            shown,
            "ingested",
            len(source.extracts),
            redactions=source.redactions,
            warnings=source.warnings + self._try_sync_index(source_id, shown),
            non_answers=non_answers,
            blank=blank,
        )

    def _vectors_for(self, source: Source, progress: Progress | None) -> np.ndarray:
        """Vectors for every extract, reusing stored ones for text already embedded."""
        hashes = [text_hash(extract.text) for extract in source.extracts]
        known = self.store.vectors_for_texts(hashes)
        missing = [e.text for e, h in zip(source.extracts, hashes, strict=True) if h not in known]
        fresh = iter(self.embedder.embed(missing, progress)) if missing else iter(())
        rows = [known[h] if h in known else next(fresh) for h in hashes]
        return np.vstack(rows) if rows else np.zeros((0, 384), dtype=np.float32)

    def _sync_index(self, source_id: int, source_path: str) -> None:
        """Make the index hold exactly this source's stored extracts, then mark it indexed."""
        self.index.delete_source(source_path)
        for ids, vectors, metadatas in self.store.index_rows(source_id):
            self.index.add(ids, vectors, metadatas)
        self.store.mark_indexed(source_id)

    def _try_sync_index(self, source_id: int, source_path: str) -> list[str]:
        """Sync the index; on a broken index, a warning instead (the store holds the source,
        marked unindexed, and `qlab reindex` or the next ingest brings the index level)."""
        try:
            with locks.held(self.store.engine, INDEX_WRITE_LOCK):
                self._sync_index(source_id, source_path)
        except VectorIndexError as err:
            return [f"not searchable yet: {err}"]
        return []

    def repair_index(self) -> int:
        """Re-sync every source whose index update did not finish; return how many."""
        with locks.held(self.store.engine, INDEX_WRITE_LOCK):
            return self._sync_unindexed()

    def _sync_unindexed(self) -> int:
        # Read under the lock: a source another process finished meanwhile is not redone.
        pending = self.store.unindexed_source_ids()
        paths = {row.id: row.path for row in self.store.list_sources()}
        for source_id in pending:
            self._sync_index(source_id, paths[source_id])
        return len(pending)

    def remove_source(self, source_path: str) -> bool:
        row = self.store.source_by_path(source_path)
        if row is None:
            return False
        with locks.held(self.store.engine, INDEX_WRITE_LOCK):
            self.index.delete_source(source_path)
            self.store.remove_source(row.id)
        return True

    # --- reading -------------------------------------------------------------------------

    def search(self, query: str, k: int = 10, kind: str | None = None) -> list[dict]:
        """Extracts nearest in meaning to the query, best first, with provenance and a score."""
        vector = self.embedder.embed([query])[0]
        hits = self._nearest(vector, k, kind)
        details = self.store.extracts_by_ids([extract_id for extract_id, _ in hits])
        results = []
        for extract_id, score in hits:
            row = details.get(extract_id)
            if row is None:  # index ahead of store: never show what the store does not hold
                continue
            results.append(
                {
                    "extract_id": extract_id,
                    "score": round(float(score), 4),
                    "text": row["text"],
                    "source": row["source"],
                    "kind": row["kind"],
                    "page": row["page"],
                    "row": row["row"],
                    "date": row["date"],
                    "person": row["person"],
                }
            )
        return results

    def _nearest(self, vector: np.ndarray, k: int, kind: str | None) -> list[tuple[str, float]]:
        """Top-k ids, routed by how much of the store a kind filter keeps: Chroma's filtered
        query costs 40-70 ms at 50k extracts (it grows with the matches), so a rare kind is
        scored exactly from the stored vectors, a common kind by over-fetching unfiltered
        neighbours and keeping that kind, and only the middle ground uses Chroma's filter."""
        if not kind:
            return self.index.query(vector, k)
        matching, total = self.store.kind_share(kind)
        if matching <= EXACT_SEARCH_LIMIT:
            return self.store.nearest_of_kind(vector, kind, k)
        share = matching / max(total, 1)
        if share >= 0.3:
            hits = self.index.query(vector, int(k / share * 3) + 10)
            kinds = self.store.kinds_of([extract_id for extract_id, _ in hits])
            kept = [hit for hit in hits if kinds.get(hit[0]) == kind][:k]
            if len(kept) == min(k, matching):
                return kept
        return self.index.query(vector, k, {"kind": kind})

    def stored_status(self) -> dict:
        """What the store holds (shown even when the index cannot be opened)."""
        counts = self.store.counts()
        counts.update(set_aside.totals(self.store.engine))
        counts["home"] = str(self.settings.home)
        return counts

    def status(self) -> dict:
        return dict(self.stored_status(), indexed=self.index.count())

    def check(self) -> CheckResult:
        stored, indexed = self.store.extract_ids(), self.index.ids()
        return CheckResult(stored - indexed, indexed - stored)

    def reindex(self) -> int:
        """Rebuild the index from the store's text and vectors; no file is read, no model run.
        An embedded index too damaged to open is deleted and made again: it is derived, and
        holds nothing the store does not."""
        with locks.held(self.store.engine, INDEX_WRITE_LOCK):
            try:
                self.index.reset()
            except VectorIndexError:
                if self.settings.chroma_url:
                    raise  # a server's index is the server's to repair
                self._index = None
                remove_embedded(self.settings.chroma_path)
                self.index.reset()
            self.store.mark_all_unindexed()
            self._sync_unindexed()
        return self.index.count()

    def index_problem(self) -> str | None:
        """Why a search may miss extracts now, in one line; None when the index holds them all
        (an ingest in another process, an interrupted one, or a damaged index)."""
        try:
            indexed = self.index.count()
        except VectorIndexError as err:
            return str(err)
        stored = self.store.extract_total()
        if indexed >= stored:
            return None
        return (
            f"the index holds {indexed} of {stored} extracts, so results may be missing: "
            "wait for an ingest to finish, or run `qlab reindex`"
        )

    def export_extracts(self, out: Path) -> int:
        from lab_app.themes.build import placements

        names, rows = self.store.export_rows()
        placement = placements(self.store.engine)
        columns = EXTRACT_COLUMNS + [f"attr:{name}" for name in names] + ["theme_id", "theme_label"]
        count = write_csv(
            out, columns, (dict(row, **placement.get(row["extract_id"], {})) for row in rows)
        )
        record(self.store.engine, "export", "extracts", {"file": Path(out).name, "rows": count})
        return count

    # --- themes --------------------------------------------------------------------------

    # scikit-learn loads only when themes are asked for: `qlab ingest` starts faster.
    def build_themes(self, kind: str | None = None, k: int | None = None, fresh: bool = False):
        from lab_app.themes.build import build
        from lab_app.themes.map import map_layout

        report = build(self.store.engine, kind=kind, k=k, fresh=fresh, embedder=self.embedder)
        # The Map's 2-D layout is laid out now (unless the vectors are unchanged since it was),
        # so the first visit after a build reads it instead of computing it (~1 s at 20k).
        map_layout(self.store.engine)
        self.refresh_tensions()
        return report

    def refresh_tensions(self) -> dict | None:
        """Tensions follow the material: recomputed after ingests, imports and theme builds
        when what they read changed, so a bare `qlab tensions` is never stale."""
        from lab_app.opinions.tensions import ensure_fresh

        return ensure_fresh(self)

    def list_themes(self) -> list[dict]:
        from lab_app.themes.build import list_themes

        return list_themes(self.store.engine)


def expand_paths(paths: Iterable[Path], skip: Path | None = None) -> list[Path]:
    """Files named, and files under folders named (recursively), skipping hidden ones and the
    workspace's own folder (a Lab may keep its workspace beside its material)."""
    skip_dir = Path(os.path.abspath(skip)) if skip else None
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                relative = child.relative_to(path).parts
                if any(part.startswith(".") for part in relative) or not child.is_file():
                    continue
                if skip_dir and Path(os.path.abspath(child)).is_relative_to(skip_dir):
                    continue
                found.append(child)
        else:
            found.append(path)
    return found


def display_path(path: Path, root: Path | None = None) -> str:
    """How a source is named in the store: relative to root or the current folder when inside."""
    absolute = Path(os.path.abspath(path))
    for base in (root, Path.cwd()):
        if base is None:
            continue
        try:
            return absolute.relative_to(Path(os.path.abspath(base))).as_posix()
        except ValueError:
            continue
    return absolute.as_posix()
