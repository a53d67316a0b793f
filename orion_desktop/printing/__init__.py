"""Printed documents (pick lists, packing slips) rendered to PDF with Qt's own PDF support."""
