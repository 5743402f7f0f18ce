"""Pure ingest: parse files into sources and extracts with provenance; never imports lab_app."""
