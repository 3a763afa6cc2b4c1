"""The service layer: the only part of runlocal that edges (CLI, web, API) import."""
