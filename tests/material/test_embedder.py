"""The embedder: the packaged model offline, another local folder by setting, clear errors."""

import numpy as np
import pytest

from lab_app.material.embedder import Embedder, EmbedderError, default_model_path


def test_packaged_model_embeds_normalised_rows_and_each_text_once():
    embedder = Embedder()
    # Texts no other test embeds: the process keeps recent vectors (see below).
    vectors = embedder.embed(
        ["peer support at the lido", "waiting lists at the lido", "peer support at the lido"]
    )
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(vectors[0], vectors[2])
    assert embedder.texts_embedded == 2
    similar = float(vectors[0] @ embedder.embed(["support from peers at the pool"])[0])
    assert similar > float(vectors[0] @ vectors[1])


def test_texts_embedded_lately_are_not_sent_to_the_model_again():
    """A report or a page's rerun embeds the same sentences again: the second time they come
    from the process's recent vectors, the same rows, and only new texts reach the model."""
    first = Embedder()
    texts = ["the bowls club hosts the Tuesday peer group", "a quiet room after the session"]
    before = first.embed(texts)
    second = Embedder()  # another instance in the same process, as each page run makes
    again = second.embed([texts[1], "a bus pass for volunteers", texts[0]])
    assert second.texts_embedded == 1
    assert np.array_equal(again[0], before[1]) and np.array_equal(again[2], before[0])
    fresh = Embedder().embed(["a bus pass for volunteers"])
    assert np.allclose(fresh[0], again[1], atol=1e-6)


def test_a_large_call_is_embedded_whole_whatever_came_before():
    """A file's worth of texts never takes vectors embedded earlier in other batches: its
    vectors are the same whether or not the process saw some of its texts before."""
    texts = [f"answer {n} about the lido's Thursday peer group" for n in range(300)]
    cold = Embedder().embed(texts)
    Embedder().embed(texts[:5])  # a small call: these five are kept as recent
    warm = Embedder()
    assert np.array_equal(warm.embed(texts), cold) and warm.texts_embedded == len(texts)


def test_another_local_model_folder_is_used_as_named():
    folder = default_model_path()
    vectors = Embedder(str(folder)).embed(["hello"])
    assert vectors.shape == (1, 384)


def test_missing_model_folder_says_what_to_set(tmp_path):
    with pytest.raises(EmbedderError, match="QLAB_EMBEDDING_MODEL"):
        Embedder(str(tmp_path / "no-model")).embed(["hello"])
