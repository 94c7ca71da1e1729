"""From a policy document on disk to search-ready artifacts: parse, tokenize, embed, build, load."""
