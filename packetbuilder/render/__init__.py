"""Writers of the neutral model: PDF (reportlab) and DOCX (python-docx)."""
