"""SQL-first metrics over the warehouse; every query function returns a pandas DataFrame."""
