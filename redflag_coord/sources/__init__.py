"""Need-to-know repositories (issue 34): a collective shares a branch of its shared files (`share`, `bundle`);
the committee's repository fetches, verifies and keeps it read-only (`fetch`, `status`). docs/sources.md.
"""
