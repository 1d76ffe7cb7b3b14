"""Import from Loomio: a group export (JSON lines) becomes groups, people, threads and decisions here."""
