"""Claims: typed records, parsers of existing reports, and (later) extraction from papers."""
