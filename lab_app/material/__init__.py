"""The material itself: the store (the truth), the index, the model, consent, uploads, backups."""
