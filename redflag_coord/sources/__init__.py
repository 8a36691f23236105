"""Need-to-know repositories (issue 34): a committee's repository receives only what each collective shares.

- `share` (in a collective's repository): the branch of its shared files only, built commit by commit
  from its own history (same dates, neutral author), and a bundle of it, sealed with age if asked.
- `fetch` (in the committee's repository): fetches each source into a quarantine, verifies it (paths,
  every file validated, signatures, no history rewrite), then keeps it and records it in sources.lock.
- `status`: each source's commit, age and problems.

Layout and guarantees: docs/sources.md; where fetched files live: repo.sourcestore.
"""
