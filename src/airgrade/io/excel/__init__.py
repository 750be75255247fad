"""Excel workbooks in the official column layouts."""
