"""Essay drafts built from themed extracts, every quotation verbatim and traceable."""
