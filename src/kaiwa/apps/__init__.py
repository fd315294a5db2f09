"""What users run: `kaiwa chat` (and, later, `kaiwa web`); `kaiwa.cli` dispatches here."""
