"""The embedder: the packaged model offline, another local folder by setting, clear errors."""

import numpy as np
import pytest

from lab_app.material.embedder import Embedder, EmbedderError, default_model_path


def test_packaged_model_embeds_normalised_rows_and_each_text_once():
    embedder = Embedder()
    vectors = embedder.embed(["peer support", "waiting lists", "peer support"])
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(vectors[0], vectors[2])
    assert embedder.texts_embedded == 2
    similar = float(vectors[0] @ embedder.embed(["support from peers"])[0])
    assert similar > float(vectors[0] @ vectors[1])


def test_another_local_model_folder_is_used_as_named():
    folder = default_model_path()
    vectors = Embedder(str(folder)).embed(["hello"])
    assert vectors.shape == (1, 384)


def test_missing_model_folder_says_what_to_set(tmp_path):
    with pytest.raises(EmbedderError, match="QLAB_EMBEDDING_MODEL"):
        Embedder(str(tmp_path / "no-model")).embed(["hello"])
