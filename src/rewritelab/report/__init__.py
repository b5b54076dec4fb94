"""Report results: tables, progress, the demo report."""
