"""The extraction pipeline: path -> text -> documents -> sentences -> targets."""
