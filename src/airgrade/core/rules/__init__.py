"""The rule book: dated, cited rule data and its loader."""
