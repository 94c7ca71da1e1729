"""From a question to a cited, extractive answer: settings, search, answer, CLI and HTTP API."""
